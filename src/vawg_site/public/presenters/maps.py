"""What the two hotspot maps show, built from the shared hotspot analyses
(:mod:`vawg_site.opendata.selectors.hotspots`): the ward table, the grid squares with their
grid references, boroughs and corners, and the filters, orders and pages of their tables.

The public word "hotspot" means one thing on every page: **more offences than expected** for an
area of its population (a ward) or of its land (a square), at the force area's rate (exact Poisson
test, false discovery rate controlled). The maps are coloured by it and the "Show" filter and the
counts use it, with the observed count, the expected count and the rate beside it, so the class and
its numbers always agree. Gi* is shown apart and named as what it finds: a **cluster**, an area
whose neighbourhood together has more (or fewer) offences than the force area's average. It is
never called a hotspot here, so the two answers cannot contradict each other.

Both maps show areas or squares only, never points. The street-level map is a proxy: police.uk's
"Violence and sexual offences" mixes VAWG with all other violence, and police.uk has already moved
each crime to an anonymous map point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import numpy as np

from vawg_site.common.caching import cached
from vawg_site.common.geography import (
    borough_areas,
    borough_list,
    force_area,
    force_borough_codes,
    grid_reference,
    square_name,
)
from vawg_site.opendata.selectors.hotspots import (
    WardHotspot,
    WardHotspots,
    grid_hotspots,
)
from vawg_site.opendata.selectors.police_uk import STREET_CATEGORY
from vawg_site.public.presenters.tables import Column, Table

CLASS_LABELS = {
    "more": "More offences than expected",
    "about": "About as expected",
    "fewer": "Fewer offences than expected",
    "none": "Not compared (no population figure)",
}
"""The public hotspot classes (observed against expected), in words."""
CLUSTER_LABELS = {
    "hot-99": "High cluster, 99% confidence",
    "hot-95": "High cluster, 95% confidence",
    "hot-90": "High cluster, 90% confidence",
    "not-significant": "No cluster found",
    "cold-90": "Low cluster, 90% confidence",
    "cold-95": "Low cluster, 95% confidence",
    "cold-99": "Low cluster, 99% confidence",
}
"""The Gi* classes, in words: clusters of neighbours, not counts in one area."""
WANTED = {"hot": "more", "cold": "fewer", "not-significant": "about"}
"""The "Show" filter's choices (kept as they were in links) to the classes they pick."""

PAGE_SIZE = 50
"""Rows of a map's table per page."""

WARD_ORDERS = [
    ("offences", "Most offences first"),
    ("rate", "Highest rate per 1,000 female residents first"),
    ("ratio", "Most above expected first (offences ÷ expected)"),
    ("z", "Strongest cluster first (Gi* z-score)"),
    ("name", "Ward name, A to Z"),
]
CELL_ORDERS = [
    ("crimes", "Most crimes first"),
    ("ratio", "Most above expected first (crimes ÷ expected)"),
    ("z", "Strongest cluster first (Gi* z-score)"),
    ("reference", "Grid reference"),
]


def hotspot_label(hotspot: str) -> str:
    """The words for a public class (``more`` -> "More offences than expected")."""
    return CLASS_LABELS.get(hotspot, hotspot)


def cluster_label(cluster: str) -> str:
    """The words for a Gi* class (``hot-95`` -> "High cluster, 95% confidence")."""
    return CLUSTER_LABELS.get(cluster, cluster)


def class_wanted(excess: str, wanted: str) -> bool:
    """Whether a row of public class ``excess`` passes the filter ``wanted`` (``hot`` for more
    than expected, ``cold`` for fewer, ``not-significant`` for about as expected, or blank)."""
    if not wanted:
        return True
    return excess == WANTED.get(wanted, wanted)


def class_counts(rows: Any) -> dict[str, int]:
    """How many rows are more, about and fewer than expected, and in high or low clusters."""
    rows = list(rows)
    return {
        "hot": sum(1 for r in rows if r.excess == "more"),
        "cold": sum(1 for r in rows if r.excess == "fewer"),
        "about": sum(1 for r in rows if r.excess == "about"),
        "high_clusters": sum(1 for r in rows if r.hotspot.startswith("hot")),
        "low_clusters": sum(1 for r in rows if r.hotspot.startswith("cold")),
    }


