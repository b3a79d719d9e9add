"""Passkeys at the sign-in and on the account page, through the server's ceremonies with a
software passkey (``softkey``): set up at the first sign-in (with recovery codes, as the app),
used at the code step (marking the session verified exactly as a code does), refused from a
look-alike origin, for another account, for a password-only session of an account that already
has a second factor, and replayed; added and removed on the account page behind step-up."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from tests.vawg_site.workspace.conftest import PASSWORD, sign_in
from tests.vawg_site.workspace.softkey import SoftPasskey, b64url

from vawg_site.accounts import selectors, sessions

REGISTER_BEGIN = "/workspace/sign-in/passkey/register/begin/"
REGISTER_COMPLETE = "/workspace/sign-in/passkey/register/complete/"
VERIFY_BEGIN = "/workspace/sign-in/passkey/verify/begin/"
VERIFY_COMPLETE = "/workspace/sign-in/passkey/verify/complete/"
HOST = "localhost"
"""Browsers use passkeys on HTTPS or http://localhost only, so the pages offer them only there."""


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST=HOST)


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _password(client: Client, user: Any, *, next_url: str = "") -> None:
    response = client.post(
        "/workspace/sign-in/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302, response


def _register(client: Client, key: SoftPasskey) -> Any:
    options = _post(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    return _post(client, REGISTER_COMPLETE, key.register(options.json()))


def _verify(client: Client, key: SoftPasskey, **kwargs: Any) -> Any:
    options = _post(client, VERIFY_BEGIN)
    assert options.status_code == 200, options.content
    return _post(client, VERIFY_COMPLETE, key.sign(options.json(), **kwargs))


def _is_verified(client: Client) -> bool:
    return client.get("/workspace/").status_code == 200


@pytest.fixture
def passkey_staff(staff: Any) -> tuple[Any, SoftPasskey]:
    """``staff`` with a passkey set up at the first sign-in (and its recovery codes), signed
    out again."""
    client, key = Client(HTTP_HOST=HOST), SoftPasskey()
    _password(client, staff)
    assert _register(client, key).status_code == 200
    return staff, key


def test_a_first_sign_in_sets_up_a_passkey_with_recovery_codes(client: Client, staff: Any) -> None:
    _password(client, staff, next_url="/workspace/account/recovery-codes/")
    enrol = client.get("/workspace/sign-in/set-up/")
    body = enrol.content.decode()
    assert 'id="passkey-register-button"' in body
    assert 'id="otp_webauthn_config"' in body
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in body
    assert 'name="code"' in body  # the app set-up is still there, with or without JavaScript
    password_only_key = client.session.session_key
    options = _post(client, REGISTER_BEGIN).json()
    assert options["rp"]["id"] == "localhost"
    assert [c["id"] for c in options["excludeCredentials"]] == []
    key = SoftPasskey()
    done = _post(client, REGISTER_COMPLETE, key.register(options))
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/workspace/sign-in/passkey/set-up/"
    passkey = WebAuthnCredential.objects.get(user=staff)
    assert passkey.confirmed
    assert passkey.name.startswith("Passkey added ")
    # Verified exactly as a code verifies: django-otp's device, a new session key, the clock.
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.session.session_key != password_only_key
    assert sessions.authentication_is_recent(client.session)
    assert selectors.second_factor_is_enrolled(user=staff)
    assert selectors.recovery_codes_left(user=staff) == 10
    shown = client.get("/workspace/sign-in/passkey/set-up/")
    assert shown.status_code == 200
    assert "Your passkey is set up" in shown.content.decode()
    assert shown.content.decode().count("<li><code>") == 10
    assert 'href="/workspace/account/recovery-codes/"' in shown.content.decode()
    again = client.get("/workspace/sign-in/passkey/set-up/").content.decode()
    assert "<li><code>" not in again  # shown once
    assert _is_verified(client)


def test_a_passkey_signs_in_as_a_code_does(client: Client, passkey_staff: Any) -> None:
    staff, key = passkey_staff
    _password(client, staff, next_url="/workspace/account/recovery-codes/")
    page = client.get("/workspace/sign-in/code/").content.decode()
    assert 'id="passkey-verification-button"' in page
    assert "/static/django_otp_webauthn/otp_webauthn_auth.js" in page
    assert 'name="code"' in page
    assert "Recovery code" in page
    assert not _is_verified(client)
    password_only_key = client.session.session_key
    options = _post(client, VERIFY_BEGIN).json()
    passkey = WebAuthnCredential.objects.get(user=staff)
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]
    done = _post(client, VERIFY_COMPLETE, key.sign(options))
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/workspace/account/recovery-codes/"
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert client.session.session_key != password_only_key
    assert sessions.authentication_is_recent(client.session)
    passkey.refresh_from_db()
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
    assert _is_verified(client)
    # Once verified, the ceremony is closed: it is a sign-in step, not a way to refresh step-up.
    assert _post(client, VERIFY_BEGIN).status_code == 403


def test_the_code_form_still_signs_in_a_passkey_holder(client: Client, passkey_staff: Any) -> None:
    staff, _ = passkey_staff
    from django_otp.plugins.otp_static.models import StaticToken

    code = StaticToken.objects.filter(device__user=staff).first().token  # type: ignore[union-attr]
    _password(client, staff)
    response = client.post("/workspace/sign-in/code/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    assert _is_verified(client)


def test_an_answer_signed_for_a_look_alike_origin_is_refused(
    client: Client, passkey_staff: Any
) -> None:
    staff, key = passkey_staff
    _password(client, staff)
    key.origin = "http://localhost.evil.example"
    assert _verify(client, key).status_code == 422
    assert not _is_verified(client)
    key.origin = "http://localhost"
    refused = _verify(client, key, rp_id="evil.example")  # signed for another relying party
    assert refused.status_code == 422
    assert not _is_verified(client)
    assert _verify(client, key).status_code == 200
    assert _is_verified(client)


def test_an_answer_cannot_be_replayed(client: Client, passkey_staff: Any) -> None:
    staff, key = passkey_staff
    _password(client, staff)
    options = _post(client, VERIFY_BEGIN).json()
    answer = key.sign(options)
    other = Client(HTTP_HOST=HOST)
    _password(other, staff)
    _post(other, VERIFY_BEGIN)
    # The same answer in another session (its own challenge) and twice in this one.
    assert _post(other, VERIFY_COMPLETE, answer).status_code == 422
    assert _post(client, VERIFY_COMPLETE, answer).status_code == 200
    client.post("/workspace/sign-out/")
    _password(client, staff)
    assert _post(client, VERIFY_COMPLETE, answer).status_code == 400  # no challenge open
    assert not _is_verified(client)
    assert not _is_verified(other)


def test_another_accounts_passkey_is_refused(client: Client, passkey_staff: Any) -> None:
    staff, _key = passkey_staff
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user(username="other", password=PASSWORD)
    other_key = SoftPasskey()
    other_client = Client(HTTP_HOST=HOST)
    _password(other_client, other)
    assert _register(other_client, other_key).status_code == 200
    _password(client, staff)
    options = _post(client, VERIFY_BEGIN).json()
    assert _post(client, VERIFY_COMPLETE, other_key.sign(options)).status_code == 403
    assert not _is_verified(client)


def test_a_password_alone_cannot_add_a_passkey_to_an_enrolled_account(
    client: Client, enrolled: TOTPDevice
) -> None:
    assert _post(client, REGISTER_BEGIN).status_code == 403  # anonymous
    assert _post(client, VERIFY_BEGIN).status_code == 403
    _password(client, enrolled.user)
    assert SESSION_KEY in client.session
    assert _post(client, REGISTER_BEGIN).status_code == 403
    assert _post(client, REGISTER_COMPLETE, SoftPasskey().register(
        {"rp": {"id": "localhost"}, "user": {"id": "x"}, "challenge": "AAAA"}
    )).status_code == 403  # fmt: skip
    assert _post(client, VERIFY_BEGIN).status_code == 403  # no passkey to verify with
    assert not WebAuthnCredential.objects.exists()
    assert not _is_verified(client)


def test_the_account_page_adds_and_removes_passkeys_behind_step_up(
    verified_client: Client, enrolled: TOTPDevice
) -> None:
    user = enrolled.user
    codes_before = selectors.recovery_codes_left(user=user)
    page = verified_client.get("/workspace/account/passkeys/")
    assert page.status_code == 200
    assert "You have no passkey." in page.content.decode()
    key = SoftPasskey()
    done = _register(verified_client, key)
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/workspace/account/passkeys/"
    assert selectors.recovery_codes_left(user=user) == codes_before  # not issued again
    passkey = WebAuthnCredential.objects.get(user=user)
    listed = verified_client.get("/workspace/account/passkeys/").content.decode()
    assert passkey.name in listed
    # The passkey now signs this account in, beside the app.
    fresh = Client(HTTP_HOST=HOST)
    _password(fresh, user)
    assert _verify(fresh, key).status_code == 200
    # Removing it leaves the app: allowed.
    removed = verified_client.post("/workspace/account/passkeys/", {"passkey": passkey.pk})
    assert removed.status_code == 200
    assert "The passkey was removed" in removed.content.decode()
    assert not WebAuthnCredential.objects.filter(user=user).exists()
    # A stale sign-in must confirm again, for the page and for the ceremony.
    session = verified_client.session
    session[sessions.AUTHENTICATED_KEY] = sessions.now() - sessions.STEP_UP_SECONDS - 1
    session.save()
    assert verified_client.get("/workspace/account/passkeys/")["Location"].startswith(
        "/workspace/sign-in/confirm/"
    )
    refused = _post(verified_client, REGISTER_BEGIN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "step_up_needed"


def test_the_last_second_factor_cannot_be_removed(client: Client, passkey_staff: Any) -> None:
    staff, key = passkey_staff
    _password(client, staff)
    assert _verify(client, key).status_code == 200
    passkey = WebAuthnCredential.objects.get(user=staff)
    refused = client.post("/workspace/account/passkeys/", {"passkey": passkey.pk})
    assert refused.status_code == 400
    assert "only passkey" in refused.content.decode()
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    # Another account's passkey is not this account's to remove.
    assert (
        client.post("/workspace/account/passkeys/", {"passkey": passkey.pk + 1000}).status_code
        == 400
    )


def test_no_passkey_means_the_code_page_is_as_before(client: Client, enrolled: TOTPDevice) -> None:
    _password(client, enrolled.user)
    page = client.get("/workspace/sign-in/code/").content.decode()
    assert "passkey" not in page.lower()
    assert sign_in(Client(HTTP_HOST=HOST), enrolled).status_code == 302


def test_step_up_takes_the_password_and_then_the_passkey(
    client: Client, passkey_staff: Any
) -> None:
    staff, key = passkey_staff
    _password(client, staff)
    assert _verify(client, key).status_code == 200
    session = client.session
    session[sessions.AUTHENTICATED_KEY] = sessions.now() - sessions.STEP_UP_SECONDS - 1
    session.save()
    confirm = "/workspace/sign-in/confirm/?next=%2Fworkspace%2Faccount%2Fpasskeys%2F"
    assert client.get("/workspace/account/passkeys/")["Location"] == confirm
    # No step-up is waiting: a verified session cannot use the ceremony.
    assert _post(client, VERIFY_BEGIN).status_code == 403
    wrong = client.post(confirm, {"password": "wrong password", "code": ""})
    assert "could not confirm" in wrong.content.decode()
    assert sessions.STEP_UP_PASSWORD_KEY not in client.session
    asked = client.post(
        confirm, {"password": PASSWORD, "code": "", "next": "/workspace/account/passkeys/"}
    )
    assert asked.status_code == 200
    assert 'id="passkey-verification-button"' in asked.content.decode()
    assert not sessions.authentication_is_recent(client.session)
    options = _post(client, VERIFY_BEGIN).json()
    done = _post(client, VERIFY_COMPLETE + "?next=/workspace/account/passkeys/", key.sign(options))
    assert done.status_code == 200, done.content
    assert done.json()["redirect_url"] == "/workspace/account/passkeys/"
    assert sessions.authentication_is_recent(client.session)
    assert client.get("/workspace/account/passkeys/").status_code == 200
    # One password completes one step-up: the note is spent.
    assert _post(client, VERIFY_BEGIN).status_code == 403


def test_a_step_up_password_waits_five_minutes_only(client: Client, passkey_staff: Any) -> None:
    staff, key = passkey_staff
    _password(client, staff)
    assert _verify(client, key).status_code == 200
    client.post("/workspace/sign-in/confirm/", {"password": PASSWORD, "code": ""})
    options = _post(client, VERIFY_BEGIN).json()
    session = client.session
    session[sessions.STEP_UP_PASSWORD_KEY] = sessions.now() - sessions.STEP_UP_PASSKEY_SECONDS - 1
    session[sessions.AUTHENTICATED_KEY] = sessions.now() - sessions.STEP_UP_SECONDS - 1
    session.save()
    assert _post(client, VERIFY_COMPLETE, key.sign(options)).status_code == 403
    assert not sessions.authentication_is_recent(client.session)


def test_no_passkey_is_offered_where_browsers_refuse_them(passkey_staff: Any) -> None:
    staff, _ = passkey_staff
    demo = Client(HTTP_HOST="127.0.0.1")  # the demo's address: an IP, which browsers refuse
    _password(demo, staff)
    page = demo.get("/workspace/sign-in/code/").content.decode()
    assert "passkey-verification-button" not in page
    assert "otp_webauthn_config" not in page
    assert 'name="code"' in page
