"""What every API answer shares: the kept body with its caching headers, the period and paging
of a request, and the provenance of the figures.

Every data answer is built once per data version and query and kept in the site's cache
(:func:`vawg_site.common.caching.cached_value`), sent with ``Cache-Control: public``, an ``ETag``
(a hash of the body; ``If-None-Match`` gets 304) and ``Last-Modified`` (the latest load), and
gzipped for clients that accept it (the compressed copy is made once, with the body, and has an
ETag of its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from ninja.errors import HttpError
from pydantic import BaseModel

from vawg.disclosure import BASE, RULE_NAME, THRESHOLD, TOTALS_METHOD, DisclosedTable
from vawg.periods import month_parse, spans_system_change
from vawg_site.api import schemas as s
from vawg_site.common.caching import cached_value
from vawg_site.common.geography import Area, area_get, borough_list
from vawg_site.common.http import (
    Refused,
    body_etag,
    csv_body,
    encoded_response,
    geojson_body,
    gzip_copy,
    work_limited,
)
from vawg_site.ingest.selectors import load_finished_last

API_MAX_AGE = 300
"""Seconds a response may be cached by anyone."""

MET_SOURCE = {
    "source": "Metropolitan Police Service, VAWG offences and victims (London Datastore)",
    "publisher": "Metropolitan Police Service",
    "url": "https://data.london.gov.uk/",
    "licence": "Open Government Licence v3.0",
    "disclosure": "published by its owner; shown as published, not altered",
}
POLICE_UK_SOURCE = {
    "source": "data.police.uk street-level crime",
    "publisher": "Home Office / police forces of England and Wales",
    "url": "https://data.police.uk/",
    "licence": "Open Government Licence v3.0",
    "disclosure": (
        "published by its owner; locations were snapped by police.uk to anonymous map points, "
        "aggregated here to areas or grid cells (no points)"
    ),
}
GEO_SOURCE = {
    "source": "ONS Open Geography Portal boundaries (2024 wards and boroughs, 2011 LSOAs)",
    "publisher": "Office for National Statistics",
    "url": "https://geoportal.statistics.gov.uk/",
    "licence": (
        "Open Government Licence v3.0; contains OS data © Crown copyright and database right"
    ),
    "disclosure": "not personal data",
}
FORCE_SOURCE = {
    "source": "force extract (records loaded into this platform)",
    "publisher": "the force running this platform",
    "url": "",
    "licence": "Open Government Licence v3.0",
    "disclosure": RULE_NAME,
}
RECORDING_SYSTEM_CAVEAT = (
    "The Met replaced its crime recording system CRIS with CONNECT on 28 February 2024. Counts "
    "from March 2024 are not directly comparable with earlier months: the step down in the series "
    "at that point is partly a change of system, not only a real fall."
)
PROXY_CAVEAT = (
    "police.uk's 'Violence and sexual offences' (violent-crime) category is a proxy for VAWG: it "
    "includes violence against anyone and has no victim sex or domestic-abuse flag."
)
SNAP_CAVEAT = (
    "police.uk locations are snapped to about 750,000 anonymous map points, which can make "
    "'phantom' concentrations at popular snap points; grid cells and areas reduce this."
)
FORCE_CAVEAT = (
    "Derived from the force's own records: counts under 10 are suppressed, with further "
    "cells suppressed so that totals cannot reveal them, and the rest rounded to the "
    "nearest 5. Totals are the true totals rounded independently, so cells need not add "
    "up to them."
)

CSV_RESPONSE = {
    "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
}
GEOJSON_RESPONSE = {
    "200": {
        "description": "GeoJSON FeatureCollection, WGS84 (RFC 7946)",
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    }
}
LIMITED: dict[int, type[BaseModel]] = {429: s.ErrorOut, 503: s.ErrorOut}
"""Answers when new work may not start now (too many new requests; no free worker)."""
ERRORS: dict[int, type[BaseModel]] = {400: s.ErrorOut, **LIMITED}
ERRORS_404: dict[int, type[BaseModel]] = {400: s.ErrorOut, 404: s.ErrorOut, **LIMITED}


def as_csv(errors: dict[int, type[BaseModel]] | None = None) -> dict[str, Any]:
    """The ``router.get`` options of an operation that answers CSV (and ``errors``)."""
    return {
        "response": {200: str, **(errors or LIMITED)},
        "openapi_extra": {"responses": CSV_RESPONSE},
    }


def as_geojson(errors: dict[int, type[BaseModel]] | None = None) -> dict[str, Any]:
    """The ``router.get`` options of an operation that answers GeoJSON (and ``errors``)."""
    return {
        "response": {200: dict, **(errors or LIMITED)},
        "openapi_extra": {"responses": GEOJSON_RESPONSE},
    }


Body = tuple[bytes, str]
"""A response body and its content type."""


def send(request: HttpRequest, build: Callable[[], Body], *, key: tuple[Any, ...]) -> HttpResponse:
    """The kept body for ``key`` with caching headers; 304 when the client has it already, and
    a gzip copy for clients that accept it."""

    def render() -> tuple[bytes, str, str, bytes | None]:
        body, content_type = work_limited(request, build)
        return body, content_type, body_etag(body, weak=False), gzip_copy(body)

    try:
        body, content_type, etag, zipped = cached_value(
            name="api.response", arguments=key, compute=render
        )
    except Refused as refused:
        return _refused(refused.response)
    # The compressed copy is another representation, so it has its own (strong) ETag.
    response = encoded_response(
        request,
        body=body,
        gzipped=zipped,
        etag=etag,
        gzip_etag=etag[:-1] + '-gzip"',
        headers=[("Content-Type", content_type)],
    )
    last = load_finished_last()
    if last is not None:
        response["Last-Modified"] = http_date(last.timestamp())
    patch_cache_control(response, public=True, max_age=API_MAX_AGE)
    return response


def _refused(page: HttpResponse) -> HttpResponse:
    """An API client gets the refusal as JSON, with the page's status and Retry-After."""
    retry = page["Retry-After"]
    detail = (
        f"too many new requests from this client: try again in {retry} s"
        if page.status_code == 429
        else f"no worker is free to work this answer out: try again in {retry} s"
    )
    response = HttpResponse(
        s.ErrorOut(detail=detail).model_dump_json(),
        status=page.status_code,
        content_type="application/json; charset=utf-8",
    )
    response["Retry-After"] = retry
    patch_cache_control(response, no_store=True)
    return response


