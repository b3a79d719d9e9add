"""The borough (local authority) a police.uk record falls in, decided once, from what the record
says: its LSOA where it names one, else its map point.

A street-level record names its LSOA (code and name, "Westminster 018A") when police.uk could
place it; the borough is the local authority of that LSOA, found from the shipped LSOA layers by
code, or from the name's head (the local authority's name) when the code is not in them. A record
whose LSOA is outside the shipped boroughs (another force's county) gets no borough, whatever its
point. A record with no LSOA (API records, "No Location" rows) is placed by its WGS84 map point in
the borough polygons (EPSG:27700; a point on a shared edge goes to the first in file order); a
point outside every polygon, or no point, gets no borough (blank). All of it runs on whole
columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

BOROUGHS_FILE = "geo/london_boroughs_lad24_bgc.geojson"
LSOA_FILES = ("geo/london_lsoa11_gen20m.geojson", "geo/london_lsoa21_bgc.geojson")
"""The shipped borough polygons and LSOA layers (2011, 2021), relative to the data folder."""


@dataclass(frozen=True)
class BoroughLookup:
    """What :func:`borough_assign` needs, read from the shipped boundaries."""

    lsoa_boroughs: dict[str, str]
    """LSOA code (2011 or 2021) to borough code."""
    borough_by_name: dict[str, str]
    """Normalised borough name (:func:`name_key`) to borough code."""
    boroughs: Any
    """The borough polygons (:class:`vawg.spatial.areal.Areas`)."""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.boroughs.codes)


def name_key(name: str) -> str:
    """A place name compared without case, ``&``/``and``, full stops or apostrophes.

    >>> name_key("St. Mary's & St. John")
    'st marys and st john'
    """
    return " ".join(name.lower().replace("&", " and ").replace(".", " ").replace("'", "").split())


def _props(feature: dict[str, Any], suffix: str) -> str:
    props = feature.get("properties") or {}
    return str(next((v for k, v in props.items() if k.upper().endswith(suffix)), "") or "")


def borough_lookup_read(*, data_dir: Path) -> BoroughLookup | None:
    """The borough polygons and the LSOA-to-borough look-up from the data folder's boundary
    files; None when the borough polygons are absent (LSOA layers are optional)."""
    from vawg.spatial.areal import areas_read

    path = data_dir / BOROUGHS_FILE
    if not path.is_file():
        return None
    boroughs = areas_read(path)
    by_name = {name_key(n): c for c, n in zip(boroughs.codes, boroughs.names, strict=True)}
    lsoa: dict[str, str] = {}
    for relative in LSOA_FILES:
        layer = data_dir / relative
        if not layer.is_file():
            continue
        for feature in json.loads(layer.read_text(encoding="utf-8"))["features"]:
            code = _props(feature, "CD")
            borough = by_name.get(name_key(lsoa_area_name(_props(feature, "NM"))), "")
            if code and borough:
                lsoa.setdefault(code, borough)
    return BoroughLookup(lsoa_boroughs=lsoa, borough_by_name=by_name, boroughs=boroughs)


def lsoa_area_name(lsoa_name: str) -> str:
    """The local authority in an LSOA's name ("Westminster 018A" -> "Westminster").

    >>> lsoa_area_name("Westminster 018A"), lsoa_area_name("City of London 001F")
    ('Westminster', 'City of London')
    >>> lsoa_area_name(""), lsoa_area_name("No Location")
    ('', 'No Location')
    """
    head, _, code = lsoa_name.rpartition(" ")
    return head if head and code[:3].isdigit() else lsoa_name


def _name_key(expr: pl.Expr) -> pl.Expr:
    """An LSOA name's local-authority head, compared as :func:`name_key` compares."""
    head = expr.str.replace(r"\s+\d{3}[A-Z]?$", "")
    return (
        head.str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(".", " ", literal=True)
        .str.replace_all("'", "", literal=True)
        .str.strip_chars()
        .str.replace_all(r"\s+", " ")
    )


