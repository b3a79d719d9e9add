"""Sign-in end to end with the test client: enrolment of an authenticator app at the first
sign-in, recovery codes, lockout with no user enumeration, the idle and absolute session limits,
sessions ended when an account is disabled, and step-up before a sensitive page."""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.vawg_site.workspace.conftest import PASSWORD, sign_in, totp_now

from vawg_site.accounts import sessions
from vawg_site.accounts.services import user_disable
from vawg_site.workspace.forms import CODE_REFUSED, SIGN_IN_REFUSED

SIGN_IN, CODE, ENROL = (
    "/workspace/sign-in/",
    "/workspace/sign-in/code/",
    "/workspace/sign-in/set-up/",
)
RECOVERY = "/workspace/account/recovery-codes/"


def _text(response: Any) -> str:
    return response.content.decode()


def _codes(response: Any) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]+)</code></li>", _text(response))


def test_first_sign_in_enrols_an_app_from_the_key_shown_then_gives_recovery_codes(
    client: Client, staff: Any
) -> None:
    response = client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    assert response["Location"] == CODE
    assert client.get(CODE)["Location"] == ENROL  # no second factor yet: set one up
    assert client.get(reverse("workspace:home"))["Location"].startswith(CODE)
    page = client.get(ENROL)
    assert page.status_code == 200
    # The key as the page shows it is all an app needs: compute its code from that text.
    shown = re.search(r'id="otp-key">([A-Z2-7 ]+)<', _text(page))
    assert shown is not None
    key = shown.group(1).replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)), step=30, t0=0, digits=6)
    totp.time = time.time()
    wrong = client.post(ENROL, {"code": f"{(totp.token() + 1) % 10**6:06d}"})
    assert wrong.status_code == 200
    assert "not accepted" in _text(wrong)
    assert not TOTPDevice.objects.get(user=staff).confirmed
    # A wrong code makes the device wait before the next (django-otp's throttle): skip the wait.
    TOTPDevice.objects.update(throttling_failure_count=0)
    done = client.post(ENROL, {"code": f"{totp.token():06d}"})
    assert done.status_code == 200
    codes = _codes(done)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=staff).confirmed
    home = client.get(reverse("workspace:home"))
    assert home.status_code == 200
    assert "signed in as <strong>officer</strong>" in _text(home)
    # Enrolment is over: the set-up page cannot add a second app to a verified session.
    assert client.get(ENROL)["Location"] == "/workspace/"

    # Next time: the password and a recovery code, which then works no more.
    client.post(reverse("workspace:sign_out"))
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    assert client.get(ENROL)["Location"] == CODE  # enrolled: no new set-up without a code
    assert client.post(CODE, {"code": codes[0].upper()})["Location"] == "/workspace/"
    client.post(reverse("workspace:sign_out"))
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    spent = client.post(CODE, {"code": codes[0]})
    assert spent.status_code == 200
    assert CODE_REFUSED in _text(spent)


def test_sign_in_with_the_app_and_back_to_the_page_asked_for(
    client: Client, enrolled: TOTPDevice
) -> None:
    asked = client.get(RECOVERY)
    assert asked["Location"] == SIGN_IN + "?next=%2Fworkspace%2Faccount%2Frecovery-codes%2F"
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD, "next": RECOVERY})
    wrong = f"{(int(totp_now(enrolled)) + 1) % 10**6:06d}"
    assert CODE_REFUSED in _text(client.post(CODE, {"code": wrong}))
    # Throttled now: even the right code waits (django-otp doubles the wait with each failure).
    assert CODE_REFUSED in _text(client.post(CODE, {"code": totp_now(enrolled)}))
    TOTPDevice.objects.filter(pk=enrolled.pk).update(throttling_failure_count=0)
    assert client.post(CODE, {"code": totp_now(enrolled)})["Location"] == RECOVERY
    assert client.get(RECOVERY).status_code == 200


