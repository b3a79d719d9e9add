"""The casework pages: find a crime or a person by reference, a person's page, a crime's page,
and a person's record exported. Every read goes through :mod:`vawg_site.records.casework`, whose
scoped querysets decide what the account may open and whose reads write the access log.

Opening a person or a crime first asks why (:class:`~vawg_site.workspace.forms.ReasonForm`), once
per record per session; the reason goes into every audit row the page writes. A record the account
may not open, and a reference that does not exist, get the same answer (404), so a reference's
existence cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from vawg_site.accounts import rules, sessions
from vawg_site.common.access import access_context
from vawg_site.common.http import csv_attachment, csv_filename
from vawg_site.common.paginate import page_of
from vawg_site.records import casework, retention
from vawg_site.workspace.access import recent_sign_in, redirect_with_next, staff_page
from vawg_site.workspace.forms import ReasonForm, RecordExportForm, RecordSearchForm

REASONS_KEY = "vawg_reasons"
"""Session key: the reason given for each record opened in this session."""

NOT_FOUND = "No record you may open has this reference."

may_export = rules.has_role("public_protection")
"""Who may export a person's record (each export a logged disclosure)."""


def _forbidden(request: HttpRequest, needed: str) -> HttpResponse:
    return render(request, "workspace/forbidden.html", {"needed": needed}, status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/records/not_found.html", {"message": NOT_FOUND}, status=404)


def _reaches_records(user: Any) -> bool:
    reach, _ = rules.record_reach(user)
    return reach.crimes is not None


def _compartment_needs_step_up(request: HttpRequest) -> HttpResponse | None:
    """The professional-standards compartment is the most sensitive part of the workspace: its
    records open only within 15 minutes of giving the password and a code (step-up)."""
    reach, _ = rules.record_reach(request.user)
    if reach.sealed and not sessions.authentication_is_recent(request.session):
        return redirect_with_next("workspace:confirm", request)
    return None


def reason_given(request: HttpRequest, key: str) -> tuple[str, str] | None:
    """The reason given in this session for the record ``key``, or None."""
    given = request.session.get(REASONS_KEY, {}).get(key)
    return (str(given[0]), str(given[1])) if given else None


def reason_keep(request: HttpRequest, key: str, code: str, text: str) -> None:
    reasons = dict(request.session.get(REASONS_KEY, {}))
    reasons[key] = [code, text]
    request.session[REASONS_KEY] = reasons


def _reason_or_ask(
    request: HttpRequest, *, key: str, label: str
) -> tuple[tuple[str, str] | None, HttpResponse | None]:
    """The reason for opening ``key`` (given earlier in the session or just now), or the page
    that asks for it."""
    given = reason_given(request, key)
    if given is not None:
        return given, None
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reason_keep(
            request, key, form.cleaned_data["reason"], form.cleaned_data["reason_text"].strip()
        )
        return None, HttpResponseRedirect(request.get_full_path())
    return None, render(request, "workspace/records/reason.html", {"form": form, "label": label})


@staff_page
@require_http_methods(["GET"])
def search(request: HttpRequest) -> HttpResponse:
    """Find a crime or a person by its reference (exact), among those the account may open."""
    if not _reaches_records(request.user):
        return _forbidden(request, "a role that opens the force's records")
    form = RecordSearchForm(request.GET if "reference" in request.GET else None)
    hits = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        hits = casework.records_search(
            user=request.user,
            reference=data["reference"],
            reason_code=data["reason"],
            reason_text=data["reason_text"].strip(),
        )
        for hit in hits:
            # The reason for the search serves for opening what it found.
            reason_keep(
                request, f"{hit.kind}:{hit.ref}", data["reason"], data["reason_text"].strip()
            )
    return render(request, "workspace/records/search.html", {"form": form, "hits": hits})


@staff_page
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, person_ref: str) -> HttpResponse:
    if not _reaches_records(request.user):
        return _forbidden(request, "a role that opens the force's records")
    if not casework.may_open_person(request.user, person_ref):
        return _not_found(request)
    if (step_up := _compartment_needs_step_up(request)) is not None:
        return step_up
    reason, ask = _reason_or_ask(request, key=f"person:{person_ref}", label=f"person {person_ref}")
    if ask is not None or reason is None:
        return ask or _forbidden(request, "a reason")
    view = casework.person_open(
        user=request.user, person_ref=person_ref, reason_code=reason[0], reason_text=reason[1]
    )
    if view is None:
        return _not_found(request)
    return render(
        request,
        "workspace/records/person.html",
        {
            "person": view,
            "may_export": may_export(request.user),
            "may_review": retention.may_review(request.user),
        },
    )


