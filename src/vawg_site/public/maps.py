"""Hotspot figures for the public maps, computed once per period and data load and kept in memory.

Two maps, both over areas or grid cells only, never points:

* **Wards**: the Met's published VAWG offences per 2024 ward over a period, the rate per 1,000
  female residents (Census 2021 best-fit ward sums, :mod:`vawg.rates`), and the Getis-Ord Gi*
  class of each ward from :func:`vawg.spatial.run.areal_hotspots` (queen contiguity, 999
  conditional permutations, Benjamini-Hochberg false discovery rate; ``docs/hotspots.md``).
* **Street-level proxy**: police.uk "Violence and sexual offences" (``violent-crime``) counted
  into 1 km squares of the British National Grid, with Gi* classes from
  :func:`vawg.spatial.run.grid_hotspots`. This is a proxy: the category mixes VAWG with all other
  violence, and police.uk has already moved each crime to an anonymous map point.

Results are cached in process, keyed on the period and on a version that changes whenever data
is loaded again (:func:`~vawg_site.public.selectors.published_data_version`), so a page asks the
engine once per period and load. Ward and borough outlines are read from ``VAWG_DATA_DIR/geo/``,
simplified and served from our own origin.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from vawg.paths import data_dir_default
from vawg.rates import WARD_POPULATION_FILE, ward_population_read, ward_rates

WARDS_FILE = "geo/london_wards24_bgc.geojson"
BOROUGHS_FILE = "geo/london_boroughs_lad24_bgc.geojson"
PERMUTATIONS = 999
SEED = 0
GRID_CELL_M = 1000.0
CACHE_SIZE = 16

CLASS_LABELS = {
    "hot-99": "Hotspot, 99% confidence",
    "hot-95": "Hotspot, 95% confidence",
    "hot-90": "Hotspot, 90% confidence",
    "not-significant": "Not significant",
    "cold-90": "Cold spot, 90% confidence",
    "cold-95": "Cold spot, 95% confidence",
    "cold-99": "Cold spot, 99% confidence",
}
CLASS_ORDER = {name: i for i, name in enumerate(CLASS_LABELS)}

T = TypeVar("T")


class _Cache:
    """A small thread-safe least-recently-used cache of computed results."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_results = _Cache(CACHE_SIZE)


def cache_clear() -> None:
    """Forget every cached result (tests; a reload changes the key anyway)."""
    _results.clear()
    _areas.cache_clear()
    _outline_json.cache_clear()
    _population.cache_clear()


def data_dir() -> Path:
    return data_dir_default()


def geo_available() -> bool:
    return (data_dir() / WARDS_FILE).is_file() and (data_dir() / BOROUGHS_FILE).is_file()


@lru_cache(maxsize=2)
def _areas(path: str) -> Any:
    from vawg.spatial.areal import areas_read

    return areas_read(Path(path))


@lru_cache(maxsize=2)
def _population(path: str) -> Any:
    return ward_population_read(Path(path))


@dataclass(frozen=True)
class WardRow:
    code: str
    name: str
    borough: str
    offences: int
    female: int
    rate: float | None
    z: float | None
    hotspot: str
    city_of_london: bool
    few_lsoas: bool

    @property
    def hotspot_label(self) -> str:
        return CLASS_LABELS.get(self.hotspot, self.hotspot)


@dataclass(frozen=True)
class WardHotspots:
    rows: tuple[WardRow, ...]
    settings: dict[str, Any]
    population_available: bool


def ward_hotspots(*, start: date, end: date, version: str, counts: dict[str, int]) -> WardHotspots:
    """Ward counts, rates and Gi* classes for the period (cached on period and ``version``).

    ``counts`` is offences per 2024 ward code over the period, as published.
    """

    def compute() -> WardHotspots:
        import polars as pl

        from vawg.spatial.run import areal_hotspots

        areas = _areas(str(data_dir() / WARDS_FILE))
        matrix = np.array([[float(counts.get(code, 0))] for code in areas.codes])
        run = areal_hotspots(
            areas=areas,
            counts=matrix,
            months=[f"{start:%Y-%m}"],
            method="counts",
            permutations=PERMUTATIONS,
            seed=SEED,
        )
        pop_path = data_dir() / WARD_POPULATION_FILE
        population: dict[str, tuple[str, int, float | None, bool, bool]] = {}
        if pop_path.is_file():
            rates = ward_rates(
                counts=pl.DataFrame(
                    {"ward_code": list(counts), "count": list(counts.values())},
                    schema={"ward_code": pl.String, "count": pl.Int64},
                ),
                population=_population(str(pop_path)),
            )
            for r in rates.iter_rows(named=True):
                population[r["ward_code"]] = (
                    r["borough"],
                    r["female"],
                    r["rate_per_1000"],
                    r["city_of_london"],
                    r["few_lsoas"],
                )
        rows = []
        for r in run.table.iter_rows(named=True):
            borough, female, rate, city, few = population.get(
                r["area_code"], ("", 0, None, False, False)
            )
            z = r["z"]
            rows.append(
                WardRow(
                    code=r["area_code"],
                    name=r["area_name"],
                    borough=borough,
                    offences=int(r["count"]),
                    female=int(female),
                    rate=rate,
                    z=None if z is None or math.isnan(z) else float(z),
                    hotspot=str(r["class"]),
                    city_of_london=city,
                    few_lsoas=few,
                )
            )
        return WardHotspots(
            rows=tuple(rows), settings=run.settings, population_available=bool(population)
        )

    return _results.get(("wards", start, end, version), compute)


