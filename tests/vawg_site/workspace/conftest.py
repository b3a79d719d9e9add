"""Staff accounts for the workspace tests, and the codes their authenticator app would show."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple 42"


def totp_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the person's app shows (``steps_ahead`` 30 s steps later), computed from the
    device's key as an authenticator app does (RFC 6238)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff(db: None) -> Any:
    return get_user_model().objects.create_user(
        username="officer", email="officer@example.org", password=PASSWORD, is_staff=True
    )


@pytest.fixture
def enrolled(staff: Any) -> TOTPDevice:
    """``staff`` with a confirmed authenticator app."""
    return TOTPDevice.objects.create(user=staff, name="Authenticator app", confirmed=True)


def sign_in(client: Client, device: TOTPDevice, *, steps_ahead: int = 0) -> Any:
    """Sign in through the pages: the password, then a code from ``device``."""
    response = client.post(
        "/workspace/sign-in/", {"username": device.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response
    assert response["Location"] == "/workspace/sign-in/code/"
    return client.post(
        "/workspace/sign-in/code/", {"code": totp_now(device, steps_ahead=steps_ahead)}
    )


@pytest.fixture
def verified_client(client: Client, enrolled: TOTPDevice) -> Client:
    """A client signed in with a password and a verified second factor."""
    response = sign_in(client, enrolled)
    assert response.status_code == 302, response
    assert response["Location"] == "/workspace/"
    return client
