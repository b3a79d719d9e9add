"""The staff sign-in in Debian chromium: axe-core finds no WCAG 2.2 A/AA violations on the
sign-in, enrolment, code, recovery-code and workspace pages (at desktop and 390 px wide), and a
person signs in and enrols an authenticator app with the keyboard alone, pasting nothing they
could not paste (WCAG 2.2 SC 3.3.8)."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.browser.test_public_pages import _axe_violations, _focus_is_visible, _tab_to
from tests.vawg_site.workspace.conftest import PASSWORD, totp_now

from vawg_site.accounts.services import staff_role_set

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def new_staff(transactional_db: None) -> Any:
    """A staff account as ``createstaff`` leaves it: a password, no second factor yet."""
    return get_user_model().objects.create_user(
        username="officer", email="officer@example.org", password=PASSWORD, is_staff=True
    )


def _check(page: Any, what: str) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
        assert _axe_violations(page) == [], (what, size)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), what


def _key(page: Any) -> str:
    return str(page.text_content("#otp-key"))


def _submit_code(page: Any, code: str) -> None:
    _tab_to(page, "#code")
    assert _focus_is_visible(page)
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_axe_finds_no_violations_on_the_sign_in_journey(
    offline_page: Any, live_server: Any, new_staff: Any
) -> None:
    page = offline_page
    page.goto(live_server.url + "/workspace/sign-in/")
    _check(page, "sign-in")
    page.click("main button[type=submit]")  # empty: the error state
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "sign-in, errors")
    page.fill("#username", "officer")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspace/sign-in/set-up/")
    _check(page, "enrolment")
    page.fill("#code", f"{(int(totp_now(TOTPDevice.objects.get())) + 1) % 10**6:06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "enrolment, wrong code")
    TOTPDevice.objects.update(throttling_failure_count=0)
    page.fill("#code", totp_now(TOTPDevice.objects.get()))
    page.click("main button[type=submit]")
    page.wait_for_selector(".vawg-recovery-codes")
    _check(page, "recovery codes")
    page.click("text=I have kept my codes: continue")
    page.wait_for_url("**/workspace/")
    _check(page, "workspace home")
    staff_role_set(user=new_staff, role="public_protection", team="CN")
    page.reload()
    page.wait_for_selector("[data-area-links]")
    _check(page, "workspace home, with a role and team")
    page.click("text=Sign out")
    page.wait_for_url("**/workspace/sign-in/?signed-out")
    page.fill("#username", "officer")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspace/sign-in/code/")
    _check(page, "second factor")
    assert all(url.startswith(live_server.url) for url in page.traffic.urls)


def test_keyboard_only_sign_in_and_enrolment(
    offline_page: Any, live_server: Any, new_staff: Any
) -> None:
    page = offline_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/workspace/")
    page.wait_for_url("**/workspace/sign-in/?next=%2Fworkspace%2F")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    _tab_to(page, "#username")
    assert _focus_is_visible(page)
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    # A password manager or the clipboard fills the field: nothing stops a paste.
    page.evaluate(
        """pw => { const dt = new DataTransfer(); dt.setData('text/plain', pw);
        document.activeElement.dispatchEvent(new ClipboardEvent('paste',
          {clipboardData: dt, bubbles: true, cancelable: true})) &&
        (document.activeElement.value = pw); }""",
        PASSWORD,
    )
    assert page.evaluate("document.activeElement.value") == PASSWORD
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=new_staff)
    shown = re.sub(r"\s", "", _key(page))
    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
    _submit_code(page, totp_now(device))
    page.wait_for_selector(".vawg-recovery-codes")
    _tab_to(page, "a.govuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/workspace/")
    assert "You are signed in as officer" in str(page.text_content("main"))
    # Signing out and in again, by keyboard, with the app's next code.
    _tab_to(page, ".vawg-workspace-nav button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/sign-in/?signed-out")
    _tab_to(page, "#username")
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/sign-in/code/")
    _submit_code(page, totp_now(device, steps_ahead=1))
    page.wait_for_url(live_server.url + "/workspace/")
