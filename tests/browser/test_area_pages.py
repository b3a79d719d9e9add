""" "Find your area" in Debian chromium: axe-core WCAG 2.2 A/AA on the search and my-area pages
(at desktop and 390 px wide), a keyboard-only search, the search with JavaScript off, and no
sideways scrolling on a phone."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from tests.browser.test_public_pages import _axe_violations, _focus_is_visible, _tab_to

from vawg.periods import months_back
from vawg_site.common import geography
from vawg_site.opendata.models import VawgCount

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

PHONE = {"width": 390, "height": 844}
CAMDEN, BELSIZE = "E09000007", "E05013652"
PAGES = [
    "/search/",
    "/search/?q=cam",
    "/search/?q=",  # the error state
    "/search/?q=SW1A",  # a partial postcode, postcodes not loaded
    "/search/?q=zzzz",
    f"/area/{CAMDEN}/",
    f"/area/{BELSIZE}/",
    "/area/E09000001/",  # the City of London: another force's area
]


@pytest.fixture
def area_counts(transactional_db: None, real_data_dir: Path) -> None:
    """Eighteen months to June 2025 for two Camden wards (one matched to its 2024 code)."""
    geography.cache_clear()
    rows = []
    for i in range(18):
        month = months_back(date(2025, 6, 1), 17 - i)
        for ward, code, count in (("Belsize", BELSIZE, 40 + i % 5), ("Kilburn", "", 25)):
            rows.append(
                VawgCount(
                    natural_key=uuid4().hex,
                    measure="offences",
                    sheet="location",
                    month=month,
                    committed_month=month,
                    borough="Camden",
                    ward_name=ward,
                    ward_code=code,
                    count=count,
                )
            )
    VawgCount.objects.bulk_create(rows)


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.usefixtures("area_counts")
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations(offline_page: Any, live_server: Any, path: str) -> None:
    page = offline_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    for size in ({"width": 1280, "height": 900}, PHONE):
        page.set_viewport_size(size)
        page.goto(live_server.url + path)
        assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
        page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
        assert _axe_violations(page) == [], (path, size)
        assert _no_sideways_scroll(page), (path, size)
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []
    # Nothing left the machine (cut_network refuses it; none was even asked for).
    assert all(url.startswith(live_server.url) for url in page.traffic.urls)


@pytest.mark.usefixtures("area_counts")
def test_keyboard_only_search(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    _tab_to(page, "#id_q")
    assert _focus_is_visible(page)
    page.keyboard.type("camd")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=camd" in page.url
    _tab_to(page, f"#results ~ ul a[href='/area/{CAMDEN}/']")
    assert _focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/area/{CAMDEN}/"
    assert page.inner_text("h1") == "Camden"
    _tab_to(page, f"a[href='/area/{BELSIZE}/']", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.inner_text("h1") == "Belsize"
    assert _no_sideways_scroll(page)


@pytest.mark.usefixtures("area_counts")
def test_search_without_javascript(no_js_page: Any, live_server: Any) -> None:
    page = no_js_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/search/")
    page.fill("#id_q", "belsize")
    page.click("main button:has-text('Search')")  # not the menu's search box
    page.wait_for_url(f"**/area/{BELSIZE}/")
    assert page.inner_text("h1") == "Belsize"
    # The figures are in the page itself: offences over 12 months and the monthly table.
    assert "over 12 months" in page.inner_text("#figures")
    assert page.locator("#months tbody tr").count() == 12
    assert _no_sideways_scroll(page)
    page.goto(live_server.url + "/search/?q=st+johns+wood")
    assert page.inner_text("h1") == "Abbey Road"  # the place's ward, found by its point
