"""The published hotspot analyses: one over the force area's wards, one over a grid, shared by
the maps and the API so that a visitor and an analyst always see the same answer.

Both cover only the force area (:func:`vawg_site.common.geography.force_area`: for the Met, the 32
London boroughs, the City of London left out): the wards of its boroughs, and the grid squares
that touch its boroughs, each weighted by its land inside them. Each area gets two answers to two
different questions:

* **More or fewer offences than expected** (:mod:`vawg.spatial.excess`): the area's count against
  the count the force area's rate would give it (per female resident for a ward, per km² of land
  for a grid square), an exact Poisson test and Benjamini-Hochberg false discovery rate. This is
  the public "hotspot": many offences here, for a place of this size.
* **Clusters** (Getis-Ord Gi*, :func:`vawg.spatial.run.areal_hotspots` and
  :func:`vawg.spatial.run.grid_hotspots`: conditional permutations, Benjamini-Hochberg FDR): an
  area whose neighbourhood, itself included, has more offences than the force area's average.
  These are the ``hotspot`` fields of the CLI and the API, as the analyst knows them.

* **Wards**: the Met's published VAWG offences per 2024 ward and month over a period, the rate per
  1,000 female residents (Census 2021 best-fit ward sums, :mod:`vawg.rates`), with a Mann-Kendall
  trend over the months; queen contiguity for Gi*.
* **Grid**: police.uk street-level crimes of one category inside the force area counted into
  squares of the British National Grid; the 8 squares around each square are its Gi* neighbours.
  For ``violent-crime`` this is a proxy for VAWG, and police.uk has already moved each crime to an
  anonymous map point.

The ``score`` column, the permutations, the seed, the grid cell and the default period come from
the analysis settings table (:mod:`vawg_site.config.analysis`, ``docs/settings.md``). Results are
kept per data version and settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from django.conf import settings

from vawg.periods import month_key
from vawg.rates import WARD_POPULATION_FILE, ward_population_read, ward_rates
from vawg_site.common.caching import cached
from vawg_site.common.geography import (
    BOROUGHS_FILE,
    WARDS_FILE,
    borough_areas,
    data_dir,
    force_borough_codes,
    force_wards,
    geo_path,
    ward_areas,
)
from vawg_site.opendata.selectors.met import ward_month_counts
from vawg_site.opendata.selectors.police_uk import street_points

GISTAR_METHOD = "Getis-Ord Gi*, conditional permutations, BH FDR"
"""The name of the cluster method, as the API and the pages give it."""
EXCESS_METHOD = "Observed against expected: exact Poisson test, BH FDR"
"""The name of the more-or-fewer-than-expected method."""


def _finite(value: Any) -> float | None:
    """A float for the table, or None for a missing or not-a-number value."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


@lru_cache(maxsize=2)
def _population(path: Path) -> pl.DataFrame:
    return ward_population_read(path)


@dataclass(frozen=True)
class Excess:
    """An area's count against the force area's rate (:mod:`vawg.spatial.excess`)."""

    expected: float | None
    """Offences the force area's rate gives an area of this population (or land); None when the
    area is not tested (no population)."""
    ratio: float | None
    """Observed / expected: also the area's rate over the force area's."""
    p: float | None
    """Two-sided exact Poisson p-value."""
    q: float | None
    """Benjamini-Hochberg q-value over the areas tested."""
    excess: str
    """``more``, ``fewer``, ``about`` (as expected) or ``none`` (not tested)."""


def _excess_rows(observed: Any, exposure: Any) -> tuple[list[Excess], float | None, float]:
    """Excess figures per area, the force area's rate per unit of exposure and the alpha."""
    from vawg.spatial.excess import excess_poisson

    result = excess_poisson(
        observed=np.asarray(observed, dtype=np.float64),
        exposure=np.asarray(exposure, dtype=np.float64),
    )
    rows = [
        Excess(
            expected=_finite(result.expected[i]),
            ratio=_finite(result.ratio[i]),
            p=_finite(result.p[i]),
            q=_finite(result.q[i]),
            excess=str(result.classes[i]),
        )
        for i in range(len(result.classes))
    ]
    return rows, _finite(result.rate), result.alpha


