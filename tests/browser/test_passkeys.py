"""Passkeys in Debian chromium, with Chrome's virtual authenticator (DevTools protocol, WebAuthn
domain: CTAP2, built in, resident keys, user verification): a person sets up a passkey at the
first sign-in, keeps the recovery codes it brings, signs out and signs in again with it; the
package's scripts come from this site under its CSP, axe finds no WCAG 2.2 A/AA violations, and
with JavaScript off the code step shows the code form alone, which still signs in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential
from tests.browser.test_public_pages import _axe_violations
from tests.vawg_site.workspace.conftest import PASSWORD

pytestmark = [pytest.mark.browser]

VIRTUAL_AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@pytest.fixture
def new_staff(transactional_db: None) -> Any:
    return get_user_model().objects.create_user(
        username="officer", email="officer@example.org", password=PASSWORD, is_staff=True
    )


def _password(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/workspace/sign-in/")
    page.fill("#username", "officer")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")


def test_a_passkey_is_set_up_at_the_first_sign_in_and_then_signs_in(
    offline_page: Any, live_server: Any, new_staff: Any
) -> None:
    page = offline_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR}
    )["authenticatorId"]

    _password(page, live_server)
    page.wait_for_url("**/workspace/sign-in/set-up/")
    page.wait_for_selector("#passkey-register-button")  # revealed by the package's script
    assert _axe_violations(page) == []
    page.click("#passkey-register-button")
    page.wait_for_url("**/workspace/sign-in/passkey/set-up/")
    assert "Your passkey is set up" in str(page.text_content("main"))
    assert page.locator(".vawg-recovery-codes li").count() == 10
    assert _axe_violations(page) == []
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
        "credentials"
    ]
    assert credential["rpId"] == "localhost"
    assert credential["isResidentCredential"]
    passkey = WebAuthnCredential.objects.get(user=new_staff)
    assert passkey.sign_count == credential["signCount"]
    page.click("text=I have kept my codes: continue")
    page.wait_for_url(live_server.url + "/workspace/")
    assert "You are signed in as officer" in str(page.text_content("main"))

    page.click("text=Sign out")
    page.wait_for_url("**/workspace/sign-in/?signed-out")
    _password(page, live_server)
    page.wait_for_url("**/workspace/sign-in/code/")
    page.wait_for_selector("#passkey-verification-button")
    assert page.is_visible("#code")  # the recovery-code form stays beside the button
    assert _axe_violations(page) == []
    page.click("#passkey-verification-button")
    page.wait_for_url(live_server.url + "/workspace/")
    assert "You are signed in as officer" in str(page.text_content("main"))
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    scripts = page.traffic.urls
    assert any(u.endswith("/static/django_otp_webauthn/otp_webauthn_auth.js") for u in scripts)
    assert all(url.startswith(live_server.url) for url in scripts)
    assert problems == []  # no CSP refusal, no script error


def test_with_javascript_off_the_code_step_signs_in_alone(
    no_js_page: Any, live_server: Any, new_staff: Any
) -> None:
    page = no_js_page
    WebAuthnCredential.objects.create(
        user=new_staff, name="Passkey", confirmed=True, credential_id=b"x" * 32,
        public_key=b"k", aaguid="00000000-0000-0000-0000-000000000000",
    )  # fmt: skip
    from vawg_site.accounts.services import recovery_codes_issue

    code = recovery_codes_issue(user=new_staff)[0]
    _password(page, live_server)
    page.wait_for_url("**/workspace/sign-in/code/")
    assert page.locator("#passkey-verification-button").count() == 0
    assert page.is_visible("#code")
    page.fill("#code", code)
    page.click("main button[type=submit]")
    page.wait_for_url(live_server.url + "/workspace/")
    assert not StaticToken.objects.filter(token=code).exists()
