"""The public pages in a real browser (Debian chromium): axe-core finds no WCAG 2.2 A/AA
violations, Shift three times leaves, the filter works without JavaScript and by keyboard alone,
and the pages lay out on a phone."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PUBLIC_PATHS = [
    "/",
    "/data/boroughs/",
    "/data/boroughs/?borough=Camden&start=2023-01&end=2024-12",
    "/data/boroughs/?start=2024-12&end=2023-01",  # the error state
    "/exit-this-page/",
    "/staying-safe-online/",
    "/accessibility/",
    "/how-we-use-data/",
    "/no-such-page/",
]
MOBILE = {"width": 375, "height": 812}
SCREENSHOTS = Path("/tmp")


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    # Loaded from our own static files, so the page's CSP stays on while axe runs.
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


@pytest.mark.usefixtures("borough_counts")
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_axe_finds_no_violations(offline_page: Any, live_server: Any, path: str) -> None:
    page = offline_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + path)
    # govuk-frontend ran under the CSP: the body class is set and Exit this page is live.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    assert _axe_violations(page) == []
    # No CSP refusals or script errors; the error pages' own 4xx status is logged and expected.
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []


@pytest.mark.usefixtures("borough_counts")
def test_axe_on_a_phone(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(MOBILE)
    for path in ("/", "/data/boroughs/"):
        page.goto(live_server.url + path)
        assert _axe_violations(page) == [], path


def _assert_left_through_exit_view(page: Any) -> None:
    """The page went to /exit, which sent the 302 to the neutral site, and then the stand-in."""
    assert page.wait_for_selector("text=Stand-in for the exit site")
    [response] = page.traffic.exits
    assert response.status == 302
    assert response.headers["location"] == settings.VAWG_EXIT_URL
    assert response.headers["clear-site-data"] == '"cache", "cookies", "storage"'
    assert "no-store" in response.headers["cache-control"]


@pytest.mark.django_db(transaction=True)
def test_shift_three_times_exits(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.goto(live_server.url + "/accessibility/")
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    for _ in range(3):
        page.keyboard.press("Shift")
    _assert_left_through_exit_view(page)
    assert page.url == live_server.url + "/exit"


@pytest.mark.django_db(transaction=True)
def test_two_shifts_do_not_exit(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.goto(live_server.url + "/accessibility/")
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.traffic.exits == []
    assert page.url == live_server.url + "/accessibility/"


@pytest.mark.django_db(transaction=True)
def test_exit_button_without_javascript(no_js_page: Any, live_server: Any) -> None:
    page = no_js_page
    page.goto(live_server.url + "/")
    page.click(".govuk-exit-this-page__button")
    _assert_left_through_exit_view(page)


@pytest.mark.usefixtures("borough_counts")
def test_filter_works_without_javascript(no_js_page: Any, live_server: Any) -> None:
    page = no_js_page
    page.goto(live_server.url + "/data/boroughs/")
    page.select_option("#id_borough", "Barnet")
    page.select_option("#id_start", "2024-01")
    page.select_option("#id_end", "2024-06")
    page.click("button:has-text('Show figures')")
    page.wait_for_url("**/data/boroughs/?borough=Barnet*")
    assert page.inner_text("#results").startswith("Barnet")
    cells = page.locator("#figures td[data-month]")
    assert cells.count() == 6
    assert page.locator("#figures caption").inner_text().startswith("VAWG offences")
    # Barnet, March 2024: base 250 + 10 * (26 % 6) = 270, split 0.6/0.4 and stepped by 0.8.
    assert page.inner_text("#figures td[data-month='2024-03']") == str(
        round(270 * 0.6 * 0.8) + round(270 * 0.4 * 0.8)
    )


def _tab_to(page: Any, selector: str, limit: int = 60) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"could not reach {selector} with Tab")


def _focus_is_visible(page: Any) -> bool:
    """The focused element's centre is not covered by anything else (WCAG 2.2 SC 2.4.11)."""
    return page.evaluate(
        """() => {
        const el = document.activeElement;
        // The first line box: a link that wraps has gaps inside its bounding box.
        const box = el.getClientRects()[0];
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        if (y < 0 || y > window.innerHeight) return false;
        const top = document.elementFromPoint(x, y);
        return top === el || el.contains(top);
    }"""
    )


@pytest.mark.usefixtures("borough_counts")
def test_keyboard_only_journey(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(MOBILE)
    page.goto(live_server.url + "/data/boroughs/")
    # The first two stops are the skip link and the secondary Exit this page link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Exit this page"

    _tab_to(page, "#id_borough")
    assert _focus_is_visible(page)
    page.keyboard.type("Camden")
    assert page.input_value("#id_borough") == "Camden"
    _tab_to(page, "button[type=submit]", limit=5)
    assert _focus_is_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "borough=Camden" in page.url
    assert page.inner_text("#results").startswith("Camden")

    _tab_to(page, "a[href*='format=csv']")
    assert _focus_is_visible(page)
    link_y = page.evaluate("document.activeElement.getBoundingClientRect().top + scrollY")
    table_y = page.evaluate(
        "document.getElementById('figures').getBoundingClientRect().top + scrollY"
    )
    assert table_y < link_y, "the table comes before the download link"
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    text = Path(download_info.value.path()).read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    shown = {
        cell.get_attribute("data-month"): int(cell.inner_text().replace(",", ""))
        for cell in page.locator("#figures td[data-month]").all()
    }
    assert {r["month"]: int(r["offences"]) for r in rows} == shown
    assert {r["area"] for r in rows} == {"Camden"}


@pytest.mark.usefixtures("borough_counts")
def test_phone_screenshots(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(MOBILE)
    for name, path in (("home", "/"), ("boroughs", "/data/boroughs/?borough=Camden")):
        page.goto(live_server.url + path)
        page.screenshot(path=str(SCREENSHOTS / f"vawg-{name}-375.png"), full_page=True)
        # Nothing is wider than the screen: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
