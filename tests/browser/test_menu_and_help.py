"""The site menu, the home page's first screen and the help page in Debian chromium: axe-core
WCAG 2.2 A/AA, the menu reached and walked by keyboard, working with JavaScript off, no sideways
scrolling at 390 px, and the help page listing the services declared in vawg.help_services."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.test_public_pages import _axe_violations, _tab_to

from vawg.help_services import HAVENS, LONDON_SERVICES, NATIONAL_SERVICES

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
PAGES = ["/", "/staying-safe-online/", "/exit-this-page/"]
MENU = ["Home", "Data", "Find your area", "Maps", "Our commitments", "Help and support"]
SHOTS = "/tmp/vawg-menu-{name}-390.png"


def _menu_links(page: Any) -> list[str]:
    return [t.strip() for t in page.locator("#site-menu a").all_inner_texts()]


def _no_sideways_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def _on_first_screen(page: Any, selector: str) -> bool:
    """``selector`` matches a visible element wholly inside the first screen of the page."""
    return bool(
        page.evaluate(
            """s => [...document.querySelectorAll(s)].some(el => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight
                    && getComputedStyle(el).visibility !== 'hidden';
            })""",
            selector,
        )
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [390, 1280])
def test_axe_with_the_menu(offline_page: Any, live_server: Any, path: str, width: int) -> None:
    page = offline_page
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server.url + path)
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    assert _menu_links(page) == MENU
    assert _axe_violations(page) == []
    if width == 390:
        # Menu closed and opened: the open list is checked too.
        page.click(".govuk-service-navigation__toggle")
        assert page.is_visible("#site-menu")
        assert _axe_violations(page) == []
        assert _no_sideways_scroll(page), path
        page.screenshot(path=SHOTS.format(name=path.strip("/") or "home"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_menu_marks_the_section_shown(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    for path, label in (("/", "Home"), ("/staying-safe-online/", "Help and support")):
        page.goto(live_server.url + path)
        current = page.locator("#site-menu a[aria-current='page']")
        assert current.count() == 1
        assert current.inner_text().strip() == label
    page.goto(live_server.url + "/accessibility/")
    assert page.locator("#site-menu a[aria-current]").count() == 0


@pytest.mark.django_db(transaction=True)
def test_keyboard_reaches_the_menu_and_walks_it(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Exit this page"
    # On a phone the menu is closed behind its button; Enter opens it, Tab walks its links.
    _tab_to(page, ".govuk-service-navigation__toggle", limit=5)
    assert page.get_attribute(".govuk-service-navigation__toggle", "aria-expanded") == "false"
    assert not page.is_visible("#site-menu")
    page.keyboard.press("Enter")
    assert page.get_attribute(".govuk-service-navigation__toggle", "aria-expanded") == "true"
    walked = []
    for _ in MENU:
        page.keyboard.press("Tab")
        walked.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert walked == MENU
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("Camden")
    with page.expect_request(lambda r: "/search/?q=Camden" in r.url):
        page.keyboard.press("Enter")


@pytest.mark.django_db(transaction=True)
def test_keyboard_follows_a_menu_link_on_a_desktop(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/accessibility/")
    assert not page.is_visible(".govuk-service-navigation__toggle")
    _tab_to(page, "#site-menu a[href^='/staying-safe-online/']", limit=12)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/staying-safe-online/#where-to-get-help")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", PAGES)
def test_menu_and_pages_without_javascript(no_js_page: Any, live_server: Any, path: str) -> None:
    page = no_js_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    # No button to press: every link and the search box show.
    assert not page.is_visible(".govuk-service-navigation__toggle")
    menu = page.locator("#site-menu")
    assert [menu.get_by_role("link", name=label, exact=True).is_visible() for label in MENU] == [
        True
    ] * len(MENU)
    assert page.is_visible("#site-search")
    assert page.is_visible(".govuk-exit-this-page__button")
    assert _no_sideways_scroll(page)
    page.fill("#site-search", "SE5 9RS")
    with page.expect_request(lambda r: "/search/?q=SE5+9RS" in r.url):
        page.click(".vawg-nav__search button")


@pytest.mark.django_db(transaction=True)
def test_the_home_page_routes_are_on_a_phones_first_screen(
    offline_page: Any, live_server: Any
) -> None:
    page = offline_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    assert _on_first_screen(page, ".vawg-routes a[href='/data/']")
    assert _on_first_screen(page, "#home-search")
    assert _on_first_screen(page, ".vawg-routes a[href^='/staying-safe-online/']")
    assert _on_first_screen(page, ".govuk-exit-this-page__button")
    assert _no_sideways_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_the_home_page_routes_without_javascript(no_js_page: Any, live_server: Any) -> None:
    # Without JavaScript the open menu comes first; its links are the same routes, so the data,
    # the area search and help are still on the first screen.
    page = no_js_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/")
    assert _on_first_screen(page, "a[href='/data/']")
    assert _on_first_screen(page, "#site-search")
    assert _on_first_screen(page, "a[href^='/staying-safe-online/']")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/staying-safe-online/", "/exit-this-page/"])
def test_help_pages_list_the_declared_services(
    offline_page: Any, live_server: Any, path: str
) -> None:
    page = offline_page
    page.goto(live_server.url + path)
    shown = page.locator("[data-help-service]")
    names = [shown.nth(i).get_attribute("data-help-service") for i in range(shown.count())]
    expected = [s.name for s in (*LONDON_SERVICES, *NATIONAL_SERVICES) if s.phone != "999"]
    assert sorted(names) == sorted(expected)
    for haven in HAVENS:
        row = page.locator(f'[data-help-service="{haven.name}"]')
        assert haven.address is not None
        assert haven.address in row.inner_text()
        # One number for all three is given once, above them; otherwise in each row.
        assert page.locator(f"a[href='tel:{haven.tel}']").first.is_visible()
    for service in NATIONAL_SERVICES:
        if service.phone:
            assert page.locator(f"a[href='tel:{service.tel}']").count() >= 1, service.name
        assert service.site in page.inner_text("main"), service.name
    assert "press 55" in page.inner_text("[data-help-emergency]")
    assert "call log" in page.inner_text("main")
    # The titles stay neutral: nothing in the tab names abuse or assault.
    assert not any(w in page.title().lower() for w in ("abuse", "rape", "assault", "violence"))


@pytest.mark.django_db(transaction=True)
def test_no_sideways_scroll_from_small_phone_to_desktop(
    offline_page: Any, live_server: Any
) -> None:
    page = offline_page
    for width in (320, 390, 641, 768, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("/", "/staying-safe-online/"):
            page.goto(live_server.url + path)
            assert _no_sideways_scroll(page), (width, path)
