"""data.police.uk's published records (:class:`~vawg_site.opendata.models.StreetCrime`,
:class:`~vawg_site.opendata.models.StopSearch`), aggregated: never a point, never a record.

police.uk has already moved each street-level crime to one of about 750,000 anonymous map points;
these reads count them into LSOAs, grid cells or map-point labels, or by month. Every read counts
only the force area (:func:`vawg_site.common.geography.force_borough_codes`): records whose
borough, decided when they were loaded, is one the force polices, and that no other force
published (another force's file names it in ``Falls within``). Records of other forces and areas
stay stored and are counted apart (:func:`street_outside_count`). Its "Violence and
sexual offences" category (API slug ``violent-crime``) is the street-level proxy for VAWG: it holds
violence against anyone and has no victim sex or domestic-abuse flag, and every page and answer
built on it says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from django.db.models import Count, Max, Min, Q, QuerySet

from vawg.periods import month_count, month_key, months_back, plausible_window
from vawg.spatial.boroughs import lsoa_area_name
from vawg_site.common.caching import cached
from vawg_site.common.geography import (
    borough_list,
    force_area,
    force_borough_codes,
    lsoa_areas,
    lsoa_available,
    lsoa_borough_codes,
)
from vawg_site.opendata.models import StopSearch, StreetCrime

STREET_CATEGORY = "violent-crime"
"""police.uk's "Violence and sexual offences": the street-level proxy for VAWG."""

PERIOD_MONTHS = 12
"""The period of the commitment summaries: the latest 12 months loaded."""

NO_PLACE_LABELS = ("", "No Location", "On or near", "On or near No Location")
"""Map-point labels that name no place (police.uk's "No Location", a street left blank)."""

FEMALE = "Female"
GIRL_AGE_RANGES = ("under 10", "10-17")
"""data.police.uk age ranges under 18."""

NO_FURTHER_ACTION = ("A no further action disposal", "Nothing found - no further action")
"""data.police.uk's wording for a search that ended with no further action (current, older)."""

TOP_PLACES = 10


def _stored_street() -> QuerySet[StreetCrime]:
    """The stored street records whose month is plausible (:func:`vawg.periods.plausible_window`):
    a month stored by hand outside it (``-001-01``, which SQLite keeps and cannot read back)
    must not break the month list for everyone."""
    return StreetCrime.objects.filter(month__range=plausible_window())


BTP = "BTP"
"""``location_type`` of an API record of the British Transport Police, another force."""


def force_area_q() -> Q:
    """Street records of the force area: in one of its boroughs, and not published by another
    force (``Falls within`` blank, as in API records, or the force's own name; and an API
    record's ``location_type`` not ``BTP``: the British Transport Police's crimes on the railway
    are theirs, as their own street files are)."""
    return (
        Q(borough_code__in=sorted(force_borough_codes()))
        & Q(falls_within__in=("", force_area().name))
        & ~Q(location_type=BTP)
    )


def _street_crimes() -> QuerySet[StreetCrime]:
    """The force area's plausible street records: what every public figure counts."""
    return _stored_street().filter(force_area_q())


def _stop_searches() -> QuerySet[StopSearch]:
    """The force's stops and searches whose month is plausible (as :func:`_stored_street`), less
    any placed in a shipped borough that the force does not police."""
    outside = {b.code for b in borough_list()} - force_borough_codes()
    return StopSearch.objects.filter(
        month__range=plausible_window(), force=force_area().police_uk_slug
    ).exclude(borough_code__in=sorted(outside))


@cached
def street_outside_count() -> int:
    """Street records loaded but not counted: other forces' records and records outside the
    force area (or with no place at all)."""
    return _stored_street().exclude(force_area_q()).count()