def _number(value: float | None, digits: int = 1) -> tuple[str, str]:
    """(raw, text) of a float, or blank and a dash."""
    if value is None:
        return ("", "–")
    return (f"{value:.4f}", f"{value:,.{digits}f}")


@dataclass(frozen=True)
class Pages:
    """One page of a table, with links to every page."""

    number: int
    pages: int
    links: list[dict[str, Any]]

    @property
    def previous_href(self) -> str:
        return self.links[self.number - 2]["href"] if self.number > 1 else ""

    @property
    def next_href(self) -> str:
        return self.links[self.number]["href"] if self.number < self.pages else ""

    @property
    def caption_suffix(self) -> str:
        return f" (page {self.number} of {self.pages})" if self.pages > 1 else ""

    def of(self, rows: list[Any]) -> list[Any]:
        return rows[(self.number - 1) * PAGE_SIZE : self.number * PAGE_SIZE]


def pages_of(*, asked: str, count: int, query: dict[str, Any]) -> Pages:
    """The page ``asked`` for (clamped to the pages there are) of ``count`` rows."""
    pages = max(1, -(-count // PAGE_SIZE))
    try:
        number = int(asked)
    except ValueError:
        number = 1
    number = min(max(number, 1), pages)
    links = [
        {"number": n, "href": "?" + urlencode({**query, "page": n}), "current": n == number}
        for n in range(1, pages + 1)
    ]
    return Pages(number=number, pages=pages, links=links)


# --- wards ---------------------------------------------------------------------------------------


def wards_sorted(rows: list[WardHotspot], order: str) -> list[WardHotspot]:
    if order == "rate":
        return sorted(rows, key=lambda r: (r.rate is None, -(r.rate or 0.0), r.name))
    if order == "ratio":
        return sorted(rows, key=lambda r: (r.ratio is None, -(r.ratio or 0.0), r.name))
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.name))
    if order == "name":
        return sorted(rows, key=lambda r: (r.name, r.borough))
    return sorted(rows, key=lambda r: (-r.offences, r.name))


def ward_table(rows: list[WardHotspot], *, caption: str, csv_href: str, population: bool) -> Table:
    """The ward map's table (and CSV): offences, rate, expected offences and class of each ward,
    then its Gi* cluster apart (female residents, the ratio, the cluster's z and both q-values
    are in the API's answer: the table keeps to what fits a page at 960 px)."""
    columns = [
        Column("ward", "Ward"),
        Column("ward_code", "Ward code"),
        Column("borough", "Borough"),
        Column("offences", "Offences", numeric=True),
    ]
    if population:
        columns += [
            Column("rate_per_1000_female", "Rate per 1,000 female residents", True),
            Column("expected_offences", "Expected at London's rate", True),
            Column("compared_with_expected", "Compared with expected"),
        ]
    columns += [Column("cluster", "Cluster (Gi*)")]
    body = []
    for r in rows:
        note = (
            " (rate not meaningful)"
            if r.city_of_london
            else (" (few LSOAs: rate unreliable)" if r.few_lsoas else "")
        )
        row: tuple[Any, ...] = (r.name, r.code, r.borough, r.offences)
        if population:
            rate = (f"{r.rate:.2f}", f"{r.rate:,.1f}{note}") if r.rate is not None else ("", "–")
            row += (
                rate,
                _number(r.expected),
                (r.excess, hotspot_label(r.excess)),
            )
        row += ((r.hotspot, cluster_label(r.hotspot)),)
        body.append(row)
    return Table(
        name="wards",
        caption=caption,
        columns=tuple(columns),
        rows=tuple(body),
        csv_href=csv_href,
    )


