"""Reads for the public pages: the Met's published VAWG offence counts, and whether the force
data in use is generated.

The counts come from :class:`~vawg_site.opendata.models.VawgCount`, offences on the "location"
sheet only (the other sheets break the same offences down other ways and must never be added
to it). A borough's figure for a month is the sum of ``count`` over its wards and over the month
the offence was committed in, for the month it was recorded in: the counts as published.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, QuerySet, Sum

from vawg_site.opendata.models import VawgCount

SYNTHETIC_FORCE_MARKER = "force_is_synthetic"
"""File name in ``VAWG_HOME`` whose presence says the force data loaded is generated."""

# Values the Met uses for offences it could not place in a borough; kept in the London total.
_NOT_A_BOROUGH = ("Other", "Unknown")


_Read = TypeVar("_Read", bound=Callable[..., Any])

CACHE_SECONDS = 3600
"""How long a cached read is kept; a new load changes the key long before that."""


def cached_on_published_data(read: _Read) -> _Read:
    """Cache a selector's result per set of arguments until published data is loaded again.

    The aggregates behind the public pages scan hundreds of thousands of rows; the data changes
    only when someone loads a file, so each worker keeps the answer under a key that includes
    :func:`published_data_version` and :func:`street_version` (primary-key lookups).
    """

    @functools.wraps(read)
    def wrapper(**kwargs: Any) -> Any:
        arguments = repr(sorted(kwargs.items())).encode()
        key = ":".join(
            (
                "vawg.public",
                read.__qualname__,
                published_data_version(),
                street_version(),
                hashlib.sha1(arguments, usedforsecurity=False).hexdigest(),
            )
        )
        found = cache.get(key)
        if found is None:
            found = read(**kwargs)
            cache.set(key, found, CACHE_SECONDS)
        return found

    return wrapper  # type: ignore[return-value]


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


@cached_on_published_data
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


@cached_on_published_data
def borough_names() -> list[str]:
    """Boroughs in the published offence counts, alphabetical, with "Other" and "Unknown"
    (offences the Met did not place in a borough) last."""
    names = set(
        _published_offences().exclude(borough="").values_list("borough", flat=True).distinct()
    )
    places = sorted(n for n in names if n not in _NOT_A_BOROUGH)
    return places + [n for n in _NOT_A_BOROUGH if n in names]


@cached_on_published_data
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


# --- dashboard ----------------------------------------------------------------------------------


def _sheet_rows(*, measure: str, sheet: str, start: date, end: date) -> QuerySet[VawgCount]:
    return VawgCount.objects.filter(measure=measure, sheet=sheet, month__gte=start, month__lte=end)


@cached_on_published_data
def vawg_month_series(
    *,
    measure: str,
    start: date,
    end: date,
    borough: str | None = None,
    ward_code: str | None = None,
    offence_group: str | None = None,
) -> list[MonthCount]:
    """Monthly counts from one sheet: the classification sheet (all London) when
    ``offence_group`` is given, else the location sheet for London, a borough or a ward."""
    if offence_group is not None:
        rows = _sheet_rows(
            measure=measure, sheet=VawgCount.Sheet.CLASSIFICATION, start=start, end=end
        ).filter(offence_group=offence_group)
    else:
        rows = _sheet_rows(measure=measure, sheet=VawgCount.Sheet.LOCATION, start=start, end=end)
        if borough is not None:
            rows = rows.filter(borough=borough)
        if ward_code is not None:
            rows = rows.filter(ward_code=ward_code)
    totals = rows.values("month").annotate(total=Sum("count")).order_by("month")
    return [MonthCount(month=r["month"], offences=int(r["total"])) for r in totals]


@cached_on_published_data
def vawg_totals_by(
    *,
    measure: str,
    sheet: str,
    field: str,
    start: date,
    end: date,
    borough: str | None = None,
) -> list[tuple[str, int]]:
    """Totals over the period by one column of one sheet (``borough``, ``ward_code``,
    ``offence_group``, ``age_group`` or ``ethnic_group``), largest first. Never mixes sheets."""
    if field not in ("borough", "ward_code", "offence_group", "age_group", "ethnic_group"):
        raise ValueError(f"not a breakdown column: {field}")
    rows = _sheet_rows(measure=measure, sheet=sheet, start=start, end=end)
    if borough is not None:
        rows = rows.filter(borough=borough)
    totals = rows.values(field).annotate(total=Sum("count")).order_by("-total", field)
    return [(r[field] or "", int(r["total"])) for r in totals]


@cached_on_published_data
def ward_names_in(*, borough: str) -> list[tuple[str, str]]:
    """(2024 ward code, name) of the wards with published counts in ``borough``, by name."""
    rows = (
        VawgCount.objects.filter(sheet=VawgCount.Sheet.LOCATION, borough=borough)
        .exclude(ward_code="")
        .values("ward_code")
        .annotate(name=Max("ward_name"))
    )
    return sorted(((r["ward_code"], r["name"]) for r in rows), key=lambda pair: pair[1])


@cached_on_published_data
def offence_group_names() -> list[str]:
    """Offence groups on the classification sheet, alphabetical."""
    names = (
        VawgCount.objects.filter(sheet=VawgCount.Sheet.CLASSIFICATION)
        .exclude(offence_group="")
        .values_list("offence_group", flat=True)
        .distinct()
    )
    return sorted(set(names))


@cached_on_published_data
def ward_period_counts(*, start: date, end: date) -> dict[str, int]:
    """Offences per 2024 ward code over the period (location sheet, matched wards only)."""
    rows = (
        _sheet_rows(
            measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION, start=start, end=end
        )
        .exclude(ward_code="")
        .values("ward_code")
        .annotate(total=Sum("count"))
    )
    return {r["ward_code"]: int(r["total"]) for r in rows}


@cached_on_published_data
def unmatched_ward_offences(*, start: date, end: date) -> int:
    """Offences over the period whose ward has no 2024 code (abolished wards, "N/K")."""
    total = (
        _sheet_rows(
            measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION, start=start, end=end
        )
        .filter(ward_code="")
        .aggregate(total=Sum("count"))["total"]
    )
    return int(total or 0)


def published_data_version() -> str:
    """Changes whenever published data is loaded again: the key for cached hotspot results."""
    from vawg_site.ingest.models import IngestRun

    last = IngestRun.objects.aggregate(last=Max("id"))["last"]
    newest = VawgCount.objects.aggregate(newest=Max("id"))["newest"]
    return f"{last or 0}:{newest or 0}"


# --- street-level proxy (police.uk) -------------------------------------------------------------

STREET_CATEGORY = "violent-crime"
"""police.uk's "Violence and sexual offences": the street-level proxy for VAWG."""


