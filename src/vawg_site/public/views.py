"""The public pages. Views are thin: check a form, call a selector, render.

Caching: the published-data pages may be cached by anyone for a few minutes; the safety pages
and the exit view send ``no-store`` so that Back after leaving refetches instead of showing a copy
(SECURITY.md section 3). The site keeps each published-data page it renders until the data is
loaded again (:func:`~vawg_site.public.page_cache.published_page`).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from vawg.commitments import COMMITMENTS, FORCE_MEASURES, PILLARS, commitments_for_pillar
from vawg.measures import OUTCOME_TYPES
from vawg_site.public.chart import line_chart, month_label, recording_system
from vawg_site.public.dashboard import dashboard_build
from vawg_site.public.forms import (
    BoroughFilterForm,
    DashboardFilterForm,
    MapFilterForm,
    month_key,
    months_between,
)
from vawg_site.public.maps import (
    CLASS_LABELS,
    CellRow,
    StreetHotspots,
    WardHotspots,
    WardRow,
    geo_available,
    outline_geojson,
    outline_names,
)
from vawg_site.public.maps import data_dir as maps_data_dir
from vawg_site.public.page_cache import published_page, static_page
from vawg_site.public.progress import (
    force_measures,
    hotspot_summary,
    open_data_measures,
    published_summary,
    victims_summary,
)
from vawg_site.public.selectors import (
    MonthCount,
    borough_month_counts,
    borough_names,
    offence_group_names,
    offence_month_span,
    street_hotspot_table,
    street_month_span,
    unmatched_ward_offences,
    ward_hotspot_table,
    ward_names_in,
)
from vawg_site.public.tables import Column, Table, csv_response

PUBLIC_MAX_AGE = 300  # seconds a published-data page may be cached
DEFAULT_PERIOD_MONTHS = 36
CSV_COLUMNS = ("area", "month", "offences", "recording_system")
FILTER_FIELDS = ("borough", "start", "end")


def _cache_publicly(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, no_store=True, no_cache=True, max_age=0)
    return response


@require_safe
@static_page
def home(request: HttpRequest) -> HttpResponse:
    pillars = [(pillar, commitments_for_pillar(pillar=pillar)) for pillar in PILLARS]
    return _cache_publicly(render(request, "public/home.html", {"pillars": pillars}))


@dataclass(frozen=True)
class TableRow:
    """One row of the borough page's table, and of its CSV."""

    month: date
    offences: int

    @property
    def month_key(self) -> str:
        return month_key(self.month)

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def recording_system(self) -> str:
        return recording_system(self.month)


def _csv_safe(text: str) -> str:
    # A cell starting with one of these is run as a formula by spreadsheet programs.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _borough_csv(*, area: str, rows: list[TableRow], start: date, end: date) -> HttpResponse:
    filename = f"vawg-offences-{slugify(area)}-{month_key(start)}-to-{month_key(end)}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_csv_safe(area), row.month_key, row.offences, row.recording_system])
    return response