def ward_map_data(rows: tuple[WardHotspot, ...]) -> dict[str, list[Any]]:
    """Per-ward figures for the map script: {code: [offences, rate, class, name, borough,
    expected, cluster]} (``class`` the public one, more/about/fewer than expected)."""
    return {
        r.code: [
            r.offences,
            None if r.rate is None else round(r.rate, 2),
            r.excess,
            r.name,
            r.borough,
            None if r.expected is None else round(r.expected, 1),
            r.hotspot,
        ]
        for r in rows
    }


def force_words() -> dict[str, Any]:
    """What the method's text says of the force area: its force, boroughs and those left out."""
    area = force_area()
    inside = force_borough_codes()
    return {
        "force_name": area.name,
        "force_borough_count": len(inside),
        "excluded_names": [b.name for b in borough_list() if b.code in area.excluded],
    }


def ward_summary(result: WardHotspots) -> dict[str, Any]:
    """The counts and the force area's rate that a ward page states above its map."""
    return {
        **class_counts(result.rows),
        **force_words(),
        "london_rate": result.rate_per_1000,
        "alpha_percent": round(result.alpha * 100),
    }


# --- the street-level grid -------------------------------------------------------------------


@dataclass(frozen=True)
class CellRow:
    """A grid square with at least one crime, as the street map shows it."""

    reference: str
    easting: int
    northing: int
    borough: str
    crimes: int
    z: float | None
    hotspot: str
    """The Gi* cluster class."""
    corners: tuple[tuple[float, float], ...]
    """(latitude, longitude) of the south-west, south-east, north-east, north-west corners."""
    land_km2: float = 1.0
    """The square's land inside the force area (km²)."""
    expected: float | None = None
    ratio: float | None = None
    excess_q: float | None = None
    excess: str = "none"
    """The public class: more, about or fewer than expected."""

    @property
    def hotspot_label(self) -> str:
        return hotspot_label(self.excess)

    @property
    def rate_per_km2(self) -> float | None:
        return self.crimes / self.land_km2 if self.land_km2 > 0 else None


@dataclass(frozen=True)
class StreetMap:
    rows: tuple[CellRow, ...]
    cells: int
    crimes: int
    settings: dict[str, Any]
    rate_per_km2: float | None = None
    """The force area's crimes per km² of land over the period."""
    outside: int = 0
    """Crimes with a location outside the force area, left out."""
    alpha: float = 0.05


def _square_boroughs(cx: Any, cy: Any, h: float) -> list[str]:
    """The force-area borough at each square's centre, or (for a square whose centre is outside
    the force area) the force-area borough with most of the square's land."""
    import shapely

    from vawg.spatial.areal import Areas, area_index

    boroughs = borough_areas()
    force = force_borough_codes()
    keep = np.array([i for i, c in enumerate(boroughs.codes) if c in force], dtype=np.int64)
    names = [boroughs.names[i] for i in keep]
    geoms = boroughs.geometries[keep]
    inside = Areas(
        codes=tuple(boroughs.codes[i] for i in keep),
        names=tuple(names),
        geometries=geoms,
        area_m2=boroughs.area_m2[keep],
        x=boroughs.x[keep],
        y=boroughs.y[keep],
        neighbours=None,
    )
    where = area_index(areas=inside, x=cx, y=cy)
    out = [names[w] if w >= 0 else "" for w in where]
    for i in np.flatnonzero(where < 0):
        square = shapely.box(cx[i] - h, cy[i] - h, cx[i] + h, cy[i] + h)
        shares = shapely.area(shapely.intersection(geoms, square))
        out[i] = names[int(np.argmax(shares))] if shares.max(initial=0) > 0 else "Outside London"
    return out


