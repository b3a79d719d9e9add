"""The auditor's view of the access log (DPA 2018 s.62, docs/audit.md): a search by account,
by record and by time window, a record's access history, a CSV export for the ICO, and the queue
of the nightly review's alerts, each to be dismissed or referred.

Only auditors open these pages (:func:`~vawg_site.workspace.access.auditor_page`). Each reading
is itself logged, by the selectors (:mod:`vawg_site.audit.selectors`): a search or a history is a
``consult`` of the log, an export a ``disclose`` naming its recipient. The pages show what a row
holds (who, role, team, action, object, when, why, to whom, request and channel), and nothing of
the object itself, which a row never holds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from vawg_site.audit import review, selectors, services
from vawg_site.common.http import csv_attachment, csv_filename
from vawg_site.common.paginate import page_of
from vawg_site.workspace.access import auditor_page
from vawg_site.workspace.forms import (
    OBJECT_TYPE_HINT,
    AuditExportForm,
    AuditSearchForm,
    ReviewDecisionForm,
    ReviewExportForm,
)

LONDON = ZoneInfo("Europe/London")
PER_PAGE = 50
CSV_HEADER = (
    "occurred_at_utc",
    "occurred_at_london",
    "user_id",
    "username",
    "role",
    "team",
    "action",
    "object_type",
    "object_ref",
    "object_count",
    "reason_code",
    "reason_text",
    "recipient",
    "request_id",
    "channel",
)


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in London, as an aware time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LONDON)


def _search_of(data: dict[str, Any]) -> selectors.LogSearch:
    start, end = data.get("start"), data.get("end")
    return selectors.LogSearch(
        username=data.get("username") or "",
        object_type=data.get("object_type") or "",
        object_ref=data.get("object_ref") or "",
        start=_day_start(start) if start else None,
        end=_day_start(end + dt.timedelta(days=1)) if end else None,
    )


def _when(moment: dt.datetime) -> dict[str, str]:
    utc = moment.astimezone(dt.UTC)
    london = moment.astimezone(LONDON)
    return {
        "iso": utc.isoformat(timespec="seconds"),
        "utc": utc.strftime("%Y-%m-%d %H:%M:%S"),
        "london": london.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def _rows(events: list[Any]) -> list[dict[str, Any]]:
    """What the table shows of each event."""
    return [
        {
            "when": _when(e.occurred_at),
            "username": e.username or "the system",
            "user_id": e.user_id,
            "role": e.role,
            "team": e.team,
            "action": e.action,
            "object_type": e.object_type,
            "object_ref": e.object_ref,
            "object_count": e.object_count,
            "reason": e.get_reason_code_display(),
            "reason_text": e.reason_text,
            "recipient": e.recipient,
            "request_id": e.request_id,
            "channel": e.channel,
        }
        for e in events
    ]


def _csv_rows(events: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            e.occurred_at.astimezone(dt.UTC).isoformat(),
            e.occurred_at.astimezone(LONDON).isoformat(),
            e.user_id,
            e.username,
            e.role,
            e.team,
            e.action,
            e.object_type,
            e.object_ref,
            e.object_count,
            e.reason_code,
            e.reason_text,
            e.recipient,
            e.request_id,
            e.channel,
        )
        for e in events
    ]


def _export(request: HttpRequest) -> HttpResponse:
    form = AuditExportForm(request.GET)
    if form.is_valid():
        search = _search_of(form.cleaned_data)
        try:
            events = selectors.log_search_export(
                search=search, recipient=form.cleaned_data["recipient"]
            )
        except selectors.ExportTooLargeError as too_large:
            form.add_error(None, str(too_large))
        else:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            return csv_attachment(
                filename=csv_filename(("vawg", "access-log", stamp)),
                header=CSV_HEADER,
                rows=_csv_rows(events),
            )
    return render(
        request,
        "workspace/audit/search.html",
        {"form": form, "searched": False, "hint": OBJECT_TYPE_HINT, "export_refused": True},
    )


@auditor_page
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The log searched by account, record and time window, newest first, a page at a time."""
    if request.GET.get("format") == "csv":
        return _export(request)
    form = AuditSearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False, "hint": OBJECT_TYPE_HINT}
    if form.is_valid():
        search = _search_of(form.cleaned_data)
        query = {k: v for k, v in request.GET.items() if k not in {"page", "recipient", "format"}}
        count, capped = selectors.log_search_count(search=search)
        pages = page_of(
            asked=request.GET.get("page", "1"), count=count, per_page=PER_PAGE, query=query
        )
        found = selectors.log_search_page(search=search, offset=pages.offset, limit=PER_PAGE)
        context.update(searched=True, rows=_rows(found), pages=pages, capped=capped)
    return render(request, "workspace/audit/search.html", context)


@auditor_page
@require_GET
def object_history(request: HttpRequest, object_type: str, object_ref: str) -> HttpResponse:
    """Every access to one record, oldest first, a page at a time."""
    search = selectors.LogSearch(object_type=object_type, object_ref=object_ref)
    count, capped = selectors.log_search_count(search=search)
    pages = page_of(asked=request.GET.get("page", "1"), count=count, per_page=PER_PAGE, query={})
    found = selectors.log_search_page(
        search=search, offset=pages.offset, limit=PER_PAGE, oldest_first=True
    )
    return render(
        request,
        "workspace/audit/object.html",
        {
            "object_type": object_type,
            "object_ref": object_ref,
            "rows": _rows(found),
            "pages": pages,
            "capped": capped,
            "search_query": urlencode({"object_type": object_type, "object_ref": object_ref}),
        },
    )