def json_of(model: BaseModel) -> Body:
    return model.model_dump_json().encode(), "application/json; charset=utf-8"


def csv_of(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]] | Callable[[], Sequence[Sequence[Any]]],
) -> Callable[[], Body]:
    """A builder of a CSV body; ``rows`` may be a function so that the rows are made only when
    the body is not kept yet."""

    def build() -> Body:
        return csv_body(header, rows() if callable(rows) else rows), "text/csv; charset=utf-8"

    return build


def geojson_of(features: list[dict[str, Any]], meta: dict[str, Any]) -> Body:
    return geojson_body(features, meta), "application/geo+json"


def period_of(
    month_from: str | None, month_to: str | None
) -> tuple[dt.date | None, dt.date | None]:
    """The months asked for (400 when not ``YYYY-MM`` or reversed)."""
    try:
        start = month_parse(month_from) if month_from else None
        end = month_parse(month_to) if month_to else None
    except ValueError as error:
        raise HttpError(400, f"a month must be YYYY-MM: {error}") from error
    if start is not None and end is not None and start > end:
        raise HttpError(400, "month_from must not be after month_to")
    return start, end


def latest_period(
    months: list[dt.date], start: dt.date | None, end: dt.date | None, *, latest: int
) -> tuple[dt.date, dt.date]:
    """The period asked for, completed with the latest ``latest`` months with data."""
    if end is None:
        end = months[-1] if months else dt.date.today().replace(day=1)
    if start is None:
        earlier = [m for m in months if m <= end][-latest:]
        start = earlier[0] if earlier else end
    if start > end:
        raise HttpError(400, "month_from must not be after month_to")
    return start, end


def page_of(total: int, limit: int, offset: int) -> s.Page:
    after = offset + limit
    return s.Page(
        count=total, limit=limit, offset=offset, next_offset=after if after < total else None
    )


def provenance(base: dict[str, str], caveats: list[str] | None = None) -> s.Provenance:
    return s.Provenance(**base, caveats=caveats or [])


def met_caveats(months: list[dt.date]) -> list[str]:
    return [RECORDING_SYSTEM_CAVEAT] if spans_system_change(months) else []


def street_caveats(category: str) -> list[str]:
    return [SNAP_CAVEAT, *([PROXY_CAVEAT] if category == "violent-crime" else [])]


def area_out(a: Area) -> s.AreaOut:
    return s.AreaOut(
        code=a.code,
        name=a.name,
        kind=a.kind,
        borough_code=a.borough_code,
        borough_name=a.borough_name,
    )


def borough_known(code: str | None) -> None:
    if code is not None and code not in {b.code for b in borough_list()}:
        raise HttpError(404, f"no London borough has the code {code!r}")


def area_known(code: str | None) -> None:
    if code is not None and area_get(code) is None:
        raise HttpError(404, f"no London borough or ward has the code {code!r}")


def disclosure_out(t: DisclosedTable | None) -> s.DisclosureOut:
    return s.DisclosureOut(
        rule=RULE_NAME,
        threshold=t.threshold if t else THRESHOLD,
        rounding_base=t.base if t else BASE,
        totals=t.totals if t else TOTALS_METHOD,
        suppressed_cells=t.suppressed if t else 0,
    )


def force_provenance() -> s.Provenance:
    return provenance(FORCE_SOURCE, [FORCE_CAVEAT])