@cached
def street_map(*, start: date, end: date, cell_size_m: int) -> StreetMap:
    """police.uk violence and sexual offences per grid square of the force area, the squares with
    at least one crime, each with its OS grid reference, its borough and its corners."""
    from vawg.spatial.grid import to_wgs84

    result = grid_hotspots(category=STREET_CATEGORY, start=start, end=end, cell_size_m=cell_size_m)
    crimes = [r for r in result.rows if r.count > 0]
    cx = np.array([r.x for r in crimes], dtype=np.float64)
    cy = np.array([r.y for r in crimes], dtype=np.float64)
    h = cell_size_m / 2
    borough_of = _square_boroughs(cx, cy, h) if crimes else []
    corner_x = np.concatenate([cx - h, cx + h, cx + h, cx - h])
    corner_y = np.concatenate([cy - h, cy - h, cy + h, cy + h])
    lon, lat = to_wgs84(x=corner_x, y=corner_y)
    n = len(cx)
    rows = []
    for i, r in enumerate(crimes):
        e0, n0 = int(r.x - h), int(r.y - h)
        rows.append(
            CellRow(
                reference=grid_reference(e0, n0, digits=2 if cell_size_m % 1000 == 0 else 3),
                easting=e0,
                northing=n0,
                borough=borough_of[i],
                crimes=int(r.count),
                z=r.z,
                hotspot=r.hotspot,
                corners=tuple(
                    (round(float(lat[i + k * n]), 5), round(float(lon[i + k * n]), 5))
                    for k in range(4)
                ),
                land_km2=r.land_km2,
                expected=r.expected,
                ratio=r.ratio,
                excess_q=r.excess_q,
                excess=r.excess,
            )
        )
    return StreetMap(
        rows=tuple(rows),
        cells=result.cells,
        crimes=result.crimes,
        settings=result.settings,
        rate_per_km2=result.rate_per_km2,
        outside=result.outside,
        alpha=result.alpha,
    )


def street_summary(result: StreetMap) -> dict[str, Any]:
    """The counts and the force area's rate that the street page states above its map."""
    return {
        **class_counts(result.rows),
        **force_words(),
        "london_rate": result.rate_per_km2,
        "alpha_percent": round(result.alpha * 100),
    }


def street_map_data(result: StreetMap) -> list[list[Any]]:
    """Squares for the map script: [reference, crimes, class, corners, expected, cluster]."""
    return [
        [
            r.reference,
            r.crimes,
            r.excess,
            r.corners,
            None if r.expected is None else round(r.expected, 1),
            r.hotspot,
        ]
        for r in result.rows
    ]


def cells_sorted(rows: list[CellRow], order: str) -> list[CellRow]:
    if order == "ratio":
        return sorted(rows, key=lambda r: (r.ratio is None, -(r.ratio or 0.0), r.reference))
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.reference))
    if order == "reference":
        return sorted(rows, key=lambda r: r.reference)
    return sorted(rows, key=lambda r: (-r.crimes, r.reference))


def cell_table(rows: list[CellRow], *, cell_size_m: int, caption: str, csv_href: str = "") -> Table:
    """The street map's table (and CSV) of grid squares: crimes, rate per km² of the square's land
    in the force area, expected crimes and class, then the Gi* cluster apart (the land, the ratio,
    z and q are in the API's answer: the table keeps to what fits a page)."""
    columns = (
        Column("grid_reference", f"{square_name(cell_size_m)} (OS grid reference)"),
        Column("easting", "Easting of south-west corner (m)", True),
        Column("northing", "Northing of south-west corner (m)", True),
        Column("borough", "Borough (at the square's centre)"),
        Column("crimes", "Violence and sexual offences", True),
        Column("rate_per_km2", "Crimes per km²", True),
        Column("expected_crimes", "Expected at London's rate", True),
        Column("compared_with_expected", "Compared with expected"),
        Column("cluster", "Cluster (Gi*)"),
    )
    body = tuple(
        (
            r.reference,
            (str(r.easting), str(r.easting)),
            (str(r.northing), str(r.northing)),
            r.borough,
            r.crimes,
            _number(r.rate_per_km2),
            _number(r.expected),
            (r.excess, r.hotspot_label),
            (r.hotspot, cluster_label(r.hotspot)),
        )
        for r in rows
    )
    return Table(name="cells", caption=caption, columns=columns, rows=body, csv_href=csv_href)
