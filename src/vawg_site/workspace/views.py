"""The workspace's pages: the sign-in steps (password, then a second factor or its enrolment),
step-up, recovery codes, sign-out and the workspace home; the passkey ceremonies and pages are in
``workspace.passkeys``. Thin: each view checks a form and calls one ``vawg_site.accounts``
service or selector (docs/accounts.md)."""

from __future__ import annotations

import base64
from typing import Any

import django_otp
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from vawg_site.accounts import selectors, services, sessions
from vawg_site.accounts.passkeys import passkeys_work_here
from vawg_site.workspace.access import is_verified, recent_sign_in, sign_in_step, staff_page
from vawg_site.workspace.forms import (
    CODE_REFUSED,
    SIGN_IN_REFUSED,
    CodeForm,
    ConfirmForm,
    SignInForm,
)
from vawg_site.workspace.navigation import home_navigation

NEXT_KEY = "vawg_next"
ENDED_MESSAGES = {
    sessions.IDLE: "You were signed out after 15 minutes without activity. Sign in again.",
    sessions.ABSOLUTE: "You were signed out 8 hours after signing in. Sign in again.",
}


def safe_next(request: HttpRequest, value: str | None) -> str:
    """``value`` when it is a path on this site, else the workspace home."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("workspace:home")


def session_verify(request: HttpRequest, device: Any) -> str:
    """The second factor is given (a code, a recovery code or a passkey): mark the session
    verified under a new key and start the step-up clock; returns where the person was going."""
    django_otp.login(request, device)
    request.session.cycle_key()
    sessions.authentication_record(request.session)
    return safe_next(request, request.session.pop(NEXT_KEY, None))


def passkey_config(request: HttpRequest) -> dict[str, Any] | None:
    """The settings the package's scripts read from the page (``otp_webauthn_config``), or None
    where a browser would refuse passkeys (``accounts.passkeys.passkeys_work_here``): the pages
    then offer none."""
    if not passkeys_work_here(request):
        return None
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginRegistrationUrl": reverse("workspace:passkey_register_begin"),
        "completeRegistrationUrl": reverse("workspace:passkey_register_complete"),
        "beginAuthenticationUrl": reverse("workspace:passkey_verify_begin"),
        "completeAuthenticationUrl": reverse("workspace:passkey_verify_complete"),
    }


def _verified(request: HttpRequest, device: Any) -> HttpResponseRedirect:
    """The second factor is given: verify the session and go where the person was going."""
    return HttpResponseRedirect(session_verify(request, device))


@sign_in_step
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if is_verified(request):
        return HttpResponseRedirect(safe_next(request, request.GET.get("next")))
    form = SignInForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        user = services.password_check(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None:
            login(request, user)
            request.session[NEXT_KEY] = safe_next(request, request.POST.get("next"))
            return redirect("workspace:second_factor")
        refused = True
    return render(
        request,
        "workspace/sign_in.html",
        {
            "form": form,
            "refused": refused,
            "refused_message": SIGN_IN_REFUSED,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "ended_message": ENDED_MESSAGES.get(request.GET.get("ended", "")),
            "signed_out": "signed-out" in request.GET,
        },
    )


def _password_only(request: HttpRequest) -> HttpResponse | None:
    """Where a second-factor step sends a request that is not at that step: to the sign-in
    without a password, to the workspace once verified."""
    if not request.user.is_authenticated:
        return redirect("workspace:sign_in")
    if is_verified(request):
        return redirect("workspace:home")
    return None


@sign_in_step
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _password_only(request)) is not None:
        return elsewhere
    if not selectors.second_factor_is_enrolled(user=request.user):
        return redirect("workspace:enrol")
    form = CodeForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            return _verified(request, device)
        refused = True
    return render(
        request,
        "workspace/second_factor.html",
        {
            "form": form,
            "refused": refused,
            "refused_message": CODE_REFUSED,
            "has_passkey": selectors.passkey_is_enrolled(user=request.user),
            "has_app": selectors.app_is_enrolled(user=request.user),
            "passkey_config": passkey_config(request),
        },
    )


def _key_groups(key: bytes) -> str:
    """The key as people type it into an authenticator app: base32, in groups of four."""
    text = base64.b32encode(key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@sign_in_step
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    if (elsewhere := _password_only(request)) is not None:
        return elsewhere
    if selectors.second_factor_is_enrolled(user=request.user):
        return redirect("workspace:second_factor")
    device = services.totp_device_start(user=request.user)
    form = CodeForm(request.POST or None)
    refused = False
    if request.method == "POST" and form.is_valid():
        if services.totp_device_confirm(device=device, code=form.cleaned_data["code"]):
            codes = services.recovery_codes_issue(user=request.user)
            destination = _verified(request, device)
            return render(
                request,
                "workspace/recovery_codes_new.html",
                {"codes": codes, "continue_url": destination["Location"], "first": True},
            )
        refused = True
    return render(
        request,
        "workspace/enrol.html",
        {
            "form": form,
            "refused": refused,
            "refused_message": "That code was not accepted. Enter the 6-digit code the app "
            "shows now. After a wrong code, wait a few seconds before the next.",
            "key": _key_groups(device.bin_key),
            "uri": device.config_url,
            "passkey_config": passkey_config(request),
        },
    )


@sign_in_step
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(reverse("workspace:sign_in") + "?signed-out")


@staff_page
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Step-up: the password and a second factor again, before a sensitive page. A person with
    a passkey may give the password alone here and then the passkey (``workspace.passkeys``)."""
    has_passkey = passkeys_work_here(request) and selectors.passkey_is_enrolled(user=request.user)
    form = ConfirmForm(request.POST or None, passkey=has_passkey)
    refused = False
    passkey_next = False
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        user = services.password_check(
            request=request,
            username=request.user.get_username(),
            password=form.cleaned_data["password"],
        )
        code = form.cleaned_data["code"]
        same = user is not None and user.pk == request.user.pk
        if same and not code and has_passkey:
            sessions.step_up_password_record(request.session)
            passkey_next = True
        elif same and code and services.second_factor_check(user=user, code=code):
            sessions.authentication_record(request.session)
            return HttpResponseRedirect(safe_next(request, next_url))
        else:
            refused = True
    return render(
        request,
        "workspace/confirm.html",
        {
            "form": form,
            "refused": refused,
            "refused_message": "We could not confirm it is you with that password and code.",
            "next": next_url,
            "has_passkey": has_passkey,
            "passkey_next": passkey_next,
            "passkey_config": passkey_config(request),
        },
    )


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workspace/home.html",
        {
            "recovery_codes_left": selectors.recovery_codes_left(user=request.user),
            "navigation": home_navigation(user=request.user),
        },
    )


@recent_sign_in
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left, and new ones (shown once) on request."""
    if request.method == "POST":
        codes = services.recovery_codes_issue(user=request.user)
        return render(
            request,
            "workspace/recovery_codes_new.html",
            {"codes": codes, "continue_url": reverse("workspace:home"), "first": False},
        )
    return render(
        request,
        "workspace/recovery_codes.html",
        {"left": selectors.recovery_codes_left(user=request.user)},
    )


@sign_in_step
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin's login URL: the one sign-in, with its second factor, then back to the admin."""
    return HttpResponseRedirect(
        reverse("workspace:sign_in") + "?" + request.GET.urlencode()
        if request.GET
        else reverse("workspace:sign_in") + "?next=" + reverse("admin:index")
    )