# --- the nightly review's queue ------------------------------------------------------------------

SINGLE_TYPE = {review.COLLEAGUE: review.PERSON, review.HIGH_PROFILE: review.PERSON}
"""Patterns whose events are all of one object type: their link searches that type alone."""


def _events_link(alert: Any) -> str:
    """The audit search for the flagged account's events over the alert's window (whole London
    days, which the search takes, covering the UTC window)."""
    first = alert.window_start.astimezone(LONDON).date()
    last = (alert.window_end - dt.timedelta(microseconds=1)).astimezone(LONDON).date()
    query = {"username": alert.username, "start": first.isoformat(), "end": last.isoformat()}
    if alert.pattern in SINGLE_TYPE:
        query["object_type"] = SINGLE_TYPE[alert.pattern]
    return reverse("workspace:audit_search") + "?" + urlencode(query)


def _alert_rows(alerts: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "pattern": review.PATTERNS[a.pattern],
            "username": a.username,
            "user_id": a.user_id,
            "day": a.window_start.astimezone(dt.UTC).strftime("%Y-%m-%d"),
            "summary": review.finding_summary(
                pattern=a.pattern,
                event_count=a.event_count,
                record_count=a.record_count,
                threshold=a.threshold,
                basis=a.basis,
            ),
            "events": f"{a.first_event_id} to {a.last_event_id}",
            "link": _events_link(a),
            "status": a.status,
            "status_label": a.get_status_display(),
            "reviewed_by": a.reviewed_by_username,
            "reviewed_at": _when(a.reviewed_at) if a.reviewed_at else None,
            "note": a.review_note,
            "created": _when(a.created_at),
        }
        for a in alerts
    ]


REVIEW_CSV_HEADER = (
    "alert_id", "pattern", "window_start_utc", "window_end_utc", "user_id", "username",
    "event_count", "record_count", "first_event_id", "last_event_id", "threshold", "basis",
    "flagged_at_utc", "status", "reviewed_by", "reviewed_at_utc", "review_note",
)  # fmt: skip


def _utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else ""


def _review_csv(alerts: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (
            a.pk,
            a.pattern,
            _utc(a.window_start),
            _utc(a.window_end),
            a.user_id,
            a.username,
            a.event_count,
            a.record_count,
            a.first_event_id,
            a.last_event_id,
            "" if a.threshold is None else a.threshold,
            a.basis,
            _utc(a.created_at),
            a.status,
            a.reviewed_by_username,
            _utc(a.reviewed_at),
            a.review_note,
        )
        for a in alerts
    ]


def _review_export(request: HttpRequest) -> HttpResponse | ReviewExportForm:
    """The alerts as CSV, or the export form with its errors."""
    form = ReviewExportForm(request.GET)
    if form.is_valid():
        try:
            alerts = selectors.review_alert_export(
                recipient=form.cleaned_data["recipient"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except selectors.ExportTooLargeError as too_large:
            form.add_error(None, str(too_large))
        else:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            return csv_attachment(
                filename=csv_filename(("vawg", "access-review", stamp)),
                header=REVIEW_CSV_HEADER,
                rows=_review_csv(alerts),
            )
    return form


@auditor_page
@require_http_methods(["GET", "POST"])
def review_queue(request: HttpRequest) -> HttpResponse:
    """The nightly review's alerts, open ones first; a POST dismisses or refers one; ``?format=
    csv`` exports them for the ICO."""
    export_form = ReviewExportForm()
    if request.method == "GET" and request.GET.get("format") == "csv":
        exported = _review_export(request)
        if isinstance(exported, HttpResponse):
            return exported
        export_form = exported
    form = ReviewDecisionForm(request.POST or None)
    status = 400 if export_form.errors else 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_alert_decide(
                    alert_id=form.cleaned_data["alert"],
                    decision=form.cleaned_data["decision"],
                    reviewer=request.user,
                    note=form.cleaned_data["note"],
                )
            except services.ReviewError as refused:
                form.add_error(None, str(refused))
            else:
                decided = urlencode({"decided": form.cleaned_data["alert"]})
                return HttpResponseRedirect(reverse("workspace:audit_review") + "?" + decided)
        status = 400
    total, still_open = selectors.review_alert_counts()
    pages = page_of(asked=request.GET.get("page", "1"), count=total, per_page=PER_PAGE, query={})
    alerts = selectors.review_alert_list(offset=pages.offset, limit=PER_PAGE)
    return render(
        request,
        "workspace/audit/review.html",
        {
            "rows": _alert_rows(alerts),
            "pages": pages,
            "open_count": still_open,
            "form": form,
            "export_form": export_form,
            "failed_alert": form.data.get("alert", "") if form.errors else "",
            "decided": request.GET.get("decided", ""),
        },
        status=status,
    )
