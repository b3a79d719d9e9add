"""The open-data API at ``/api/v1/``, in the spirit of data.police.uk's: areas (boroughs and wards
with ONS codes), months available, categories, the Met's VAWG counts, police.uk street-level
counts aggregated to LSOAs or grid cells, hotspots, and force-extract tables after disclosure
control. No point locations are ever returned.

Every data response is built once per data version and query and kept in the worker's memory
(:func:`vawg_site.api.selectors.cached`), sent with ``Cache-Control: public``, an ``ETag`` (a hash
of the body; ``If-None-Match`` gets 304) and ``Last-Modified`` (the latest load), gzipped for
clients that accept it (the compressed copy is made once, with the body). Lists are paged
with ``limit`` (at most ``MAX_LIMIT``) and ``offset``. Errors are JSON ``{"detail": ...}``: 400 for
a bad parameter (a month not ``YYYY-MM``, a period that ends before it starts), 404 for an unknown
area. The schema is served at ``/api/openapi.json`` and described at ``/api/docs`` by a plain
server-rendered page (no third-party scripts; see :mod:`vawg_site.api.docs`).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from typing import Any, Literal, get_args

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
from ninja.params.functions import Path, Query
from pydantic import BaseModel

from vawg.disclosure import RULE_NAME, DisclosedTable
from vawg_site.api import schemas as s
from vawg_site.api import selectors as sel
from vawg_site.api.docs import PlainDocs
from vawg_site.opendata.models import VawgCount
from vawg_site.public.page_cache import encoded_response, gzip_copy, static_page

API_MAX_AGE = 300
"""Seconds a response may be cached by anyone."""

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
HOTSPOT_MONTHS = 12
"""Hotspots cover the latest this many months when no period is asked for."""


def _docs_kept(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``/api/openapi.json`` and ``/api/docs`` depend only on the code: build each once (building
    the schema cost about 150 ms a request) and keep it like a public page (ETag, gzip)."""

    @functools.wraps(view)
    def public(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=API_MAX_AGE)
        return response

    return static_page(public)  # type: ignore[return-value]


api = NinjaAPI(
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

ERRORS: dict[int, type[BaseModel]] = {400: s.ErrorOut}
ERRORS_404: dict[int, type[BaseModel]] = {400: s.ErrorOut, 404: s.ErrorOut}

Month = Query(None, pattern=MONTH_PATTERN, description="YYYY-MM, inclusive")
Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"rows per page, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=10_000_000, description="rows to skip")
StreetCell = Query(
    1000, ge=250, le=2000, multiple_of=250, description="side of a grid cell, metres"
)
HotspotCell = Query(
    1000, ge=500, le=2000, multiple_of=500, description="side of a grid cell, metres"
)
StreetCategory = Literal[
    "anti-social-behaviour",
    "bicycle-theft",
    "burglary",
    "criminal-damage-arson",
    "drugs",
    "other-crime",
    "other-theft",
    "possession-of-weapons",
    "public-order",
    "robbery",
    "shoplifting",
    "theft-from-the-person",
    "vehicle-crime",
    "violent-crime",
]


@api.exception_handler(ValidationError)
def _bad_parameter(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path"))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return api.create_response(
        request, {"detail": "bad parameter: " + "; ".join(problems)}, status=400
    )


# --- helpers ----------------------------------------------------------------------------------


def _send(
    request: HttpRequest,
    build: Callable[[], tuple[bytes, str]],
    *,
    key: tuple[Any, ...],
) -> HttpResponse:
    """The cached body for ``key`` with caching headers; 304 when the client has it already, and
    a gzip copy (made once, when the body is cached) for clients that accept it."""

    def render() -> tuple[bytes, str, str, bytes | None]:
        body, content_type = build()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return body, content_type, etag, gzip_copy(body)

    body, content_type, etag, zipped = sel.cached(("response", *key), render)
    # The compressed copy is another representation, so it has its own (strong) ETag.
    response = encoded_response(
        request,
        body=body,
        gzipped=zipped,
        etag=etag,
        gzip_etag=etag[:-1] + '-gzip"',
        headers=[("Content-Type", content_type)],
    )
    version = sel.data_version()
    if version.last_modified is not None:
        response["Last-Modified"] = http_date(version.last_modified.timestamp())
    patch_cache_control(response, public=True, max_age=API_MAX_AGE)
    return response


def _json(model: BaseModel) -> tuple[bytes, str]:
    return model.model_dump_json().encode(), "application/json; charset=utf-8"


def _csv(
    filename: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]] | Callable[[], Sequence[Sequence[Any]]],
) -> Callable[[], tuple[bytes, str]]:
    """A builder of the CSV body; ``rows`` may be a function so that the rows are made only
    when the body is not cached yet."""

    def build() -> tuple[bytes, str]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows() if callable(rows) else rows:
            writer.writerow(["" if v is None else _csv_safe(v) for v in row])
        return out.getvalue().encode(), "text/csv; charset=utf-8"

    return build


