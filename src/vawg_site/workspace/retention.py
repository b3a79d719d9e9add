"""The retention pages (DPA 2018 s.39, MoPI; ``docs/retention.md``): the reviews due, a person's
review (keep until a new date, or ask for erasure), and the erasures awaiting a second
account's approval.

They are for public-protection officers (:data:`vawg_site.records.retention.may_review`), and
show only the people the officer may open; anyone else is answered 403. The reads and writes are
:mod:`vawg_site.records.retention`'s and :mod:`vawg_site.records.services`' (each logged there);
the views check a form and call one of them. A person or an erasure the officer may not open, and
one that does not exist, get the same answer (404). Approving an erasure, which cannot be undone,
asks for the password and a code again when the last were given over 15 minutes ago.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vawg.retention import years_after
from vawg_site.records import casework, retention, services
from vawg_site.workspace.access import recent_sign_in, staff_page

NEEDED = "the public-protection role"
DETAILS_WARNING = "Do not write the person's details (name, date of birth, address) here."


class ReviewForm(forms.Form):
    """A retention decision: keep until a later review date, or ask for erasure; why, always."""

    decision = forms.ChoiceField(
        choices=[("keep", "Keep the record"), ("erase", "Ask for the record to be erased")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to keep the record or to ask for erasure"},
    )
    next_review_date = forms.DateField(
        required=False, error_messages={"invalid": "Enter the next review date as 2031-04-30"}
    )
    reason_text = forms.CharField(
        max_length=500, error_messages={"required": "Say why, in a few words"}
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "keep":
            day = data.get("next_review_date")
            if day is None and "next_review_date" not in self.errors:
                self.add_error("next_review_date", "Enter when the record is next reviewed")
            elif day is not None and day <= timezone.localdate():
                self.add_error("next_review_date", "The next review must be after today")
        return data


class ApprovalForm(forms.Form):
    """The second account's answer to an erasure request."""

    answer = forms.ChoiceField(
        choices=[("approve", "Approve: erase the record"), ("refuse", "Refuse: keep the record")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or refuse the erasure"},
    )
    approval_text = forms.CharField(required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "refuse" and not (data.get("approval_text") or "").strip():
            self.add_error("approval_text", "Say why the erasure is refused")
        return data


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/forbidden.html", {"needed": NEEDED}, status=403)


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/retention/not_found.html", status=404)


@staff_page
@require_GET
def due(request: HttpRequest) -> HttpResponse:
    """The people the officer may open whose retention review date has come."""
    if not retention.may_review(request.user):
        return _forbidden(request)
    today = timezone.localdate()
    rows = retention.reviews_due(user=request.user, today=today)
    return render(
        request,
        "workspace/retention/due.html",
        {"rows": rows, "today": today, "limit": retention.DUE_LIMIT},
    )


@staff_page
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, person_ref: str) -> HttpResponse:
    """A person's retention review: what is held, earlier decisions, and the decision form."""
    if not retention.may_review(request.user):
        return _forbidden(request)
    if not casework.may_open_person(request.user, person_ref):
        return _not_found(request)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "keep":
                services.retention_keep(
                    user=request.user, person_ref=person_ref,
                    next_review_date=data["next_review_date"], reason_text=data["reason_text"],
                )  # fmt: skip
            else:
                services.retention_erasure_request(
                    user=request.user, person_ref=person_ref, reason_text=data["reason_text"]
                )
        except services.RetentionError as refused:
            form.add_error(None, str(refused))
        else:
            return HttpResponseRedirect(request.path + "?recorded=1")
    case = retention.retention_case_open(user=request.user, person_ref=person_ref)
    if case is None:
        return _not_found(request)
    return render(
        request,
        "workspace/retention/review.html",
        {
            "case": case,
            "form": form,
            "recorded": "recorded" in request.GET and request.method == "GET",
            "warning": DETAILS_WARNING,
            "date_hint": f"As year-month-day, such as {_suggested(case.retention_group)}: "
            "the review period of the person's group, from today.",
        },
    )


def _suggested(group: int | None) -> dt.date:
    """The review date a decision to keep would give from today (the group's period)."""
    years = settings.VAWG_RETENTION_REVIEW_YEARS.get(group or 3, 6)
    return years_after(timezone.localdate(), years)


@staff_page
@require_GET
def erasures(request: HttpRequest) -> HttpResponse:
    """The erasures awaiting approval, of people the officer may open."""
    if not retention.may_review(request.user):
        return _forbidden(request)
    rows = retention.erasures_pending(user=request.user)
    return render(
        request,
        "workspace/retention/erasures.html",
        {"rows": rows, "done": request.GET.get("done", "")},
    )


@recent_sign_in
@require_http_methods(["GET", "POST"])
def erasure(request: HttpRequest, review_id: int) -> HttpResponse:
    """One erasure request, and another officer's approval or refusal of it."""
    if not retention.may_review(request.user):
        return _forbidden(request)
    found = retention.erasures_pending(user=request.user, review_id=review_id)
    if not found:
        return _not_found(request)
    form = ApprovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not found[0].own:
        data = form.cleaned_data
        try:
            if data["answer"] == "approve":
                services.retention_erasure_approve(
                    user=request.user, review_id=review_id, approval_text=data["approval_text"]
                )
            else:
                services.retention_erasure_refuse(
                    user=request.user, review_id=review_id, approval_text=data["approval_text"]
                )
        except services.RetentionError as refused:
            form.add_error(None, str(refused))
        else:
            done = "erased" if data["answer"] == "approve" else "refused"
            return HttpResponseRedirect(reverse("workspace:retention_erasures") + f"?done={done}")
    return render(
        request,
        "workspace/retention/erasure.html",
        {"request_row": found[0], "form": form, "warning": DETAILS_WARNING},
    )
