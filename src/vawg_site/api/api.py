"""The open-data API at ``/api/v1/``, in the spirit of data.police.uk's: areas (boroughs and wards
with ONS codes), months available, categories, the Met's VAWG counts, police.uk street-level
counts aggregated to LSOAs or grid cells, hotspots, and force-extract tables after disclosure
control. No point locations are ever returned.

One django-ninja Router per subject (:mod:`vawg_site.api.routers`); what every answer shares
(caching headers, paging, provenance) is in :mod:`vawg_site.api.presenters`. Lists are paged with
``limit`` and ``offset``. Errors are JSON ``{"detail": ...}``: 400 for a bad parameter (a month
not ``YYYY-MM``, a period that ends before it starts), 404 for an unknown area. The schema is
served at ``/api/openapi.json`` and described at ``/api/docs`` by a plain server-rendered page (no
third-party scripts; see :mod:`vawg_site.api.docs`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.operation import Operation

from vawg_site.api.docs import PlainDocs
from vawg_site.api.routers import areas, force, hotspots, police_uk, reference, vawg
from vawg_site.common.http import revalidated, static_page

OPERATION_ID_PREFIX = "vawg_site_api_api_"
"""Operation ids are part of the published schema (client generators name their methods after
them). They were first made from the module that held every operation, and are kept as they
were when the operations moved to one router per subject."""


class OpenDataAPI(NinjaAPI):
    """django-ninja's API with operation ids that do not change when an operation moves."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return OPERATION_ID_PREFIX + operation.view_func.__name__


def _docs_kept(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``/api/openapi.json`` and ``/api/docs`` depend only on the code: build each once (building
    the schema cost about 150 ms a request) and keep it like a public page (ETag, gzip, and
    revalidated by browsers like every public page)."""

    @functools.wraps(view)
    def public(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return revalidated(view(request, *args, **kwargs))

    return static_page(public)  # type: ignore[return-value]


api = OpenDataAPI(
    title="VAWG open data API",
    version="1",
    description=(
        "Open data on violence against women and girls in London: the Met's published VAWG "
        "counts, police.uk street-level crime aggregated to areas and grid cells, hotspots, and "
        "force-derived tables after disclosure control. See /api/docs."
    ),
    urls_namespace="api",
    docs=PlainDocs(),
    docs_decorator=_docs_kept,
    docs_url="/docs",
    openapi_url="/openapi.json",
)

for subject in (areas, reference, vawg, police_uk, hotspots, force):
    api.add_router("", subject.router)


@api.exception_handler(ValidationError)
def _bad_parameter(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return api.create_response(
        request, {"detail": "bad parameter: " + "; ".join(problems)}, status=400
    )
