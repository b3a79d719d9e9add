"""Find your area: the search by borough, ward, place name or postcode, and the "my area" page.

* **Search** (:func:`area_search`): boroughs and 2024 wards from the boundary files
  (:mod:`vawg_site.common.geography`), places from the shipped list (:mod:`vawg.places`) placed in
  their ward and borough by point-in-polygon, and full postcodes from the ONS Postcode Directory
  once it is loaded (:mod:`vawg_site.opendata.selectors.postcodes`). Names are compared by
  :func:`vawg.places.match_rank` (case, punctuation, ``&``/``and``, ``St``/``Saint``, prefixes).
  Nothing here is cached by the query: what a person typed lives only as long as the request.
* **My area** (:func:`my_area_build`): the Met's published VAWG offences over the latest 12 months
  for a borough or a ward, the rate per 1,000 female residents (Census 2021, :mod:`vawg.rates`)
  and the force area's rate beside it, the monthly line and its Mann-Kendall trend
  (:func:`vawg.spatial.emerging.mann_kendall`, Mann 1945, Kendall 1975), the ward's borough and
  where to find help (the nearest of London's Havens, :mod:`vawg.help_services`). Areas the
  force does not police (the City of London) are never shown as the force's areas with no
  offences: the page names the force that polices them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.urls import reverse

from vawg.force_area import CITY_OF_LONDON_CODE
from vawg.help_services import CLARES_LAW, MET_REPORT_ONLINE, HelpService, nearest_havens
from vawg.periods import month_count, month_label, months_back, period_crosses_change
from vawg.places import EXACT, match_rank, places_read
from vawg.postcodes import postcode_normalise, postcode_partial
from vawg.rates import WARD_POPULATION_FILE, rate_per_1000, ward_population_read
from vawg_site.common.geography import (
    WARDS_FILE,
    Area,
    area_features,
    area_get,
    borough_list,
    data_dir,
    force_area,
    geo_path,
    in_force_area,
    name_normalise,
    ward_list,
)
from vawg_site.opendata.selectors import met
from vawg_site.opendata.selectors.met import MonthCount
from vawg_site.opendata.selectors.postcodes import postcode_find, postcodes_loaded
from vawg_site.public.presenters.chart import LineChart, line_chart

MAX_RESULTS = 20
TREND_ALPHA = 0.05
"""Significance level of the Mann-Kendall test behind "rising" or "falling"."""

OTHER_FORCES = {
    CITY_OF_LONDON_CODE: ("the City of London Police", "https://www.cityoflondon.police.uk/"),
}
"""Who polices a borough of the boundary files that the force does not, with their website."""


# --- where an area is -----------------------------------------------------------------------


@dataclass(frozen=True)
class Policing:
    """Whether the force polices an area, and if not, who does."""

    by_force: bool
    other_name: str = ""
    other_href: str = ""


def policing_of(borough_code: str) -> Policing:
    if in_force_area(borough_code):
        return Policing(by_force=True)
    name, href = OTHER_FORCES.get(borough_code, ("another police force", ""))
    return Policing(by_force=False, other_name=name, other_href=href)


@lru_cache(maxsize=2)
def _shapes(wards_path: Path, mtime: float) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(code, WGS84 shapely polygon) of every ward and every borough."""
    from shapely import prepare
    from shapely.geometry import shape

    def shaped(kind: str) -> list[tuple[str, Any]]:
        out = []
        for feature in area_features(kind=kind):
            geometry = shape(feature["geometry"])
            prepare(geometry)
            out.append((feature["properties"]["code"], geometry))
        return out

    return shaped("ward"), shaped("borough")


def point_areas(*, longitude: float, latitude: float) -> tuple[Area | None, Area | None]:
    """The 2024 ward and the borough whose boundaries hold the point (WGS84 degrees)."""
    from shapely.geometry import Point

    path = geo_path(WARDS_FILE)
    if not path.is_file():
        return None, None
    wards, boroughs = _shapes(path, path.stat().st_mtime)
    point = Point(longitude, latitude)
    ward = next((code for code, g in wards if g.contains(point)), None)
    borough = next((code for code, g in boroughs if g.contains(point)), None)
    return (area_get(ward) if ward else None), (area_get(borough) if borough else None)


def area_point(area: Area) -> tuple[float, float] | None:
    """A point inside the area's polygon (WGS84 longitude, latitude), or None without it."""
    from shapely.geometry import shape

    feature = next(
        (f for f in area_features(kind=area.kind) if f["properties"]["code"] == area.code), None
    )
    if feature is None:
        return None
    point = shape(feature["geometry"]).representative_point()
    return point.x, point.y


