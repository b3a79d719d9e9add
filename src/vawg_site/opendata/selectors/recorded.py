"""The denominators that put the Met's VAWG counts in context: all crime the Met recorded in each
borough (London Datastore, "MPS Recorded Crime: Geographic Breakdown", stored as
:class:`~vawg_site.opendata.models.RecordedCrimeCount` by ``vawg ingest mps-recorded``), and the
female residents of each borough (Census 2021 table TS008, :mod:`vawg.rates`).

Both are keyed by the borough's ONS code, matched from the published names without case or ``&``
(:func:`~vawg_site.common.geography.name_normalise`), so that a page can set a borough's VAWG
count beside its residents and its recorded crime for the same months. Rows the Met could not
place in a borough (``Unknown``, and the airports' row of the older files) match no code: they are
in no borough's figure and in none of London's either, since London here is the sum of the
force area's boroughs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl
from django.db.models import Max, Min, QuerySet, Sum

from vawg.periods import plausible_window
from vawg.rates import WARD_POPULATION_FILE, ward_population_read
from vawg_site.common.caching import cached
from vawg_site.common.geography import borough_codes_by_name, data_dir, name_normalise
from vawg_site.opendata.models import RecordedCrimeCount

BOROUGH_LEVEL = "borough"
"""The ``level`` of the rows read from ``recorded-crime-borough*.parquet``."""


@dataclass(frozen=True)
class RecordedCrime:
    """All crime the Met recorded by borough over the months asked for that it has loaded."""

    months: tuple[date, ...]
    """The months with recorded-crime rows, oldest first (a subset of the months asked for)."""
    by_borough: dict[str, int]
    """Crimes by borough ONS code, over :attr:`months`."""


def _borough_rows() -> QuerySet[RecordedCrimeCount]:
    return RecordedCrimeCount.objects.filter(level=BOROUGH_LEVEL, month__range=plausible_window())


@cached
def recorded_month_span() -> tuple[date, date] | None:
    """The first and last month of the Met's recorded crime by borough, or None when none is
    loaded."""
    span = _borough_rows().aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


@cached
def recorded_crime_by_borough(*, start: date, end: date) -> RecordedCrime:
    """All crime recorded by the Met in each borough from ``start`` to ``end`` (first days of
    months, inclusive), every major category, as published."""
    rows = (
        _borough_rows()
        .filter(month__gte=start, month__lte=end)
        .values("area_name", "month")
        .annotate(total=Sum("count"))
    )
    codes = borough_codes_by_name()
    months: set[date] = set()
    by_borough: dict[str, int] = {}
    for row in rows:
        months.add(row["month"])
        code = codes.get(name_normalise(row["area_name"]))
        if code is not None:
            by_borough[code] = by_borough.get(code, 0) + int(row["total"])
    return RecordedCrime(months=tuple(sorted(months)), by_borough=by_borough)


@lru_cache(maxsize=2)
def _female_by_borough(path: Path, mtime_ns: int) -> dict[str, int]:
    del mtime_ns  # part of the key only: a replaced file is read again
    wards = ward_population_read(path)
    totals = wards.group_by("borough").agg(pl.col("female").sum())
    codes = borough_codes_by_name()
    out: dict[str, int] = {}
    for name, female in totals.iter_rows():
        code = codes.get(name_normalise(str(name)))
        if code is not None:
            out[code] = out.get(code, 0) + int(female)
    return out


def female_residents_by_borough() -> dict[str, int]:
    """Female residents on Census day 2021 by borough ONS code: the ward file's best-fit sums
    added up by borough. LSOAs nest exactly in boroughs, so these are exact sums of the Census
    LSOA counts. Empty when the population file is not in the data folder."""
    path = data_dir() / WARD_POPULATION_FILE
    if not path.is_file():
        return {}
    return _female_by_borough(path, path.stat().st_mtime_ns)
