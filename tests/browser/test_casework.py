"""The casework pages in Debian chromium: axe-core finds no WCAG 2.2 A/AA violations on the search
(empty, with errors, with results), the reason step, a person, a crime, a record not found and an
export (at desktop and 390 px wide); and with the keyboard alone a new officer signs in, enrols an
authenticator app, finds a person, gives a reason and opens them, then an auditor finds that
reading in the access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.browser.test_public_pages import _focus_is_visible, _tab_to
from tests.browser.test_sign_in import PHONE, _check
from tests.vawg_site.casework_world import World, world_build
from tests.vawg_site.workspace.conftest import PASSWORD, totp_now

from vawg_site.accounts.services import staff_role_set

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db: None) -> World:
    return world_build()


def _sign_in(page: Any, url: str, world: World, account: str, then: str) -> None:
    page.goto(url + then)
    page.fill("#username", account)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/workspace/sign-in/code/")
    page.fill("#code", totp_now(world.devices[account]))
    page.click("main button[type=submit]")
    page.wait_for_url("**" + then.split("?")[0] + "*")


def test_axe_finds_no_violations_on_the_casework_pages(
    offline_page: Any, live_server: Any, world: World
) -> None:
    page = offline_page
    url = live_server.url
    _sign_in(page, url, world, "pp_A", "/workspace/records/")
    _check(page, "search")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "search, errors")
    page.fill("#reference", "sA")
    page.check("#reason")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-search-results]")
    _check(page, "search, one result")
    page.goto(url + "/workspace/records/crime/cA/")
    page.wait_for_selector("input[name=reason]")
    _check(page, "the reason step")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "the reason step, errors")
    page.check("#reason-other")
    page.click("main button[type=submit]")
    page.wait_for_selector("#reason_text-error")
    _check(page, "the reason step, other without words")
    page.fill("#reason_text", "checking the matrix")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-parties]")
    _check(page, "a crime")
    page.goto(url + "/workspace/records/person/sA/")
    page.wait_for_selector("[data-involvements]")
    _check(page, "a person")
    page.goto(url + "/workspace/records/person/sA/export/")
    page.wait_for_selector("#recipient")
    _check(page, "an export")
    page.goto(url + "/workspace/records/person/vB/")
    _check(page, "not found")
    page.goto(url + "/workspace/records/crimes/")
    page.check("#reason")
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-crimes]")
    _check(page, "the list of crimes")
    assert all(u.startswith(url) for u in page.traffic.urls)


def test_a_new_officer_opens_a_person_by_keyboard_and_the_auditor_sees_it(
    offline_page: Any, live_server: Any, world: World
) -> None:
    officer = get_user_model().objects.create_user(
        username="officer", password=PASSWORD, is_staff=True
    )
    staff_role_set(user=officer, role="public_protection", team=world.team_a)
    page = offline_page
    page.set_viewport_size(PHONE)
    url = live_server.url
    page.goto(url + "/workspace/")
    _tab_to(page, "#username")
    page.keyboard.type("officer")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/sign-in/set-up/")
    device = TOTPDevice.objects.get(user=officer)
    _tab_to(page, "#code")
    page.keyboard.type(totp_now(device))
    page.keyboard.press("Enter")
    page.wait_for_selector(".vawg-recovery-codes")
    _tab_to(page, "a.govuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/workspace/")

    _tab_to(page, "a[href='/workspace/records/']")
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/records/")
    _tab_to(page, "#reference")
    page.keyboard.type("sA")
    _tab_to(page, "#reason")
    page.keyboard.press("Space")  # "Investigating an offence"
    _tab_to(page, "#reason_text")
    page.keyboard.type("task 4471")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-search-results]")
    _tab_to(page, "[data-search-results] a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/records/person/sA/")
    # The search's reason serves for what it found: no second question.
    assert "Allegations by offence group" in str(page.text_content("main"))
    assert page.text_content("[data-victims]") == "1"

    _tab_to(page, ".vawg-workspace-nav button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workspace/sign-in/?signed-out")
    _sign_in(
        page, url, world, "auditor", "/workspace/audit/?object_type=records.person&object_ref=sA"
    )
    page.wait_for_selector(".vawg-audit-table")
    table = str(page.text_content(".vawg-audit-table"))
    assert "officer" in table
    assert "task 4471" in table
    assert "Investigating an offence" in table