def borough_of(area: Area) -> Area | None:
    """The borough of a borough (itself) or of a ward: from ONS's best-fit look-up, else (a ward
    the look-up gives no borough, as most City of London wards) the borough holding the ward."""
    if area.kind == "borough":
        return area
    if area.borough_code:
        return area_get(area.borough_code)
    point = area_point(area)
    return point_areas(longitude=point[0], latitude=point[1])[1] if point else None


# --- search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One search result: what matched, and the area it leads to."""

    label: str
    kind: str
    """``borough``, ``ward``, ``place`` or ``postcode``."""
    area: Area
    borough: Area | None
    policing: Policing
    rank: int
    note: str = ""

    @property
    def href(self) -> str:
        return reverse("public:my_area", args=[self.area.code])

    @property
    def kind_label(self) -> str:
        return {"borough": "Borough", "ward": "Ward", "place": "Place", "postcode": "Postcode"}[
            self.kind
        ]


@dataclass(frozen=True)
class Search:
    query: str
    results: list[Found] = field(default_factory=list)
    postcode: str | None = None
    """The query as a full postcode (``pcds`` form), when it is one."""
    postcode_partial: bool = False
    postcodes_loaded: bool = False
    postcode_not_found: bool = False
    boundaries_missing: bool = False
    more: int = 0
    """Matches left off the list (beyond :data:`MAX_RESULTS`)."""

    @property
    def redirect(self) -> Found | None:
        """The one result to go straight to: a found postcode, or the exact name matches when
        they all lead to one area, or the one borough among them (a borough's name is what
        most people mean: "Croydon" is the borough before the town centre)."""
        exact = [r for r in self.results if r.rank == EXACT]
        if exact and len({r.area.code for r in exact}) == 1:
            return exact[0]
        boroughs = [r for r in exact if r.kind == "borough"]
        return boroughs[0] if len(boroughs) == 1 else None


def _found(label: str, kind: str, area: Area, rank: int, note: str = "") -> Found:
    borough = borough_of(area)
    return Found(
        label=label,
        kind=kind,
        area=area,
        borough=borough,
        policing=policing_of(borough.code if borough else ""),
        rank=rank,
        note=note,
    )


@lru_cache(maxsize=1)
def _places() -> tuple[Any, ...]:
    return places_read()


def _postcode_result(postcode: str) -> tuple[Found | None, bool]:
    """The result for a full postcode, and whether it was found at all."""
    found = postcode_find(text=postcode)
    if found is None:
        return None, False
    ward = area_get(found.ward_code) if found.ward_code else None
    if (ward is None or ward.kind != "ward") and found.latitude is not None:
        ward = point_areas(longitude=found.longitude or 0.0, latitude=found.latitude)[0]
    borough = area_get(found.lad_code)
    area = ward or borough
    if area is None:
        return None, True
    note = ""
    if found.terminated is not None:
        note = f"This postcode is no longer in use (terminated {month_label(found.terminated)})."
    return _found(found.postcode, "postcode", area, EXACT, note), True


def area_search(*, query: str) -> Search:
    """Boroughs, wards, places and (once loaded) postcodes matching ``query``, best first."""
    boroughs = borough_list()
    loaded = postcodes_loaded()
    postcode = postcode_normalise(query)
    if postcode is not None:
        result, known = _postcode_result(postcode) if loaded else (None, False)
        return Search(
            query=query,
            results=[result] if result else [],
            postcode=postcode,
            postcodes_loaded=loaded,
            postcode_not_found=loaded and not known,
            boundaries_missing=not boroughs,
        )
    results: list[Found] = []
    for borough in boroughs:
        rank = match_rank(borough.name, query)
        if rank is not None:
            results.append(_found(borough.name, "borough", borough, rank))
    for ward in ward_list():
        rank = match_rank(ward.name, query)
        if rank is not None:
            results.append(_found(ward.name, "ward", ward, rank))
    if boroughs:
        for place in _places():
            rank = match_rank(place.name, query)
            if rank is None:
                continue
            in_ward, in_borough = point_areas(longitude=place.longitude, latitude=place.latitude)
            where = in_ward or in_borough
            if where is not None:
                results.append(_found(place.name, "place", where, rank))
    results.sort(key=lambda r: (r.rank, r.label, r.kind != "borough", r.area.borough_name))
    return Search(
        query=query,
        results=results[:MAX_RESULTS],
        more=max(0, len(results) - MAX_RESULTS),
        postcode_partial=postcode_partial(query),
        postcodes_loaded=loaded,
        boundaries_missing=not boroughs,
    )


