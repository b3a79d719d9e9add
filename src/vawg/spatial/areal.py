"""Areal units (wards, LSOAs) from polygons, queen contiguity from their geometry, area counts.

Polygons are read from GeoJSON (RFC 7946 WGS84, projected to EPSG:27700; files already in metres
are recognised by their coordinate range). Two areas are queen neighbours when their boundaries
share at least one point (``intersects``), optionally within a snapping tolerance for boundaries
generalised separately; this reproduces libpysal's ``Queen`` on clean boundary files. Events are
assigned to the area that contains them. The Met's ward VAWG series
(``mps/vawg-offences.parquet``, sheet ``Offence count location``) names wards rather than coding
them; names are matched to the polygons' codes within the borough (``population/`` best-fit
lookup), after normalising case, ``&``/``and``, apostrophes and full stops.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from vawg.errors import UserInputError
from vawg.paths import data_dir_default

SHEET_LOCATION = "Offence count location"


@dataclass(frozen=True)
class Areas:
    """Areal units in EPSG:27700.

    Attributes
    ----------
    codes, names : tuple of str, length n
    geometries : ndarray of shapely geometries, shape (n,), EPSG:27700 metres
    area_m2 : ndarray, shape (n,), square metres
    x, y : ndarray, shape (n,), representative points (inside each area), metres
    neighbours : scipy.sparse.csr_matrix, shape (n, n), binary queen contiguity, zero diagonal
    """

    codes: tuple[str, ...]
    names: tuple[str, ...]
    geometries: NDArray[Any]
    area_m2: NDArray[np.float64]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    neighbours: Any

    @property
    def n(self) -> int:
        """Number of areas."""
        return len(self.codes)


def _pick_field(props: dict[str, Any], suffix: str, given: str | None) -> str:
    if given is not None:
        if given not in props:
            raise UserInputError(f"no property {given!r} in the areas file")
        return given
    for key in props:
        if key.upper().endswith(suffix):
            return key
    for key in ("code" if suffix == "CD" else "name",):
        if key in props:
            return key
    raise UserInputError(f"cannot find the area {'code' if suffix == 'CD' else 'name'} property")


def queen_neighbours(*, geometries: NDArray[Any], tolerance_m: float = 0.0) -> Any:
    """Queen contiguity (shared boundary point) between polygons, as a binary sparse matrix.

    Parameters
    ----------
    geometries : ndarray of shapely polygons, shape (n,)
        EPSG:27700 metres.
    tolerance_m : float
        Areas closer than this count as touching (0: exact shared points).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        Symmetric, zero diagonal.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> boxes = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 1, 2, 2),
    ...                   shapely.box(3, 0, 4, 1)])
    >>> queen_neighbours(geometries=boxes).toarray().tolist()
    [[0, 1, 0], [1, 0, 0], [0, 0, 0]]
    """
    import shapely
    from scipy import sparse

    tree = shapely.STRtree(geometries)
    if tolerance_m > 0:
        left, right = tree.query(geometries, predicate="dwithin", distance=tolerance_m)
    else:
        left, right = tree.query(geometries, predicate="intersects")
    keep = left != right
    n = len(geometries)
    data = np.ones(int(keep.sum()), dtype=np.int64)
    w = sparse.csr_matrix((data, (left[keep], right[keep])), shape=(n, n))
    w = ((w + w.T) > 0).astype(np.int64)
    return sparse.csr_matrix(w)


def areas_read(
    path: Path,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    tolerance_m: float = 0.0,
) -> Areas:
    """Read polygons from GeoJSON and build queen contiguity.

    Parameters
    ----------
    path : Path
        GeoJSON FeatureCollection of (Multi)Polygons, WGS84 or EPSG:27700.
    code_field, name_field : str, optional
        Properties holding the code and the name; default the first ending in ``CD`` / ``NM``.
    tolerance_m : float
        Snapping tolerance for contiguity, metres.

    Returns
    -------
    Areas

    Examples
    --------
    >>> from vawg.paths import data_dir_default
    >>> wards = areas_read(data_dir_default() / "geo/london_wards24_bgc.geojson")  # doctest: +SKIP
    >>> wards.n  # doctest: +SKIP
    684
    """
    import shapely
    from shapely.geometry import shape

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        features = doc["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserInputError(f"cannot read areas from {path}: {error}") from error
    if not features:
        raise UserInputError(f"no features in {path}")
    props0 = features[0].get("properties") or {}
    code_key = _pick_field(props0, "CD", code_field)
    name_key = _pick_field(props0, "NM", name_field)
    geoms = np.array([shape(f["geometry"]) for f in features], dtype=object)
    x_min, y_min, x_max, y_max = shapely.total_bounds(geoms)
    if x_min >= -180 and x_max <= 180 and y_min >= -90 and y_max <= 90:
        from pyproj import Transformer

        tr = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
        )
    geoms = shapely.make_valid(geoms)
    pts = shapely.point_on_surface(geoms)
    return Areas(
        codes=tuple(str((f.get("properties") or {}).get(code_key, "")) for f in features),
        names=tuple(str((f.get("properties") or {}).get(name_key, "")) for f in features),
        geometries=geoms,
        area_m2=np.asarray(shapely.area(geoms), dtype=np.float64),
        x=np.asarray(shapely.get_x(pts), dtype=np.float64),
        y=np.asarray(shapely.get_y(pts), dtype=np.float64),
        neighbours=queen_neighbours(geometries=geoms, tolerance_m=tolerance_m),
    )


def area_index(
    *, areas: Areas, x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Index of the area containing each point (-1 when none does).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from scipy import sparse
    >>> g = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> a = Areas(codes=("a", "b"), names=("A", "B"), geometries=g, area_m2=np.ones(2),
    ...           x=np.zeros(2), y=np.zeros(2), neighbours=sparse.csr_matrix((2, 2)))
    >>> area_index(areas=a, x=np.array([5.0, 15, 50]), y=np.array([5.0, 5, 5])).tolist()
    [0, 1, -1]
    """
    import shapely

    tree = shapely.STRtree(areas.geometries)
    pts = shapely.points(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    pi, ai = tree.query(pts, predicate="intersects")
    out = np.full(len(pts), -1, dtype=np.int64)
    # A point on a shared boundary goes to the first area found, once.
    first = np.unique(pi, return_index=True)[1]
    out[pi[first]] = ai[first]
    return out


def _norm_name(name: str) -> str:
    s = name.lower().replace("&", " and ").replace("’", "").replace("'", "").replace(".", " ")
    s = re.sub(r"\bst\b", "saint", s)
    return " ".join(s.replace("-", " ").split())


def ward_counts_mps(
    path: Path,
    *,
    areas: Areas,
    month_from: str | None = None,
    month_to: str | None = None,
    data_dir: Path | None = None,
) -> tuple[NDArray[np.float64], list[str], int]:
    """Monthly VAWG offence counts per ward from the Met's series, aligned to ``areas``.

    Parameters
    ----------
    path : Path
        ``mps/vawg-offences.parquet`` (or a CSV with the same columns).
    areas : Areas
        Ward polygons (2024 wards; codes in ``WD24CD``).
    month_from, month_to : str, optional
        Inclusive ``YYYY-MM`` bounds on the recorded month.
    data_dir : Path, optional
        Real-data folder with ``population/lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv``
        (ward code to borough); default :func:`data_dir_default`.

    Returns
    -------
    (counts, months, unmatched)
        ``counts`` of shape (n_areas, n_months), the ``YYYY-MM`` months, and the number of
        offences whose ward could not be matched (unknown ward, outside the Met) and were left out.

    Examples
    --------
    >>> from vawg.paths import data_dir_default
    >>> d = data_dir_default()
    >>> wards = areas_read(d / "geo/london_wards24_bgc.geojson")  # doctest: +SKIP
    >>> c, months, lost = ward_counts_mps(d / "mps/vawg-offences.parquet",
    ...                                   areas=wards)  # doctest: +SKIP
    """
    try:
        raw = pl.read_parquet(path) if str(path).endswith(".parquet") else pl.read_csv(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        raise UserInputError(f"cannot read {path}: {error}") from error
    need = {"sheet", "ward_name_clean_2", "borough_name", "recorded_date_months", "count"}
    if not need <= set(raw.columns):
        raise UserInputError(f"{path}: not the Met's VAWG offence series (needs {sorted(need)})")
    frame = raw.filter(pl.col("sheet") == SHEET_LOCATION).select(
        ward=pl.col("ward_name_clean_2"),
        borough=pl.col("borough_name"),
        month=pl.col("recorded_date_months").cast(pl.String).str.slice(0, 7),
        count=pl.col("count").cast(pl.Float64),
    )
    if month_from is not None:
        frame = frame.filter(pl.col("month") >= month_from)
    if month_to is not None:
        frame = frame.filter(pl.col("month") <= month_to)
    borough_of = _ward_boroughs(data_dir if data_dir is not None else data_dir_default())
    by_name_borough: dict[tuple[str, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for i, (code, name) in enumerate(zip(areas.codes, areas.names, strict=True)):
        key = _norm_name(name)
        by_name.setdefault(key, []).append(i)
        if code in borough_of:
            by_name_borough[(key, _norm_name(borough_of[code]))] = i
    months = sorted(frame["month"].unique().to_list())
    col = {m: j for j, m in enumerate(months)}
    counts = np.zeros((areas.n, len(months)))
    unmatched = 0.0
    agg = frame.group_by("ward", "borough", "month").agg(pl.col("count").sum())
    for ward, borough, month, count in agg.iter_rows():
        idx = None
        if ward is not None:
            key = _norm_name(str(ward))
            idx = by_name_borough.get((key, _norm_name(str(borough))))
            if idx is None and len(by_name.get(key, [])) == 1:
                idx = by_name[key][0]
        if idx is None:
            unmatched += count
        else:
            counts[idx, col[month]] += count
    return counts, months, int(unmatched)


def _ward_boroughs(data_dir: Path) -> dict[str, str]:
    path = data_dir / "population" / "lsoa21_to_ward24_to_lad24_bestfit_lookup_london.csv"
    if not path.is_file():
        return {}
    table = pl.read_csv(path, infer_schema_length=0).select("WD24CD", "LAD24NM").unique()
    return dict(table.iter_rows())
