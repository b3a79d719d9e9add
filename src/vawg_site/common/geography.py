"""London's geography as the pages and the API use it: boroughs and 2024 wards with their ONS
codes, their polygons (EPSG:27700, with queen contiguity), simplified outlines for the maps, and
grid references.

Everything comes from the boundary files in the real-data folder (``VAWG_DATA_DIR/geo/``, ONS
Open Geography Portal, Open Government Licence; contains OS data © Crown copyright and database
right), read once per process, and the ward-to-borough best-fit look-up in ``population/``. When
the files are absent every function answers empty (or None), and the pages say what is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from vawg.force_area import MET, ForceArea
from vawg.paths import data_dir_default

BOROUGHS_FILE = "geo/london_boroughs_lad24_bgc.geojson"
WARDS_FILE = "geo/london_wards24_bgc.geojson"
LSOA_FILE = "geo/london_lsoa11_gen20m.geojson"
WARD_LOOKUP = "population/lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv"
"""Each relative to the real-data folder."""

OUTLINE_TOLERANCE_DEG = {"wards": 0.0003, "boroughs": 0.0004}
"""Simplification of the map outlines, degrees (about 30 m and 40 m in London)."""
OUTLINE_DIGITS = 4
"""Decimal places kept in the outlines' coordinates (about 10 m)."""


def data_dir() -> Path:
    """The real-data folder in force (``VAWG_DATA_DIR``, else ``../shared/data``)."""
    return data_dir_default()


def geo_path(relative: str) -> Path:
    return data_dir() / relative


def geo_available() -> bool:
    """Whether the ward and borough boundaries are in the data folder."""
    return geo_path(WARDS_FILE).is_file() and geo_path(BOROUGHS_FILE).is_file()


@dataclass(frozen=True)
class Area:
    """A borough or ward with its ONS code."""

    code: str
    name: str
    kind: str
    borough_code: str
    borough_name: str


def name_normalise(name: str) -> str:
    """A place name compared without case, ``&``/``and``, full stops or apostrophes.

    >>> name_normalise("St. Mary's & St. John")
    'st marys and st john'
    """
    return " ".join(name.lower().replace("&", " and ").replace(".", " ").replace("'", "").split())


