"""``/api/v1/force/``: tables of the force's own VAWG crimes, after disclosure control (the ONS
10-5 rule with secondary suppression): never a person, a reference or a point."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from vawg.disclosure import RULE_NAME
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import HotspotCell, Limit, Month, Offset
from vawg_site.records.selectors import force_grid_table, force_group_month_table

router = Router(tags=["force (disclosure controlled)"])


@router.get("/v1/force/vawg-crimes/by-group-month", response={200: s.ForceGroupMonth, **p.ERRORS})
def force_group_month(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """The force's VAWG crimes by VAWG group and recorded month, after the ONS 10-5 rule with
    secondary suppression (row, column and grand totals published)."""
    start, end = p.period_of(month_from, month_to)

    def build() -> p.Body:
        ft = force_group_month_table(start=start, end=end)
        t = ft.table
        rows = []
        if t is not None:
            assert t.row_totals is not None
            assert t.row_total_status is not None
            rows = [
                s.ForceGroupRow(
                    group=g,
                    counts=list(t.cells[i]),
                    status=list(t.status[i]),
                    total=t.row_totals[i],
                    total_status=t.row_total_status[i],
                )
                for i, g in enumerate(ft.row_labels)
            ]
        return p.json_of(
            s.ForceGroupMonth(
                provenance=p.force_provenance(),
                disclosure=p.disclosure_out(t),
                months=ft.col_labels,
                rows=rows,
                month_totals=list(t.col_totals or ()) if t else [],
                month_total_status=list(t.col_total_status or ()) if t else [],
                grand_total=t.grand_total if t else None,
                grand_total_status=(t.grand_total_status or "published") if t else "published",
            )
        )

    return p.send(request, build, key=("force-gm", start, end))


@router.get("/v1/force/vawg-crimes/grid", response={200: s.ForceGrid, **p.ERRORS})
def force_grid(
    request: HttpRequest,
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """The force's VAWG crimes per grid cell (square cells of the British National Grid, given by
    their south-west corner; never points) over the period, after the ONS 10-5 rule with
    secondary suppression. Crimes with no location form one row with no cell."""
    start, end = p.period_of(month_from, month_to)

    def build() -> p.Body:
        cells, t = force_grid_table(start=start, end=end, cell_size_m=cell_size_m)
        half = cell_size_m / 2
        results = []
        if t is not None:
            for i, cell in enumerate(cells):
                results.append(
                    s.ForceCellOut(
                        x_min=None if cell is None else cell[0] - half,
                        y_min=None if cell is None else cell[1] - half,
                        cell_size_m=cell_size_m,
                        count=t.cells[i][0],
                        status=t.status[i][0],
                        rule=RULE_NAME,
                    )
                )
        return p.json_of(
            s.ForceGrid(
                provenance=p.force_provenance(),
                disclosure=p.disclosure_out(t),
                crs="EPSG:27700",
                total=t.grand_total if t else None,
                total_status=(t.grand_total_status or "published") if t else "published",
                page=p.page_of(len(results), limit, offset),
                results=results[offset : offset + limit],
            )
        )

    return p.send(request, build, key=("force-grid", start, end, cell_size_m, limit, offset))
