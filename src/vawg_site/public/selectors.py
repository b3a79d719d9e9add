"""Reads for the public pages: the Met's published VAWG offence counts, and whether the force
data in use is generated.

The counts come from :class:`~vawg_site.opendata.models.VawgCount`, offences on the "location"
sheet only (the other sheets break the same offences down other ways and must never be added
to it). A borough's figure for a month is the sum of ``count`` over its wards and over the month
the offence was committed in, for the month it was recorded in: the counts as published.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min, QuerySet, Sum

from vawg_site.opendata.models import VawgCount

if TYPE_CHECKING:
    from vawg_site.public.maps import StreetHotspots, WardHotspots

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
    only when someone loads a file, so the answer is kept in Django's cache (this worker's memory
    by default, or the cache every worker shares when ``VAWG_CACHE_URL`` is set) under a key that
    includes the published and street-level versions of :func:`data_versions`.
    """

    @functools.wraps(read)
    def wrapper(**kwargs: Any) -> Any:
        versions = data_versions()
        arguments = repr(sorted(kwargs.items())).encode()
        key = ":".join(
            (
                "vawg.public",
                read.__qualname__,
                versions.published,
                versions.street,
                hashlib.sha1(arguments, usedforsecurity=False).hexdigest(),
            )
        )
        found = cache.get(key)
        if found is None:
            found = read(**kwargs)
            cache.set(key, found, CACHE_SECONDS)
        return found

    return wrapper  # type: ignore[return-value]


# --- what is loaded -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataVersions:
    """The newest row ids of the tables the public pages read: any load changes at least one.

    Every load through ``vawg ingest`` or ``vawg demo`` records an ``IngestRun`` in the same
    transaction as its rows; the tables' own newest ids also catch rows written any other way.
    """

    last_run: int
    last_street_run: int
    newest_count: int
    newest_street: int
    newest_crime: int
    newest_order: int

    @property
    def published(self) -> str:
        """Changes when the Met's published counts (or anything else) are loaded again."""
        return f"{self.last_run}:{self.newest_count}"

    @property
    def street(self) -> str:
        """Changes when police.uk street-level data is loaded again."""
        return f"{self.last_street_run}:{self.newest_street}"

    @property
    def key(self) -> str:
        """Changes when anything a public page shows is loaded again."""
        return (
            f"{self.last_run}:{self.last_street_run}:{self.newest_count}:{self.newest_street}:"
            f"{self.newest_crime}:{self.newest_order}"
        )


_pinned: contextvars.ContextVar[DataVersions | None] = contextvars.ContextVar(
    "vawg_public_data_versions", default=None
)


def _data_versions_read() -> DataVersions:
    # One round trip of six primary-key maxima (each an index look-up) instead of one query per
    # table per cached read: a page makes up to a dozen cached reads.
    from vawg_site.ingest.models import IngestRun
    from vawg_site.opendata.models import StreetCrime
    from vawg_site.records.models import Crime, Order

    def table(model: Any) -> str:
        return str(connection.ops.quote_name(model._meta.db_table))

    # Table names come from the models, nothing from a request.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {table(IngestRun)}),"  # noqa: S608
        f" (SELECT MAX(id) FROM {table(IngestRun)} WHERE source = %s),"
        f" (SELECT MAX(id) FROM {table(VawgCount)}),"
        f" (SELECT MAX(id) FROM {table(StreetCrime)}),"
        f" (SELECT MAX(id) FROM {table(Crime)}),"
        f" (SELECT MAX(id) FROM {table(Order)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ["police-uk"])
        row = cursor.fetchone()
    return DataVersions(*(int(value or 0) for value in row))


VERSION_TTL_S = 1.0
"""Seconds a worker answers pages from its last reading of :func:`data_versions`: a new load
shows on the public pages within this time, and a busy worker reads the version about once a
second instead of once a request (the query was a third of a kept page's cost)."""

_VERSION_KEY = "vawg.public:data-versions"


def data_versions() -> DataVersions:
    """What is loaded now: read from the database, or the snapshot pinned for this request."""
    pinned = _pinned.get()
    return pinned if pinned is not None else _data_versions_read()


def data_versions_recent() -> DataVersions:
    """:func:`data_versions` as read at most ``VERSION_TTL_S`` ago (kept in the site's cache, so
    shared by the workers when the cache is)."""
    found = cache.get(_VERSION_KEY)
    if not isinstance(found, DataVersions):
        found = _data_versions_read()
        cache.set(_VERSION_KEY, found, VERSION_TTL_S)
    return found


def data_versions_forget() -> None:
    """Read the version afresh on the next request instead of after ``VERSION_TTL_S``."""
    cache.delete(_VERSION_KEY)


@contextlib.contextmanager
def data_versions_pinned() -> Iterator[DataVersions]:
    """Use one recent reading of :func:`data_versions` for every read inside the block.

    A page's cached reads then agree on one version (a load that commits half-way through a
    request cannot mix old and new figures on one page) and cost at most one query between them.
    """
    token = _pinned.set(data_versions_recent())
    try:
        yield data_versions()
    finally:
        _pinned.reset(token)


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
    return data_versions().published


@cached_on_published_data
def ward_hotspot_table(*, start: date, end: date) -> WardHotspots:
    """Ward counts, rates and Gi* classes over the period (:func:`maps.ward_hotspots`), kept in
    the shared cache so that each period is worked out once per load, not once per worker."""
    from vawg_site.public.maps import ward_hotspots

    return ward_hotspots(
        start=start,
        end=end,
        version=published_data_version(),
        counts=ward_period_counts(start=start, end=end),
    )


@cached_on_published_data
def street_hotspot_table(*, start: date, end: date) -> StreetHotspots:
    """police.uk violence and sexual offences per 1 km square with Gi* classes over the period
    (:func:`maps.street_hotspots`), kept in the shared cache like :func:`ward_hotspot_table`."""
    from vawg_site.public.maps import street_hotspots

    return street_hotspots(
        start=start,
        end=end,
        version=street_version(),
        points=lambda: street_points(start=start, end=end),
    )


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
    """Changes whenever police.uk street-level data is loaded again."""
    return data_versions().street
