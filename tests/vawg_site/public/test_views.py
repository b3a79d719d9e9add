"""The public pages: they render, the borough filter works, the CSV is the table, no data is
handled, and errors show nothing of the inside."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

PUBLIC_PAGES = [
    "public:home",
    "public:borough_data",
    "public:exit_this_page",
    "public:staying_safe_online",
    "public:accessibility",
    "public:how_we_use_data",
]


class _TableReader(HTMLParser):
    """Collects the figures table: {month key: offences as shown} and the caption."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, str] = {}
        self._month: str | None = None
        self.caption = ""
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "td" and found.get("data-month"):
            self._month = found["data-month"]
            self.cells[self._month] = ""
        if tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._month = None
        if tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._month is not None:
            self.cells[self._month] += data.strip()
        if self._in_caption:
            self.caption += data


def table_figures(html: str) -> dict[str, int]:
    reader = _TableReader()
    reader.feed(html)
    return {month: int(shown.replace(",", "")) for month, shown in reader.cells.items()}


def borough_url(**query: str) -> str:
    from urllib.parse import urlencode

    return reverse("public:borough_data") + ("?" + urlencode(query) if query else "")


@pytest.mark.django_db
@pytest.mark.parametrize("route", PUBLIC_PAGES)
def test_public_pages_render(client: Client, route: str) -> None:
    response = client.get(reverse(route))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en-GB"' in html
    assert 'id="main-content"' in html
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_home_lists_ten_commitments_and_links_only_to_real_pages(client: Client) -> None:
    html = client.get(reverse("public:home")).content.decode()
    for number in range(1, 11):
        assert f"{number}. " in html
    # Every commitment has a measure now, so each links to its progress page.
    assert html.count("Not built yet") == 0
    assert html.count(f'href="{reverse("public:borough_data")}"') == 3  # commitments 2, 5, 10
    assert html.count('href="/commitments/') == 10
    for pillar in ("Trust and confidence", "Relentless pursuit of perpetrators", "Safer spaces"):
        assert pillar in html


@pytest.mark.usefixtures("small_counts")
def test_borough_filter_shows_one_borough(client: Client) -> None:
    response = client.get(borough_url(borough="Camden", start="2024-01", end="2024-03"))
    assert response.status_code == 200
    assert table_figures(response.content.decode()) == {
        "2024-01": 1234,
        "2024-02": 1000,
        "2024-03": 807,
    }


@pytest.mark.usefixtures("small_counts")
def test_all_london_adds_every_borough_including_other(client: Client) -> None:
    response = client.get(borough_url(start="2024-01", end="2024-03"))
    assert table_figures(response.content.decode()) == {
        "2024-01": 1239,
        "2024-02": 1003,
        "2024-03": 2807,
    }


@pytest.mark.usefixtures("small_counts")
def test_period_filter_and_default_period(client: Client) -> None:
    only_2023 = client.get(borough_url(borough="Camden", start="2023-11", end="2023-12"))
    assert table_figures(only_2023.content.decode()) == {"2023-11": 10, "2023-12": 20}
    # The default is the last 36 months of data, which here covers everything.
    default = client.get(borough_url())
    assert set(table_figures(default.content.decode())) == {
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    }


@pytest.mark.usefixtures("small_counts")
def test_table_is_accessible_and_formatted(client: Client) -> None:
    response = client.get(borough_url(borough="Camden", start="2024-01", end="2024-03"))
    html = response.content.decode()
    assert '<table class="govuk-table ' in html
    assert "<caption" in html
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert "govuk-table__cell--numeric" in html
    assert ">1,234<" in html
    assert "Metropolitan Police Service" in html
    assert "London Datastore" in html
    assert "Open Government Licence" in html
    assert "Counts as published" in html


@pytest.mark.usefixtures("small_counts")
def test_chart_marks_change_of_recording_system(client: Client) -> None:
    response = client.get(borough_url(borough="Camden", start="2023-11", end="2024-03"))
    html = response.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert "vawg-chart__marker" in svg
    assert "28 February 2024" in svg
    assert "CONNECT" in html
    assert "CRIS" in html
    before = client.get(borough_url(borough="Camden", start="2023-11", end="2024-01"))
    assert "vawg-chart__marker" not in before.content.decode()


@pytest.mark.usefixtures("small_counts")
def test_csv_is_exactly_the_table(client: Client) -> None:
    query = {"borough": "Camden", "start": "2023-11", "end": "2024-03"}
    table = table_figures(client.get(borough_url(**query)).content.decode())
    response = client.get(borough_url(**query, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "camden" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["area", "month", "offences", "recording_system"]
    assert {r["month"]: int(r["offences"]) for r in rows} == table
    assert {r["area"] for r in rows} == {"Camden"}
    assert [r["recording_system"] for r in rows][-1] == "CONNECT"


@pytest.mark.usefixtures("small_counts")
def test_csv_link_on_page_carries_the_filter(client: Client) -> None:
    response = client.get(borough_url(borough="Barnet", start="2024-01", end="2024-03"))
    html = response.content.decode()
    link = re.search(r'href="(\?[^"]*format=csv[^"]*)"', html)
    assert link is not None
    response = client.get(reverse("public:borough_data") + link.group(1).replace("&amp;", "&"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["month"]: int(r["offences"]) for r in rows} == {"2024-01": 5, "2024-03": 2000}


@pytest.mark.usefixtures("small_counts")
@pytest.mark.parametrize(
    "query",
    [
        {"borough": "Atlantis"},
        {"start": "1999-01"},
        {"start": "2024-03", "end": "2024-01"},
        {"end": "not-a-month"},
    ],
)
def test_bad_filters_are_refused_plainly(client: Client, query: dict[str, str]) -> None:
    response = client.get(borough_url(**query))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "govuk-error-summary" in html
    assert client.get(borough_url(**query, format="csv")).status_code == 400


@pytest.mark.usefixtures("small_counts")
def test_borough_page_is_revalidated_not_kept_for_a_time(client: Client) -> None:
    response = client.get(borough_url())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"private", "no-cache"}
    assert client.get(borough_url(), headers={"If-None-Match": response["ETag"]}).status_code == 304


@pytest.mark.django_db
def test_no_data_says_how_to_load_it(client: Client) -> None:
    response = client.get(borough_url(borough="Camden"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "vawg ingest mps-vawg" in html
    assert "make demo" in html
    assert "<table" not in html


@pytest.mark.django_db
def test_values_from_the_data_are_escaped(client: Client, add_counts) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    add_counts([("<script>alert(1)</script>", "w", date(2024, 1, 1), 1)])
    html = client.get(borough_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_404_shows_no_internals(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Traceback" not in html
    assert "urlpatterns" not in html
    assert "govuk-exit-this-page" in html


@pytest.mark.django_db
def test_500_shows_no_internals(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch(
        "vawg_site.opendata.selectors.met.offence_month_span",
        side_effect=RuntimeError("SELECT secret FROM settings"),
    ):
        response = client.get(reverse("public:borough_data"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    for leak in ("Traceback", "SELECT", "RuntimeError", "SECRET_KEY"):
        assert leak not in html
    assert "govuk-exit-this-page" in html


def test_500_template_needs_no_request() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Exit this page" in response.content
