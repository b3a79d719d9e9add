"""Months and periods: the keys months take in files, URLs and tables, ranges of months, and the
Met's change of crime recording system.

A month is held as the ``datetime.date`` of its first day, and written ``YYYY-MM`` (its *key*).
Every module that counts by month uses these helpers, so that "the last 12 months" or "the month
after" means the same thing on every page, in the API and in the analytics.

The Met replaced its crime recording system CRIS with CONNECT on 28 February 2024 (Met FOI
01.FOI.25.042468). Counts from March 2024 are not directly comparable with earlier months: the
series steps down at that point partly because of the change of system, not only because of a real
fall. :func:`recording_system` names the system a month's figure comes from and
:func:`spans_system_change` says when a series must carry that caveat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

RECORDING_SYSTEM_CHANGE = date(2024, 2, 28)
"""The day the Met replaced CRIS with CONNECT for recording crime."""

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_key(month: date) -> str:
    """The ``YYYY-MM`` key of the month holding ``month`` (any day of it).

    >>> month_key(date(2024, 2, 17))
    '2024-02'
    """
    return f"{month.year:04d}-{month.month:02d}"


def month_parse(text: str) -> date:
    """The first day of the month a ``YYYY-MM`` key names.

    Raises ValueError when ``text`` is not a four-digit year, a dash and a two-digit month 01-12.

    >>> month_parse("2024-02")
    datetime.date(2024, 2, 1)
    >>> month_parse("2024-13")
    Traceback (most recent call last):
    ValueError: not a month (YYYY-MM): '2024-13'
    """
    year, sep, month = text.partition("-")
    if not (sep and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    if not 1 <= int(month) <= 12:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(year), int(month), 1)


def month_parse_compact(text: str) -> date:
    """The first day of the month a ``YYYYMM`` key names, as the Met's wide recorded-crime files
    name their month columns.

    Raises ValueError when ``text`` is not six digits with a month 01-12.

    >>> month_parse_compact("202403")
    datetime.date(2024, 3, 1)
    >>> month_parse_compact("2024-3")
    Traceback (most recent call last):
    ValueError: not a month (YYYYMM): '2024-3'
    """
    if not (len(text) == 6 and text.isdigit() and 1 <= int(text[4:]) <= 12):
        raise ValueError(f"not a month (YYYYMM): {text!r}")
    return date(int(text[:4]), int(text[4:]), 1)


def is_month_key(text: str) -> bool:
    """Whether ``text`` is a ``YYYY-MM`` month key.

    >>> is_month_key("2024-02"), is_month_key("2024-2"), is_month_key("-001-01")
    (True, False, False)
    """
    try:
        month_parse(text)
    except ValueError:
        return False
    return True


def month_start(day: date) -> date:
    """The first day of the month holding ``day``.

    >>> month_start(date(2024, 2, 29))
    datetime.date(2024, 2, 1)
    """
    return day.replace(day=1)


def months_shift(month: date, n: int) -> date:
    """The first day of the month ``n`` months after ``month`` (before it when ``n`` < 0).

    >>> months_shift(date(2024, 1, 15), -1), months_shift(date(2024, 12, 1), 1)
    (datetime.date(2023, 12, 1), datetime.date(2025, 1, 1))
    """
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_back(month: date, n: int) -> date:
    """The first day of the month ``n`` months before ``month``.

    >>> months_back(date(2024, 3, 1), 11)
    datetime.date(2023, 4, 1)
    """
    return months_shift(month, -n)


def month_after(month: date) -> date:
    """The first day of the month after the one holding ``month``.

    >>> month_after(date(2024, 12, 31))
    datetime.date(2025, 1, 1)
    """
    return months_shift(month, 1)


def year_earlier(month: date) -> date:
    """The first day of the same month a year earlier.

    >>> year_earlier(date(2024, 2, 29))
    datetime.date(2023, 2, 1)
    """
    return months_shift(month, -12)


def year_later(month: date) -> date:
    """The first day of the same month a year later.

    >>> year_later(date(2024, 2, 29))
    datetime.date(2025, 2, 1)
    """
    return months_shift(month, 12)


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from ``first`` to ``last``, both included (empty when ``last``
    is before ``first``).

    >>> months_between(date(2023, 11, 1), date(2024, 1, 31))
    [datetime.date(2023, 11, 1), datetime.date(2023, 12, 1), datetime.date(2024, 1, 1)]
    """
    return [months_shift(first, i) for i in range(month_count(first, last))]


