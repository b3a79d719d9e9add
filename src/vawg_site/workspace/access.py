"""Who may open a workspace page: the decorators every workspace view wears.

- :func:`staff_page`: signed in with a password *and* a verified second factor; otherwise to the
  sign-in (or to its second step, for a session that has given only its password). Never cached.
- :func:`sign_in_step`: a page of the sign-in itself, open before sign-in. Never cached.
- :func:`recent_sign_in`: on top of :func:`staff_page`, the password and a second factor given
  within the last 15 minutes (step-up, ASVS 7.5.3), or the person is asked for them again.
- :func:`auditor_page`: on top of :func:`staff_page`, the auditor's role (:func:`is_auditor`);
  anyone else, administrators and superusers included, is answered 403.

``tests/vawg_site/workspace/test_url_walk.py`` checks that every URL outside the public site and
the API, other than the sign-in steps, turns away a session without a verified second factor.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from vawg_site.accounts import rules, sessions

View = Callable[..., HttpResponse]


def redirect_with_next(name: str, request: HttpRequest, **query: str) -> HttpResponseRedirect:
    """A redirect to the workspace page ``name`` that comes back to this page afterwards."""
    return HttpResponseRedirect(
        reverse(name) + "?" + urlencode({**query, "next": request.get_full_path()})
    )


def is_verified(request: HttpRequest) -> bool:
    """True when the request is signed in and its second factor verified (django-otp)."""
    check = getattr(request.user, "is_verified", None)
    return bool(request.user.is_authenticated and check is not None and check())


def sign_in_step(view: View) -> View:
    return never_cache(view)


def staff_page(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            ended = getattr(request, "session_ended", None)
            return redirect_with_next(
                "workspace:sign_in", request, **({"ended": ended} if ended else {})
            )
        if not is_verified(request):
            return redirect_with_next("workspace:second_factor", request)
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def recent_sign_in(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not sessions.authentication_is_recent(request.session):
            return redirect_with_next("workspace:confirm", request)
        return view(request, *args, **kwargs)

    return staff_page(wrapped)


def is_auditor(user: Any) -> bool:
    """Whether ``user`` may read the access log: an active account whose staff profile holds
    the auditor's role (:data:`vawg_site.accounts.rules.is_auditor`). Deliberately not a
    permission check: a superuser holds every permission, and the log is for auditors alone
    (an administrator who is not also an auditor must not read who looked at what)."""
    return bool(user.is_authenticated and user.is_active and rules.is_auditor(user))


def auditor_page(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not is_auditor(request.user):
            return render(
                request,
                "workspace/forbidden.html",
                {"needed": "the auditor's role"},
                status=403,
            )
        return view(request, *args, **kwargs)

    return staff_page(wrapped)
