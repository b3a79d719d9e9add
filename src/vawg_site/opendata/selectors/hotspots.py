"""The published hotspot analyses: one over London's wards, one over a grid, shared by the maps
and the API so that a visitor and an analyst always see the same answer.

* **Wards**: the Met's published VAWG offences per 2024 ward and month over a period, the rate per
  1,000 female residents (Census 2021 best-fit ward sums, :mod:`vawg.rates`), and the Getis-Ord
  Gi* class of each ward from :func:`vawg.spatial.run.areal_hotspots` (queen contiguity,
  conditional permutations, Benjamini-Hochberg false discovery rate), with a Mann-Kendall trend
  over the months.
* **Grid**: police.uk street-level crimes of one category counted into squares of the British
  National Grid covering Greater London, with Gi* classes from
  :func:`vawg.spatial.run.grid_hotspots` (the 8 squares around each square are its neighbours).
  For ``violent-crime`` this is a proxy for VAWG, and police.uk has already moved each crime to an
  anonymous map point.

The ``score`` column, the permutations, the seed, the grid cell and the default period come from
the analysis settings table (:mod:`vawg_site.config.analysis`, ``docs/settings.md``). The classes
are always the Gi* significance layer. Results are kept per data version and settings.
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
    data_dir,
    force_wards,
    geo_path,
    london_area,
    ward_areas,
)
from vawg_site.opendata.selectors.met import ward_month_counts
from vawg_site.opendata.selectors.police_uk import street_points


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
    """The Gi* class: ``hot-99`` ... ``not-significant`` ... ``cold-99``."""
    trend: str | None
    """Mann-Kendall trend over the months (``increasing``, ``decreasing``, ``no-trend``), or None
    with a single month."""
    city_of_london: bool
    few_lsoas: bool


@dataclass(frozen=True)
class WardHotspots:
    rows: tuple[WardHotspot, ...]
    settings: dict[str, Any]
    months: list[str]
    """The months with counts in the period (``YYYY-MM``)."""
    population_available: bool


def ward_hotspots(*, start: date, end: date) -> WardHotspots:
    """Every ward's offences, rate and Gi* class over ``start``..``end`` (first days of months,
    inclusive), with the analysis settings in force. Empty when the ward boundaries are absent."""
    analysis = settings.VAWG_ANALYSIS
    return _ward_hotspots(
        start=start,
        end=end,
        score=analysis.hotspot_score,
        permutations=analysis.hotspot_permutations,
        seed=analysis.hotspot_seed,
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


@cached
def _ward_hotspots(
    *, start: date, end: date, score: str, permutations: int, seed: int
) -> WardHotspots:
    from vawg.spatial.run import areal_hotspots

    if not geo_path(WARDS_FILE).is_file():  # no boundaries: no neighbours, like the areas
        return WardHotspots(rows=(), settings={}, months=[], population_available=False)
    areas = ward_areas()
    index = {c: i for i, c in enumerate(areas.codes)}
    cells = ward_month_counts(start=start, end=end)
    months = sorted({m for _, m, _ in cells})
    column = {m: j for j, m in enumerate(months)}
    matrix = np.zeros((areas.n, max(1, len(months))))
    counts: dict[str, int] = {}
    for code, month, total in cells:
        counts[code] = counts.get(code, 0) + total
        i = index.get(code)
        if i is not None:
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
    rows = []
    for r in run.table.iter_rows(named=True):
        borough, female, rate, city, few = population.get(
            r["area_code"], ("", 0, None, False, False)
        )
        rows.append(
            WardHotspot(
                code=r["area_code"],
                name=r["area_name"],
                borough=borough,
                offences=int(r["count"]),
                female=int(female),
                rate=rate,
                score=_finite(r["score"]),
                z=_finite(r["z"]),
                p=_finite(r["p"]),
                q=_finite(r["q"]),
                hotspot=str(r["class"]),
                trend=r["trend"],
                city_of_london=city,
                few_lsoas=few,
            )
        )
    inside = {w.code for w in force_wards()}  # wards the force does not police are never listed
    return WardHotspots(
        rows=tuple(r for r in rows if r.code in inside),
        settings=dict(run.settings),
        months=[month_key(m) for m in months],
        population_available=bool(population),
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


@dataclass(frozen=True)
class GridHotspots:
    rows: tuple[GridCell, ...]
    """Every square of the study area, empty ones included, in the grid's order."""
    cells: int
    crimes: int
    """Street records with a location in the period (some may fall outside every square)."""
    settings: dict[str, Any]
    months: list[str]


def grid_hotspots(*, category: str, start: date, end: date, cell_size_m: int) -> GridHotspots:
    """police.uk street records of ``category`` per grid square over Greater London, with Gi*
    classes, over ``start``..``end`` (inclusive), with the analysis settings in force."""
    analysis = settings.VAWG_ANALYSIS
    return _grid_hotspots(
        category=category,
        start=start,
        end=end,
        cell_size_m=cell_size_m,
        score=analysis.hotspot_score,
        permutations=analysis.hotspot_permutations,
        seed=analysis.hotspot_seed,
    )


def _grid(points_x: np.ndarray[Any, Any], points_y: np.ndarray[Any, Any], cell_size_m: int) -> Any:
    from vawg.spatial.grid import grid_from_area, grid_from_bounds

    if geo_path(BOROUGHS_FILE).is_file():
        return grid_from_area(area=london_area(), cell_size_m=float(cell_size_m))
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
) -> GridHotspots:
    from vawg.spatial.grid import to_bng
    from vawg.spatial.run import grid_hotspots as run_grid

    points = street_points(category=category, start=start, end=end)
    x, y = to_bng(lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy())
    grid = _grid(x, y, cell_size_m)
    events = pl.DataFrame(
        {"month": points["month"], "x": x, "y": y, "harm_days": np.ones(points.height)},
        schema={"month": pl.String, "x": pl.Float64, "y": pl.Float64, "harm_days": pl.Float64},
    )
    run = run_grid(events=events, grid=grid, method=score, permutations=permutations, seed=seed)
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
        )
        for r in run.table.iter_rows(named=True)
    )
    return GridHotspots(
        rows=rows,
        cells=grid.n_cells,
        crimes=points.height,
        settings=dict(run.settings),
        months=sorted(set(points["month"].to_list())),
    )