@lru_cache(maxsize=4)
def _geojson(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@lru_cache(maxsize=1)
def _ward_borough(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    table = pl.read_csv(path, infer_schema_length=0).select("WD24CD", "LAD24CD").unique()
    return dict(table.iter_rows())


def borough_list() -> list[Area]:
    """London's 33 boroughs (32 and the City) with their 2024 codes, by name."""
    path = geo_path(BOROUGHS_FILE)
    if not path.is_file():
        return []
    areas = [
        Area(
            code=f["properties"]["LAD24CD"],
            name=f["properties"]["LAD24NM"],
            kind="borough",
            borough_code=f["properties"]["LAD24CD"],
            borough_name=f["properties"]["LAD24NM"],
        )
        for f in _geojson(path)["features"]
    ]
    return sorted(areas, key=lambda a: a.name)


def ward_list(*, borough_code: str | None = None) -> list[Area]:
    """London's 2024 wards with their codes and borough, by borough then name."""
    path = geo_path(WARDS_FILE)
    if not path.is_file():
        return []
    boroughs = {b.code: b.name for b in borough_list()}
    of = _ward_borough(geo_path(WARD_LOOKUP))
    areas = []
    for f in _geojson(path)["features"]:
        code = f["properties"]["WD24CD"]
        b = of.get(code, "")
        if borough_code is not None and b != borough_code:
            continue
        areas.append(Area(code, f["properties"]["WD24NM"], "ward", b, boroughs.get(b, "")))
    return sorted(areas, key=lambda a: (a.borough_name, a.name))


# --- the force area (vawg.force_area; settings.VAWG_FORCE_AREA) ---------------------------------


def force_area() -> ForceArea:
    """The force area in force (``VAWG_FORCE_*`` settings; the Met's 32 boroughs by default)."""
    from django.conf import settings

    area: ForceArea = getattr(settings, "VAWG_FORCE_AREA", MET)
    return area


def force_borough_codes() -> frozenset[str]:
    """Codes of the shipped boroughs inside the force area (32 for the Met)."""
    area = force_area()
    return frozenset(area.codes_in(b.code for b in borough_list()))


def force_boroughs() -> list[Area]:
    """The boroughs inside the force area, by name."""
    codes = force_borough_codes()
    return [b for b in borough_list() if b.code in codes]


def force_wards() -> list[Area]:
    """The 2024 wards whose borough is inside the force area, by borough then name."""
    codes = force_borough_codes()
    return [w for w in ward_list() if w.borough_code in codes]


def in_force_area(borough_code: str) -> bool:
    """Whether a borough code is one the force polices (and is in the shipped boundaries)."""
    return borough_code in force_borough_codes()


def area_get(code: str) -> Area | None:
    """A borough or ward by its ONS code, or None."""
    for area in borough_list():
        if area.code == code:
            return area
    for area in ward_list():
        if area.code == code:
            return area
    return None


def borough_codes_by_name() -> dict[str, str]:
    """Borough code by normalised borough name (:func:`name_normalise`)."""
    return {name_normalise(b.name): b.code for b in borough_list()}


def area_features(*, kind: str, borough_code: str | None = None) -> list[dict[str, Any]]:
    """GeoJSON features (WGS84, as published by ONS) with only code, name and borough kept."""
    path = geo_path(BOROUGHS_FILE if kind == "borough" else WARDS_FILE)
    if not path.is_file():
        return []
    wanted = {
        a.code: a
        for a in (borough_list() if kind == "borough" else ward_list(borough_code=borough_code))
    }
    out = []
    for f in _geojson(path)["features"]:
        code = f["properties"]["LAD24CD" if kind == "borough" else "WD24CD"]
        if code not in wanted:
            continue
        a = wanted[code]
        out.append(
            {
                "type": "Feature",
                "properties": {
                    "code": a.code,
                    "name": a.name,
                    "kind": a.kind,
                    "borough_code": a.borough_code,
                    "borough_name": a.borough_name,
                },
                "geometry": f["geometry"],
            }
        )
    return out


# --- polygons (EPSG:27700) -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _areas(path: Path) -> Any:
    from vawg.spatial.areal import areas_read

    return areas_read(path)


def ward_areas() -> Any:
    """The 2024 wards as :class:`vawg.spatial.areal.Areas` (queen contiguity), file order."""
    return _areas(geo_path(WARDS_FILE))


def borough_areas() -> Any:
    """The boroughs as :class:`vawg.spatial.areal.Areas`, file order."""
    return _areas(geo_path(BOROUGHS_FILE))


def lsoa_areas() -> Any:
    """The 2011 LSOAs as :class:`vawg.spatial.areal.Areas`, file order."""
    return _areas(geo_path(LSOA_FILE))


def lsoa_available() -> bool:
    return geo_path(LSOA_FILE).is_file()


def london_area() -> Any:
    """Greater London as one shapely geometry in EPSG:27700 (the union of the boroughs)."""
    import shapely

    return shapely.union_all(borough_areas().geometries)


def grid_reference(easting: float, northing: float, *, digits: int = 2) -> str:
    """Ordnance Survey grid reference of the point (metres), to ``digits`` figures each way:
    2 names the 1 km square, 3 the 100 m square.

    >>> grid_reference(530000, 180000)
    'TQ 30 80'
    >>> grid_reference(499000, 199000)
    'SU 99 99'
    >>> grid_reference(530500, 180500, digits=3)
    'TQ 305 805'
    """
    letters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"  # no I
    e100k, n100k = int(easting // 100000), int(northing // 100000)
    l1 = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    l2 = (19 - n100k) * 5 % 25 + e100k % 5
    square = letters[l1] + letters[l2]
    unit = 10 ** (5 - digits)
    e = int(easting % 100000) // unit
    n = int(northing % 100000) // unit
    return f"{square} {e:0{digits}d} {n:0{digits}d}"


def square_name(cell_size_m: float) -> str:
    """How a grid square of this side is named on a page.

    >>> square_name(1000), square_name(500), square_name(1500)
    ('1 km square', '500 m square', '1.5 km square')
    """
    if cell_size_m < 1000:
        return f"{cell_size_m:g} m square"
    return f"{cell_size_m / 1000:g} km square"


# --- outlines for the maps ---------------------------------------------------------------------


@lru_cache(maxsize=4)
def _outline_json(path: Path, tolerance_deg: float, digits: int) -> bytes:
    import shapely
    from shapely.geometry import mapping, shape

    features = []
    for feature in _geojson(path)["features"]:
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


def _layer_path(layer: str) -> Path:
    return geo_path({"wards": WARDS_FILE, "boroughs": BOROUGHS_FILE}[layer])


def outline_geojson(*, layer: str) -> bytes | None:
    """Simplified outlines (WGS84, about 10 m precision) of ``wards`` or ``boroughs``; None when
    the boundary files are not in the data folder."""
    path = _layer_path(layer)
    if not path.is_file():
        return None
    return _outline_json(path, OUTLINE_TOLERANCE_DEG[layer], OUTLINE_DIGITS)


def outline_names(*, layer: str) -> list[str]:
    """Names of the borough (or ward) polygons in the boundary file, file order."""
    path = _layer_path(layer)
    if not path.is_file():
        return []
    return list(_areas(path).names)


# --- the borough of a record (decided once, when it is loaded) -----------------------------------


@lru_cache(maxsize=2)
def _borough_lookup(folder: Path) -> Any:
    from vawg.spatial.boroughs import borough_lookup_read

    return borough_lookup_read(data_dir=folder)


def lsoa_borough_codes() -> dict[str, str]:
    """LSOA code (2011 or 2021, the shipped layers) to the code of its borough."""
    lookup = _borough_lookup(data_dir())
    return dict(lookup.lsoa_boroughs) if lookup is not None else {}


def borough_codes_of(
    *, lsoa_code: pl.Series, lsoa_name: pl.Series, lon: pl.Series, lat: pl.Series
) -> pl.Series:
    """The shipped borough each record falls in ("" outside them all), from its LSOA (code in
    the 2011 and 2021 LSOA layers, else the local authority in its name) or, with no LSOA, its
    map point in the borough polygons (:func:`vawg.spatial.boroughs.borough_assign`). Without
    the borough boundaries every record is blank."""
    from vawg.spatial.boroughs import borough_assign

    lookup = _borough_lookup(data_dir())
    if lookup is None:
        return pl.Series("borough_code", [""] * lsoa_code.len(), dtype=pl.String)
    return borough_assign(
        lsoa_code=lsoa_code,
        lsoa_name=lsoa_name,
        lon=lon,
        lat=lat,
        lsoa_boroughs=lookup.lsoa_boroughs,
        borough_by_name=lookup.borough_by_name,
        boroughs=lookup.boroughs,
    )


def cache_clear() -> None:
    """Forget the files read (tests that point ``VAWG_DATA_DIR`` elsewhere)."""
    for function in (_geojson, _ward_borough, _areas, _outline_json, _borough_lookup):
        function.cache_clear()