# --- my area ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyArea:
    area: Area
    borough: Area | None
    policing: Policing
    start: date | None = None
    end: date | None = None
    months: int = 0
    offences: int = 0
    series: tuple[MonthCount, ...] = ()
    chart: LineChart | None = None
    female: int | None = None
    rate: float | None = None
    london_rate: float | None = None
    london_offences: int = 0
    few_lsoas: bool = False
    trend: str | None = None
    crosses_change: bool = False
    wards: tuple[Area, ...] = ()
    haven: tuple[HelpService, float] | None = None
    """The nearest Haven (sexual assault referral centre) to the area's middle, and km to it."""
    services: tuple[HelpService, ...] = (CLARES_LAW, MET_REPORT_ONLINE)

    @property
    def period_label(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{month_label(self.start)} to {month_label(self.end)}"


@lru_cache(maxsize=2)
def _population(path: Path, mtime: float) -> pl.DataFrame:
    return ward_population_read(path)


def _female_by_ward() -> pl.DataFrame | None:
    path = data_dir() / WARD_POPULATION_FILE
    if not path.is_file():
        return None
    return _population(path, path.stat().st_mtime)


def _female(area: Area, population: pl.DataFrame) -> tuple[int | None, bool]:
    """Female residents of a ward or borough (best-fit ward sums), and whether the ward is one
    of those fitted with few LSOAs."""
    if area.kind == "ward":
        row = population.filter(pl.col("ward_code") == area.code)
        if row.is_empty():
            return None, False
        from vawg.rates import FEW_LSOAS

        return int(row["female"][0]), int(row["n_lsoa21"][0]) <= FEW_LSOAS
    wanted = name_normalise(area.name)
    total = sum(
        int(f)
        for b, f in population.select("borough", "female").iter_rows()
        if name_normalise(b) == wanted
    )
    return (total or None), False


def _trend(series: list[MonthCount]) -> str | None:
    """``rising``, ``falling`` or ``no clear trend`` (Mann-Kendall, two-sided, at
    :data:`TREND_ALPHA`); None with fewer than 4 months."""
    from vawg.spatial.emerging import mann_kendall

    if len(series) < 4:
        return None
    test = mann_kendall(np.array([[float(m.offences)] for m in series]))
    if float(test.p[0]) >= TREND_ALPHA:
        return "no clear trend"
    return "rising" if float(test.s[0]) > 0 else "falling"


def _london_rate(
    start: date, end: date, population: pl.DataFrame | None
) -> tuple[int, float | None]:
    """The force area's offences placed in its boroughs over the period, and their rate per
    1,000 female residents of those boroughs."""
    rows = met.location_counts(
        measure="offences", level="borough", area_code=None, start=start, end=end
    )
    offences = sum(r.count for r in rows if in_force_area(r.area_code))
    if population is None:
        return offences, None
    names = {name_normalise(b.name) for b in borough_list() if in_force_area(b.code)}
    female = sum(
        int(f)
        for b, f in population.select("borough", "female").iter_rows()
        if name_normalise(b) in names
    )
    return offences, rate_per_1000(offences, female)


def my_area_build(*, area: Area) -> MyArea:
    """Everything the "my area" page shows for a borough or ward."""
    borough = borough_of(area)
    policing = policing_of(borough.code if borough else "")
    wards = tuple(ward_list(borough_code=area.code)) if area.kind == "borough" else ()
    point = area_point(area)
    haven = nearest_havens(lon=point[0], lat=point[1])[0] if point else None
    span = met.offence_month_span()
    if not policing.by_force or span is None:
        return MyArea(area=area, borough=borough, policing=policing, wards=wards, haven=haven)
    end = span[1]
    start = max(span[0], months_back(end, met.PERIOD_MONTHS - 1))
    rows = met.location_counts(
        measure="offences", level=area.kind, area_code=area.code, start=start, end=end
    )
    by_month: dict[date, int] = {}
    for row in rows:
        by_month[row.month] = by_month.get(row.month, 0) + row.count
    series = [MonthCount(month=m, offences=c) for m, c in sorted(by_month.items())]
    offences = sum(by_month.values())
    population = _female_by_ward()
    female, few = _female(area, population) if population is not None else (None, False)
    london_offences, london_rate = _london_rate(start, end, population)
    return MyArea(
        area=area,
        borough=borough,
        policing=policing,
        start=start,
        end=end,
        months=month_count(start, end),
        offences=offences,
        series=tuple(series),
        chart=line_chart(counts=series, area=area.name),
        female=female,
        rate=rate_per_1000(offences, female),
        london_rate=london_rate,
        london_offences=london_offences,
        few_lsoas=few,
        trend=_trend(series),
        crosses_change=period_crosses_change(start, end),
        wards=wards,
        haven=haven,
    )


def force_label() -> str:
    """How the pages name the force ("the Met")."""
    return force_area().short_name
