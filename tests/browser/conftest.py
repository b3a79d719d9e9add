"""Browser-test fixtures: published counts visible to the live server, and a page that can never
reach another machine (every request not to the live server is answered locally or refused)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from vawg_site.opendata.models import VawgCount

EXIT_BODY = "<!DOCTYPE html><title>Weather</title><h1>Stand-in for the exit site</h1>"


def _months(first: date, count: int) -> list[date]:
    months, year, month = [], first.year, first.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


@pytest.fixture
def borough_counts(transactional_db: None) -> None:
    """Camden and Barnet, January 2022 to December 2024, with a step down from March 2024."""
    rows = []
    for i, month in enumerate(_months(date(2022, 1, 1), 36)):
        step = 0.8 if month >= date(2024, 3, 1) else 1.0
        for borough, base in (("Camden", 300), ("Barnet", 250)):
            for ward, share in (("North", 0.6), ("South", 0.4)):
                rows.append(
                    VawgCount(
                        natural_key=uuid4().hex,
                        measure=VawgCount.Measure.OFFENCES,
                        sheet=VawgCount.Sheet.LOCATION,
                        borough=borough,
                        ward_name=ward,
                        month=month,
                        committed_month=month,
                        count=round((base + 10 * (i % 6)) * share * step),
                    )
                )
    VawgCount.objects.bulk_create(rows)


@dataclass
class Traffic:
    """What a page asked for: every URL, and the exit view's own responses."""

    urls: list[str] = field(default_factory=list)
    exits: list[Any] = field(default_factory=list)


def cut_network(page: Any, *, server_url: str) -> Traffic:
    """Route every request ``page`` makes so that nothing leaves the machine.

    Requests to the live server are served. The exit view's response (a 302 to the neutral
    site) is recorded and replaced by a local stand-in page: Playwright does not route the hop
    that follows a redirect, so letting the browser follow it would reach the real site. Any
    other request is refused.
    """
    traffic = Traffic()
    exit_path = server_url + "/exit"

    def handle(route: Any) -> None:
        url = route.request.url
        traffic.urls.append(url)
        if url == exit_path:
            traffic.exits.append(route.fetch(max_redirects=0))
            route.fulfill(status=200, content_type="text/html", body=EXIT_BODY)
        elif url.startswith(server_url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", handle)
    return traffic


@pytest.fixture
def offline_page(page: Any, live_server: Any) -> Any:
    """The ``page`` fixture with the network cut (see :func:`cut_network`); the URLs it
    requests are in ``page.traffic``."""
    page.traffic = cut_network(page, server_url=live_server.url)
    return page


@pytest.fixture
def no_js_page(chromium_browser: Any, live_server: Any) -> Iterator[Any]:
    """A page in a context with JavaScript turned off, network cut as for ``offline_page``."""
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.traffic = cut_network(page, server_url=live_server.url)
    yield page
    context.close()