@dataclass(frozen=True)
class CellRow:
    reference: str
    easting: int
    northing: int
    borough: str
    crimes: int
    z: float | None
    hotspot: str
    corners: tuple[tuple[float, float], ...]

    @property
    def hotspot_label(self) -> str:
        return CLASS_LABELS.get(self.hotspot, self.hotspot)


@dataclass(frozen=True)
class StreetHotspots:
    rows: tuple[CellRow, ...]
    cells: int
    crimes: int
    settings: dict[str, Any]


def grid_reference(easting: float, northing: float) -> str:
    """Ordnance Survey grid reference of a 1 km square from its south-west corner (metres).

    >>> grid_reference(530000, 180000)
    'TQ 30 80'
    >>> grid_reference(499000, 199000)
    'SU 99 99'
    """
    letters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # no I
    e100k, n100k = int(easting // 100000), int(northing // 100000)
    l1 = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    l2 = (19 - n100k) * 5 % 25 + e100k % 5
    square = letters[l1] + letters[l2]
    e = int(easting % 100000) // 1000
    n = int(northing % 100000) // 1000
    return f"{square} {e:02d} {n:02d}"


def street_hotspots(
    *,
    start: date,
    end: date,
    version: str,
    points: Callable[[], tuple[list[str], list[float], list[float]]],
) -> StreetHotspots:
    """police.uk violence and sexual offences per 1 km square, with Gi* classes (cached).

    ``points`` returns (months, longitudes, latitudes); it is called only when not cached. Only
    squares with at least one crime are returned; the Gi* runs over every square of the boroughs'
    bounding grid, empty ones included.
    """

    def compute() -> StreetHotspots:
        import polars as pl
        import shapely

        from vawg.spatial.grid import grid_from_area, to_bng, to_wgs84
        from vawg.spatial.run import grid_hotspots

        boroughs = _areas(str(data_dir() / BOROUGHS_FILE))
        london = shapely.union_all(boroughs.geometries)
        grid = grid_from_area(area=london, cell_size_m=GRID_CELL_M)
        months, lons, lats = points()
        x, y = to_bng(
            lon=np.asarray(lons, dtype=np.float64), lat=np.asarray(lats, dtype=np.float64)
        )
        events = pl.DataFrame(
            {"month": months, "x": x, "y": y, "harm_days": np.ones(len(months))},
            schema={"month": pl.String, "x": pl.Float64, "y": pl.Float64, "harm_days": pl.Float64},
        )
        run = grid_hotspots(
            events=events, grid=grid, method="counts", permutations=PERMUTATIONS, seed=SEED
        )
        table = run.table.filter(pl.col("count") > 0)
        cx = table["x"].to_numpy()
        cy = table["y"].to_numpy()
        from vawg.spatial.areal import area_index

        where = area_index(areas=boroughs, x=cx, y=cy)
        h = GRID_CELL_M / 2
        corner_x = np.concatenate([cx - h, cx + h, cx + h, cx - h])
        corner_y = np.concatenate([cy - h, cy - h, cy + h, cy + h])
        lon, lat = to_wgs84(x=corner_x, y=corner_y)
        n = len(cx)
        rows = []
        for i, r in enumerate(table.iter_rows(named=True)):
            e0, n0 = int(r["x"] - h), int(r["y"] - h)
            z = r["z"]
            rows.append(
                CellRow(
                    reference=grid_reference(e0, n0),
                    easting=e0,
                    northing=n0,
                    borough=boroughs.names[where[i]] if where[i] >= 0 else "Outside London",
                    crimes=int(r["count"]),
                    z=None if z is None or math.isnan(z) else float(z),
                    hotspot=str(r["class"]),
                    corners=tuple(
                        (round(float(lat[i + k * n]), 5), round(float(lon[i + k * n]), 5))
                        for k in range(4)
                    ),
                )
            )
        return StreetHotspots(
            rows=tuple(rows), cells=grid.n_cells, crimes=len(months), settings=run.settings
        )

    return _results.get(("street", start, end, version), compute)


@lru_cache(maxsize=4)
def _outline_json(path: str, tolerance_deg: float, digits: int) -> bytes:
    import shapely
    from shapely.geometry import mapping, shape

    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    features = []
    for feature in doc["features"]:
        props = feature.get("properties") or {}
        code = next((v for k, v in props.items() if k.upper().endswith("CD")), "")
        name = next((v for k, v in props.items() if k.upper().endswith("NM")), "")
        geom = shape(feature["geometry"]).simplify(tolerance_deg, preserve_topology=True)
        geom = shapely.transform(geom, lambda xy: np.round(xy, digits))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": mapping(geom),
            }
        )
    out = {"type": "FeatureCollection", "features": features}
    return json.dumps(out, separators=(",", ":")).encode("utf-8")


def outline_geojson(*, layer: str) -> bytes | None:
    """Simplified outlines (WGS84, about 10 m precision) of ``wards`` or ``boroughs``; None when
    the boundary files are not in the data folder."""
    name = {"wards": WARDS_FILE, "boroughs": BOROUGHS_FILE}[layer]
    path = data_dir() / name
    if not path.is_file():
        return None
    return _outline_json(str(path), 0.0003 if layer == "wards" else 0.0004, 4)


def outline_names(layer: str) -> list[str]:
    """Names of the borough (or ward) polygons in the boundary file."""
    name = {"wards": WARDS_FILE, "boroughs": BOROUGHS_FILE}[layer]
    path = data_dir() / name
    if not path.is_file():
        return []
    return list(_areas(str(path)).names)
