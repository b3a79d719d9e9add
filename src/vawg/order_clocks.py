"""The statutory clocks of protective orders: when a notice's court hearing is due, when an order
expires, which are near either.

**The 48-hour hearing.** A domestic abuse protection notice (Domestic Abuse Act 2021, s.29(2)-(3))
and a domestic violence protection notice (Crime and Security Act 2010, s.27) oblige the police to
have the application for the order heard by a magistrates' court "not later than 48 hours after
the notice was given", and "in calculating when the period of 48 hours ends" disregard any
Sunday, Christmas Day, Good Friday and any bank holiday in England and Wales. So only the hours
that fall on other days count: a notice given at 10:00 on the Saturday before a bank-holiday
Monday runs 14 hours on the Saturday, none on the Sunday or the Monday, 24 on the Tuesday and
ends at 10:00 on the Wednesday. Times are London times; hours are counted as real elapsed
hours (the clocks change in the early hours of a Sunday, a disregarded day, so every counted day
has 24).

Bank holidays come from a shipped table (``vawg/data/bank_holidays_england_wales.csv``, GOV.UK's
list, provisional; ``VAWG_BANK_HOLIDAYS`` names a newer CSV of ``date,name``). A clock that would
run past the table's last year stops with an error rather than guess.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from vawg.errors import UserInputError

LONDON = ZoneInfo("Europe/London")
HOLIDAYS_PATH = Path(__file__).parent / "data" / "bank_holidays_england_wales.csv"
HEARING_HOURS = 48
"""A notice's order application must be heard within this many counted hours."""

EXPIRY_ALERT_DAYS = 28
"""An order is flagged as expiring soon this many days ahead."""

NOTICE_TYPES = ("DVPN", "DAPN")
"""Notices whose order application has the 48-hour hearing clock."""


@dataclass(frozen=True)
class Holidays:
    """The bank holidays of England and Wales known to the table, and the years it covers."""

    days: frozenset[date]
    first_year: int
    last_year: int

    def disregarded(self, day: date) -> bool:
        """Whether the 48-hour clock skips ``day``: a Sunday, Christmas Day, Good Friday (both
        by name: they are in the table as GOV.UK lists them) or a bank holiday.

        >>> h = holidays_load()
        >>> [h.disregarded(date(2026, 5, d)) for d in (23, 24, 25, 26)]
        [False, True, True, False]
        """
        if not self.first_year <= day.year <= self.last_year:
            raise UserInputError(
                f"the bank holiday table covers {self.first_year}-{self.last_year}, not {day}: "
                "give a newer table (VAWG_BANK_HOLIDAYS, a CSV of date,name)"
            )
        return day.weekday() == 6 or (day.month, day.day) == (12, 25) or day in self.days


def holidays_load(path: Path | None = None) -> Holidays:
    """Read a bank-holiday table (``date,name``; lines starting ``#`` are comments): ``path``,
    else ``VAWG_BANK_HOLIDAYS``, else the shipped one.

    Raises
    ------
    UserInputError
        The file lacks the columns, holds a date that does not parse, or no date at all.
    """
    chosen = path or Path(os.environ.get("VAWG_BANK_HOLIDAYS") or HOLIDAYS_PATH)
    return _holidays_read(chosen.resolve())


@lru_cache(maxsize=8)
def _holidays_read(path: Path) -> Holidays:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            lines = [line for line in handle if line.strip() and not line.startswith("#")]
    except OSError as error:
        raise UserInputError(f"bank holiday table {path}: {error}") from error
    reader = csv.DictReader(lines)
    if "date" not in (reader.fieldnames or ()):
        raise UserInputError(f"bank holiday table {path}: no date column")
    days = set()
    for number, row in enumerate(reader, start=2):
        try:
            days.add(date.fromisoformat(str(row["date"]).strip()))
        except ValueError as error:
            raise UserInputError(f"bank holiday table {path}, row {number}: {error}") from error
    if not days:
        raise UserInputError(f"bank holiday table {path}: no dates")
    return Holidays(frozenset(days), min(days).year, max(days).year)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LONDON)
    return moment.astimezone(LONDON)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def hearing_deadline(
    given: datetime, *, hours: int = HEARING_HOURS, holidays: Holidays | None = None
) -> datetime:
    """When the order application of a notice given at ``given`` must be heard by: ``hours``
    counted hours later, not counting Sundays, Christmas Day, Good Friday and bank holidays.

    ``given`` without a time zone is London time. The result is in London time.

    >>> hearing_deadline(datetime(2026, 5, 23, 10, 0))  # the Saturday before a bank holiday
    datetime.datetime(2026, 5, 27, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/London'))
    >>> hearing_deadline(datetime(2026, 5, 19, 9, 30)).isoformat()  # a plain Tuesday
    '2026-05-21T09:30:00+01:00'
    """
    holidays = holidays or holidays_load()
    start = _local(given)
    left = timedelta(hours=hours)
    day = start.date()
    moment = start
    while True:
        end = _midnight(day + timedelta(days=1))
        if not holidays.disregarded(day):
            # Real elapsed time: UTC arithmetic, so a day of 23 or 25 hours counts as it is.
            span = end.astimezone(ZoneInfo("UTC")) - moment.astimezone(ZoneInfo("UTC"))
            if span >= left:
                done = moment.astimezone(ZoneInfo("UTC")) + left
                return done.astimezone(LONDON)
            left -= span
        day += timedelta(days=1)
        moment = _midnight(day)


@dataclass(frozen=True)
class Clock:
    """One order's or notice's next deadline, for the register's alerts.

    Attributes
    ----------
    kind : str
        ``hearing`` (a notice's order application) or ``expiry`` (an order's end).
    due : datetime
        In London time (an expiry is the end of its last day).
    overdue : bool
    soon : bool
        A hearing due within 12 hours, or an order expiring within :data:`EXPIRY_ALERT_DAYS`.
    """

    kind: str
    due: datetime
    overdue: bool
    soon: bool


def notice_clock(
    given: datetime, *, now: datetime, holidays: Holidays | None = None, warn_hours: int = 12
) -> Clock:
    """The hearing clock of a notice given at ``given``, seen at ``now``.

    >>> c = notice_clock(datetime(2026, 5, 23, 10), now=datetime(2026, 5, 26, 23))
    >>> c.due.isoformat(), c.overdue, c.soon
    ('2026-05-27T10:00:00+01:00', False, True)
    """
    due = hearing_deadline(given, holidays=holidays)
    seen = _local(now)
    return Clock(
        kind="hearing",
        due=due,
        overdue=seen > due,
        soon=seen <= due <= seen + timedelta(hours=warn_hours),
    )


def expiry_clock(expires: date, *, today: date, alert_days: int = EXPIRY_ALERT_DAYS) -> Clock:
    """The expiry clock of an order whose last day in force is ``expires``, seen on ``today``.

    >>> c = expiry_clock(date(2027, 1, 10), today=date(2026, 12, 20))
    >>> c.due.date(), c.overdue, c.soon
    (datetime.date(2027, 1, 11), False, True)
    """
    due = _midnight(expires + timedelta(days=1))
    return Clock(
        kind="expiry",
        due=due,
        overdue=today > expires,
        soon=today <= expires <= today + timedelta(days=alert_days),
    )