def _polygon_codes(boroughs: Any, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[Any]:
    """The code of the first borough polygon (file order) each point (EPSG:27700) touches, ""
    for none: a prepared test per polygon, several times faster than a tree query of a million
    points against some thirty polygons."""
    import shapely

    codes = np.full(x.shape[0], "", dtype=object)
    left = np.ones(x.shape[0], dtype=bool)
    for code, geometry in zip(boroughs.codes, boroughs.geometries, strict=True):
        if not bool(left.any()):
            break
        shapely.prepare(geometry)  # in place, once: later calls find it prepared
        hit = np.zeros_like(left)
        hit[left] = shapely.intersects_xy(geometry, x[left], y[left])
        codes[hit] = code
        left &= ~hit
    return codes


def borough_assign(
    *,
    lsoa_code: pl.Series,
    lsoa_name: pl.Series,
    lon: pl.Series,
    lat: pl.Series,
    lsoa_boroughs: Mapping[str, str],
    borough_by_name: Mapping[str, str],
    boroughs: Any | None,
) -> pl.Series:
    """The borough code of each record ("" when outside every shipped borough).

    Parameters
    ----------
    lsoa_code, lsoa_name : pl.Series of str, length n
        As published ("" or null when none).
    lon, lat : pl.Series of float, length n
        WGS84 degrees of the map point (null when none).
    lsoa_boroughs : mapping of str to str
        LSOA code (2011 or 2021) to borough code, for the shipped LSOAs.
    borough_by_name : mapping of str to str
        Normalised borough name (lower case, ``and`` for ``&``, no full stops or apostrophes)
        to borough code.
    boroughs : vawg.spatial.areal.Areas or None
        The borough polygons (codes are borough codes); None: points are not placed.

    Returns
    -------
    pl.Series of str, length n, named ``borough_code``

    Examples
    --------
    >>> s = lambda *v: pl.Series(list(v))
    >>> borough_assign(lsoa_code=s("E01000001", "E01999999", "X", ""),
    ...     lsoa_name=s("", "Peterborough 001A", "Camden 002B", ""),
    ...     lon=s(None, -0.1, 0.0, None), lat=s(None, 51.5, 51.5, None),
    ...     lsoa_boroughs={"E01000001": "E09000001"}, borough_by_name={"camden": "E09000007"},
    ...     boroughs=None).to_list()
    ['E09000001', '', 'E09000007', '']
    """
    n = lsoa_code.len()
    code = lsoa_code.cast(pl.String).fill_null("")
    name = lsoa_name.cast(pl.String).fill_null("")
    frame = pl.DataFrame({"code": code, "name": name})
    by_code = pl.col("code").replace_strict(
        dict(lsoa_boroughs), default=None, return_dtype=pl.String
    )
    by_name = _name_key(pl.col("name")).replace_strict(
        dict(borough_by_name), default=None, return_dtype=pl.String
    )
    named = frame.select(
        has_lsoa=(pl.col("code") != "") | (pl.col("name") != ""),
        borough=pl.coalesce(by_code, by_name),
    )
    out: NDArray[Any] = np.asarray(named["borough"].fill_null("").to_numpy(), dtype=object)
    unplaced = ~named["has_lsoa"].to_numpy()
    if boroughs is not None and bool(unplaced.any()):
        from vawg.spatial.grid import to_bng

        x_lon = lon.cast(pl.Float64, strict=False).to_numpy()[unplaced]
        y_lat = lat.cast(pl.Float64, strict=False).to_numpy()[unplaced]
        found = np.full(x_lon.shape[0], "", dtype=object)
        ok = np.isfinite(x_lon) & np.isfinite(y_lat)
        if bool(ok.any()):
            x, y = to_bng(lon=x_lon[ok], lat=y_lat[ok])
            found[ok] = _polygon_codes(boroughs, x, y)
        out[unplaced] = found
    return pl.Series("borough_code", out.tolist() if n else [], dtype=pl.String)
