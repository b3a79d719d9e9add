"""Passkeys in the sign-in and on the account page: django-otp-webauthn's four JSON ceremonies
(register begin/complete, verify begin/complete), narrowed to what this sign-in allows, and the
pages around them (docs/accounts.md, "Passkeys").

- Registering is open to a session that has given its password and has no second factor yet
  (the first sign-in's set-up), or to a verified session whose sign-in is recent (step-up, as
  for recovery codes). A password-only session of an account that already has a second factor
  is refused: a stolen password cannot add its own passkey.
- Verifying is open to a session that has given its password and not yet its second factor, of
  an account with a passkey; the passkey must be that account's. Success marks the session
  verified exactly as a code does (``views.session_verify``). It is open to a verified session
  only to finish a step-up whose password was given on the confirm page in the last 5 minutes.
- There is no passwordless sign-in (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN`` is off).

The buttons are progressive enhancement: the package's scripts, served from this site, reveal
them; with JavaScript off the code form is all the page shows, and works.
"""

from __future__ import annotations

from logging import getLogger
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp_webauthn import exceptions
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from vawg_site.accounts import selectors, services, sessions
from vawg_site.workspace.access import is_verified, recent_sign_in, staff_page
from vawg_site.workspace.views import passkey_config, safe_next, session_verify

NEW_CODES_KEY = "vawg_new_recovery_codes"
"""The recovery codes issued with a first passkey, kept in the session until shown once."""
CONTINUE_KEY = "vawg_continue"
_LOGGER = getLogger("django_otp_webauthn")


class StepUpNeeded(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Confirm it is you again before you add a passkey: reload this page."
    default_code = "step_up_needed"


class AlreadyVerified(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "You are already signed in."
    default_code = "already_verified"


class NoPasskey(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Your account has no passkey. Enter a code instead."
    default_code = "no_passkey"


class _Registration:
    request: HttpRequest

    def user_is_mfa_enrolled(self, user: Any) -> bool:
        # The package counts any confirmed device, a recovery-code device with no codes left
        # among them; this sign-in counts what the person can sign in with.
        return selectors.second_factor_is_enrolled(user=user)

    def check_can_register(self) -> None:
        request = self.request
        if is_verified(request):
            if not sessions.authentication_is_recent(request.session):
                raise StepUpNeeded()
        elif selectors.second_factor_is_enrolled(user=request.user):
            raise exceptions.NotVerified()


class PasskeyRegisterBegin(_Registration, BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(_Registration, CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        first = not is_verified(request)
        state = self.get_state()
        with rewrite_exceptions(logger=_LOGGER), transaction.atomic():
            device = self.get_helper().register_complete(
                user=request.user,
                state=state,
                data=request.data,  # type: ignore[attr-defined]  # parsed by the package's dispatch
            )
            codes = services.recovery_codes_issue(user=request.user) if first else None
        if codes is None:
            return JsonResponse({"id": device.pk, "redirect_url": reverse("workspace:passkeys")})
        destination = session_verify(request, device)
        request.session[NEW_CODES_KEY] = codes
        request.session[CONTINUE_KEY] = destination
        return JsonResponse({"id": device.pk, "redirect_url": reverse("workspace:passkey_set_up")})


class _Verification:
    request: HttpRequest

    def check_can_authenticate(self) -> None:
        request = self.request
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        if is_verified(request) and not sessions.step_up_password_waiting(request.session):
            raise AlreadyVerified()
        if not selectors.passkey_is_enrolled(user=request.user):
            raise NoPasskey()


class PasskeyVerifyBegin(_Verification, BeginCredentialAuthenticationView):
    pass


class PasskeyVerifyComplete(_Verification, CompleteCredentialAuthenticationView):
    destination = ""

    def complete_auth(self, device: Any) -> None:
        # The package's helper has checked the answer's signature, challenge, origin and RP ID,
        # and that the passkey is this account's; check_device_usable that it is confirmed.
        request = self.request
        if not is_verified(request):
            self.destination = session_verify(request, device)
        elif sessions.step_up_password_take(request.session):
            # Step-up: the password on the confirm page just now, and now the passkey.
            sessions.authentication_record(request.session)
            self.destination = safe_next(request, self.get_redirect_url())
        else:
            raise AlreadyVerified()

    def get_success_url(self) -> str:
        return self.destination


@staff_page
def passkey_set_up(request: HttpRequest) -> HttpResponse:
    """After the first passkey: the recovery codes issued with it, shown once."""
    codes = request.session.pop(NEW_CODES_KEY, None) or []
    continue_url = request.session.pop(CONTINUE_KEY, None) or reverse("workspace:home")
    return render(
        request,
        "workspace/recovery_codes_new.html",
        {"codes": codes, "continue_url": continue_url, "first": True, "set_up": "passkey"},
    )


@recent_sign_in
@require_http_methods(["GET", "POST"])
def passkeys(request: HttpRequest) -> HttpResponse:
    """The account's passkeys: each listed with a button to remove it, and a button (with
    JavaScript) to add one."""
    refused = ""
    removed = False
    if request.method == "POST":
        try:
            services.passkey_remove(
                user=request.user, passkey_id=int(request.POST.get("passkey", "0") or 0)
            )
            removed = True
        except (services.PasskeyError, ValueError) as error:
            refused = str(error) if isinstance(error, services.PasskeyError) else "No such passkey."
    return render(
        request,
        "workspace/passkeys.html",
        {
            "passkeys": selectors.passkey_list(user=request.user),
            "refused": refused,
            "removed": removed,
            "passkey_config": passkey_config(request),
        },
        status=400 if refused else 200,
    )
