"""``/api/v1/vawg/``: the Met's VAWG offences and victims as published, one sheet at a time."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query

from vawg.periods import month_key, recording_system
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import Limit, Month, Offset
from vawg_site.opendata.selectors import met

router = Router(tags=["vawg"])

Measure = Literal["offences", "victims"]
Level = Literal["borough", "ward"]


@router.get("/v1/vawg/location", response={200: s.LocationCounts, **p.ERRORS_404})
def vawg_location(
    request: HttpRequest,
    measure: Measure = "offences",
    level: Level = "borough",
    area: str | None = Query(None, max_length=9, description="borough or ward code"),
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """The Met's VAWG offences or victims by borough or ward and month (location sheet), as
    published by the Met."""
    start, end = p.period_of(month_from, month_to)
    p.area_known(area)

    def build() -> p.Body:
        rows = met.location_counts(
            measure=measure, level=level, area_code=area, start=start, end=end
        )
        return p.json_of(
            s.LocationCounts(
                provenance=p.provenance(p.MET_SOURCE, p.met_caveats([r.month for r in rows])),
                measure=measure,
                sheet="location",
                level=level,
                page=p.page_of(len(rows), limit, offset),
                results=[
                    s.LocationCountOut(
                        area_code=r.area_code,
                        area_name=r.area_name,
                        borough_name=r.borough_name,
                        month=month_key(r.month),
                        count=r.count,
                        recording_system=recording_system(r.month),
                    )
                    for r in rows[offset : offset + limit]
                ],
            )
        )

    key = ("location", measure, level, area, start, end, limit, offset)
    return p.send(request, build, key=key)


@router.get(
    "/v1/vawg/location.csv",
    response={200: str, **p.ERRORS_404},
    openapi_extra={"responses": p.CSV_RESPONSE},
)
def vawg_location_csv(
    request: HttpRequest,
    measure: Measure = "offences",
    level: Level = "borough",
    area: str | None = Query(None, max_length=9),
    month_from: str | None = Month,
    month_to: str | None = Month,
) -> HttpResponse:
    """The same as CSV (all rows)."""
    start, end = p.period_of(month_from, month_to)
    p.area_known(area)

    def rows() -> list[tuple[object, ...]]:
        counts = met.location_counts(
            measure=measure, level=level, area_code=area, start=start, end=end
        )
        return [
            (r.area_code, r.area_name, r.borough_name, month_key(r.month), r.count,
             recording_system(r.month))
            for r in counts
        ]  # fmt: skip

    header = ("area_code", "area_name", "borough_name", "month", "count", "recording_system")
    key = ("location.csv", measure, level, area, start, end)
    return p.send(request, p.csv_of(header, rows), key=key)


def _group_counts(
    request: HttpRequest,
    *,
    measure: str,
    sheet: str,
    breakdown: str,
    group: str | None,
    month_from: str | None,
    month_to: str | None,
    limit: int,
    offset: int,
) -> HttpResponse:
    start, end = p.period_of(month_from, month_to)

    def build() -> p.Body:
        rows = met.sheet_counts(measure=measure, sheet=sheet, group=group, start=start, end=end)
        return p.json_of(
            s.GroupCounts(
                provenance=p.provenance(p.MET_SOURCE, p.met_caveats([r.month for r in rows])),
                measure=measure,
                sheet=sheet,
                breakdown=breakdown,
                page=p.page_of(len(rows), limit, offset),
                results=[
                    s.GroupCountOut(
                        group=r.group,
                        month=month_key(r.month),
                        count=r.count,
                        recording_system=recording_system(r.month),
                    )
                    for r in rows[offset : offset + limit]
                ],
            )
        )

    return p.send(request, build, key=("sheet", measure, sheet, group, start, end, limit, offset))


@router.get("/v1/vawg/offence-groups", response={200: s.GroupCounts, **p.ERRORS})
def vawg_offence_groups(
    request: HttpRequest,
    group: str | None = Query(None, max_length=96, description="an offence group"),
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """London's VAWG offences by the Met's offence group and month (classification sheet)."""
    return _group_counts(
        request,
        measure="offences",
        sheet=met.Sheet.CLASSIFICATION,
        breakdown="offence group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )


@router.get("/v1/vawg/victims/age-groups", response={200: s.GroupCounts, **p.ERRORS})
def vawg_victims_age(
    request: HttpRequest,
    group: str | None = Query(None, max_length=32, description="an age group"),
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """London's VAWG victims by age group and month (age sheet; never added to other sheets)."""
    return _group_counts(
        request,
        measure="victims",
        sheet=met.Sheet.AGE,
        breakdown="age group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )


@router.get("/v1/vawg/victims/ethnic-groups", response={200: s.GroupCounts, **p.ERRORS})
def vawg_victims_ethnicity(
    request: HttpRequest,
    group: str | None = Query(None, max_length=48, description="an ethnic group"),
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """London's VAWG victims by ethnic group and month (ethnicity sheet; never added to others)."""
    return _group_counts(
        request,
        measure="victims",
        sheet=met.Sheet.ETHNICITY,
        breakdown="ethnic group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )
