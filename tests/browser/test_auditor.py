"""The auditor's view in Debian chromium: axe-core finds no WCAG 2.2 A/AA violations on the search
of the access log (with rows, pages and errors), its export form and a record's access history,
at desktop and 390 px wide, and an auditor searches the log with the keyboard alone and finds
their own reading of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.browser.test_public_pages import _focus_is_visible, _tab_to
from tests.browser.test_sign_in import PHONE, _check
from tests.vawg_site.workspace.conftest import PASSWORD, totp_now

from vawg_site.accounts.services import staff_role_set
from vawg_site.audit.services import Action, Reason, access_record
from vawg_site.common.access import access_context

pytestmark = [pytest.mark.browser]


@pytest.fixture
def auditor_device(transactional_db: None) -> TOTPDevice:
    """An auditor with an authenticator app, and 60 consultations by an analyst to look at."""
    model = get_user_model()
    auditor = model.objects.create_user(username="auditor", password=PASSWORD, is_staff=True)
    staff_role_set(user=auditor, role="auditor")
    analyst = model.objects.create_user(username="analyst-a")
    with access_context(user=analyst, team="Central North"):
        for n in range(60):
            access_record(
                action=Action.CONSULT, object_type="records.person", object_ref=f"P-{n:06d}",
                reason_code=Reason.SAFEGUARDING, reason_text="=a referral",
            )  # fmt: skip
    return TOTPDevice.objects.create(user=auditor, name="Authenticator app", confirmed=True)


def _sign_in(page: Any, url: str, device: TOTPDevice) -> None:
    page.goto(url + "/workspace/audit/")
    page.fill("#username", "auditor")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspace/sign-in/code/")
    page.fill("#code", totp_now(device))
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspace/audit/")


def test_axe_finds_no_violations_on_the_auditors_pages(
    offline_page: Any, live_server: Any, auditor_device: TOTPDevice
) -> None:
    page = offline_page
    _sign_in(page, live_server.url, auditor_device)
    page.wait_for_selector(".vawg-audit-table")
    _check(page, "search, every event, page 1 of 2")
    page.click("a[rel=next]")
    page.wait_for_url("**page=2")
    _check(page, "search, page 2")
    page.goto(live_server.url + "/workspace/audit/?object_ref=P-1&start=2026-03-05&end=2026-03-01")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "search, errors")
    page.goto(live_server.url + "/workspace/audit/?format=csv&recipient=")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "export, no recipient")
    page.goto(live_server.url + "/workspace/audit/object/records.person/P-000007/")
    page.wait_for_selector(".vawg-audit-table")
    _check(page, "a record's history")
    assert all(url.startswith(live_server.url) for url in page.traffic.urls)


def test_an_auditor_searches_with_the_keyboard_and_sees_their_own_reading(
    offline_page: Any, live_server: Any, auditor_device: TOTPDevice
) -> None:
    page = offline_page
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server.url, auditor_device)
    _tab_to(page, "#username")
    assert _focus_is_visible(page)
    page.keyboard.type("analyst-a")
    _tab_to(page, "#object_ref")
    page.keyboard.type("P-000042")
    page.keyboard.press("Enter")  # the reference needs a type: an error, focused in the summary
    page.wait_for_selector(".govuk-error-summary")
    page.wait_for_load_state()
    # Wait for govuk-frontend to focus the summary: tabbing before it does would have the
    # summary take the focus back from the field half-way through the typing (seen on a busy
    # machine, where the module script runs late).
    # (Polled with evaluate: wait_for_function evaluates a string, which the CSP refuses.)
    for _ in range(100):
        if page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')"):
            break
        page.wait_for_timeout(100)
    _tab_to(page, "#object_type")
    page.keyboard.type("records.person")
    page.keyboard.press("Enter")
    page.wait_for_selector(".vawg-audit-table")
    table = str(page.text_content(".vawg-audit-table"))
    assert "P-000042" in table
    assert "analyst-a" in table
    assert "'=a referral" not in table  # only the CSV gets the apostrophe
    page.goto(live_server.url + "/workspace/audit/?object_type=audit-log")
    page.wait_for_selector(".vawg-audit-table")
    table = str(page.text_content(".vawg-audit-table"))
    assert "auditor" in table
    assert "o=records.person/P-000042" in table
