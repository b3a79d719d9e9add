"""Names on the ward and street maps (vawg/labels.mjs) in Debian chromium: borough names at the
first view, ward names once zoomed in, none overlapping another, none a tab stop, and the table
fallback untouched with JavaScript off."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.browser.test_data_pages import data_pages  # noqa: F401 (the fixture)
from tests.browser.test_public_pages import _axe_violations

from vawg_site.common import geography

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SHOTS = "/tmp/vawg-labels-{name}.png"


def _labels(page: Any) -> list[dict[str, Any]]:
    """Every label drawn: its kind, its text and its box on screen."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('.vawg-label')].map(el => {
                const r = el.querySelector('.vawg-label__text').getBoundingClientRect();
                return {kind: el.classList.contains('vawg-label--ward') ? 'ward' : 'borough',
                        text: el.innerText.replace(/\\n/g, ' ').trim(),
                        hidden: el.getAttribute('aria-hidden'), tab: el.tabIndex,
                        left: r.left, right: r.right, top: r.top, bottom: r.bottom};
            })"""
        )
    )


def _overlapping(labels: list[dict[str, Any]]) -> list[tuple[str, str]]:
    pairs = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if (
                a["left"] < b["right"]
                and b["left"] < a["right"]
                and a["top"] < b["bottom"]
                and b["top"] < a["bottom"]
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def _inside_the_map(page: Any, labels: list[dict[str, Any]]) -> bool:
    box = page.locator("#vawg-map").bounding_box()
    return all(
        box["x"] <= label["left"]
        and label["right"] <= box["x"] + box["width"]
        and box["y"] <= label["top"]
        and label["bottom"] <= box["y"] + box["height"]
        for label in labels
    )


def _names(layer: str) -> set[str]:
    body = geography.outline_geojson(layer=layer)
    assert body is not None
    return {f["properties"]["name"] for f in json.loads(body)["features"]}


def _open_map(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-vawg-map-ready]", timeout=15000)


@pytest.mark.usefixtures("data_pages")
@pytest.mark.parametrize("width", [390, 1280])
def test_ward_map_shows_borough_names_apart(
    offline_page: Any, live_server: Any, width: int
) -> None:
    page = offline_page
    page.set_viewport_size({"width": width, "height": 844})
    _open_map(page, live_server.url + "/data/maps/wards/")
    labels = _labels(page)
    boroughs = _names("boroughs")
    # At London scale only borough names, as many as fit apart: several on a phone, most of
    # London's 33 on a desktop.
    assert {label["kind"] for label in labels} == {"borough"}
    assert {label["text"] for label in labels} <= boroughs
    assert len(labels) >= (4 if width == 390 else 15)
    assert _overlapping(labels) == []
    assert _inside_the_map(page, labels)
    assert all(label["hidden"] == "true" and label["tab"] < 0 for label in labels)
    assert _axe_violations(page) == []
    page.locator("#vawg-map").screenshot(path=SHOTS.format(name=f"wards-{width}"))


@pytest.mark.usefixtures("data_pages")
def test_zooming_in_adds_ward_names(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size({"width": 1280, "height": 900})
    _open_map(page, live_server.url + "/data/maps/wards/")
    page.focus("#vawg-map")
    wards = _names("wards")
    for _ in range(3):
        page.keyboard.press("Equal")  # Leaflet's keyboard zoom-in (+ / =)
        page.wait_for_timeout(600)
    labels = _labels(page)
    ward_labels = [label["text"] for label in labels if label["kind"] == "ward"]
    assert len(ward_labels) >= 5
    assert set(ward_labels) <= wards
    assert _overlapping(labels) == []
    assert _inside_the_map(page, labels)
    page.locator("#vawg-map").screenshot(path=SHOTS.format(name="wards-zoomed-1280"))
    # Back out to London scale: the ward names go again.
    for _ in range(3):
        page.keyboard.press("Minus")
        page.wait_for_timeout(600)
    assert {label["kind"] for label in _labels(page)} == {"borough"}


@pytest.mark.usefixtures("data_pages")
def test_street_map_shows_borough_names(offline_page: Any, live_server: Any) -> None:
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 844})
    _open_map(page, live_server.url + "/data/maps/street/")
    labels = _labels(page)
    assert labels
    assert {label["text"] for label in labels} <= _names("boroughs")
    assert _overlapping(labels) == []
    page.locator("#vawg-map").screenshot(path=SHOTS.format(name="street-390"))


@pytest.mark.usefixtures("data_pages")
def test_no_labels_and_the_table_without_javascript(no_js_page: Any, live_server: Any) -> None:
    page = no_js_page
    page.goto(live_server.url + "/data/maps/wards/")
    assert page.is_visible("text=The map needs JavaScript")
    assert page.locator(".vawg-label").count() == 0
    assert page.locator("#table-wards").is_visible()
