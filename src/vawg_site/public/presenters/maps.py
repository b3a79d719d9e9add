"""What the two hotspot maps show, built from the shared hotspot analyses
(:mod:`vawg_site.opendata.selectors.hotspots`): the ward table, the grid squares with their
grid references, boroughs and corners, and the filters, orders and pages of their tables.

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
from vawg_site.common.geography import borough_areas, grid_reference, square_name
from vawg_site.opendata.selectors.hotspots import WardHotspot, grid_hotspots
from vawg_site.opendata.selectors.police_uk import STREET_CATEGORY
from vawg_site.public.presenters.tables import Column, Table

CLASS_LABELS = {
    "hot-99": "Hotspot, 99% confidence",
    "hot-95": "Hotspot, 95% confidence",
    "hot-90": "Hotspot, 90% confidence",
    "not-significant": "Not significant",
    "cold-90": "Cold spot, 90% confidence",
    "cold-95": "Cold spot, 95% confidence",
    "cold-99": "Cold spot, 99% confidence",
}

PAGE_SIZE = 50
"""Rows of a map's table per page."""

WARD_ORDERS = [
    ("offences", "Most offences first"),
    ("rate", "Highest rate per 1,000 female residents first"),
    ("z", "Strongest hotspot first (Gi* z-score)"),
    ("name", "Ward name, A to Z"),
]
CELL_ORDERS = [
    ("crimes", "Most crimes first"),
    ("z", "Strongest hotspot first (Gi* z-score)"),
    ("reference", "Grid reference"),
]


def hotspot_label(hotspot: str) -> str:
    """The words for a Gi* class (``hot-95`` -> "Hotspot, 95% confidence")."""
    return CLASS_LABELS.get(hotspot, hotspot)


def class_wanted(hotspot: str, wanted: str) -> bool:
    """Whether a row of class ``hotspot`` passes the filter ``wanted`` (``hot``, ``cold``,
    ``not-significant``, or blank for all)."""
    if not wanted:
        return True
    if wanted == "not-significant":
        return hotspot == "not-significant"
    return hotspot.startswith(wanted)


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
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.name))
    if order == "name":
        return sorted(rows, key=lambda r: (r.name, r.borough))
    return sorted(rows, key=lambda r: (-r.offences, r.name))


def ward_table(rows: list[WardHotspot], *, caption: str, csv_href: str, population: bool) -> Table:
    """The ward map's table (and CSV): offences, rate, z-score and class of each ward."""
    columns = [
        Column("ward", "Ward"),
        Column("ward_code", "Ward code"),
        Column("borough", "Borough"),
        Column("offences", "Offences", numeric=True),
    ]
    if population:
        columns += [
            Column("female_residents", "Female residents (Census 2021, best fit)", True),
            Column("rate_per_1000_female", "Rate per 1,000 female residents", True),
        ]
    columns += [Column("gi_star_z", "Gi* z-score", True), Column("hotspot", "Hotspot class")]
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
            row += (r.female, rate)
        row += (
            (f"{r.z:.2f}", f"{r.z:.2f}") if r.z is not None else ("", "–"),
            (r.hotspot, hotspot_label(r.hotspot)),
        )
        body.append(row)
    return Table(
        name="wards",
        caption=caption,
        columns=tuple(columns),
        rows=tuple(body),
        csv_href=csv_href,
    )


def ward_map_data(rows: tuple[WardHotspot, ...]) -> dict[str, list[Any]]:
    """Per-ward figures for the map script: {code: [offences, rate, class, name, borough]}."""
    return {
        r.code: [
            r.offences,
            None if r.rate is None else round(r.rate, 2),
            r.hotspot,
            r.name,
            r.borough,
        ]
        for r in rows
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
    corners: tuple[tuple[float, float], ...]
    """(latitude, longitude) of the south-west, south-east, north-east, north-west corners."""

    @property
    def hotspot_label(self) -> str:
        return hotspot_label(self.hotspot)


@dataclass(frozen=True)
class StreetMap:
    rows: tuple[CellRow, ...]
    cells: int
    crimes: int
    settings: dict[str, Any]


@cached
def street_map(*, start: date, end: date, cell_size_m: int) -> StreetMap:
    """police.uk violence and sexual offences per grid square, the squares with at least one
    crime, each with its OS grid reference, the borough at its centre and its corners."""
    from vawg.spatial.areal import area_index
    from vawg.spatial.grid import to_wgs84

    result = grid_hotspots(category=STREET_CATEGORY, start=start, end=end, cell_size_m=cell_size_m)
    crimes = [r for r in result.rows if r.count > 0]
    boroughs = borough_areas()
    cx = np.array([r.x for r in crimes], dtype=np.float64)
    cy = np.array([r.y for r in crimes], dtype=np.float64)
    where = area_index(areas=boroughs, x=cx, y=cy)
    h = cell_size_m / 2
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
                borough=boroughs.names[where[i]] if where[i] >= 0 else "Outside London",
                crimes=int(r.count),
                z=r.z,
                hotspot=r.hotspot,
                corners=tuple(
                    (round(float(lat[i + k * n]), 5), round(float(lon[i + k * n]), 5))
                    for k in range(4)
                ),
            )
        )
    return StreetMap(
        rows=tuple(rows), cells=result.cells, crimes=result.crimes, settings=result.settings
    )


def cells_sorted(rows: list[CellRow], order: str) -> list[CellRow]:
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.reference))
    if order == "reference":
        return sorted(rows, key=lambda r: r.reference)
    return sorted(rows, key=lambda r: (-r.crimes, r.reference))


def cell_table(rows: list[CellRow], *, cell_size_m: int, caption: str, csv_href: str = "") -> Table:
    """The street map's table (and CSV) of grid squares."""
    columns = (
        Column("grid_reference", f"{square_name(cell_size_m)} (OS grid reference)"),
        Column("easting", "Easting of south-west corner (m)", True),
        Column("northing", "Northing of south-west corner (m)", True),
        Column("borough", "Borough (at the square's centre)"),
        Column("crimes", "Violence and sexual offences", True),
        Column("gi_star_z", "Gi* z-score", True),
        Column("hotspot", "Hotspot class"),
    )
    body = tuple(
        (
            r.reference,
            (str(r.easting), str(r.easting)),
            (str(r.northing), str(r.northing)),
            r.borough,
            r.crimes,
            (f"{r.z:.2f}", f"{r.z:.2f}") if r.z is not None else ("", "–"),
            (r.hotspot, r.hotspot_label),
        )
        for r in rows
    )
    return Table(name="cells", caption=caption, columns=columns, rows=body, csv_href=csv_href)
