"""The public pages. Views are thin: check a form, call a selector, render.

Caching: the published-data pages may be cached by anyone for a few minutes; the safety pages
and the exit view send ``no-store`` so that Back after leaving refetches instead of showing a copy
(SECURITY.md section 3).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from vawg.commitments import PILLARS, commitments_for_pillar
from vawg_site.public.chart import line_chart, month_label, recording_system
from vawg_site.public.forms import BoroughFilterForm, month_key, months_between
from vawg_site.public.selectors import (
    MonthCount,
    borough_month_counts,
    borough_names,
    offence_month_span,
)

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
def accessibility(request: HttpRequest) -> HttpResponse:
    return _cache_publicly(render(request, "public/accessibility.html"))


@require_safe
def how_we_use_data(request: HttpRequest) -> HttpResponse:
    return _cache_publicly(render(request, "public/how_we_use_data.html"))
