"""The dashboard, maps and commitment pages in Debian chromium: axe-core WCAG 2.2 A/AA, maps drawn
with no CSP violation and no request off this machine, a keyboard-only journey from the home page
to a CSV of the map's table, pages working with JavaScript off, and phone screenshots."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from tests.browser.test_public_pages import MOBILE, _axe_violations, _tab_to
from tests.vawg_site.placing import placed

from vawg_site.common import geography
from vawg_site.opendata.models import StopSearch, StreetCrime, VawgCount

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

PAGES = [
    "/data/",
    "/data/?borough=Camden&start=2023-06&end=2024-05",
    "/data/?group=Rape&borough=Camden",  # the error state
    "/data/maps/wards/",
    "/data/maps/street/",
    "/data/coverage/",
    "/commitments/1/",
    "/commitments/2/",
    "/commitments/3/",
    "/commitments/4/",
    "/commitments/5/",
    "/commitments/6/",
    "/commitments/7/",
    "/commitments/8/",
    "/commitments/9/",
    "/commitments/10/",
    "/api/docs",  # the open-data API's reference, a public page like the others
]


@pytest.fixture
def data_pages(transactional_db: None, real_data_dir: Path) -> None:
    geography.cache_clear()
    rows = []
    for year in (2023, 2024):
        for month in range(1, 13):
            m = date(year, month, 1)
            for code, ward, count in (
                ("E05013658", "Belsize", 60),
                ("E05013660", "Camden Town", 90),
            ):
                rows.append(
                    VawgCount(
                        natural_key=uuid4().hex,
                        measure="offences",
                        sheet="location",
                        month=m,
                        borough="Camden",
                        ward_name=ward,
                        ward_code=code,
                        count=count,
                    )
                )
            rows.append(
                VawgCount(
                    natural_key=uuid4().hex,
                    measure="offences",
                    sheet="classification",
                    month=m,
                    offence_group="Rape",
                    count=20,
                )
            )
            rows.append(
                VawgCount(
                    natural_key=uuid4().hex,
                    measure="victims",
                    sheet="age",
                    month=m,
                    age_group="Aged 20 to 29 years",
                    count=70,
                )
            )
    VawgCount.objects.bulk_create(rows)
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    month=date(2017, 1 + i % 3, 1),
                    category="violent-crime",
                    longitude=-0.14 + (i % 7) * 0.01,
                    latitude=51.52 + (i % 5) * 0.01,
                    location=f"On or near Street {i % 7}",
                    lsoa_name="Camden 001A",
                    source="api",
                )
                for i in range(200)
            ]
        )
    )
    StopSearch.objects.bulk_create(
        StopSearch(
            search_key=uuid4().hex,
            force="metropolitan",
            search_type="Person search",
            searched_at=datetime(2024, 1 + i % 12, 10, tzinfo=UTC),
            month=date(2024, 1 + i % 12, 1),
            gender=("Female", "Male", "")[i % 3],
            age_range=("10-17", "18-24", "over 34")[i % 3],
            outcome=("A no further action disposal", "Arrest")[i % 2],
            removal_of_clothing=i % 5 == 0,
        )
        for i in range(60)
    )


def _watch(page: Any) -> list[str]:
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return problems


@pytest.mark.usefixtures("data_pages")
@pytest.mark.parametrize("path", PAGES)
def test_axe_and_csp_on_data_pages(offline_page: Any, live_server: Any, path: str) -> None:
    page = offline_page
    problems = _watch(page)
    page.goto(live_server.url + path)
    page.wait_for_selector(".govuk-exit-this-page__indicator", state="attached")
    if "/maps/" in path:
        page.wait_for_selector("[data-vawg-map-ready]", timeout=15000)
        assert page.locator(".leaflet-interactive").count() > 0
    assert _axe_violations(page) == []
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []
    assert all(u.startswith(live_server.url) for u in page.traffic.urls)


@pytest.mark.usefixtures("data_pages")
def test_keyboard_journey_dashboard_map_table_csv(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.goto(live_server.url + "/")
    _tab_to(page, "a[href='/data/']", limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, "#id_borough")
    page.keyboard.type("Camden")
    _tab_to(page, "button[type=submit]", limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "borough=Camden" in page.url
    _tab_to(page, "a[href='/data/maps/wards/']", limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("[data-vawg-map-ready]", timeout=15000)
    _tab_to(page, "#vawg-map", limit=40)
    page.keyboard.press("ArrowDown")  # Leaflet's keyboard panning
    _tab_to(page, "a[href*='format=csv']", limit=400)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == len(geography.force_wards())  # the force area's wards, no City ward
    assert {r["ward_code"]: r["offences"] for r in rows}["E05013660"] == "1080"


@pytest.mark.usefixtures("data_pages")
def test_pages_work_without_javascript(no_js_page: Any, live_server: Any) -> None:
    page = no_js_page
    page.goto(live_server.url + "/data/")
    page.select_option("#id_borough", "Camden")
    page.click("button:has-text('Show figures')")
    page.select_option("#id_ward", "E05013658")
    page.click("button:has-text('Show figures')")
    assert "Belsize ward, Camden" in page.inner_text("#results")
    page.goto(live_server.url + "/data/maps/wards/")
    assert page.is_visible("text=The map needs JavaScript")
    page.select_option("#id_hotspot", "hot")
    page.click("button:has-text('Show wards')")
    assert "hotspot=hot" in page.url
    assert page.locator("#table-wards").is_visible()


@pytest.mark.usefixtures("data_pages")
def test_phone_screenshots_and_weight(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size(MOBILE)
    for name, path in (
        ("dashboard", "/data/"),
        ("ward-map", "/data/maps/wards/"),
        ("street-map", "/data/maps/street/"),
        ("commitment-8", "/commitments/8/"),
    ):
        page.goto(live_server.url + path)
        if "maps" in path:
            page.wait_for_selector("[data-vawg-map-ready]", timeout=15000)
        page.screenshot(path=f"/tmp/vawg-{name}-375.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"], path


def test_api_docs_fit_a_phone(offline_page: Any, live_server: Any, real_data_dir: Path) -> None:
    """The API reference at 390 px: no horizontal scroll of the page (wide tables scroll inside
    their own region, long addresses wrap)."""
    offline_page.set_viewport_size({"width": 390, "height": 844})
    offline_page.goto(live_server.url + "/api/docs")
    width = offline_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert offline_page.locator(".vawg-table-scroll").count() > 0


WIDE_TABLES = """() => [...document.querySelectorAll('.vawg-table-scroll')]
  .filter(region => region.scrollWidth > region.clientWidth + 1)
  .map(region => region.querySelector('table').id)"""
"""The table regions whose table is wider than the region: a column hidden behind a scroll."""


@pytest.mark.usefixtures("data_pages")
def test_no_table_column_is_clipped_at_desktop_width(offline_page: Any, live_server: Any) -> None:
    """At 1280 px every table of the dashboard, the borough page and the ward map fits its page
    (the ward map's eight columns had the last one cut off at 1,001 px of a 960 px page); at
    390 px the pages themselves never scroll sideways (tables scroll in their own region)."""
    page = offline_page
    paths = [
        "/data/?borough=Camden",
        "/data/",
        "/data/boroughs/?borough=Camden",
        "/data/maps/wards/",
    ]
    page.set_viewport_size({"width": 1280, "height": 900})
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator(".vawg-table-scroll").count() > 0, path
        assert page.evaluate(WIDE_TABLES) == [], path
    page.set_viewport_size({"width": 390, "height": 844})
    for path in paths[:3]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path


@pytest.mark.usefixtures("data_pages")
def test_coverage_page_by_keyboard_without_javascript_on_a_phone(
    no_js_page: Any, live_server: Any
) -> None:
    """The coverage page is reached from the dashboard by keyboard alone, with JavaScript off, at
    390 px, and says per source which of the force area's boroughs its data covers."""
    page = no_js_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/data/")
    _tab_to(page, "a[href='/data/coverage/']", limit=400)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == live_server.url + "/data/coverage/"
    text = page.inner_text("main")
    assert "of 32 boroughs" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