@cached
def street_borough_months(*, category: str | None = None) -> list[tuple[str, date, int]]:
    """(borough code, month, records) of the force area's street records (of ``category``, or
    all), for coverage."""
    rows = _street_crimes()
    if category is not None:
        rows = rows.filter(category=category)
    groups = rows.values("borough_code", "month").annotate(n=Count("id")).order_by()
    return sorted((g["borough_code"], g["month"], int(g["n"])) for g in groups)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def police_uk_categories(slugs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(slug, label) of police.uk's current categories ``slugs``, labels from the shipped table
    (the first label listed for a slug is the current one)."""
    from vawg.spatial.readers import category_table

    labels: dict[str, str] = {}
    for label, slug in category_table().select("label", "slug").iter_rows():
        labels.setdefault(slug, label)
    return [(slug, labels.get(slug, slug)) for slug in sorted(slugs)]


# --- months -----------------------------------------------------------------------------------


@cached
def street_month_span() -> tuple[date, date] | None:
    """First and last month of police.uk violence and sexual offences loaded, or None."""
    span = (
        _street_crimes()
        .filter(category=STREET_CATEGORY)
        .aggregate(first=Min("month"), last=Max("month"))
    )
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


@cached
def street_months_all() -> list[date]:
    """Months with any street-level record of the force area loaded, whatever the category."""
    return list(_street_crimes().values_list("month", flat=True).distinct().order_by("month"))


@cached
def street_months(*, category: str) -> list[date]:
    """Months with street records of a category in the force area."""
    return list(
        _street_crimes()
        .filter(category=category)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )


# --- points, for counting only ------------------------------------------------------------------


def street_points(*, category: str, start: date, end: date) -> pl.DataFrame:
    """Columns ``month`` (``YYYY-MM``), ``lon``, ``lat`` of the force area's street records of a
    category with a location in the period. Used only to count crimes into grid cells; never
    shown."""
    rows = (
        _street_crimes()
        .filter(
            category=category,
            month__gte=start,
            month__lte=end,
            longitude__isnull=False,
            latitude__isnull=False,
        )
        .values_list("month", "longitude", "latitude")
    )
    months, lons, lats = [], [], []
    for month, lon, lat in rows.iterator(chunk_size=5000):
        if lon is None or lat is None:  # excluded by the query; the type does not know
            continue
        months.append(month_key(month))
        lons.append(float(lon))
        lats.append(float(lat))
    return pl.DataFrame(
        {"month": months, "lon": lons, "lat": lats},
        schema={"month": pl.String, "lon": pl.Float64, "lat": pl.Float64},
    )


def _street_frame(*, category: str, start: date | None, end: date | None) -> pl.DataFrame:
    """The force area's street records of one category (month, lon, lat, lsoa); never
    returned."""
    rows = _street_crimes().filter(category=category, longitude__isnull=False)
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    data = list(rows.values_list("month", "longitude", "latitude", "lsoa_code"))
    return pl.DataFrame(
        data,
        schema={"month": pl.Date, "lon": pl.Float64, "lat": pl.Float64, "lsoa": pl.String},
        orient="row",
    )


# --- counts by area and cell (the API) -----------------------------------------------------------


@cached
def street_counts_lsoa(
    *, category: str, start: date | None, end: date | None
) -> list[tuple[str, str, date, int]]:
    """(lsoa_code, lsoa_name, month, count) of the force area's street records: the record's
    own LSOA where police.uk gives one, else the 2011 LSOA containing its snapped point; LSOAs
    outside the force area's boroughs are left out."""
    frame = _street_frame(category=category, start=start, end=end)
    if frame.is_empty():
        return []
    missing = frame["lsoa"].is_null() | (frame["lsoa"] == "")
    if bool(missing.any()) and lsoa_available():
        from vawg.spatial.areal import area_index
        from vawg.spatial.grid import to_bng

        areas = lsoa_areas()
        sub = frame.filter(missing)
        x, y = to_bng(lon=sub["lon"].to_numpy(), lat=sub["lat"].to_numpy())
        idx = area_index(areas=areas, x=x, y=y)
        codes = np.array([*areas.codes, ""], dtype=object)[idx]
        filled = frame["lsoa"].to_list()
        j = 0
        for i, is_missing in enumerate(missing.to_list()):
            if is_missing:
                filled[i] = codes[j]
                j += 1
        frame = frame.with_columns(pl.Series("lsoa", filled, dtype=pl.String))
    names = (
        dict(zip(lsoa_areas().codes, lsoa_areas().names, strict=True)) if lsoa_available() else {}
    )
    # A point near the force area's edge can fall in an LSOA outside it (the LSOA layer and the
    # borough polygons are generalised differently): such LSOAs are never listed.
    inside = force_borough_codes()
    lsoa_inside = [c for c, b in lsoa_borough_codes().items() if b in inside]
    agg = (
        frame.filter(pl.col("lsoa").is_in(lsoa_inside))
        .group_by("lsoa", "month")
        .len()
        .sort("lsoa", "month")
    )
    return [(c, names.get(c, ""), m, int(n)) for c, m, n in agg.iter_rows()]


@cached
def street_counts_grid(
    *, category: str, start: date | None, end: date | None, cell_size_m: int
) -> list[tuple[float, float, date, int]]:
    """(x, y, month, count): London street records per grid cell (centre, EPSG:27700 metres)
    and month; cells aligned to multiples of ``cell_size_m``; empty cells left out."""
    from vawg.spatial.grid import to_bng

    frame = _street_frame(category=category, start=start, end=end)
    if frame.is_empty():
        return []
    x, y = to_bng(lon=frame["lon"].to_numpy(), lat=frame["lat"].to_numpy())
    s = float(cell_size_m)
    cx = (np.floor(x / s) + 0.5) * s
    cy = (np.floor(y / s) + 0.5) * s
    agg = (
        pl.DataFrame({"x": cx, "y": cy, "month": frame["month"]})
        .group_by("x", "y", "month")
        .len()
        .sort("x", "y", "month")
    )
    return [(float(a), float(b), m, int(n)) for a, b, m, n in agg.iter_rows()]


# --- commitment 10: the places with most violence and sexual offences ---------------------------


@dataclass(frozen=True)
class Place:
    """A place on data.police.uk's map: a map point label ("On or near ...") in one area (the
    local authority in its LSOA's name), with the violence and sexual offences mapped to every
    point of that label in that area (a long street has several) in the period."""

    label: str
    area: str
    crimes: int


@dataclass(frozen=True)
class StreetPlaces:
    start: date
    end: date
    months: int
    crimes: int
    """Violence and sexual offences in the period, with a map point or not."""
    places: list[Place]


def area_of(lsoa_name: str) -> str:
    """The local authority in an LSOA's name ("Westminster 018A" -> "Westminster").

    >>> area_of("Westminster 018A"), area_of("City of London 001F"), area_of("")
    ('Westminster', 'City of London', '')
    """
    return lsoa_area_name(lsoa_name)


def _names_a_place(label: str) -> bool:
    """Whether a map-point label names a place ("On or near " with no street does not)."""
    return label.strip() not in NO_PLACE_LABELS


@cached
def street_places() -> StreetPlaces | None:
    """The places (label and borough) with the most data.police.uk violence and sexual offences
    in the force area in the latest 12 months loaded, most first (ties by label, then area);
    labels that name no place ("No Location", a blank street) are left out; None when none are
    loaded."""
    crimes = _street_crimes().filter(category=STREET_CATEGORY)
    span = crimes.aggregate(first=Min("month"), last=Max("month"))
    if span["last"] is None:
        return None
    end: date = span["last"]
    start = max(span["first"], months_back(end, PERIOD_MONTHS - 1))
    period = crimes.filter(month__gte=start, month__lte=end)
    names = {b.code: b.name for b in borough_list()}
    by_place: dict[tuple[str, str], int] = {}
    groups = (
        period.exclude(location__in=NO_PLACE_LABELS)
        .values("location", "borough_code")
        .annotate(crimes=Count("id"))
        .values_list("location", "borough_code", "crimes")
    )
    for label, borough_code, count in groups.iterator(chunk_size=5000):
        if not _names_a_place(label):
            continue
        key = (label, names.get(borough_code, ""))
        by_place[key] = by_place.get(key, 0) + count
    top = sorted(by_place.items(), key=lambda item: (-item[1], item[0]))[:TOP_PLACES]
    return StreetPlaces(
        start=start,
        end=end,
        months=month_count(start, end),
        crimes=period.count(),
        places=[Place(label=label, area=area, crimes=n) for (label, area), n in top],
    )


# --- commitment 1: stop and search of women and girls -------------------------------------------


@dataclass(frozen=True)
class StopSearchWomen:
    """The Met's stop and search of women and girls over 12 months (data.police.uk)."""

    start: date
    end: date
    months: int
    searches: int
    """All searches by the Met in the period, whatever the gender recorded."""
    gender_recorded: int
    """Searches with a gender recorded (Male, Female or Other)."""
    women_and_girls: int
    girls: int
    no_further_action: int
    """Searches of women and girls that ended with no further action."""
    outcome_recorded: int
    """Searches of women and girls with any outcome recorded."""
    more_than_outer_clothing: int
    """Searches of women and girls that removed more than outer clothing."""
    girls_more_than_outer_clothing: int

    @property
    def women_share(self) -> float | None:
        """Searches of women and girls over searches with a gender recorded."""
        return _share(self.women_and_girls, self.gender_recorded)

    @property
    def no_further_action_share(self) -> float | None:
        """No further action over searches of women and girls with an outcome recorded."""
        return _share(self.no_further_action, self.outcome_recorded)


@cached
def stop_search_women() -> StopSearchWomen | None:
    """Stop and search of women and girls by the Met in the latest 12 months loaded; None when
    no stop-and-search file of the Met is loaded."""
    met = _stop_searches()
    span = met.aggregate(first=Min("month"), last=Max("month"))
    if span["last"] is None:
        return None
    end: date = span["last"]
    start = max(span["first"], months_back(end, PERIOD_MONTHS - 1))
    female = Q(gender=FEMALE)
    girl = female & Q(age_range__in=GIRL_AGE_RANGES)
    removed = Q(removal_of_clothing=True)
    figures = met.filter(month__gte=start, month__lte=end).aggregate(
        searches=Count("id"),
        gender_recorded=Count("id", filter=~Q(gender="")),
        women_and_girls=Count("id", filter=female),
        girls=Count("id", filter=girl),
        no_further_action=Count("id", filter=female & Q(outcome__in=NO_FURTHER_ACTION)),
        outcome_recorded=Count("id", filter=female & ~Q(outcome="")),
        more_than_outer_clothing=Count("id", filter=female & removed),
        girls_more_than_outer_clothing=Count("id", filter=girl & removed),
    )
    return StopSearchWomen(start=start, end=end, months=month_count(start, end), **figures)
