"""The dashboard: filters by plain GET, CSV equal to the tables, sheets never summed, the change
of recording system marked, and errors shown without a 500."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from vawg_site.opendata.models import VawgCount

pytestmark = pytest.mark.django_db
URL = "/data/"


def _row(**fields: object) -> VawgCount:
    base: dict[str, object] = {"natural_key": uuid4().hex, "committed_month": None}
    return VawgCount(**{**base, **fields})


@pytest.fixture
def published() -> None:
    """2023-01..2024-12 for Camden (two wards) and Barnet, plus the other sheets."""
    rows = []
    for year in (2023, 2024):
        for month in range(1, 13):
            m = date(year, month, 1)
            for measure in ("offences", "victims"):
                rows += [
                    _row(
                        measure=measure,
                        sheet="location",
                        month=m,
                        borough="Camden",
                        ward_name="Ward A",
                        ward_code="E05000001",
                        count=100,
                    ),
                    _row(
                        measure=measure,
                        sheet="location",
                        month=m,
                        borough="Camden",
                        ward_name="Ward B",
                        ward_code="E05000002",
                        count=50,
                    ),
                    _row(
                        measure=measure,
                        sheet="location",
                        month=m,
                        borough="Barnet",
                        ward_name="Ward C",
                        ward_code="E05000003",
                        count=200,
                    ),
                ]
            rows += [
                _row(
                    measure="offences",
                    sheet="classification",
                    month=m,
                    offence_group="Rape",
                    count=30,
                ),
                _row(
                    measure="offences",
                    sheet="classification",
                    month=m,
                    offence_group="Stalking and Harassment",
                    count=320,
                ),
                _row(
                    measure="victims",
                    sheet="age",
                    month=m,
                    age_group="Aged 20 to 29 years",
                    count=200,
                ),
                _row(
                    measure="victims",
                    sheet="age",
                    month=m,
                    age_group="Aged 30 to 39 years",
                    count=150,
                ),
                _row(
                    measure="victims", sheet="ethnicity", month=m, ethnic_group="White", count=190
                ),
                _row(
                    measure="victims", sheet="ethnicity", month=m, ethnic_group="Black", count=160
                ),
            ]
    VawgCount.objects.bulk_create(rows)


def _csv(client: Client, params: dict[str, str], table: str) -> list[dict[str, str]]:
    response = client.get(URL, {**params, "format": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="table-{table}"', 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r'data-cell="([^"]*)"', row) for row in body.split("<tr")[2:]]


@pytest.mark.usefixtures("published")
def test_default_view_and_every_csv_equals_its_table(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    for table in ("trend", "areas", "groups", "age", "ethnicity"):
        rows = _csv(client, {}, table)
        assert [list(r.values()) for r in rows] == _cells(html, table), table
    assert 'role="img"' in html
    assert "<desc" in html


@pytest.mark.usefixtures("published")
def test_borough_and_ward_filters(client: Client) -> None:
    params = {"borough": "Camden", "ward": "E05000002", "start": "2024-01", "end": "2024-03"}
    response = client.get(URL, params)
    assert response.status_code == 200
    trend = _csv(client, params, "trend")
    assert [int(r["offences"]) for r in trend] == [50, 50, 50]
    areas = _csv(client, params, "areas")
    assert {r["ward"]: int(r["offences"]) for r in areas} == {"Ward A": 300, "Ward B": 150}
    assert "Ward B ward, Camden" in response.content.decode()


@pytest.mark.usefixtures("published")
def test_sheets_are_never_summed(client: Client) -> None:
    params = {"start": "2024-01", "end": "2024-01"}
    trend = _csv(client, params, "trend")
    # Location sheet only: 100 + 50 + 200, not the classification (350) or other sheets.
    assert trend[0]["offences"] == "350"
    age = _csv(client, params, "age")
    ethnicity = _csv(client, params, "ethnicity")
    assert sum(int(r["victims"]) for r in age) == 350
    assert sum(int(r["victims"]) for r in ethnicity) == 350
    html = client.get(URL, params).content.decode()
    assert "Do not add them together" in html
    victims = _csv(client, {**params, "measure": "victims"}, "trend")
    assert victims[0]["victims"] == "350"


@pytest.mark.usefixtures("published")
def test_offence_group_filter_and_its_rules(client: Client) -> None:
    trend = _csv(client, {"group": "Rape", "start": "2024-01", "end": "2024-02"}, "trend")
    assert [r["offences"] for r in trend] == ["30", "30"]
    bad = client.get(URL, {"group": "Rape", "borough": "Camden"})
    assert bad.status_code == 400
    assert "for all of London only" in bad.content.decode()
    assert client.get(URL, {"group": "Rape", "measure": "victims"}).status_code == 400


@pytest.mark.usefixtures("published")
def test_comparison_with_a_year_earlier_and_recording_change(client: Client) -> None:
    params = {"start": "2024-01", "end": "2024-06", "compare": "year"}
    html = client.get(URL, params).content.decode()
    trend = _csv(client, params, "trend")
    assert trend[0]["offences_a_year_earlier"] == "350"
    assert trend[0]["recording_system_a_year_earlier"] == "CRIS"
    assert {r["recording_system"] for r in trend} == {"CRIS", "CRIS and CONNECT", "CONNECT"}
    assert "28 February 2024" in html
    assert "CONNECT" in html
    assert 'class="vawg-chart__marker"' in html
    none = _csv(client, {**params, "compare": "none"}, "trend")
    assert "offences_a_year_earlier" not in none[0]


@pytest.mark.usefixtures("published")
def test_form_is_a_plain_get_form_and_bad_input_is_a_400(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert re.search(r'<form method="get" action="/data/"', html)
    assert client.get(URL, {"start": "2024-05", "end": "2024-01"}).status_code == 400
    assert client.get(URL, {"borough": "Nowhere"}).status_code == 400
    assert client.get(URL, {"format": "csv", "table": "nope"}).status_code == 400
    assert client.get(URL, {"format": "csv", "borough": "Nowhere"}).status_code == 400


@pytest.mark.usefixtures("published")
def test_wards_json_for_the_script(client: Client) -> None:
    data = client.get(reverse("public:dashboard_wards"), {"borough": "Camden"}).json()
    assert [w["name"] for w in data["wards"]] == ["Ward A", "Ward B"]
    assert client.get(reverse("public:dashboard_wards"), {"borough": "x"}).json() == {"wards": []}


def test_no_data(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert "No data has been loaded yet" in response.content.decode()