@dataclass(frozen=True)
class WardHotspot:
    """One ward's figures over the period."""

    code: str
    name: str
    borough: str
    offences: int
    female: int
    """Female residents (Census 2021, best-fit ward sums); 0 when not known."""
    rate: float | None
    """Offences per 1,000 female residents over the period."""
    score: float | None
    z: float | None
    p: float | None
    q: float | None
    hotspot: str
    """The Gi* cluster class: ``hot-99`` ... ``not-significant`` ... ``cold-99``."""
    trend: str | None
    """Mann-Kendall trend over the months (``increasing``, ``decreasing``, ``no-trend``), or None
    with a single month."""
    city_of_london: bool
    few_lsoas: bool
    expected: float | None = None
    """Offences expected from the ward's female residents and the force area's rate."""
    ratio: float | None = None
    excess_p: float | None = None
    excess_q: float | None = None
    excess: str = "none"
    """``more``, ``fewer``, ``about`` than expected, or ``none`` (no population to test)."""


@dataclass(frozen=True)
class WardHotspots:
    rows: tuple[WardHotspot, ...]
    settings: dict[str, Any]
    months: list[str]
    """The months with counts in the period (``YYYY-MM``)."""
    population_available: bool
    rate_per_1000: float | None = None
    """The force area's rate: offences per 1,000 female residents over the wards with a
    population, over the period."""
    alpha: float = 0.05
    """The false discovery rate of the excess classes."""


def ward_hotspots(*, start: date, end: date) -> WardHotspots:
    """Every force-area ward's offences, rate, excess and Gi* class over ``start``..``end`` (first
    days of months, inclusive), with the analysis settings in force. Empty when the ward
    boundaries are absent."""
    analysis = settings.VAWG_ANALYSIS
    return _ward_hotspots(
        start=start,
        end=end,
        score=analysis.hotspot_score,
        permutations=analysis.hotspot_permutations,
        seed=analysis.hotspot_seed,
        force=tuple(sorted(force_borough_codes())),
    )


def _ward_population(
    counts: dict[str, int],
) -> dict[str, tuple[str, int, float | None, bool, bool]]:
    path = data_dir() / WARD_POPULATION_FILE
    if not path.is_file():
        return {}
    rates = ward_rates(
        counts=pl.DataFrame(
            {"ward_code": list(counts), "count": list(counts.values())},
            schema={"ward_code": pl.String, "count": pl.Int64},
        ),
        population=_population(path),
    )
    return {
        r["ward_code"]: (r["borough"], r["female"], r["rate_per_1000"], r["city_of_london"],
                         r["few_lsoas"])
        for r in rates.iter_rows(named=True)
    }  # fmt: skip


def _force_ward_areas() -> Any:
    """The wards of the force area's boroughs as :class:`vawg.spatial.areal.Areas`, file order,
    with contiguity among themselves only (a ward on the edge has fewer neighbours)."""
    from vawg.spatial.areal import Areas

    areas = ward_areas()
    wanted = {w.code for w in force_wards()}
    keep = np.array([i for i, c in enumerate(areas.codes) if c in wanted], dtype=np.int64)
    return Areas(
        codes=tuple(areas.codes[i] for i in keep),
        names=tuple(areas.names[i] for i in keep),
        geometries=areas.geometries[keep],
        area_m2=areas.area_m2[keep],
        x=areas.x[keep],
        y=areas.y[keep],
        neighbours=areas.neighbours[keep][:, keep],
    )


