"""``/api/v1/hotspots/``: the hotspot tables behind the public maps, as JSON, CSV and GeoJSON.

These are the same analyses as the ward and street-level maps
(:mod:`vawg_site.opendata.selectors.hotspots`), run with the settings of the analysis table, so an
answer here always agrees with the map, and they cover only the force area (for the Met, the 32
boroughs: no City of London ward or square). ``score`` is the period's density by default (the
method ``counts``: offences per km² for a ward, crimes per cell for a grid square; ``docs/api.md``
says why); ``hotspot_class`` is the Gi* cluster layer (Getis-Ord Gi*, conditional permutations,
BH FDR), as the analyst's CLI writes it. Beside it, ``expected`` ... ``excess_class`` compare each
area's count with the force area's rate (exact Poisson test, BH FDR): the "more offences than
expected" of the public maps (``docs/hotspots.md``, "More than expected").
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from vawg.periods import month_parse
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import HotspotCell, Limit, Month, Offset, StreetCategory
from vawg_site.common.geography import area_features
from vawg_site.opendata.selectors import met, police_uk
from vawg_site.opendata.selectors.hotspots import (
    EXCESS_METHOD,
    GISTAR_METHOD,
    GridCell,
    GridHotspots,
    WardHotspot,
    WardHotspots,
    grid_hotspots,
    ward_hotspots,
)

router = Router(tags=["hotspots"])

WARD_LABEL = "VAWG offence hotspots by ward (the Met's published counts)"
GRID_LABEL = (
    "Hotspots of police.uk street-level '{category}' on a {cell} m grid: a street-level proxy, "
    "not VAWG"
)
SCORE_WORDS = {
    "counts": "the period's density: {unit}",
    "recency": "the forecasting score of vawg hotspots (recent months weigh more)",
    "gistar": "the Gi* z-score",
}
HOTSPOT_COLUMNS = ("count", "score", "z", "p", "q", "class")
EXCESS_COLUMNS = ("expected", "ratio", "excess_p", "excess_q", "excess_class")
"""Added after the Gi* columns (and ``trend``) of the CSV, so that older readers still work."""


def _excess(
    *, rate: float | None, alpha: float, exposure: str, unit: str, scale: float = 1.0
) -> s.ExcessMethod:
    return s.ExcessMethod(
        method=EXCESS_METHOD,
        exposure=exposure,
        rate=None if rate is None else rate * scale,
        rate_unit=unit,
        alpha=alpha,
        fdr="benjamini-hochberg",
    )


def _method(
    settings_used: dict[str, Any],
    months: list[str],
    *,
    neighbours: str,
    unit: str,
    excess: s.ExcessMethod | None = None,
) -> s.HotspotMethod:
    score = str(settings_used.get("method", ""))
    return s.HotspotMethod(
        method="Getis-Ord Gi* (counts), conditional permutation test",
        description=GISTAR_METHOD,
        excess=excess,
        permutations=int(settings_used.get("permutations", 0)),
        fdr=str(settings_used.get("fdr", "")),
        neighbours=neighbours,
        seed=settings_used.get("seed"),
        months=months,
        score=score,
        score_meaning=SCORE_WORDS.get(score, score).format(unit=unit),
    )


# --- wards ---------------------------------------------------------------------------------------


def _wards(month_from: str | None, month_to: str | None) -> WardHotspots:
    start, end = p.period_of(month_from, month_to)
    start, end = p.latest_period(
        met.met_months(measure=met.Measure.OFFENCES),
        start,
        end,
        latest=settings.VAWG_ANALYSIS.hotspot_months,
    )
    return ward_hotspots(start=start, end=end)


def _ward_values(r: WardHotspot) -> dict[str, Any]:
    return {
        "count": float(r.offences),
        "score": r.score,
        "z": r.z,
        "p": r.p,
        "q": r.q,
        "class": r.hotspot,
        "trend": r.trend,
        "expected": r.expected,
        "ratio": r.ratio,
        "excess_p": r.excess_p,
        "excess_q": r.excess_q,
        "excess_class": r.excess,
    }


WARD_UNIT = "offences per km²"


@router.get("/v1/hotspots/wards", response={200: s.WardHotspots, **p.ERRORS})
def hotspots_wards(
    request: HttpRequest,
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """Gi* clusters (hot and cold spots) of the Met's VAWG offences over the force area's wards
    (queen contiguity, conditional permutations, Benjamini-Hochberg FDR), with each ward's score
    and its offences against those expected from its female residents at the force area's rate
    (exact Poisson, BH FDR). Default period: the latest 12 months."""
    h = _wards(month_from, month_to)

    def build() -> p.Body:
        months = [month_parse(m) for m in h.months]
        return p.json_of(
            s.WardHotspots(
                provenance=p.provenance(p.MET_SOURCE, p.met_caveats(months)),
                label=WARD_LABEL,
                method=_method(
                    h.settings,
                    h.months,
                    neighbours="queen contiguity, the ward itself included",
                    unit=WARD_UNIT,
                    excess=_excess(
                        rate=h.rate_per_1000,
                        alpha=h.alpha,
                        exposure="female residents, Census 2021 (best-fit ward sums)",
                        unit="offences per 1,000 female residents over the period",
                    ),
                ),
                page=p.page_of(len(h.rows), limit, offset),
                results=[
                    s.WardHotspotOut(
                        area_code=r.code,
                        area_name=r.name,
                        count=float(r.offences),
                        score=r.score,
                        z=r.z,
                        p=r.p,
                        q=r.q,
                        hotspot_class=r.hotspot,
                        trend=r.trend,
                        female_residents=r.female or None,
                        expected=r.expected,
                        ratio=r.ratio,
                        excess_p=r.excess_p,
                        excess_q=r.excess_q,
                        excess_class=r.excess,
                    )
                    for r in h.rows[offset : offset + limit]
                ],
            )
        )

    return p.send(request, build, key=("hot-wards", tuple(h.months), limit, offset))


@router.get("/v1/hotspots/wards.csv", **p.as_csv(p.ERRORS))
def hotspots_wards_csv(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """Ward hotspots as CSV: ``area_code, area_name, count, score, z, p, q, class, trend``, then
    ``expected, ratio, excess_p, excess_q, excess_class``."""
    h = _wards(month_from, month_to)
    fields = (*HOTSPOT_COLUMNS, "trend", *EXCESS_COLUMNS)
    header = ("area_code", "area_name", *fields)

    def rows() -> list[list[Any]]:
        return [[r.code, r.name, *(_ward_values(r)[c] for c in fields)] for r in h.rows]

    return p.send(request, p.csv_of(header, rows), key=("hot-wards.csv", *h.months))


@router.get("/v1/hotspots/wards.geojson", **p.as_geojson(p.ERRORS))
def hotspots_wards_geojson(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """Ward hotspots with ward outlines (WGS84) as GeoJSON."""
    h = _wards(month_from, month_to)

    def build() -> p.Body:
        by_code = {r.code: r for r in h.rows}
        features = []
        for f in area_features(kind="ward"):
            r = by_code.get(f["properties"]["code"])
            if r is not None:
                features.append({**f, "properties": {**f["properties"], **_ward_values(r)}})
        meta = {"label": WARD_LABEL, "months": h.months, "provenance": p.MET_SOURCE}
        return p.geojson_of(features, meta)

    return p.send(request, build, key=("hot-wards.geojson", *h.months))


# --- grid ----------------------------------------------------------------------------------------


def _grid(
    category: str, month_from: str | None, month_to: str | None, cell_size_m: int
) -> GridHotspots:
    start, end = p.period_of(month_from, month_to)
    start, end = p.latest_period(
        police_uk.street_months(category=category),
        start,
        end,
        latest=settings.VAWG_ANALYSIS.hotspot_months,
    )
    return grid_hotspots(category=category, start=start, end=end, cell_size_m=cell_size_m)


def _cell_values(r: GridCell) -> dict[str, Any]:
    return {
        "cell_size_m": r.cell_size_m,
        "count": r.count,
        "score": r.score,
        "z": r.z,
        "p": r.p,
        "q": r.q,
        "class": r.hotspot,
        "land_km2": r.land_km2,
        "expected": r.expected,
        "ratio": r.ratio,
        "excess_p": r.excess_p,
        "excess_q": r.excess_q,
        "excess_class": r.excess,
    }


@router.get("/v1/hotspots/grid", response={200: s.GridHotspots, **p.ERRORS})
def hotspots_grid(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """Gi* clusters of police.uk street-level crime on a grid over the force area (3 x 3
    neighbourhood, conditional permutations, Benjamini-Hochberg FDR), and each square's crimes
    against those expected from its land at the force area's rate (exact Poisson, BH FDR): for
    ``violent-crime``, a labelled proxy for VAWG."""
    h = _grid(category, month_from, month_to, cell_size_m)

    def build() -> p.Body:
        return p.json_of(
            s.GridHotspots(
                provenance=p.provenance(p.POLICE_UK_SOURCE, p.street_caveats(category)),
                label=GRID_LABEL.format(category=category, cell=cell_size_m),
                method=_method(
                    h.settings,
                    h.months,
                    neighbours="cells whose centres are within one diagonal (3 x 3)",
                    unit="crimes per cell",
                    excess=_excess(
                        rate=h.rate_per_km2,
                        alpha=h.alpha,
                        exposure="the square's land inside the force area (km²)",
                        unit="crimes per km² over the period",
                    ),
                ),
                crs="EPSG:27700",
                page=p.page_of(len(h.rows), limit, offset),
                results=[
                    s.GridHotspotOut(
                        x=r.x,
                        y=r.y,
                        cell_size_m=r.cell_size_m,
                        count=r.count,
                        score=r.score,
                        z=r.z,
                        p=r.p,
                        q=r.q,
                        hotspot_class=r.hotspot,
                        land_km2=r.land_km2,
                        expected=r.expected,
                        ratio=r.ratio,
                        excess_p=r.excess_p,
                        excess_q=r.excess_q,
                        excess_class=r.excess,
                    )
                    for r in h.rows[offset : offset + limit]
                ],
            )
        )

    key = ("hot-grid", category, cell_size_m, tuple(h.months), limit, offset)
    return p.send(request, build, key=key)


@router.get("/v1/hotspots/grid.csv", **p.as_csv(p.ERRORS))
def hotspots_grid_csv(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
) -> HttpResponse:
    """Grid hotspots as CSV: ``x, y, cell_size_m, count, score, z, p, q, class`` (x, y the cell's
    centre in EPSG:27700 metres), then ``land_km2, expected, ratio, excess_p, excess_q,
    excess_class``."""
    h = _grid(category, month_from, month_to, cell_size_m)
    header = ("x", "y", "cell_size_m", *HOTSPOT_COLUMNS, "land_km2", *EXCESS_COLUMNS)

    def rows() -> list[list[Any]]:
        return [[r.x, r.y, *(_cell_values(r)[c] for c in header[2:])] for r in h.rows]

    key = ("hot-grid.csv", category, cell_size_m, *h.months)
    return p.send(request, p.csv_of(header, rows), key=key)


@router.get("/v1/hotspots/grid.geojson", **p.as_geojson(p.ERRORS))
def hotspots_grid_geojson(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
) -> HttpResponse:
    """Grid hotspots as GeoJSON squares in WGS84."""
    h = _grid(category, month_from, month_to, cell_size_m)

    def build() -> p.Body:
        from vawg.spatial.grid import to_wgs84

        features = []
        half = cell_size_m / 2
        for r in h.rows:
            xs = np.array([r.x - half, r.x + half, r.x + half, r.x - half])
            ys = np.array([r.y - half, r.y - half, r.y + half, r.y + half])
            lon, lat = to_wgs84(x=xs, y=ys)
            ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
            features.append(
                {
                    "type": "Feature",
                    "properties": _cell_values(r),
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                }
            )
        label = GRID_LABEL.format(category=category, cell=cell_size_m)
        meta = {"label": label, "months": h.months, "provenance": p.POLICE_UK_SOURCE}
        return p.geojson_of(features, meta)

    return p.send(request, build, key=("hot-grid.geojson", category, cell_size_m, *h.months))
