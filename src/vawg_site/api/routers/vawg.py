"""``/api/v1/vawg/``: the Met's VAWG offences and victims as published, one sheet at a time."""

from __future__ import annotations

from dataclasses import dataclass
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


@router.get("/v1/vawg/location.csv", **p.as_csv(p.ERRORS_404))
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


@dataclass(frozen=True)
class GroupSheet:
    """One of the Met's sheets other than location, as an operation of the API."""

    path: str
    name: str
    """The operation's function name, hence its operation id in the schema."""
    doc: str
    measure: str
    sheet: str
    breakdown: str
    group_words: str
    group_max_length: int


GROUP_SHEETS = (
    GroupSheet(
        "/v1/vawg/offence-groups",
        "vawg_offence_groups",
        "London's VAWG offences by the Met's offence group and month (classification sheet).",
        "offences",
        met.Sheet.CLASSIFICATION,
        "offence group",
        "an offence group",
        96,
    ),
    GroupSheet(
        "/v1/vawg/victims/age-groups",
        "vawg_victims_age",
        "London's VAWG victims by age group and month (age sheet; never added to other sheets).",
        "victims",
        met.Sheet.AGE,
        "age group",
        "an age group",
        32,
    ),
    GroupSheet(
        "/v1/vawg/victims/ethnic-groups",
        "vawg_victims_ethnicity",
        "London's VAWG victims by ethnic group and month (ethnicity sheet; never added to others).",
        "victims",
        met.Sheet.ETHNICITY,
        "ethnic group",
        "an ethnic group",
        48,
    ),
)


def _group_operation(spec: GroupSheet) -> None:
    """Add the operation of one sheet: its counts by group and month, as published."""

    def operation(
        request: HttpRequest,
        group: str | None = Query(
            None, max_length=spec.group_max_length, description=spec.group_words
        ),
        month_from: str | None = Month,
        month_to: str | None = Month,
        limit: int = Limit,
        offset: int = Offset,
    ) -> HttpResponse:
        start, end = p.period_of(month_from, month_to)

        def build() -> p.Body:
            rows = met.sheet_counts(
                measure=spec.measure, sheet=spec.sheet, group=group, start=start, end=end
            )
            return p.json_of(
                s.GroupCounts(
                    provenance=p.provenance(p.MET_SOURCE, p.met_caveats([r.month for r in rows])),
                    measure=spec.measure,
                    sheet=spec.sheet,
                    breakdown=spec.breakdown,
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

        key = ("sheet", spec.measure, spec.sheet, group, start, end, limit, offset)
        return p.send(request, build, key=key)

    operation.__name__ = operation.__qualname__ = spec.name
    operation.__doc__ = spec.doc
    router.get(spec.path, response={200: s.GroupCounts, **p.ERRORS})(operation)


for _sheet in GROUP_SHEETS:
    _group_operation(_sheet)
