"""Writes for staff accounts: create an account, set its role and team, check a password without
telling who exists, enrol and check second factors, issue recovery codes, disable an account.

The second factors are django-otp devices: a TOTP authenticator app (RFC 6238), passkeys
(WebAuthn credentials of django-otp-webauthn, registered and checked by its ceremonies: see
``accounts.passkeys``) and a static device holding single-use recovery codes. Each code device
throttles failed codes itself (a delay that doubles with each failure), so a stolen password
cannot be followed by guessing six digits; a passkey's signature cannot be guessed.
"""

from __future__ import annotations

import secrets
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from vawg_site.accounts.models import StaffMember, Team
from vawg_site.accounts.roles import ROLES, role_get

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
PASSWORD_BYTES = 18
"""A new account's password: 18 random bytes, 24 URL-safe characters (144 bits)."""


def staff_create(*, username: str, email: str) -> tuple[Any, str]:
    """A new staff account with a random password; returns the user and the password, which is
    kept nowhere else. The account has no second factor: it enrols one at its first sign-in."""
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, is_staff=True
    )
    return user, password


class StaffError(ValueError):
    """A role or team that cannot be given as asked (unknown role or team, or a team-based role
    with no team)."""


@transaction.atomic
def staff_role_set(*, user: Any, role: str, team: str | None = None) -> StaffMember:
    """Give ``user`` the role with code ``role`` (``accounts.roles``) and the team with code
    ``team``: the staff profile says so, and the role's group becomes the account's only role
    group (other groups are left alone). A role that works within a BCU needs a team."""
    try:
        wanted = role_get(role)
    except KeyError as error:
        raise StaffError(error.args[0]) from None
    team_row = None
    if team:
        team_row = Team.objects.filter(code=team.upper()).first()
        if team_row is None:
            codes = ", ".join(Team.objects.values_list("code", flat=True))
            raise StaffError(f"no team {team!r}: one of {codes}")
    elif wanted.needs_team:
        raise StaffError(f"the role {wanted.name!r} works within a BCU: give a team")
    member, _ = StaffMember.objects.update_or_create(
        user=user, defaults={"role": wanted.code, "team": team_row}
    )
    user.groups.remove(*Group.objects.filter(name__in=[r.name for r in ROLES]))
    user.groups.add(Group.objects.get(name=wanted.name))
    # What the rules, the casework scope and the access log keep on the user object for a
    # request is about the profile just replaced.
    for kept in ("_vawg_staff_member", "_vawg_actor", "_vawg_scope"):
        user.__dict__.pop(kept, None)
    return member


def staff_person_ref_set(*, user: Any, person_ref: str) -> None:
    """Record ``person_ref`` as the reference of the staff member's own record in the force's
    records (blank: they have none), so that the nightly review flags a colleague reading it.
    The account must have a staff profile."""
    ref = person_ref.strip()
    if len(ref) > 64:
        raise StaffError("a person reference is at most 64 characters")
    StaffMember.objects.filter(user=user).update(person_ref=ref)


def password_check(*, request: HttpRequest, username: str, password: str) -> Any | None:
    """The active user ``username`` with ``password``, or None, in the same way whatever failed.

    django-axes refuses a locked account before any password is checked, and Django already
    hashes the password once for an unknown user; a locked account gets the same one hash here,
    so unknown user, wrong password, inactive and locked all cost one password hash and return
    None (ASVS 6.3.8).
    """
    locked = AxesProxyHandler.is_locked(request, {"username": username})
    user = authenticate(request, username=username, password=password)
    if user is None and locked:
        make_password(password)
    return user


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response (``AXES_LOCKOUT_CALLABLE``): the sign-in page's own answer,
    which for a locked account is the same "not recognised" as for a wrong password."""
    if original_response is None:
        return HttpResponse("Sign-in refused.", status=403, content_type="text/plain")
    return original_response


@transaction.atomic
def totp_device_start(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed authenticator-app device, made with a new random key if there is
    none; enrolment shows its key and confirms it with a first code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm an enrolment when ``code`` is the device's current code."""
    if not device.verify_token(code_normalise(code)):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def recovery_codes_issue(*, user: Any) -> list[str]:
    """New single-use recovery codes for ``user``; any earlier ones stop working. The codes are
    returned once, to be shown once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def code_normalise(code: str) -> str:
    """A typed or pasted code without the spaces and hyphens people add, in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def second_factor_check(*, user: Any, code: str) -> Device | None:
    """The confirmed device of ``user`` that accepts ``code`` (an authenticator code or an unused
    recovery code, which is then spent), or None. Each device's throttle applies."""
    token = code_normalise(code)
    if not token:
        return None
    devices: list[Device] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(token):
                return locked
    return None


class PasskeyError(ValueError):
    """A passkey that cannot be removed as asked (not the account's, or its last second
    factor)."""


@transaction.atomic
def passkey_remove(*, user: Any, passkey_id: int) -> None:
    """Remove the passkey ``passkey_id`` of ``user``. Refused when it is not theirs, or when it
    is the account's last second factor (no other passkey and no authenticator app: recovery
    codes alone are a fallback, not a way to sign in day to day)."""
    passkey = (
        WebAuthnCredential.objects.select_for_update().filter(user=user, pk=passkey_id).first()
    )
    if passkey is None:
        raise PasskeyError("That passkey is not one of yours.")
    others = WebAuthnCredential.objects.filter(user=user, confirmed=True).exclude(pk=passkey.pk)
    if not (others.exists() or TOTPDevice.objects.filter(user=user, confirmed=True).exists()):
        raise PasskeyError(
            "This is your only passkey and you have no authenticator app: add another passkey "
            "before you remove this one."
        )
    passkey.delete()


def user_disable(*, user: Any) -> None:
    """Disable an account: it can no longer sign in and its sessions end now (ASVS 7.4.2; the
    ``post_save`` receiver ends them however ``is_active`` is cleared)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
