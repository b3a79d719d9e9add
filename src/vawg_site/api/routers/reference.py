"""``/api/v1/months`` and ``/api/v1/categories``: what is loaded, and the names used."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from django.http import HttpRequest, HttpResponse
from ninja import Router

from vawg.periods import month_key
from vawg_site.api import presenters as p
from vawg_site.api import schemas as s
from vawg_site.api.params import StreetCategory
from vawg_site.opendata.selectors import met, police_uk
from vawg_site.records.selectors import force_months

router = Router(tags=["reference"])


def _months_out(source: str, measure: str, months: list[dt.date]) -> s.MonthsOut:
    return s.MonthsOut(
        source=source,
        measure=measure,
        first=month_key(months[0]) if months else None,
        last=month_key(months[-1]) if months else None,
        months=[month_key(m) for m in months],
    )


@router.get("/v1/months", response={200: s.MonthsList, **p.LIMITED})
def months(request: HttpRequest) -> HttpResponse:
    """The months with data, per source (the Met's VAWG series, police.uk, the force extract)."""

    def build() -> p.Body:
        offences = met.met_months(measure=met.Measure.OFFENCES)
        victims = met.met_months(measure=met.Measure.VICTIMS)
        return p.json_of(
            s.MonthsList(
                results=[
                    _months_out("mps-vawg", str(met.Measure.OFFENCES), offences),
                    _months_out("mps-vawg", str(met.Measure.VICTIMS), victims),
                    _months_out("police-uk", "crimes", police_uk.street_months_all()),
                    _months_out("force", "crimes", force_months()),
                ],
                caveats=p.met_caveats([*offences, *victims]),
            )
        )

    return p.send(request, build, key=("months",))


@router.get("/v1/categories", response={200: s.CategoriesOut, **p.LIMITED})
def categories(request: HttpRequest) -> HttpResponse:
    """police.uk crime categories, and the Met's offence groups, age groups and ethnic groups."""

    def build() -> p.Body:
        return p.json_of(
            s.CategoriesOut(
                police_uk=[
                    s.CategoryOut(slug=a, label=b)
                    for a, b in police_uk.police_uk_categories(get_args(StreetCategory))
                ],
                vawg_sheets=[str(v) for v in met.Sheet],
                **met.category_values(),
            )
        )

    return p.send(request, build, key=("categories",))