@require_safe
@published_page
def borough_data(request: HttpRequest) -> HttpResponse:
    """VAWG offences by borough and month, as published by the Met: chart, table and CSV."""
    span = offence_month_span()
    if span is None:
        return render(request, "public/borough_data.html", {"no_data": True})
    months = months_between(*span)
    defaults = {
        "borough": "",
        "start": month_key(months[max(0, len(months) - DEFAULT_PERIOD_MONTHS)]),
        "end": month_key(months[-1]),
    }
    asked = {name: request.GET[name] for name in FILTER_FIELDS if name in request.GET}
    form = BoroughFilterForm({**defaults, **asked}, boroughs=borough_names(), months=months)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return HttpResponse(
                "The area or period asked for is not in the data.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return render(request, "public/borough_data.html", {"form": form}, status=400)

    selection = form.selection()
    counts: list[MonthCount] = borough_month_counts(
        borough=selection.borough, start=selection.start, end=selection.end
    )
    rows = [TableRow(month=c.month, offences=c.offences) for c in counts]
    if wants_csv:
        response = _borough_csv(
            area=selection.area, rows=rows, start=selection.start, end=selection.end
        )
        return _cache_publicly(response)

    csv_query = {
        "borough": selection.borough or "",
        "start": month_key(selection.start),
        "end": month_key(selection.end),
        "format": "csv",
    }
    context = {
        "form": form,
        "selection": selection,
        "rows": rows,
        "total": sum(r.offences for r in rows),
        "chart": line_chart(counts=counts, area=selection.area),
        "period_label": f"{month_label(selection.start)} to {month_label(selection.end)}",
        "csv_href": "?" + urlencode(csv_query),
        "csv_columns": CSV_COLUMNS,
        "first_month": month_label(months[0]),
        "last_month": month_label(months[-1]),
    }
    return _cache_publicly(render(request, "public/borough_data.html", context))


@require_http_methods(["GET", "POST"])
def exit_now(request: HttpRequest) -> HttpResponse:
    """Where "Exit this page" points: end the session, ask the browser to clear what it holds
    for this site, and send the person to a neutral page. It cannot remove browser history."""
    request.session.flush()
    response = HttpResponseRedirect(settings.VAWG_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Referrer-Policy"] = "no-referrer"
    return _no_store(response)


@require_safe
def exit_this_page(request: HttpRequest) -> HttpResponse:
    return _no_store(render(request, "public/exit_this_page.html"))


@require_safe
def staying_safe_online(request: HttpRequest) -> HttpResponse:
    return _no_store(render(request, "public/staying_safe_online.html"))


@require_safe
@static_page
def accessibility(request: HttpRequest) -> HttpResponse:
    return _cache_publicly(render(request, "public/accessibility.html"))


@require_safe
@static_page
def how_we_use_data(request: HttpRequest) -> HttpResponse:
    return _cache_publicly(render(request, "public/how_we_use_data.html"))


# --- dashboard ----------------------------------------------------------------------------------

DASHBOARD_DEFAULT_MONTHS = 12
DASHBOARD_FIELDS = ("measure", "borough", "ward", "group", "start", "end", "compare")


def _bad_csv() -> HttpResponse:
    return HttpResponse(
        "The figures asked for are not in the data.",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@published_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """The Met's published VAWG offences and victims: trend, areas, offence groups, victims."""
    span = offence_month_span()
    if span is None:
        return render(request, "public/dashboard.html", {"no_data": True})
    months = months_between(*span)
    defaults = {
        "measure": "offences",
        "borough": "",
        "ward": "",
        "group": "",
        "start": month_key(months[max(0, len(months) - DASHBOARD_DEFAULT_MONTHS)]),
        "end": month_key(months[-1]),
        "compare": "year",
    }
    asked = {name: request.GET[name] for name in DASHBOARD_FIELDS if name in request.GET}
    data = {**defaults, **asked}
    boroughs = borough_names()
    wards = ward_names_in(borough=data["borough"]) if data["borough"] in boroughs else []
    form = DashboardFilterForm(
        data, boroughs=boroughs, wards=wards, groups=offence_group_names(), months=months
    )
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(
            request, "public/dashboard.html", {"form": form, "has_wards": bool(wards)}, status=400
        )
    selection = form.selection()
    board = dashboard_build(selection=selection, first_month=months[0], ward_names=dict(wards))
    if wants_csv:
        table = board.table(request.GET.get("table", ""))
        if table is None:
            return _bad_csv()
        return _cache_publicly(
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
        "first_month": month_label(months[0]),
        "last_month": month_label(months[-1]),
        "wards_url": reverse("public:dashboard_wards"),
    }
    return _cache_publicly(render(request, "public/dashboard.html", context))


@require_safe
@published_page
def dashboard_wards(request: HttpRequest) -> JsonResponse:
    """The wards of one borough, for the dashboard's script to refresh the ward list."""
    borough = request.GET.get("borough", "")
    if borough not in borough_names():
        return JsonResponse({"wards": []})
    wards = [{"code": c, "name": n} for c, n in ward_names_in(borough=borough)]
    response = JsonResponse({"wards": wards})
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


# --- maps ---------------------------------------------------------------------------------------

MAP_DEFAULT_MONTHS = 12
MAP_FIELDS = ("start", "end", "borough", "hotspot", "order")
PAGE_SIZE = 50
WARD_ORDERS = [
    ("offences", "Most offences first"),
    ("rate", "Highest rate per 1,000 female residents first"),
    ("z", "Strongest hotspot first (Gi* z-score)"),
    ("name", "Ward name, A to Z"),
]
CELL_ORDERS = [
    ("crimes", "Most crimes first"),
    ("z", "Strongest hotspot first (Gi* z-score)"),
    ("reference", "Grid reference"),
]


def _map_form(
    request: HttpRequest, *, months: list[date], boroughs: list[str], orders: list[tuple[str, str]]
) -> MapFilterForm:
    defaults = {
        "start": month_key(months[max(0, len(months) - MAP_DEFAULT_MONTHS)]),
        "end": month_key(months[-1]),
        "borough": "",
        "hotspot": "",
        "order": orders[0][0],
    }
    asked = {name: request.GET[name] for name in MAP_FIELDS if name in request.GET}
    return MapFilterForm({**defaults, **asked}, months=months, boroughs=boroughs, orders=orders)


def _keep(hotspot: str, wanted: str) -> bool:
    if not wanted:
        return True
    if wanted == "not-significant":
        return hotspot == "not-significant"
    return hotspot.startswith(wanted)


def _page_of(request: HttpRequest, count: int) -> tuple[int, int]:
    pages = max(1, -(-count // PAGE_SIZE))
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def _ward_result(form: MapFilterForm) -> tuple[WardHotspots, date, date]:
    start, end = form.months[form.cleaned_data["start"]], form.months[form.cleaned_data["end"]]
    return ward_hotspot_table(start=start, end=end), start, end


def _ward_table(rows: list[WardRow], *, caption: str, csv_href: str, population: bool) -> Table:
    columns = [
        Column("ward", "Ward"),
        Column("ward_code", "Ward code"),
        Column("borough", "Borough"),
        Column("offences", "Offences", numeric=True),
    ]
    if population:
        columns += [
            Column("female_residents", "Female residents (Census 2021, best fit)", True),
            Column("rate_per_1000_female", "Rate per 1,000 female residents", True),
        ]
    columns += [Column("gi_star_z", "Gi* z-score", True), Column("hotspot", "Hotspot class")]
    body = []
    for r in rows:
        note = (
            " (rate not meaningful)"
            if r.city_of_london
            else (" (few LSOAs: rate unreliable)" if r.few_lsoas else "")
        )
        row: tuple[Any, ...] = (r.name, r.code, r.borough, r.offences)
        if population:
            rate = (f"{r.rate:.2f}", f"{r.rate:,.1f}{note}") if r.rate is not None else ("", "–")
            row += (r.female, rate)
        row += (
            (f"{r.z:.2f}", f"{r.z:.2f}") if r.z is not None else ("", "–"),
            (r.hotspot, r.hotspot_label),
        )
        body.append(row)
    return Table(
        name="wards",
        caption=caption,
        columns=tuple(columns),
        rows=tuple(body),
        csv_href=csv_href,
    )


def _sorted_wards(rows: list[WardRow], order: str) -> list[WardRow]:
    if order == "rate":
        return sorted(rows, key=lambda r: (r.rate is None, -(r.rate or 0.0), r.name))
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.name))
    if order == "name":
        return sorted(rows, key=lambda r: (r.name, r.borough))
    return sorted(rows, key=lambda r: (-r.offences, r.name))


@require_safe
@published_page
def ward_map(request: HttpRequest) -> HttpResponse:
    """Ward hotspot map of the Met's published VAWG offences, with its table."""
    span = offence_month_span()
    base: dict[str, Any] = {
        "geo_available": geo_available(),
        "data_dir": str(maps_data_dir()),
    }
    if span is None or not base["geo_available"]:
        return render(request, "public/ward_map.html", {**base, "no_data": span is None})
    months = months_between(*span)
    boroughs = [b for b in borough_names() if b not in ("Other", "Unknown")]
    form = _map_form(request, months=months, boroughs=boroughs, orders=WARD_ORDERS)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(request, "public/ward_map.html", {**base, "form": form}, status=400)
    result, start, end = _ward_result(form)
    borough = form.cleaned_data["borough"] or None
    wanted = form.cleaned_data["hotspot"]
    rows = [
        r
        for r in result.rows
        if (borough is None or r.borough == borough) and _keep(r.hotspot, wanted)
    ]
    rows = _sorted_wards(rows, form.cleaned_data["order"])
    query = {k: form.cleaned_data[k] for k in MAP_FIELDS}
    period = f"{month_label(start)} to {month_label(end)}"
    table = _ward_table(
        rows,
        caption=f"VAWG offences and hotspot class by ward, {borough or 'all London'}, {period}",
        csv_href="?" + urlencode({**query, "format": "csv"}),
        population=result.population_available,
    )
    if wants_csv:
        return _cache_publicly(
            csv_response(
                table=table,
                filename_parts=(
                    "vawg-ward-hotspots",
                    borough or "london",
                    month_key(start),
                    "to",
                    month_key(end),
                ),
            )
        )
    hot = sum(1 for r in result.rows if r.hotspot.startswith("hot"))
    cold = sum(1 for r in result.rows if r.hotspot.startswith("cold"))
    number, pages = _page_of(request, len(rows))
    table = _ward_table(
        rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE],
        caption=table.caption + (f" (page {number} of {pages})" if pages > 1 else ""),
        csv_href=table.csv_href,
        population=result.population_available,
    )
    page_links = [
        {"number": n, "href": "?" + urlencode({**query, "page": n}), "current": n == number}
        for n in range(1, pages + 1)
    ]
    context = {
        **base,
        "form": form,
        "table": table,
        "page_links": page_links if pages > 1 else [],
        "previous_href": page_links[number - 2]["href"] if number > 1 else "",
        "next_href": page_links[number]["href"] if number < pages else "",
        "shown": len(rows),
        "hot": hot,
        "cold": cold,
        "wards": len(result.rows),
        "period_label": period,
        "population": result.population_available,
        "unmatched": unmatched_ward_offences(start=start, end=end),
        "settings": result.settings,
        "data_url": reverse("public:ward_map_data")
        + "?"
        + urlencode({"start": month_key(start), "end": month_key(end)}),
        "tile_url": settings.VAWG_MAP_TILE_URL,
        "class_labels": CLASS_LABELS,
    }
    return _cache_publicly(render(request, "public/ward_map.html", context))


@require_safe
@published_page
def ward_map_data(request: HttpRequest) -> HttpResponse:
    """Per-ward figures for the map script: {code: [offences, rate, class, name, borough]}."""
    span = offence_month_span()
    if span is None or not geo_available():
        return JsonResponse({"wards": {}}, status=404)
    months = months_between(*span)
    form = _map_form(request, months=months, boroughs=[], orders=WARD_ORDERS)
    if not form.is_valid():
        return JsonResponse({"error": "choose months from the published range"}, status=400)
    result, _, _ = _ward_result(form)
    wards = {
        r.code: [
            r.offences,
            None if r.rate is None else round(r.rate, 2),
            r.hotspot,
            r.name,
            r.borough,
        ]
        for r in result.rows
    }
    return _cache_publicly(JsonResponse({"wards": wards, "classes": CLASS_LABELS}))


def _street_result(form: MapFilterForm) -> tuple[StreetHotspots, date, date]:
    start, end = form.months[form.cleaned_data["start"]], form.months[form.cleaned_data["end"]]
    return street_hotspot_table(start=start, end=end), start, end


def _sorted_cells(rows: list[CellRow], order: str) -> list[CellRow]:
    if order == "z":
        return sorted(rows, key=lambda r: (r.z is None, -(r.z or 0.0), r.reference))
    if order == "reference":
        return sorted(rows, key=lambda r: r.reference)
    return sorted(rows, key=lambda r: (-r.crimes, r.reference))


@require_safe
@published_page
def street_map(request: HttpRequest) -> HttpResponse:
    """Grid map of police.uk violence and sexual offences: the street-level proxy."""
    span = street_month_span()
    base: dict[str, Any] = {"geo_available": geo_available(), "data_dir": str(maps_data_dir())}
    if span is None or not base["geo_available"]:
        return render(request, "public/street_map.html", {**base, "no_data": span is None})
    months = months_between(*span)
    boroughs = sorted({n for n in outline_names("boroughs")})
    form = _map_form(request, months=months, boroughs=boroughs, orders=CELL_ORDERS)
    wants_csv = request.GET.get("format") == "csv"
    if not form.is_valid():
        if wants_csv:
            return _bad_csv()
        return render(request, "public/street_map.html", {**base, "form": form}, status=400)
    result, start, end = _street_result(form)
    borough = form.cleaned_data["borough"] or None
    wanted = form.cleaned_data["hotspot"]
    rows = [
        r
        for r in result.rows
        if (borough is None or r.borough == borough) and _keep(r.hotspot, wanted)
    ]
    rows = _sorted_cells(rows, form.cleaned_data["order"])
    query = {k: form.cleaned_data[k] for k in MAP_FIELDS}
    period = f"{month_label(start)} to {month_label(end)}"
    columns = (
        Column("grid_reference", "1 km square (OS grid reference)"),
        Column("easting", "Easting of south-west corner (m)", True),
        Column("northing", "Northing of south-west corner (m)", True),
        Column("borough", "Borough (at the square's centre)"),
        Column("crimes", "Violence and sexual offences", True),
        Column("gi_star_z", "Gi* z-score", True),
        Column("hotspot", "Hotspot class"),
    )

    def row_of(r: CellRow) -> tuple[Any, ...]:
        return (
            r.reference,
            (str(r.easting), str(r.easting)),
            (str(r.northing), str(r.northing)),
            r.borough,
            r.crimes,
            (f"{r.z:.2f}", f"{r.z:.2f}") if r.z is not None else ("", "–"),
            (r.hotspot, r.hotspot_label),
        )

    caption = (
        f"police.uk violence and sexual offences by 1 km square, {borough or 'all London'}, "
        f"{period}"
    )
    if wants_csv:
        table = Table(
            name="cells", caption=caption, columns=columns, rows=tuple(row_of(r) for r in rows)
        )
        return _cache_publicly(
            csv_response(
                table=table,
                filename_parts=(
                    "policeuk-violence-grid",
                    borough or "london",
                    month_key(start),
                    "to",
                    month_key(end),
                ),
            )
        )
    number, pages = _page_of(request, len(rows))
    shown = rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    table = Table(
        name="cells",
        caption=caption + (f" (page {number} of {pages})" if pages > 1 else ""),
        columns=columns,
        rows=tuple(row_of(r) for r in shown),
        csv_href="?" + urlencode({**query, "format": "csv"}),
    )
    page_links = [
        {"number": n, "href": "?" + urlencode({**query, "page": n}), "current": n == number}
        for n in range(1, pages + 1)
    ]
    context = {
        **base,
        "form": form,
        "table": table,
        "shown": len(rows),
        "hot": sum(1 for r in result.rows if r.hotspot.startswith("hot")),
        "squares": len(result.rows),
        "cells": result.cells,
        "crimes": result.crimes,
        "period_label": period,
        "page_links": page_links if pages > 1 else [],
        "previous_href": page_links[number - 2]["href"] if number > 1 else "",
        "next_href": page_links[number]["href"] if number < pages else "",
        "data_url": reverse("public:street_map_data")
        + "?"
        + urlencode({"start": month_key(start), "end": month_key(end)}),
        "tile_url": settings.VAWG_MAP_TILE_URL,
        "settings": result.settings,
    }
    return _cache_publicly(render(request, "public/street_map.html", context))


@require_safe
@published_page
def street_map_data(request: HttpRequest) -> HttpResponse:
    """Squares for the map script: [[reference, crimes, class, [[lat, lng] x 4]], ...]."""
    span = street_month_span()
    if span is None or not geo_available():
        return JsonResponse({"cells": []}, status=404)
    months = months_between(*span)
    form = _map_form(request, months=months, boroughs=[], orders=CELL_ORDERS)
    if not form.is_valid():
        return JsonResponse({"error": "choose months from the loaded range"}, status=400)
    result, _, _ = _street_result(form)
    cells = [[r.reference, r.crimes, r.hotspot, r.corners] for r in result.rows]
    return _cache_publicly(JsonResponse({"cells": cells, "classes": CLASS_LABELS}))


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
    response = HttpResponse(content_type="application/geo+json")
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        # The ward outlines are the heaviest thing a map page loads: send them compressed.
        response.content = _gzipped(body)
        response["Content-Encoding"] = "gzip"
    else:
        response.content = body
    patch_vary_headers(response, ("Accept-Encoding",))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


@lru_cache(maxsize=4)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=9, mtime=0)


# --- commitments --------------------------------------------------------------------------------


@require_safe
@published_page
def commitment(request: HttpRequest, number: int) -> HttpResponse:
    """A commitment: what it means, and the measures the platform can show for it."""
    found = next((c for c in COMMITMENTS if c.number == number), None)
    if found is None or not found.has_progress_page:
        raise Http404("No progress page for this commitment")
    wanted = set(found.measures)
    uses_force = bool(wanted & FORCE_MEASURES)
    context: dict[str, Any] = {
        "commitment": found,
        "wanted": wanted,
        "shows_force_data": uses_force,
        "force": force_measures() if uses_force else None,
        "published": published_summary() if wanted & {"published_trend"} else None,
        "victims": victims_summary() if "published_victims" in wanted else None,
        "hotspots": hotspot_summary() if "ward_hotspots" in wanted else None,
        "open_data": open_data_measures(wanted=wanted),
        "outcome_types": OUTCOME_TYPES,
        "previous": next((c for c in COMMITMENTS if c.number == number - 1), None),
        "next": next((c for c in COMMITMENTS if c.number == number + 1), None),
    }
    return _cache_publicly(render(request, "public/commitment.html", context))
