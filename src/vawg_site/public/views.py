"""The public pages. Views are thin: check a form, call a selector or presenter, render.

Caching: no page is sent as cacheable for a time, since a copy in the browser is a trace on the
device of the person who read it. The published-data pages are sent ``private, no-cache`` with an
ETag (:func:`~vawg_site.common.http.revalidated`: the browser asks again each time, and a current
copy costs a 304); the safety pages and the exit view send ``no-store`` so that Back after leaving
refetches instead of showing a copy. The site itself keeps each published-data page it renders
until the data is loaded again (:func:`~vawg_site.common.http.published_page`).
"""

from __future__ import annotations

import contextlib
import gzip
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from vawg.commitments import PILLARS, commitments_for_pillar
from vawg.periods import month_key, month_label, months_between, recording_system
from vawg_site.common.geography import (
    data_dir,
    force_boroughs,
    geo_available,
    outline_geojson,
    square_name,
)
from vawg_site.common.http import (
    body_etag,
    csv_attachment,
    encoded_response,
    no_store,
    published_page,
    revalidated,
    static_page,
)
from vawg_site.opendata.selectors import met
from vawg_site.opendata.selectors.hotspots import ward_hotspots
from vawg_site.opendata.selectors.police_uk import street_month_span
from vawg_site.public.forms import BoroughFilterForm, DashboardFilterForm, MapFilterForm
from vawg_site.public.presenters import maps
from vawg_site.public.presenters.chart import line_chart
from vawg_site.public.presenters.commitments import commitment_context, commitment_find
from vawg_site.public.presenters.dashboard import (
    borough_context,
    dashboard_build,
    get_data_build,
)
from vawg_site.public.presenters.tables import csv_response

DEFAULT_PERIOD_MONTHS = 36
CSV_COLUMNS = ("area", "month", "offences", "recording_system")
FILTER_FIELDS = ("borough", "start", "end")