@cached
def _ward_hotspots(
    *, start: date, end: date, score: str, permutations: int, seed: int, force: tuple[str, ...]
) -> WardHotspots:
    from vawg.spatial.run import areal_hotspots

    if not geo_path(WARDS_FILE).is_file() or not force:  # no boundaries: no neighbours
        return WardHotspots(rows=(), settings={}, months=[], population_available=False)
    areas = _force_ward_areas()
    if areas.n == 0:
        return WardHotspots(rows=(), settings={}, months=[], population_available=False)
    index = {c: i for i, c in enumerate(areas.codes)}
    cells = ward_month_counts(start=start, end=end)
    months = sorted({m for _, m, _ in cells})
    column = {m: j for j, m in enumerate(months)}
    matrix = np.zeros((areas.n, max(1, len(months))))
    counts: dict[str, int] = {}
    for code, month, total in cells:
        i = index.get(code)
        if i is not None:  # wards outside the force area are not in its analysis
            counts[code] = counts.get(code, 0) + total
            matrix[i, column[month]] += total
    run = areal_hotspots(
        areas=areas,
        counts=matrix,
        months=[month_key(m) for m in months],
        method=score,
        permutations=permutations,
        seed=seed,
    )
    population = _ward_population(counts)
    table = run.table.to_dicts()
    figures = [population.get(r["area_code"], ("", 0, None, False, False)) for r in table]
    excess, rate, alpha = _excess_rows([r["count"] for r in table], [f[1] for f in figures])
    rows = []
    for r, (borough, female, ward_rate, city, few), e in zip(table, figures, excess, strict=True):
        rows.append(
            WardHotspot(
                code=r["area_code"],
                name=r["area_name"],
                borough=borough,
                offences=int(r["count"]),
                female=int(female),
                rate=ward_rate,
                score=_finite(r["score"]),
                z=_finite(r["z"]),
                p=_finite(r["p"]),
                q=_finite(r["q"]),
                hotspot=str(r["class"]),
                trend=r["trend"],
                city_of_london=city,
                few_lsoas=few,
                expected=e.expected,
                ratio=e.ratio,
                excess_p=e.p,
                excess_q=e.q,
                excess=e.excess,
            )
        )
    return WardHotspots(
        rows=tuple(rows),  # the force area's wards only: the analysis covers no other
        settings={**run.settings, "force_boroughs": len(force)},
        months=[month_key(m) for m in months],
        population_available=bool(population),
        rate_per_1000=None if rate is None else rate * 1000.0,
        alpha=alpha,
    )


@dataclass(frozen=True)
class GridCell:
    """One square of the grid: its centre (EPSG:27700 metres), side and figures."""

    x: float
    y: float
    cell_size_m: float
    count: float
    score: float | None
    z: float | None
    p: float | None
    q: float | None
    hotspot: str
    """The Gi* cluster class."""
    land_km2: float = 0.0
    """The square's land inside the force area, km² (less than a whole square on its edge)."""
    expected: float | None = None
    """Crimes expected if the force area's crimes were spread evenly over its land."""
    ratio: float | None = None
    excess_p: float | None = None
    excess_q: float | None = None
    excess: str = "none"


@dataclass(frozen=True)
class GridHotspots:
    rows: tuple[GridCell, ...]
    """Every square of the study area, empty ones included, in the grid's order."""
    cells: int
    crimes: int
    """Street records with a location inside the force area in the period."""
    settings: dict[str, Any]
    months: list[str]
    rate_per_km2: float | None = None
    """The force area's crimes per km² of its land over the period."""
    outside: int = 0
    """Street records with a location outside the force area, left out."""
    alpha: float = 0.05


def grid_hotspots(*, category: str, start: date, end: date, cell_size_m: int) -> GridHotspots:
    """police.uk street records of ``category`` per grid square over the force area, with excess
    and Gi* classes, over ``start``..``end`` (inclusive), with the analysis settings in force."""
    analysis = settings.VAWG_ANALYSIS
    return _grid_hotspots(
        category=category,
        start=start,
        end=end,
        cell_size_m=cell_size_m,
        score=analysis.hotspot_score,
        permutations=analysis.hotspot_permutations,
        seed=analysis.hotspot_seed,
        force=tuple(sorted(force_borough_codes())),
    )