def _csv_safe(value: Any) -> Any:
    # A cell starting with one of these is run as a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _geojson(features: list[dict[str, Any]], meta: dict[str, Any]) -> tuple[bytes, str]:
    doc = {"type": "FeatureCollection", **meta, "features": features}
    return json.dumps(doc, separators=(",", ":")).encode(), "application/geo+json"


def _period(month_from: str | None, month_to: str | None) -> tuple[dt.date | None, dt.date | None]:
    try:
        start = sel.month_parse(month_from) if month_from else None
        end = sel.month_parse(month_to) if month_to else None
    except ValueError as error:
        raise HttpError(400, f"a month must be YYYY-MM: {error}") from error
    if start is not None and end is not None and start > end:
        raise HttpError(400, "month_from must not be after month_to")
    return start, end


def _page(total: int, limit: int, offset: int) -> s.Page:
    after = offset + limit
    return s.Page(
        count=total, limit=limit, offset=offset, next_offset=after if after < total else None
    )


def _provenance(base: dict[str, str], caveats: list[str] | None = None) -> s.Provenance:
    return s.Provenance(**base, caveats=caveats or [])


def _met_caveats(months: list[dt.date]) -> list[str]:
    return [sel.RECORDING_SYSTEM_CAVEAT] if sel.spans_system_change(months) else []


def _area_out(a: sel.Area) -> s.AreaOut:
    return s.AreaOut(
        code=a.code,
        name=a.name,
        kind=a.kind,
        borough_code=a.borough_code,
        borough_name=a.borough_name,
    )


def _known_borough(code: str | None) -> None:
    if code is not None and code not in {b.code for b in sel.borough_list()}:
        raise HttpError(404, f"no London borough has the code {code!r}")


def _known_area(code: str | None) -> None:
    if code is not None and sel.area_get(code) is None:
        raise HttpError(404, f"no London borough or ward has the code {code!r}")


CSV_RESPONSE = {
    "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
}
GEOJSON_RESPONSE = {
    "200": {
        "description": "GeoJSON FeatureCollection, WGS84 (RFC 7946)",
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    }
}


# --- areas ------------------------------------------------------------------------------------


@api.get("/v1/areas/boroughs", response={200: s.AreaList, **ERRORS}, tags=["areas"])
def boroughs(request: HttpRequest, limit: int = Limit, offset: int = Offset) -> HttpResponse:
    """London's boroughs with their 2024 ONS codes (LAD24CD)."""

    def build() -> tuple[bytes, str]:
        areas = sel.borough_list()
        return _json(
            s.AreaList(
                provenance=_provenance(sel.GEO_SOURCE),
                page=_page(len(areas), limit, offset),
                results=[_area_out(a) for a in areas[offset : offset + limit]],
            )
        )

    return _send(request, build, key=("boroughs", limit, offset))


