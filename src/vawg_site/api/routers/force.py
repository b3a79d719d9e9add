"""``/api/v1/force/``: tables of the force's own VAWG crimes, after disclosure control (the ONS
10-5 rule with secondary suppression): never a person, a reference or a point.

Each table is published for one whole calendar year only (``year=YYYY``), and the grid at one cell
size only (1 km): tables of overlapping periods or nesting cells could be subtracted from each
other to pin the small counts each table suppresses (``docs/disclosure.md``). ``month_from`` and
``month_to`` are still accepted when they name one whole calendar year.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.errors import HttpError
from ninja.params.functions import Query

from vawg.disclosure import RULE_NAME
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import Limit, Month, Offset
from vawg_site.records.selectors import (
    FORCE_GRID_CELL_M,
    force_grid_table,
    force_group_month_table,
    force_years,
)

router = Router(tags=["force (disclosure controlled)"])

Year = Query(
    None,
    ge=1900,
    le=2999,
    description="a calendar year the records cover whole (default: the latest such year)",
)
GridCell = Query(
    FORCE_GRID_CELL_M,
    ge=FORCE_GRID_CELL_M,
    le=FORCE_GRID_CELL_M,
    description=f"side of a grid cell, metres: {FORCE_GRID_CELL_M} only (cells of other sizes "
    "would nest in these and could be subtracted from them)",
)


def _year_of(year: int | None, month_from: str | None, month_to: str | None) -> int:
    """The calendar year asked for (400 for any other period, 404 for a year not published)."""
    published = force_years()
    if month_from is not None or month_to is not None:
        start, end = p.period_of(month_from, month_to)
        if not (
            start is not None
            and end is not None
            and start.year == end.year
            and (start.month, end.month) == (1, 12)
            and year in (None, start.year)
        ):
            raise HttpError(
                400,
                "force tables are published for whole calendar years only: ask for year=YYYY "
                "(or month_from=YYYY-01 and month_to=YYYY-12)",
            )
        year = start.year
    if year is None:
        if not published:
            raise HttpError(404, "no calendar year is covered whole by the force's records")
        return published[-1]
    if year not in published:
        years = ", ".join(str(y) for y in published) or "none"
        raise HttpError(404, f"no published table for {year}; years published: {years}")
    return year


@router.get(
    "/v1/force/vawg-crimes/by-group-month", response={200: s.ForceGroupMonth, **p.ERRORS_404}
)
def force_group_month(
    request: HttpRequest,
    year: int | None = Year,
    month_from: str | None = Month,
    month_to: str | None = Month,
) -> HttpResponse:
    """The force's VAWG crimes of one calendar year by VAWG group and recorded month, after the
    ONS 10-5 rule with secondary suppression (row, column and grand totals published)."""
    chosen = _year_of(year, month_from, month_to)

    def build() -> p.Body:
        ft = force_group_month_table(year=chosen)
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
                year=chosen,
                months=ft.col_labels,
                rows=rows,
                month_totals=list(t.col_totals or ()) if t else [],
                month_total_status=list(t.col_total_status or ()) if t else [],
                grand_total=t.grand_total if t else None,
                grand_total_status=(t.grand_total_status or "published") if t else "published",
            )
        )

    return p.send(request, build, key=("force-gm", chosen))


@router.get("/v1/force/vawg-crimes/grid", response={200: s.ForceGrid, **p.ERRORS_404})
def force_grid(
    request: HttpRequest,
    year: int | None = Year,
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = GridCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """The force's VAWG crimes of one calendar year per 1 km square of the British National
    Grid (given by its south-west corner; never points), every square of the study area listed,
    after the ONS 10-5 rule with secondary suppression. Crimes with no location (or outside the
    study area) form one last row with no square."""
    chosen = _year_of(year, month_from, month_to)

    def build() -> p.Body:
        grid = force_grid_table(year=chosen)
        cells, t = grid.cells, grid.table
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
                year=chosen,
                crs="EPSG:27700",
                total=t.grand_total if t else None,
                total_status=(t.grand_total_status or "published") if t else "published",
                page=p.page_of(len(results), limit, offset),
                results=results[offset : offset + limit],
            )
        )

    return p.send(request, build, key=("force-grid", chosen, limit, offset))