def force_polygon(force: tuple[str, ...]) -> Any:
    """The force area as one shapely geometry in EPSG:27700: the union of its boroughs, or None
    without the borough boundaries."""
    import shapely

    if not geo_path(BOROUGHS_FILE).is_file() or not force:
        return None
    boroughs = borough_areas()
    keep = [g for c, g in zip(boroughs.codes, boroughs.geometries, strict=True) if c in force]
    return shapely.union_all(np.array(keep, dtype=object)) if keep else None


def _grid(
    points_x: np.ndarray[Any, Any], points_y: np.ndarray[Any, Any], cell_size_m: int, area: Any
) -> Any:
    from vawg.spatial.grid import grid_from_area, grid_from_bounds

    if area is not None:
        return grid_from_area(area=area, cell_size_m=float(cell_size_m))
    return grid_from_bounds(
        x_min=float(points_x.min(initial=0)),
        y_min=float(points_y.min(initial=0)),
        x_max=float(points_x.max(initial=1)),
        y_max=float(points_y.max(initial=1)),
        cell_size_m=float(cell_size_m),
    )


@cached
def _grid_hotspots(
    *,
    category: str,
    start: date,
    end: date,
    cell_size_m: int,
    score: str,
    permutations: int,
    seed: int,
    force: tuple[str, ...],
) -> GridHotspots:
    import shapely

    from vawg.spatial.excess import squares_area_km2
    from vawg.spatial.grid import to_bng
    from vawg.spatial.run import grid_hotspots as run_grid

    points = street_points(category=category, start=start, end=end)
    x, y = to_bng(lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy())
    area = force_polygon(force)
    inside = np.ones(points.height, dtype=bool) if area is None else shapely.contains_xy(area, x, y)
    grid = _grid(x[inside], y[inside], cell_size_m, area)
    events = pl.DataFrame(
        {
            "month": points["month"].filter(pl.Series(inside)),
            "x": x[inside],
            "y": y[inside],
            "harm_days": np.ones(int(inside.sum())),
        },
        schema={"month": pl.String, "x": pl.Float64, "y": pl.Float64, "harm_days": pl.Float64},
    )
    run = run_grid(events=events, grid=grid, method=score, permutations=permutations, seed=seed)
    table = run.table.to_dicts()
    cx = np.array([r["x"] for r in table], dtype=np.float64)
    cy = np.array([r["y"] for r in table], dtype=np.float64)
    if area is None:
        land = np.full(cx.size, float(cell_size_m) ** 2 / 1e6)
    else:
        land = squares_area_km2(x=cx, y=cy, cell_size_m=float(cell_size_m), area=area)
    excess, rate, alpha = _excess_rows([r["count"] for r in table], land)
    rows = tuple(
        GridCell(
            x=float(r["x"]),
            y=float(r["y"]),
            cell_size_m=float(r["cell_size_m"]),
            count=float(r["count"]),
            score=_finite(r["score"]),
            z=_finite(r["z"]),
            p=_finite(r["p"]),
            q=_finite(r["q"]),
            hotspot=str(r["class"]),
            land_km2=float(land[i]),
            expected=e.expected,
            ratio=e.ratio,
            excess_p=e.p,
            excess_q=e.q,
            excess=e.excess,
        )
        for i, (r, e) in enumerate(zip(table, excess, strict=True))
    )
    return GridHotspots(
        rows=rows,
        cells=grid.n_cells,
        crimes=int(inside.sum()),
        settings={**run.settings, "force_boroughs": len(force)},
        months=sorted(set(events["month"].to_list())),
        rate_per_km2=rate,
        outside=int((~inside).sum()),
        alpha=alpha,
    )