@staff_page
@require_http_methods(["GET", "POST"])
def crime(request: HttpRequest, crime_ref: str) -> HttpResponse:
    if not _reaches_records(request.user):
        return _forbidden(request, "a role that opens the force's records")
    if not casework.may_open_crime(request.user, crime_ref):
        return _not_found(request)
    if (step_up := _compartment_needs_step_up(request)) is not None:
        return step_up
    reason, ask = _reason_or_ask(request, key=f"crime:{crime_ref}", label=f"crime {crime_ref}")
    if ask is not None or reason is None:
        return ask or _forbidden(request, "a reason")
    view = casework.crime_open(
        user=request.user, crime_ref=crime_ref, reason_code=reason[0], reason_text=reason[1]
    )
    if view is None:
        return _not_found(request)
    return render(request, "workspace/records/crime.html", {"crime": view})


CRIMES_PER_PAGE = 50


@staff_page
@require_http_methods(["GET", "POST"])
def crimes(request: HttpRequest) -> HttpResponse:
    """The crimes the account may open, newest first, a page at a time (each row logged)."""
    if not _reaches_records(request.user):
        return _forbidden(request, "a role that opens the force's records")
    if (step_up := _compartment_needs_step_up(request)) is not None:
        return step_up
    reason, ask = _reason_or_ask(request, key="list:crimes", label="the list of crimes")
    if ask is not None or reason is None:
        return ask or _forbidden(request, "a reason")
    count = casework.crimes_count(user=request.user)
    pages = page_of(
        asked=request.GET.get("page", "1"), count=count, per_page=CRIMES_PER_PAGE, query={}
    )
    rows = casework.crimes_list(
        user=request.user,
        offset=pages.offset,
        limit=CRIMES_PER_PAGE,
        reason_code=reason[0],
        reason_text=reason[1],
    )
    for row in rows:
        reason_keep(request, f"crime:{row.crime_ref}", reason[0], reason[1])
    return render(
        request, "workspace/records/crimes.html", {"rows": rows, "pages": pages, "count": count}
    )


EXPORT_HEADER = (
    "person_ref",
    "recorded_date",
    "crime_ref",
    "offence",
    "vawg_group",
    "harm_days",
    "role",
    "relationship",
    "outcome_code",
)


@recent_sign_in
@require_http_methods(["GET", "POST"])
def person_export(request: HttpRequest, person_ref: str) -> HttpResponse:
    """A person's involvements as CSV: a disclosure to a named recipient, logged as such, after
    a recent sign-in (step-up)."""
    if not may_export(request.user):
        return _forbidden(request, "the public-protection role")
    if not casework.may_export_person(request.user, person_ref):
        return _not_found(request)
    reason = reason_given(request, f"person:{person_ref}")
    form = RecordExportForm(request.POST if request.method == "POST" else None)
    if reason is not None and request.method == "POST" and form.is_valid():
        with access_context(channel="export"):
            view = casework.person_export(
                user=request.user,
                person_ref=person_ref,
                recipient=form.cleaned_data["recipient"],
                reason_code=reason[0],
                reason_text=reason[1],
            )
        if view is None:
            return _not_found(request)
        return csv_attachment(
            filename=csv_filename(("vawg", "person", person_ref)),
            header=EXPORT_HEADER,
            rows=[
                (
                    view.person_ref, i.recorded_date.isoformat(), i.crime_ref, i.offence,
                    i.vawg_group or "", "" if i.harm_days is None else i.harm_days, i.role,
                    i.relationship, i.outcome_code,
                )
                for i in view.involvements
            ],
        )  # fmt: skip
    return render(
        request,
        "workspace/records/export.html",
        {"form": form, "person_ref": person_ref, "needs_reason": reason is None},
    )
