"""The retention pages in Debian chromium: axe-core finds no WCAG 2.2 A/AA violations on the
reviews due, a person's review (empty, with errors, after a decision), the erasures awaiting
approval and one request's answer (at desktop and 390 px wide), and the approval erases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.browser.test_casework import _sign_in
from tests.browser.test_sign_in import _check
from tests.vawg_site.casework_world import World, world_build

from vawg_site.records import services
from vawg_site.records.models import Person

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db: None) -> World:
    built = world_build()
    Person.objects.update(retention_group=1, next_review_date=dt.date(2020, 1, 1))
    return built


def test_axe_finds_no_violations_on_the_retention_pages(
    offline_page: Any, live_server: Any, world: World
) -> None:
    page = offline_page
    url = live_server.url
    _sign_in(page, url, world, "pp_A", "/workspace/retention/")
    page.wait_for_selector("[data-reviews-due]")
    _check(page, "reviews due")
    page.goto(url + "/workspace/retention/person/sA/")
    _check(page, "a review")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    _check(page, "a review, errors")
    page.check("#decision")
    page.fill("#next_review_date", "2036-01-01")
    page.fill("#reason_text", "the order is still relevant")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner--success")
    _check(page, "a review, recorded")
    review_id = services.retention_erasure_request(
        user=world.users["pp_B"], person_ref="sB", reason_text="no policing purpose left"
    ).pk
    page.goto(url + "/workspace/retention/erasures/")
    page.wait_for_selector("[data-erasures]")
    _check(page, "erasures awaiting approval")
    page.goto(url + f"/workspace/retention/erasures/{review_id}/")
    _check(page, "an erasure request")
    page.check("#answer-refuse")
    page.click("main button[type=submit]")
    page.wait_for_selector("#approval_text-error")
    _check(page, "an erasure request, refused without words")
    page.check("#answer")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner--success")
    _check(page, "erasures, one erased")
    assert not Person.objects.filter(person_ref="sB").exists()