@api.get(
    "/v1/areas/boroughs.csv",
    response={200: str},
    tags=["areas"],
    openapi_extra={"responses": CSV_RESPONSE},
)
def boroughs_csv(request: HttpRequest) -> HttpResponse:
    """The boroughs as CSV."""

    def rows() -> list[tuple[str, str]]:
        return [(a.code, a.name) for a in sel.borough_list()]

    return _send(request, _csv("boroughs.csv", ("code", "name"), rows), key=("boroughs.csv",))


@api.get(
    "/v1/areas/boroughs.geojson",
    response={200: dict},
    tags=["areas"],
    openapi_extra={"responses": GEOJSON_RESPONSE},
)
def boroughs_geojson(request: HttpRequest) -> HttpResponse:
    """Borough outlines (generalised, WGS84) as GeoJSON."""

    def build() -> tuple[bytes, str]:
        return _geojson(sel.area_features(kind="borough"), {"provenance": sel.GEO_SOURCE})

    return _send(request, build, key=("boroughs.geojson",))


@api.get("/v1/areas/wards", response={200: s.AreaList, **ERRORS_404}, tags=["areas"])
def wards(
    request: HttpRequest,
    borough: str | None = Query(None, max_length=9, description="a borough code, e.g. E09000001"),
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """London's 2024 wards (WD24CD) with their borough."""
    _known_borough(borough)

    def build() -> tuple[bytes, str]:
        areas = sel.ward_list(borough_code=borough)
        return _json(
            s.AreaList(
                provenance=_provenance(sel.GEO_SOURCE),
                page=_page(len(areas), limit, offset),
                results=[_area_out(a) for a in areas[offset : offset + limit]],
            )
        )

    return _send(request, build, key=("wards", borough, limit, offset))


@api.get(
    "/v1/areas/wards.csv",
    response={200: str, **ERRORS_404},
    tags=["areas"],
    openapi_extra={"responses": CSV_RESPONSE},
)
def wards_csv(
    request: HttpRequest, borough: str | None = Query(None, max_length=9)
) -> HttpResponse:
    """The wards as CSV."""
    _known_borough(borough)

    def rows() -> list[tuple[str, str, str, str]]:
        return [
            (a.code, a.name, a.borough_code, a.borough_name)
            for a in sel.ward_list(borough_code=borough)
        ]

    header = ("code", "name", "borough_code", "borough_name")
    return _send(request, _csv("wards.csv", header, rows), key=("wards.csv", borough))


@api.get(
    "/v1/areas/wards.geojson",
    response={200: dict, **ERRORS_404},
    tags=["areas"],
    openapi_extra={"responses": GEOJSON_RESPONSE},
)
def wards_geojson(
    request: HttpRequest, borough: str | None = Query(None, max_length=9)
) -> HttpResponse:
    """Ward outlines (generalised, WGS84) as GeoJSON."""
    _known_borough(borough)

    def build() -> tuple[bytes, str]:
        features = sel.area_features(kind="ward", borough_code=borough)
        return _geojson(features, {"provenance": sel.GEO_SOURCE})

    return _send(request, build, key=("wards.geojson", borough))


@api.get("/v1/areas/{code}", response={200: s.AreaDetail, **ERRORS_404}, tags=["areas"])
def area_detail(
    request: HttpRequest,
    code: str = Path(
        ...,
        pattern=r"^E0[59][0-9]{6}$",
        description="ONS code of a London borough (E09...) or 2024 ward (E05...)",
    ),
) -> HttpResponse:
    """One borough (with its wards) or ward, by ONS code."""
    area = sel.area_get(code)
    if area is None:
        raise HttpError(404, f"no London borough or ward has the code {code!r}")

    def build() -> tuple[bytes, str]:
        wards = sel.ward_list(borough_code=area.code) if area.kind == "borough" else []
        return _json(
            s.AreaDetail(
                provenance=_provenance(sel.GEO_SOURCE),
                area=_area_out(area),
                wards=[_area_out(w) for w in wards],
            )
        )

    return _send(request, build, key=("area", code))


# --- months and categories --------------------------------------------------------------------


@api.get("/v1/months", response={200: s.MonthsList}, tags=["reference"])
def months(request: HttpRequest) -> HttpResponse:
    """The months with data, per source (the Met's VAWG series, police.uk, the force extract)."""

    def build() -> tuple[bytes, str]:
        spans = sel.month_spans()
        met = [m for span in spans if span.source == "mps-vawg" for m in span.months]
        return _json(
            s.MonthsList(
                results=[
                    s.MonthsOut(
                        source=span.source,
                        measure=span.measure,
                        first=sel.month_key(span.months[0]) if span.months else None,
                        last=sel.month_key(span.months[-1]) if span.months else None,
                        months=[sel.month_key(m) for m in span.months],
                    )
                    for span in spans
                ],
                caveats=_met_caveats(met),
            )
        )

    return _send(request, build, key=("months",))


@api.get("/v1/categories", response={200: s.CategoriesOut}, tags=["reference"])
def categories(request: HttpRequest) -> HttpResponse:
    """police.uk crime categories, and the Met's offence groups, age groups and ethnic groups."""

    def build() -> tuple[bytes, str]:
        values = sel.vawg_category_values()
        return _json(
            s.CategoriesOut(
                police_uk=[
                    s.CategoryOut(slug=a, label=b)
                    for a, b in sel.police_uk_categories(get_args(StreetCategory))
                ],
                vawg_sheets=[str(v) for v in VawgCount.Sheet],
                **values,
            )
        )

    return _send(request, build, key=("categories",))


# --- the Met's VAWG counts --------------------------------------------------------------------


@api.get("/v1/vawg/location", response={200: s.LocationCounts, **ERRORS_404}, tags=["vawg"])
def vawg_location(
    request: HttpRequest,
    measure: Literal["offences", "victims"] = "offences",
    level: Literal["borough", "ward"] = "borough",
    area: str | None = Query(None, max_length=9, description="borough or ward code"),
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """The Met's VAWG offences or victims by borough or ward and month (location sheet), as
    published by the Met."""
    start, end = _period(month_from, month_to)
    _known_area(area)

    def build() -> tuple[bytes, str]:
        rows = sel.vawg_location_counts(
            measure=measure, level=level, area_code=area, start=start, end=end
        )
        return _json(
            s.LocationCounts(
                provenance=_provenance(sel.MET_SOURCE, _met_caveats([r.month for r in rows])),
                measure=measure,
                sheet="location",
                level=level,
                page=_page(len(rows), limit, offset),
                results=[
                    s.LocationCountOut(
                        area_code=r.area_code,
                        area_name=r.area_name,
                        borough_name=r.borough_name,
                        month=sel.month_key(r.month),
                        count=r.count,
                        recording_system=sel.recording_system(r.month),
                    )
                    for r in rows[offset : offset + limit]
                ],
            )
        )

    key = ("location", measure, level, area, start, end, limit, offset)
    return _send(request, build, key=key)


@api.get(
    "/v1/vawg/location.csv",
    response={200: str, **ERRORS_404},
    tags=["vawg"],
    openapi_extra={"responses": CSV_RESPONSE},
)
def vawg_location_csv(
    request: HttpRequest,
    measure: Literal["offences", "victims"] = "offences",
    level: Literal["borough", "ward"] = "borough",
    area: str | None = Query(None, max_length=9),
    month_from: str | None = Month,
    month_to: str | None = Month,
) -> HttpResponse:
    """The same as CSV (all rows)."""
    start, end = _period(month_from, month_to)
    _known_area(area)
    rows = sel.vawg_location_counts(
        measure=measure, level=level, area_code=area, start=start, end=end
    )
    header = ("area_code", "area_name", "borough_name", "month", "count", "recording_system")
    table = [
        (r.area_code, r.area_name, r.borough_name, sel.month_key(r.month), r.count,
         sel.recording_system(r.month))
        for r in rows
    ]  # fmt: skip
    key = ("location.csv", measure, level, area, start, end)
    return _send(request, _csv("vawg-location.csv", header, table), key=key)


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
    start, end = _period(month_from, month_to)

    def build() -> tuple[bytes, str]:
        rows = sel.vawg_sheet_counts(
            measure=measure, sheet=sheet, group=group, start=start, end=end
        )
        return _json(
            s.GroupCounts(
                provenance=_provenance(sel.MET_SOURCE, _met_caveats([r.month for r in rows])),
                measure=measure,
                sheet=sheet,
                breakdown=breakdown,
                page=_page(len(rows), limit, offset),
                results=[
                    s.GroupCountOut(
                        group=r.group,
                        month=sel.month_key(r.month),
                        count=r.count,
                        recording_system=sel.recording_system(r.month),
                    )
                    for r in rows[offset : offset + limit]
                ],
            )
        )

    return _send(request, build, key=("sheet", measure, sheet, group, start, end, limit, offset))


@api.get("/v1/vawg/offence-groups", response={200: s.GroupCounts, **ERRORS}, tags=["vawg"])
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
        sheet=VawgCount.Sheet.CLASSIFICATION,
        breakdown="offence group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )


@api.get("/v1/vawg/victims/age-groups", response={200: s.GroupCounts, **ERRORS}, tags=["vawg"])
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
        sheet=VawgCount.Sheet.AGE,
        breakdown="age group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )


@api.get("/v1/vawg/victims/ethnic-groups", response={200: s.GroupCounts, **ERRORS}, tags=["vawg"])
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
        sheet=VawgCount.Sheet.ETHNICITY,
        breakdown="ethnic group",
        group=group,
        month_from=month_from,
        month_to=month_to,
        limit=limit,
        offset=offset,
    )


# --- police.uk street-level counts ------------------------------------------------------------


def _street_caveats(category: str) -> list[str]:
    return [sel.SNAP_CAVEAT, *([sel.PROXY_CAVEAT] if category == "violent-crime" else [])]


@api.get("/v1/police-uk/lsoa", response={200: s.StreetLsoaCounts, **ERRORS}, tags=["police-uk"])
def street_lsoa(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """police.uk street-level crimes in London per LSOA and month (never points)."""
    start, end = _period(month_from, month_to)

    def build() -> tuple[bytes, str]:
        rows = sel.street_counts_lsoa(category=category, start=start, end=end)
        return _json(
            s.StreetLsoaCounts(
                provenance=_provenance(sel.POLICE_UK_SOURCE, _street_caveats(category)),
                category=category,
                unit="LSOA (2011)",
                page=_page(len(rows), limit, offset),
                results=[
                    s.LsoaCountOut(lsoa_code=c, lsoa_name=n, month=sel.month_key(m), count=k)
                    for c, n, m, k in rows[offset : offset + limit]
                ],
            )
        )

    return _send(request, build, key=("lsoa", category, start, end, limit, offset))


@api.get("/v1/police-uk/grid", response={200: s.StreetGridCounts, **ERRORS}, tags=["police-uk"])
def street_grid(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = StreetCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """police.uk street-level crimes in London per square grid cell (British National Grid,
    centres in metres) and month; empty cells are left out."""
    start, end = _period(month_from, month_to)

    def build() -> tuple[bytes, str]:
        rows = sel.street_counts_grid(
            category=category, start=start, end=end, cell_size_m=cell_size_m
        )
        return _json(
            s.StreetGridCounts(
                provenance=_provenance(sel.POLICE_UK_SOURCE, _street_caveats(category)),
                category=category,
                unit=f"{cell_size_m} m grid cell",
                crs="EPSG:27700",
                page=_page(len(rows), limit, offset),
                results=[
                    s.GridCountOut(
                        x=x, y=y, cell_size_m=cell_size_m, month=sel.month_key(m), count=k
                    )
                    for x, y, m, k in rows[offset : offset + limit]
                ],
            )
        )

    key = ("grid", category, start, end, cell_size_m, limit, offset)
    return _send(request, build, key=key)


# --- hotspots ---------------------------------------------------------------------------------


def _latest_period(
    months: list[dt.date], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    if end is None:
        end = months[-1] if months else dt.date.today().replace(day=1)
    if start is None:
        earlier = [m for m in months if m <= end][-HOTSPOT_MONTHS:]
        start = earlier[0] if earlier else end
    if start > end:
        raise HttpError(400, "month_from must not be after month_to")
    return start, end


def _method(h: sel.Hotspots, neighbours: str) -> s.HotspotMethod:
    return s.HotspotMethod(
        method="Getis-Ord Gi* (counts), conditional permutation test",
        permutations=int(h.settings.get("permutations", 0)),
        fdr=str(h.settings.get("fdr", "")),
        neighbours=neighbours,
        seed=h.settings.get("seed"),
        months=h.months,
    )


def _ward_hotspots(month_from: str | None, month_to: str | None) -> sel.Hotspots:
    start, end = _period(month_from, month_to)
    offence_months = next((sp.months for sp in sel.month_spans() if sp.measure == "offences"), [])
    start, end = _latest_period(offence_months, start, end)
    return sel.ward_hotspots(start=start, end=end)


WARD_LABEL = "VAWG offence hotspots by ward (the Met's published counts)"


@api.get("/v1/hotspots/wards", response={200: s.WardHotspots, **ERRORS}, tags=["hotspots"])
def hotspots_wards(
    request: HttpRequest,
    month_from: str | None = Month,
    month_to: str | None = Month,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """Gi* hot and cold spots of the Met's VAWG offences over London's wards (queen contiguity,
    Benjamini-Hochberg FDR). Default period: the latest 12 months."""
    h = _ward_hotspots(month_from, month_to)

    def build() -> tuple[bytes, str]:
        months = [sel.month_parse(m) for m in h.months]
        return _json(
            s.WardHotspots(
                provenance=_provenance(sel.MET_SOURCE, _met_caveats(months)),
                label=WARD_LABEL,
                method=_method(h, "queen contiguity, the ward itself included"),
                page=_page(len(h.rows), limit, offset),
                results=[_ward_row(r) for r in h.rows[offset : offset + limit]],
            )
        )

    return _send(request, build, key=("hot-wards", tuple(h.months), limit, offset))


def _ward_row(r: dict[str, Any]) -> s.WardHotspotOut:
    return s.WardHotspotOut(
        area_code=r["area_code"],
        area_name=r["area_name"],
        count=r["count"],
        z=r["z"],
        p=r["p"],
        q=r["q"],
        hotspot_class=r["class"],
        trend=r["trend"],
    )


HOTSPOT_COLUMNS = ("count", "z", "p", "q", "class")


@api.get(
    "/v1/hotspots/wards.csv",
    response={200: str, **ERRORS},
    tags=["hotspots"],
    openapi_extra={"responses": CSV_RESPONSE},
)
def hotspots_wards_csv(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """Ward hotspots as CSV (CONTRACT.md section 3 columns)."""
    h = _ward_hotspots(month_from, month_to)
    header = ("area_code", "area_name", *HOTSPOT_COLUMNS, "trend")
    rows = lambda: [[r[c] for c in header] for r in h.rows]  # noqa: E731 - made only when not cached
    return _send(request, _csv("ward-hotspots.csv", header, rows), key=("hot-wards.csv", *h.months))


@api.get(
    "/v1/hotspots/wards.geojson",
    response={200: dict, **ERRORS},
    tags=["hotspots"],
    openapi_extra={"responses": GEOJSON_RESPONSE},
)
def hotspots_wards_geojson(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """Ward hotspots with ward outlines (WGS84) as GeoJSON."""
    h = _ward_hotspots(month_from, month_to)

    def build() -> tuple[bytes, str]:
        by_code = {r["area_code"]: r for r in h.rows}
        features = []
        for f in sel.area_features(kind="ward"):
            r = by_code.get(f["properties"]["code"])
            if r is not None:
                props = {**f["properties"], **{c: r[c] for c in (*HOTSPOT_COLUMNS, "trend")}}
                features.append({**f, "properties": props})
        meta = {"label": WARD_LABEL, "months": h.months, "provenance": sel.MET_SOURCE}
        return _geojson(features, meta)

    return _send(request, build, key=("hot-wards.geojson", *h.months))


GRID_LABEL = (
    "Hotspots of police.uk street-level '{category}' on a {cell} m grid: a street-level proxy, "
    "not VAWG"
)


def _grid_hotspots(
    category: str, month_from: str | None, month_to: str | None, cell_size_m: int
) -> sel.Hotspots:
    start, end = _period(month_from, month_to)
    start, end = _latest_period(sel.street_months(category=category), start, end)
    return sel.grid_hotspots(category=category, start=start, end=end, cell_size_m=cell_size_m)


@api.get("/v1/hotspots/grid", response={200: s.GridHotspots, **ERRORS}, tags=["hotspots"])
def hotspots_grid(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
    limit: int = Limit,
    offset: int = Offset,
) -> HttpResponse:
    """Gi* hot and cold spots of police.uk street-level crime on a grid over London (3 x 3
    neighbourhood, Benjamini-Hochberg FDR): for ``violent-crime``, a labelled proxy for VAWG."""
    h = _grid_hotspots(category, month_from, month_to, cell_size_m)

    def build() -> tuple[bytes, str]:
        return _json(
            s.GridHotspots(
                provenance=_provenance(sel.POLICE_UK_SOURCE, _street_caveats(category)),
                label=GRID_LABEL.format(category=category, cell=cell_size_m),
                method=_method(h, "cells whose centres are within one diagonal (3 x 3)"),
                crs="EPSG:27700",
                page=_page(len(h.rows), limit, offset),
                results=[
                    s.GridHotspotOut(
                        x=r["x"],
                        y=r["y"],
                        cell_size_m=r["cell_size_m"],
                        count=r["count"],
                        z=r["z"],
                        p=r["p"],
                        q=r["q"],
                        hotspot_class=r["class"],
                    )
                    for r in h.rows[offset : offset + limit]
                ],
            )
        )

    key = ("hot-grid", category, cell_size_m, tuple(h.months), limit, offset)
    return _send(request, build, key=key)


@api.get(
    "/v1/hotspots/grid.csv",
    response={200: str, **ERRORS},
    tags=["hotspots"],
    openapi_extra={"responses": CSV_RESPONSE},
)
def hotspots_grid_csv(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
) -> HttpResponse:
    """Grid hotspots as CSV (CONTRACT.md section 3 columns; x, y in EPSG:27700 metres)."""
    h = _grid_hotspots(category, month_from, month_to, cell_size_m)
    header = ("x", "y", "cell_size_m", *HOTSPOT_COLUMNS)
    rows = lambda: [[r[c] for c in header] for r in h.rows]  # noqa: E731 - made only when not cached
    key = ("hot-grid.csv", category, cell_size_m, *h.months)
    return _send(request, _csv("grid-hotspots.csv", header, rows), key=key)


@api.get(
    "/v1/hotspots/grid.geojson",
    response={200: dict, **ERRORS},
    tags=["hotspots"],
    openapi_extra={"responses": GEOJSON_RESPONSE},
)
def hotspots_grid_geojson(
    request: HttpRequest,
    category: StreetCategory = "violent-crime",
    month_from: str | None = Month,
    month_to: str | None = Month,
    cell_size_m: int = HotspotCell,
) -> HttpResponse:
    """Grid hotspots as GeoJSON squares in WGS84."""
    h = _grid_hotspots(category, month_from, month_to, cell_size_m)

    def build() -> tuple[bytes, str]:
        import numpy as np

        from vawg.spatial.grid import to_wgs84

        features = []
        half = cell_size_m / 2
        for r in h.rows:
            xs = np.array([r["x"] - half, r["x"] + half, r["x"] + half, r["x"] - half])
            ys = np.array([r["y"] - half, r["y"] - half, r["y"] + half, r["y"] + half])
            lon, lat = to_wgs84(x=xs, y=ys)
            ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
            features.append(
                {
                    "type": "Feature",
                    "properties": {c: r[c] for c in ("cell_size_m", *HOTSPOT_COLUMNS)},
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                }
            )
        label = GRID_LABEL.format(category=category, cell=cell_size_m)
        return _geojson(
            features, {"label": label, "months": h.months, "provenance": sel.POLICE_UK_SOURCE}
        )

    return _send(request, build, key=("hot-grid.geojson", category, cell_size_m, *h.months))


# --- force-extract tables (disclosure controlled) ---------------------------------------------


def _disclosure(t: DisclosedTable | None) -> s.DisclosureOut:
    from vawg.disclosure import BASE, THRESHOLD, TOTALS_METHOD

    return s.DisclosureOut(
        rule=RULE_NAME,
        threshold=t.threshold if t else THRESHOLD,
        rounding_base=t.base if t else BASE,
        totals=t.totals if t else TOTALS_METHOD,
        suppressed_cells=t.suppressed if t else 0,
    )


def _force_provenance() -> s.Provenance:
    return _provenance(
        {**sel.FORCE_SOURCE, "disclosure": RULE_NAME},
        [
            "Derived from the force's own records: counts under 10 are suppressed, with further "
            "cells suppressed so that totals cannot reveal them, and the rest rounded to the "
            "nearest 5. Totals are the true totals rounded independently, so cells need not add "
            "up to them."
        ],
    )


@api.get(
    "/v1/force/vawg-crimes/by-group-month",
    response={200: s.ForceGroupMonth, **ERRORS},
    tags=["force (disclosure controlled)"],
)
def force_group_month(
    request: HttpRequest, month_from: str | None = Month, month_to: str | None = Month
) -> HttpResponse:
    """The force's VAWG crimes by VAWG group and recorded month, after the ONS 10-5 rule with
    secondary suppression (row, column and grand totals published)."""
    start, end = _period(month_from, month_to)

    def build() -> tuple[bytes, str]:
        ft = sel.force_group_month_table(start=start, end=end)
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
        return _json(
            s.ForceGroupMonth(
                provenance=_force_provenance(),
                disclosure=_disclosure(t),
                months=ft.col_labels,
                rows=rows,
                month_totals=list(t.col_totals or ()) if t else [],
                month_total_status=list(t.col_total_status or ()) if t else [],
                grand_total=t.grand_total if t else None,
                grand_total_status=(t.grand_total_status or "published") if t else "published",
            )
        )

    return _send(request, build, key=("force-gm", start, end))


@api.get(
    "/v1/force/vawg-crimes/grid",
    response={200: s.ForceGrid, **ERRORS},
    tags=["force (disclosure controlled)"],
)
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
    start, end = _period(month_from, month_to)

    def build() -> tuple[bytes, str]:
        cells, t = sel.force_grid_table(start=start, end=end, cell_size_m=cell_size_m)
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
        return _json(
            s.ForceGrid(
                provenance=_force_provenance(),
                disclosure=_disclosure(t),
                crs="EPSG:27700",
                total=t.grand_total if t else None,
                total_status=(t.grand_total_status or "published") if t else "published",
                page=_page(len(results), limit, offset),
                results=results[offset : offset + limit],
            )
        )

    return _send(request, build, key=("force-grid", start, end, cell_size_m, limit, offset))