def _bad_csv() -> HttpResponse:
    return HttpResponse(
        "The figures asked for are not in the data.",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@static_page
def home(request: HttpRequest) -> HttpResponse:
    pillars = [(pillar, commitments_for_pillar(pillar=pillar)) for pillar in PILLARS]
    return revalidated(render(request, "public/home.html", {"pillars": pillars}))


@require_http_methods(["GET", "POST"])
def exit_now(request: HttpRequest) -> HttpResponse:
    """Where "Exit this page" points: end the session, ask the browser to clear what it holds
    for this site, and send the person to a neutral page. It cannot remove browser history."""
    with contextlib.suppress(DatabaseError):  # leaving never waits on the database
        request.session.flush()  # (the browser drops the cookie anyway: Clear-Site-Data)
    response = HttpResponseRedirect(settings.VAWG_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Referrer-Policy"] = "no-referrer"
    return no_store(response)


@require_safe
def exit_this_page(request: HttpRequest) -> HttpResponse:
    return no_store(render(request, "public/exit_this_page.html"))


@require_safe
def staying_safe_online(request: HttpRequest) -> HttpResponse:
    return no_store(render(request, "public/staying_safe_online.html"))


@require_safe
@static_page
def accessibility(request: HttpRequest) -> HttpResponse:
    return revalidated(render(request, "public/accessibility.html"))


@require_safe
@static_page
def how_we_use_data(request: HttpRequest) -> HttpResponse:
    tile_host = urlsplit(settings.VAWG_MAP_TILE_URL).hostname or ""
    context = {"map_tile_host": tile_host}
    return revalidated(render(request, "public/how_we_use_data.html", context))


# --- the borough page -------------------------------------------------------------------------


def _span_labels(months: list[date]) -> dict[str, str]:
    """The first and last month with figures, as the filter's hint says them (also when the
    choice made is refused, so the hint never reads "from to")."""
    return {"first_month": month_label(months[0]), "last_month": month_label(months[-1])}


def _defaults(months: list[date], *, latest: int, **more: str) -> dict[str, str]:
    """Form defaults: the latest ``latest`` months of ``months``, and ``more``."""
    return {
        "start": month_key(months[max(0, len(months) - latest)]),
        "end": month_key(months[-1]),
        **more,
    }


@require_safe
@published_page(params=(*FILTER_FIELDS, "format"))
def borough_data(request: HttpRequest) -> HttpResponse:
    """VAWG offences by borough and month, as published by the Met: chart, table and CSV."""
    span = met.offence_month_span()
    if span is None:
        return render(request, "public/borough_data.html", {"no_data": True})
    months = months_between(*span)
    defaults = _defaults(months, latest=DEFAULT_PERIOD_MONTHS, borough="")
    asked = {name: request.GET[name] for name in FILTER_FIELDS if name in request.GET}
    form = BoroughFilterForm({**defaults, **asked}, boroughs=met.borough_names(), months=months)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return HttpResponse(
                "The area or period asked for is not in the data.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return render(
            request, "public/borough_data.html", {"form": form, **_span_labels(months)}, status=400
        )

    selection = form.selection()
    counts = met.vawg_month_series(
        measure="offences", start=selection.start, end=selection.end, borough=selection.borough
    )
    if wants_csv:
        filename = (
            f"vawg-offences-{slugify(selection.area)}-{month_key(selection.start)}-to-"
            f"{month_key(selection.end)}.csv"
        )
        rows = [
            (selection.area, month_key(c.month), c.offences, recording_system(c.month))
            for c in counts
        ]
        return revalidated(csv_attachment(filename=filename, header=CSV_COLUMNS, rows=rows))

    csv_query = {
        "borough": selection.borough or "",
        "start": month_key(selection.start),
        "end": month_key(selection.end),
        "format": "csv",
    }
    context = {
        "form": form,
        "selection": selection,
        "rows": [
            {
                "month_key": month_key(c.month),
                "month_label": month_label(c.month),
                "offences": c.offences,
                "recording_system": recording_system(c.month),
            }
            for c in counts
        ],
        "total": sum(c.offences for c in counts),
        "chart": line_chart(counts=counts, area=selection.area),
        "period_label": f"{month_label(selection.start)} to {month_label(selection.end)}",
        "csv_href": "?" + urlencode(csv_query),
        "csv_columns": CSV_COLUMNS,
        **_span_labels(months),
        **borough_context(
            borough=selection.borough,
            start=selection.start,
            end=selection.end,
            csv_href="?" + urlencode(csv_query),
        ),
    }
    return revalidated(render(request, "public/borough_data.html", context))


# --- dashboard ----------------------------------------------------------------------------------

DASHBOARD_DEFAULT_MONTHS = 12
DASHBOARD_FIELDS = ("measure", "borough", "ward", "group", "start", "end", "compare")


@require_safe
@published_page(params=(*DASHBOARD_FIELDS, "format", "table"))
def dashboard(request: HttpRequest) -> HttpResponse:
    """The Met's published VAWG offences and victims: trend, areas, offence groups, victims."""
    span = met.offence_month_span()
    if span is None:
        return render(request, "public/dashboard.html", {"no_data": True})
    months = months_between(*span)
    defaults = _defaults(
        months,
        latest=DASHBOARD_DEFAULT_MONTHS,
        measure="offences",
        borough="",
        ward="",
        group="",
        compare="year",
    )
    asked = {name: request.GET[name] for name in DASHBOARD_FIELDS if name in request.GET}
    data = {**defaults, **asked}
    boroughs = met.borough_names()
    wards = met.ward_names_in(borough=data["borough"]) if data["borough"] in boroughs else []
    form = DashboardFilterForm(
        data, boroughs=boroughs, wards=wards, groups=met.offence_group_names(), months=months
    )
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(
            request,
            "public/dashboard.html",
            {"form": form, "has_wards": bool(wards), **_span_labels(months)},
            status=400,
        )
    selection = form.selection()
    board = dashboard_build(selection=selection, first_month=months[0], ward_names=dict(wards))
    if wants_csv:
        table = board.table(request.GET.get("table", ""))
        if table is None:
            return _bad_csv()
        return revalidated(
            csv_response(
                table=table,
                filename_parts=(
                    "vawg",
                    table.name,
                    selection.measure,
                    selection.area,
                    selection.offence_group or "",
                    month_key(selection.start),
                    "to",
                    month_key(selection.end),
                ),
            )
        )
    context = {
        "form": form,
        "board": board,
        "has_wards": bool(wards),
        **_span_labels(months),
        "wards_url": reverse("public:dashboard_wards"),
        "get_data": get_data_build(selection),
    }
    return revalidated(render(request, "public/dashboard.html", context))


@require_safe
@published_page(params=("borough",))
def dashboard_wards(request: HttpRequest) -> HttpResponse:
    """The wards of one borough, for the dashboard's script to refresh the ward list."""
    borough = request.GET.get("borough", "")
    if borough not in met.borough_names():
        return JsonResponse({"wards": []})
    wards = [{"code": c, "name": n} for c, n in met.ward_names_in(borough=borough)]
    return revalidated(JsonResponse({"wards": wards}))


# --- maps ---------------------------------------------------------------------------------------

MAP_FIELDS = ("start", "end", "borough", "hotspot", "order")


def _map_form(
    request: HttpRequest, *, months: list[date], boroughs: list[str], orders: list[tuple[str, str]]
) -> MapFilterForm:
    defaults = _defaults(
        months,
        latest=settings.VAWG_ANALYSIS.hotspot_months,
        borough="",
        hotspot="",
        order=orders[0][0],
    )
    asked = {name: request.GET[name] for name in MAP_FIELDS if name in request.GET}
    return MapFilterForm({**defaults, **asked}, months=months, boroughs=boroughs, orders=orders)


def _period(form: MapFilterForm) -> tuple[date, date]:
    return form.months[form.cleaned_data["start"]], form.months[form.cleaned_data["end"]]


def _map_base(*, square: str = "") -> dict[str, Any]:
    return {"geo_available": geo_available(), "data_dir": str(data_dir()), "square": square}


Row = TypeVar("Row", bound=Any)


def _chosen(rows: Sequence[Row], borough: str | None, wanted: str) -> list[Row]:
    """The rows of a map's table in the borough (all London when None) and public class (more,
    about or fewer than expected) asked for."""
    return [
        r
        for r in rows
        if (borough is None or r.borough == borough) and maps.class_wanted(r.excess, wanted)
    ]


def _map_script(route: str, start: date, end: date) -> dict[str, str]:
    """Where a map's script fetches its figures for the period, and its tiles."""
    query = urlencode({"start": month_key(start), "end": month_key(end)})
    return {"data_url": f"{reverse(route)}?{query}", "tile_url": settings.VAWG_MAP_TILE_URL}


def _map_get_data(
    csv_href: str, api_route: str, start: date, end: date, **more: str
) -> dict[str, Any]:
    """A map page's "Get this data" block: its table as CSV, and the API call for the same
    period."""
    query = urlencode({**more, "month_from": month_key(start), "month_to": month_key(end)})
    return {
        "csv_href": csv_href,
        "csv_what": "the table (every row, not only this page)",
        "api_calls": [
            ("The same figures, with each area's scores,", f"{reverse(api_route)}?{query}")
        ],
    }


def _map_csv(table: Any, prefix: str, borough: str | None, start: date, end: date) -> HttpResponse:
    """A map's table as a CSV download, named after its area and period."""
    parts = (prefix, borough or "london", month_key(start), "to", month_key(end))
    return revalidated(csv_response(table=table, filename_parts=parts))


@require_safe
@published_page(params=(*MAP_FIELDS, "format", "page"))
def ward_map(request: HttpRequest) -> HttpResponse:
    """Ward hotspot map of the Met's published VAWG offences, with its table."""
    span = met.offence_month_span()
    base = _map_base()
    if span is None or not base["geo_available"]:
        return render(request, "public/ward_map.html", {**base, "no_data": span is None})
    months = months_between(*span)
    boroughs = [b for b in met.borough_names() if b not in met.NOT_A_BOROUGH]
    form = _map_form(request, months=months, boroughs=boroughs, orders=maps.WARD_ORDERS)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(request, "public/ward_map.html", {**base, "form": form}, status=400)
    start, end = _period(form)
    result = ward_hotspots(start=start, end=end)
    borough = form.cleaned_data["borough"] or None
    wanted = form.cleaned_data["hotspot"]
    rows = maps.wards_sorted(_chosen(result.rows, borough, wanted), form.cleaned_data["order"])
    query = {k: form.cleaned_data[k] for k in MAP_FIELDS}
    period = f"{month_label(start)} to {month_label(end)}"
    caption = f"VAWG offences against expected by ward, {borough or 'all London'}, {period}"
    csv_href = "?" + urlencode({**query, "format": "csv"})
    if wants_csv:
        table = maps.ward_table(
            rows, caption=caption, csv_href=csv_href, population=result.population_available
        )
        return _map_csv(table, "vawg-ward-hotspots", borough, start, end)
    pages = maps.pages_of(asked=request.GET.get("page", "1"), count=len(rows), query=query)
    table = maps.ward_table(
        pages.of(rows),
        caption=caption + pages.caption_suffix,
        csv_href=csv_href,
        population=result.population_available,
    )
    context = {
        **base,
        "form": form,
        "table": table,
        "page_links": pages.links if pages.pages > 1 else [],
        "previous_href": pages.previous_href,
        "next_href": pages.next_href,
        "shown": len(rows),
        **maps.ward_summary(result),
        "wards": len(result.rows),
        "period_label": period,
        "population": result.population_available,
        "unmatched": met.unmatched_ward_offences(start=start, end=end),
        "settings": result.settings,
        **_map_script("public:ward_map_data", start, end),
        "class_labels": maps.CLASS_LABELS,
        "alpha": result.alpha,
        "get_data": _map_get_data(csv_href, "api:hotspots_wards", start, end),
    }
    return revalidated(render(request, "public/ward_map.html", context))


@require_safe
@published_page(params=MAP_FIELDS)
def ward_map_data(request: HttpRequest) -> HttpResponse:
    """Per-ward figures for the map script: {code: [offences, rate, class, name, borough,
    expected, cluster]}."""
    span = met.offence_month_span()
    if span is None or not geo_available():
        return JsonResponse({"wards": {}}, status=404)
    form = _map_form(request, months=months_between(*span), boroughs=[], orders=maps.WARD_ORDERS)
    if not form.is_valid():
        return JsonResponse({"error": "choose months from the published range"}, status=400)
    start, end = _period(form)
    result = ward_hotspots(start=start, end=end)
    return revalidated(
        JsonResponse(
            {
                "wards": maps.ward_map_data(result.rows),
                "classes": maps.CLASS_LABELS,
                "clusters": maps.CLUSTER_LABELS,
                "rate": result.rate_per_1000,
            }
        )
    )


@require_safe
@published_page(params=(*MAP_FIELDS, "format", "page"))
def street_map(request: HttpRequest) -> HttpResponse:
    """Grid map of police.uk violence and sexual offences: the street-level proxy."""
    span = street_month_span()
    cell_size_m = settings.VAWG_ANALYSIS.hotspot_cell_m
    base = _map_base(square=square_name(cell_size_m))
    if span is None or not base["geo_available"]:
        return render(request, "public/street_map.html", {**base, "no_data": span is None})
    months = months_between(*span)
    boroughs = sorted({b.name for b in force_boroughs()})  # the squares' boroughs
    form = _map_form(request, months=months, boroughs=boroughs, orders=maps.CELL_ORDERS)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(request, "public/street_map.html", {**base, "form": form}, status=400)
    start, end = _period(form)
    result = maps.street_map(start=start, end=end, cell_size_m=cell_size_m)
    borough = form.cleaned_data["borough"] or None
    wanted = form.cleaned_data["hotspot"]
    rows = maps.cells_sorted(_chosen(result.rows, borough, wanted), form.cleaned_data["order"])
    query = {k: form.cleaned_data[k] for k in MAP_FIELDS}
    period = f"{month_label(start)} to {month_label(end)}"
    caption = (
        f"police.uk violence and sexual offences by {base['square']}, "
        f"{borough or 'all London'}, {period}"
    )
    csv_href = "?" + urlencode({**query, "format": "csv"})
    if wants_csv:
        table = maps.cell_table(rows, cell_size_m=cell_size_m, caption=caption)
        return _map_csv(table, "policeuk-violence-grid", borough, start, end)
    pages = maps.pages_of(asked=request.GET.get("page", "1"), count=len(rows), query=query)
    table = maps.cell_table(
        pages.of(rows),
        cell_size_m=cell_size_m,
        caption=caption + pages.caption_suffix,
        csv_href=csv_href,
    )
    context = {
        **base,
        "form": form,
        "table": table,
        "shown": len(rows),
        **maps.street_summary(result),
        "outside": result.outside,
        "squares": len(result.rows),
        "cells": result.cells,
        "crimes": result.crimes,
        "period_label": period,
        "page_links": pages.links if pages.pages > 1 else [],
        "previous_href": pages.previous_href,
        "next_href": pages.next_href,
        **_map_script("public:street_map_data", start, end),
        "settings": result.settings,
        "get_data": _map_get_data(
            csv_href,
            "api:hotspots_grid",
            start,
            end,
            category="violent-crime",
            cell_size_m=str(int(cell_size_m)),
        ),
    }
    return revalidated(render(request, "public/street_map.html", context))


@require_safe
@published_page(params=MAP_FIELDS)
def street_map_data(request: HttpRequest) -> HttpResponse:
    """Squares for the map script: [[reference, crimes, class, [[lat, lng] x 4], expected,
    cluster], ...]."""
    span = street_month_span()
    if span is None or not geo_available():
        return JsonResponse({"cells": []}, status=404)
    form = _map_form(request, months=months_between(*span), boroughs=[], orders=maps.CELL_ORDERS)
    if not form.is_valid():
        return JsonResponse({"error": "choose months from the loaded range"}, status=400)
    start, end = _period(form)
    result = maps.street_map(
        start=start, end=end, cell_size_m=settings.VAWG_ANALYSIS.hotspot_cell_m
    )
    return revalidated(
        JsonResponse(
            {
                "cells": maps.street_map_data(result),
                "classes": maps.CLASS_LABELS,
                "clusters": maps.CLUSTER_LABELS,
                "rate": result.rate_per_km2,
            }
        )
    )


@require_safe
def outlines(request: HttpRequest, layer: str) -> HttpResponse:
    """Simplified ward or borough outlines as GeoJSON, from our own origin."""
    if layer not in ("wards", "boroughs"):
        raise Http404("No such layer")
    body = outline_geojson(layer=layer)
    if body is None:
        return HttpResponse(
            "The boundary files are not in the data folder.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    # The ward outlines are the heaviest thing a map page loads: sent compressed, and answered
    # 304 when the browser's copy is current (it must ask each time: revalidated).
    response = encoded_response(
        request,
        body=body,
        gzipped=_gzipped(body),
        etag=_outline_etag(body),
        headers=[("Content-Type", "application/geo+json")],
    )
    return revalidated(response)


@lru_cache(maxsize=4)
def _outline_etag(body: bytes) -> str:
    return body_etag(body, weak=True)


@lru_cache(maxsize=4)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


# --- commitments --------------------------------------------------------------------------------


@require_safe
@published_page(params=())
def commitment(request: HttpRequest, number: int) -> HttpResponse:
    """A commitment: what it means, and the measures the platform can show for it."""
    found = commitment_find(number)
    if found is None:
        raise Http404("No progress page for this commitment")
    context = {**commitment_context(found), "get_data": {"api_calls": ()}}
    return revalidated(render(request, "public/commitment.html", context))