def month_count(first: date, last: date) -> int:
    """How many months from ``first`` to ``last``, both included (0 when ``last`` is earlier).

    >>> month_count(date(2023, 4, 1), date(2024, 3, 1))
    12
    """
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def month_label(month: date) -> str:
    """'February 2024' for any day in that month, whatever the server's locale.

    >>> month_label(date(2024, 2, 28))
    'February 2024'
    """
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def recording_system(month: date) -> str:
    """The Met recording system a month's figure comes from: ``CRIS`` before February 2024,
    ``CRIS and CONNECT`` in February 2024, ``CONNECT`` after.

    >>> [recording_system(date(2024, m, 1)) for m in (1, 2, 3)]
    ['CRIS', 'CRIS and CONNECT', 'CONNECT']
    """
    change = (RECORDING_SYSTEM_CHANGE.year, RECORDING_SYSTEM_CHANGE.month)
    if (month.year, month.month) < change:
        return "CRIS"
    if (month.year, month.month) == change:
        return "CRIS and CONNECT"
    return "CONNECT"


def spans_system_change(months: Iterable[date]) -> bool:
    """Whether a series of months touches the months either side of the change of recording
    system (January to April 2024) or straddles it, and so must carry the caveat.

    >>> spans_system_change([date(2023, 1, 1), date(2023, 12, 1)])
    False
    >>> spans_system_change([date(2023, 6, 1), date(2024, 6, 1)])
    True
    >>> spans_system_change([])
    False
    """
    listed = list(months)
    if not listed:
        return False
    return min(listed) <= date(2024, 4, 1) and max(listed) >= date(2024, 1, 1)


def period_crosses_change(start: date, end: date) -> bool:
    """Whether the period from ``start`` to ``end`` (first days of months) includes the month of
    the change of recording system.

    >>> period_crosses_change(date(2023, 3, 1), date(2024, 2, 1))
    True
    >>> period_crosses_change(date(2024, 3, 1), date(2025, 2, 1))
    False
    """
    change = month_start(RECORDING_SYSTEM_CHANGE)
    return start <= change <= end


def years_published(*, first: date, last: date) -> list[int]:
    """The calendar years that records from day ``first`` to day ``last`` cover whole: the only
    periods a table of them may be published for. A year the records cover only in part (at
    either end) is left out: its figures would change as the records grow or as an extract's
    start moves on, and two versions of one year's table could be subtracted from each other.

    >>> years_published(first=date(2023, 3, 15), last=date(2025, 11, 30))
    [2024]
    >>> years_published(first=date(2024, 1, 1), last=date(2025, 12, 31))
    [2024, 2025]
    >>> years_published(first=date(2025, 1, 1), last=date(2025, 6, 30))
    []
    """
    start = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    end = last.year if (last.month, last.day) == (12, 31) else last.year - 1
    return list(range(start, end + 1))


EARLIEST_PLAUSIBLE = date(1900, 1, 1)
"""No date or month a table holds is earlier: the readers refuse earlier ones
(:mod:`vawg.ingest.plausible`), the public selectors read none (the Met writes 1900 for an
unknown month of commission, which is kept as published)."""


def plausible_window(*, today: date | None = None) -> tuple[date, date]:
    """The first and last day a stored date or month may take: 1 January 1900 and ``today``
    (default: today's date). The readers refuse rows outside it; the public selectors read only
    rows inside it too, so that a row stored before the readers checked, or written by hand,
    cannot stretch every month list and range over centuries.

    >>> plausible_window(today=date(2025, 3, 14))
    (datetime.date(1900, 1, 1), datetime.date(2025, 3, 14))
    """
    return EARLIEST_PLAUSIBLE, today or date.today()