def test_next_may_not_leave_the_site(client: Client, enrolled: TOTPDevice) -> None:
    client.post(
        SIGN_IN, {"username": "officer", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert client.post(CODE, {"code": totp_now(enrolled)})["Location"] == "/workspace/"


def test_sign_in_pages_help_password_managers_and_allow_paste(client: Client, staff: Any) -> None:
    page = _text(client.get(SIGN_IN))
    assert 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert "onpaste" not in page
    assert 'autocomplete="off"' not in page
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    enrol = _text(client.get(ENROL))
    assert 'autocomplete="one-time-code"' in enrol
    assert "otpauth://totp/" in enrol
    # The key is shown as text: no image from anywhere, no script.
    assert "<img" not in enrol
    assert "<script>" not in enrol


def test_every_sign_in_page_is_never_stored(client: Client, staff: Any) -> None:
    responses = [client.get(SIGN_IN)]
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    responses += [client.get(ENROL), client.get(CODE)]
    for response in responses:
        assert "no-store" in response["Cache-Control"], response


def _refusal(client: Client, username: str, password: str) -> tuple[int, str, int]:
    """The status, the page without its CSRF token, and how many password hashes were made."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as encode:
        response = client.post(SIGN_IN, {"username": username, "password": password})
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _text(response))
    page = page.replace(f'value="{username}"', 'value="USERNAME"')
    return response.status_code, page, encode.call_count


def test_lockout_after_five_failures_refuses_the_right_password(
    client: Client, enrolled: TOTPDevice
) -> None:
    for _ in range(5):
        assert SIGN_IN_REFUSED in _text(
            client.post(SIGN_IN, {"username": "officer", "password": "wrong password"})
        )
    locked = client.post(SIGN_IN, {"username": "officer", "password": PASSWORD})
    assert locked.status_code == 200
    assert SIGN_IN_REFUSED in _text(locked)
    assert "_auth_user_id" not in client.session
    # The lockout is for this username from this address: the person elsewhere can sign in.
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert sign_in(elsewhere, enrolled)["Location"] == "/workspace/"


def test_unknown_wrong_locked_and_disabled_look_and_cost_the_same(
    client: Client, staff: Any
) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="locked", password=PASSWORD)
    get_user_model().objects.create_user(username="gone", password=PASSWORD, is_active=False)
    for _ in range(5):
        client.post(SIGN_IN, {"username": "locked", "password": "wrong password"})
    answers = {
        "unknown user": _refusal(client, "nobody", PASSWORD),
        "wrong password": _refusal(client, "officer", "wrong password"),
        "locked, right password": _refusal(client, "locked", PASSWORD),
        "disabled, right password": _refusal(client, "gone", PASSWORD),
    }
    assert len(set(answers.values())) == 1, answers
    status, page, hashes = answers["unknown user"]
    assert status == 200
    assert SIGN_IN_REFUSED in page
    assert hashes == 1


def _age(client: Client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


@pytest.mark.parametrize(
    ("ages", "ended"),
    [
        ({sessions.SEEN_KEY: sessions.IDLE_SECONDS + 1}, "idle"),
        ({sessions.STARTED_KEY: sessions.ABSOLUTE_SECONDS + 1, sessions.SEEN_KEY: 5}, "absolute"),
    ],
)
def test_sessions_end_when_idle_or_too_old(
    verified_client: Client, ages: dict[str, float], ended: str
) -> None:
    _age(verified_client, **ages)
    response = verified_client.get("/workspace/")
    assert response["Location"] == f"{SIGN_IN}?ended={ended}&next=%2Fworkspace%2F"
    assert "_auth_user_id" not in verified_client.session
    assert "signed out" in _text(verified_client.get(response["Location"]))


def test_a_session_just_inside_both_limits_goes_on_and_its_idle_clock_restarts(
    verified_client: Client,
) -> None:
    _age(
        verified_client,
        **{
            sessions.STARTED_KEY: sessions.ABSOLUTE_SECONDS - 60,
            sessions.SEEN_KEY: sessions.IDLE_SECONDS - 60,
        },
    )
    assert verified_client.get("/workspace/").status_code == 200
    assert time.time() - verified_client.session[sessions.SEEN_KEY] < 60


@pytest.mark.parametrize("how", ["service", "save"])
def test_disabling_an_account_ends_its_sessions(
    verified_client: Client, enrolled: TOTPDevice, how: str
) -> None:
    other = Client()
    sign_in(other, enrolled, steps_ahead=1)
    bystander = Session.objects.count()
    assert bystander == 2
    user = enrolled.user
    if how == "service":
        user_disable(user=user)
    else:
        user.is_active = False
        user.save()
    assert Session.objects.count() == 0
    assert verified_client.get("/workspace/")["Location"].startswith(SIGN_IN)
    assert other.get("/workspace/")["Location"].startswith(SIGN_IN)


def test_step_up_before_recovery_codes(verified_client: Client, enrolled: TOTPDevice) -> None:
    assert verified_client.get(RECOVERY).status_code == 200  # signed in just now
    old = _codes(verified_client.post(RECOVERY))
    _age(verified_client, **{sessions.AUTHENTICATED_KEY: sessions.STEP_UP_SECONDS + 1})
    confirm = "/workspace/sign-in/confirm/?next=%2Fworkspace%2Faccount%2Frecovery-codes%2F"
    assert verified_client.get(RECOVERY)["Location"] == confirm
    assert verified_client.post(RECOVERY)["Location"] == confirm  # nothing made
    wrong = verified_client.post(
        confirm, {"password": "wrong password", "code": totp_now(enrolled, steps_ahead=1)}
    )
    assert wrong.status_code == 200
    assert "could not confirm" in _text(wrong)
    right = verified_client.post(
        confirm, {"password": PASSWORD, "code": totp_now(enrolled, steps_ahead=1), "next": RECOVERY}
    )
    assert right["Location"] == RECOVERY
    new = _codes(verified_client.post(RECOVERY))
    assert len(new) == 10
    assert not set(new) & set(old)


def test_sign_out_ends_the_session(verified_client: Client) -> None:
    assert verified_client.get(reverse("workspace:sign_out")).status_code == 405
    response = verified_client.post(reverse("workspace:sign_out"))
    assert response["Location"] == SIGN_IN + "?signed-out"
    assert verified_client.get("/workspace/")["Location"].startswith(SIGN_IN)


def test_the_admin_needs_the_second_factor_too(client: Client, enrolled: TOTPDevice) -> None:
    user = enrolled.user
    user.is_superuser = True
    user.save()
    client.force_login(user)  # a password-only session
    to_login = client.get("/admin/")
    assert to_login["Location"] == "/admin/login/?next=/admin/"
    assert client.get(to_login["Location"])["Location"] == SIGN_IN + "?next=%2Fadmin%2F"
    client.logout()
    client.post(SIGN_IN, {"username": "officer", "password": PASSWORD, "next": "/admin/"})
    assert client.post(CODE, {"code": totp_now(enrolled)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "route", ["public:home", "public:accessibility", "public:how_we_use_data", "public:exit"]
)
def test_public_pages_set_no_cookie_at_all(client: Client, small_counts: None, route: str) -> None:
    response = client.get(reverse(route))
    assert response.status_code in {200, 302}
    assert not response.cookies, response.cookies.output()
    assert "Set-Cookie" not in response