@cached_on_published_data
def street_month_span() -> tuple[date, date] | None:
    """First and last month of police.uk violence and sexual offences loaded, or None."""
    from vawg_site.opendata.models import StreetCrime

    span = StreetCrime.objects.filter(category=STREET_CATEGORY).aggregate(
        first=Min("month"), last=Max("month")
    )
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


def street_points(*, start: date, end: date) -> tuple[list[str], list[float], list[float]]:
    """(months as YYYY-MM, longitudes, latitudes) of police.uk violence and sexual offences with
    a location in the period. Used only to count crimes into grid cells; never shown."""
    from vawg_site.opendata.models import StreetCrime

    rows = StreetCrime.objects.filter(
        category=STREET_CATEGORY,
        month__gte=start,
        month__lte=end,
        longitude__isnull=False,
        latitude__isnull=False,
    ).values_list("month", "longitude", "latitude")
    months, lons, lats = [], [], []
    for month, lon, lat in rows.iterator(chunk_size=5000):
        if lon is None or lat is None:
            continue
        months.append(f"{month:%Y-%m}")
        lons.append(float(lon))
        lats.append(float(lat))
    return months, lons, lats


def street_version() -> str:
    from vawg_site.ingest.models import IngestRun
    from vawg_site.opendata.models import StreetCrime

    last = IngestRun.objects.filter(source="police-uk").aggregate(last=Max("id"))["last"]
    newest = StreetCrime.objects.aggregate(newest=Max("id"))["newest"]
    return f"{last or 0}:{newest or 0}"
