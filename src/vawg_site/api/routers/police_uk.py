"""``/api/v1/police-uk/``: data.police.uk street-level crimes in London per LSOA or grid cell
and month (never points). Only the force area is counted (the records placed in one of its
boroughs when loaded, published by no other force: docs/coverage.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from vawg.periods import month_key
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import Limit, Month, Offset, StreetCategory, StreetCell
from vawg_site.opendata.selectors import police_uk

router = Router(tags=["police-uk"])


@router.get("/v1/police-uk/lsoa", response={200: s.StreetLsoaCounts, **p.ERRORS})
def street_lsoa(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """police.uk street-level crimes in London (the force area: other forces' records are left
    out) per LSOA and month (never points)."""
    start, end = p.period_of(month_from, month_to)

    def build() -> p.Body:
        rows = police_uk.street_counts_lsoa(category=category, start=start, end=end)
        return p.json_of(
            s.StreetLsoaCounts(
                provenance=p.provenance(p.POLICE_UK_SOURCE, p.street_caveats(category)),
                category=category,
                unit="LSOA (2011)",
                page=p.page_of(len(rows), limit, offset),
                results=[
                    s.LsoaCountOut(lsoa_code=c, lsoa_name=n, month=month_key(m), count=k)
                    for c, n, m, k in rows[offset : offset + limit]
                ],
            )
        )

    return p.send(request, build, key=("lsoa", category, start, end, limit, offset))


@router.get("/v1/police-uk/grid", response={200: s.StreetGridCounts, **p.ERRORS})
def street_grid(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = StreetCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """police.uk street-level crimes in London (the force area: other forces' records are left
    out) per square grid cell (British National Grid, centres in metres) and month; empty cells
    are left out."""
    start, end = p.period_of(month_from, month_to)

    def build() -> p.Body:
        rows = police_uk.street_counts_grid(
            category=category, start=start, end=end, cell_size_m=cell_size_m
        )
        return p.json_of(
            s.StreetGridCounts(
                provenance=p.provenance(p.POLICE_UK_SOURCE, p.street_caveats(category)),
                category=category,
                unit=f"{cell_size_m} m grid cell",
                crs="EPSG:27700",
                page=p.page_of(len(rows), limit, offset),
                results=[
                    s.GridCountOut(x=x, y=y, cell_size_m=cell_size_m, month=month_key(m), count=k)
                    for x, y, m, k in rows[offset : offset + limit]
                ],
            )
        )

    key = ("grid", category, start, end, cell_size_m, limit, offset)
    return p.send(request, build, key=key)
