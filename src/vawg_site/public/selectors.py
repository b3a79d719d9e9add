"""Reads for the public pages: the Met's published VAWG offence counts, and whether the force
data in use is generated.

The counts come from :class:`~vawg_site.opendata.models.VawgCount`, offences on the "location"
sheet only (the other sheets break the same offences down other ways and must never be added
to it). A borough's figure for a month is the sum of ``count`` over its wards and over the month
the offence was committed in, for the month it was recorded in: the counts as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Max, Min, QuerySet, Sum

from vawg_site.opendata.models import VawgCount

SYNTHETIC_FORCE_MARKER = "force_is_synthetic"
"""File name in ``VAWG_HOME`` whose presence says the force data loaded is generated."""

# Values the Met uses for offences it could not place in a borough; kept in the London total.
_NOT_A_BOROUGH = ("Other", "Unknown")


@dataclass(frozen=True)
class MonthCount:
    """Offences recorded in one calendar month (``month`` is the first day of it)."""

    month: date
    offences: int


def _published_offences() -> QuerySet[VawgCount]:
    """Offence counts on the location sheet: the only sheet summed on these pages."""
    return VawgCount.objects.filter(
        measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION
    )


def borough_month_counts(
    *, borough: str | None, start: date | None, end: date | None
) -> list[MonthCount]:
    """VAWG offences recorded each month in ``borough`` (or all London when None).

    ``start`` and ``end`` are inclusive first-of-month dates; None leaves that end open. Months
    with no published row are absent, not zero.
    """
    rows = _published_offences()
    if borough is not None:
        rows = rows.filter(borough=borough)
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    totals = rows.values("month").annotate(offences=Sum("count")).order_by("month")
    return [MonthCount(month=row["month"], offences=row["offences"]) for row in totals]


def borough_names() -> list[str]:
    """Boroughs in the published offence counts, alphabetical, with "Other" and "Unknown"
    (offences the Met did not place in a borough) last."""
    names = set(
        _published_offences().exclude(borough="").values_list("borough", flat=True).distinct()
    )
    places = sorted(n for n in names if n not in _NOT_A_BOROUGH)
    return places + [n for n in _NOT_A_BOROUGH if n in names]


def offence_month_span() -> tuple[date, date] | None:
    """The first and last month with published offence counts, or None when none are loaded."""
    span = _published_offences().aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


def force_data_is_synthetic(*, home: Path | None = None) -> bool:
    """True when the force data loaded is generated rather than a real force extract.

    Whoever loads generated force data (``vawg demo`` without ``--force-extract``) writes an
    empty file named ``force_is_synthetic`` in ``VAWG_HOME``; loading a real extract removes it.
    A file rather than a database flag keeps the check independent of any one table and cheap
    enough to make on every request.
    """
    folder = Path(settings.VAWG_HOME) if home is None else home
    return (folder / SYNTHETIC_FORCE_MARKER).is_file()
