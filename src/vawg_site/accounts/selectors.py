"""Reads for staff accounts: which second factors an account has."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def second_factor_is_enrolled(*, user: Any) -> bool:
    """True when ``user`` has a confirmed second factor (an authenticator app, or recovery codes
    left to sign in with)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


def recovery_codes_left(*, user: Any) -> int:
    """How many unused recovery codes ``user`` has."""
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())
