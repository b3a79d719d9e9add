"""The open-data API: endpoints, errors, caching headers, paging, provenance, downloads, and that
no response carries a point location for force-derived data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from vawg.disclosure import RULE_NAME
from vawg_site.common import geography
from vawg_site.records.models import Crime

pytestmark = pytest.mark.django_db

CAMDEN = "E09000007"
BELSIZE = "E05013652"


def _get(client: Client, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.json() if "json" in response["Content-Type"] else response


# --- areas ------------------------------------------------------------------------------------


def test_boroughs_are_listed_with_codes_and_paged(client: Client, real_data_dir: Any) -> None:
    body = _get(client, "/api/v1/areas/boroughs?limit=10&offset=0")
    assert body["page"] == {"count": 33, "limit": 10, "offset": 0, "next_offset": 10}
    assert {"code", "name"} <= set(body["results"][0])
    last = _get(client, "/api/v1/areas/boroughs?limit=10&offset=30")
    assert last["page"]["next_offset"] is None
    assert len(last["results"]) == 3


def test_a_borough_has_its_wards(client: Client, real_data_dir: Any) -> None:
    body = _get(client, f"/api/v1/areas/{CAMDEN}")
    assert body["area"]["name"] == "Camden"
    assert BELSIZE in {w["code"] for w in body["wards"]}


def test_unknown_area_is_a_404_with_a_message(client: Client, real_data_dir: Any) -> None:
    body = _get(client, "/api/v1/areas/E09999999", status=404)
    assert "E09999999" in body["detail"]
    assert "E09999999" in _get(client, "/api/v1/vawg/location?area=E09999999", 404)["detail"]


def test_limit_has_a_maximum(client: Client) -> None:
    body = _get(client, "/api/v1/areas/boroughs?limit=5000", status=400)
    assert "limit" in body["detail"]


def test_area_downloads(client: Client, real_data_dir: Any) -> None:
    response = _get(client, f"/api/v1/areas/wards.csv?borough={CAMDEN}")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert all(r["borough_code"] == CAMDEN for r in rows)
    doc = _get(client, "/api/v1/areas/boroughs.geojson")
    assert doc["type"] == "FeatureCollection"
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0][0]
    assert -1 < lon < 1
    assert 51 < lat < 52


# --- the Met's counts -------------------------------------------------------------------------


def test_borough_counts_are_as_published(
    client: Client, published: None, real_data_dir: Any
) -> None:
    body = _get(client, "/api/v1/vawg/location?month_from=2024-01&month_to=2024-01")
    by_name = {r["area_name"]: r for r in body["results"]}
    assert by_name["Camden"]["count"] == 31 + 5  # the ward and an unmatched ward, not rounded
    assert by_name["Camden"]["area_code"] == CAMDEN
    assert "Other" not in by_name
    assert body["provenance"]["disclosure"].startswith("published by its owner")
    assert body["sheet"] == "location"


def test_ward_counts_for_a_borough(client: Client, published: None, real_data_dir: Any) -> None:
    body = _get(client, f"/api/v1/vawg/location?level=ward&area={CAMDEN}")
    assert {r["area_code"] for r in body["results"]} == {BELSIZE}
    assert [r["count"] for r in body["results"]] == [30, 31, 32, 33]


def test_the_change_of_recording_system_is_marked(client: Client, published: None) -> None:
    body = _get(client, "/api/v1/vawg/location?month_from=2024-01&month_to=2024-03")
    assert any("CONNECT" in c for c in body["provenance"]["caveats"])
    systems = {r["month"]: r["recording_system"] for r in body["results"]}
    assert systems == {"2024-01": "CRIS", "2024-02": "CRIS and CONNECT", "2024-03": "CONNECT"}
    earlier = _get(client, "/api/v1/vawg/location?month_from=2020-01&month_to=2020-06")
    assert earlier["provenance"]["caveats"] == []


def test_sheets_are_kept_apart(client: Client, published: None) -> None:
    age = _get(client, "/api/v1/vawg/victims/age-groups")
    eth = _get(client, "/api/v1/vawg/victims/ethnic-groups")
    groups = _get(client, "/api/v1/vawg/offence-groups?group=Rape")
    assert {r["count"] for r in age["results"]} == {12}
    assert {r["count"] for r in eth["results"]} == {9}  # published small counts shown as is
    assert {r["group"] for r in groups["results"]} == {"Rape"}
    assert (age["sheet"], eth["sheet"], groups["sheet"]) == ("age", "ethnicity", "classification")


@pytest.mark.parametrize(
    "query",
    [
        "month_from=2024-13",
        "month_from=24-01",
        "month_to=2024-1",
        "month_from=2024-03&month_to=2024-01",
    ],
)
def test_bad_months_are_a_400_with_a_message(client: Client, query: str) -> None:
    body = _get(client, f"/api/v1/vawg/location?{query}", status=400)
    assert "month" in body["detail"]


def test_months_and_categories(client: Client, published: None) -> None:
    months = {(m["source"], m["measure"]): m for m in _get(client, "/api/v1/months")["results"]}
    assert months[("mps-vawg", "offences")]["first"] == "2023-12"
    # Without the boundary files no street record can be placed in the force area, so none is
    # counted (the coverage page says the boundaries are missing).
    expected_last = "2023-03" if geography.geo_available() else None
    assert months[("police-uk", "crimes")]["last"] == expected_last
    cats = _get(client, "/api/v1/categories")
    assert {"slug": "violent-crime", "label": "Violence and sexual offences"} in cats["police_uk"]
    assert cats["age_groups"] == ["Aged 20 to 29 years"]


# --- caching ----------------------------------------------------------------------------------


def test_caching_headers_and_conditional_get(client: Client, published: None) -> None:
    response = client.get("/api/v1/vawg/offence-groups")
    assert "public" in response["Cache-Control"]
    assert re.search(r"max-age=\d+", response["Cache-Control"])
    etag = response["ETag"]
    again = client.get("/api/v1/vawg/offence-groups", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_gzip_for_clients_that_accept_it(client: Client, published: None) -> None:
    import gzip

    url = "/api/v1/vawg/offence-groups"
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    assert zipped["ETag"] != plain["ETag"]  # another representation, another strong ETag
    cached = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]})
    assert cached.status_code == 304


# --- police.uk --------------------------------------------------------------------------------


def test_street_counts_by_lsoa_and_grid_never_points(
    client: Client, published: None, real_data_dir: Any
) -> None:
    lsoa = _get(client, "/api/v1/police-uk/lsoa?category=violent-crime&limit=1000")
    assert sum(r["count"] for r in lsoa["results"]) == 90
    assert any("proxy" in c for c in lsoa["provenance"]["caveats"])
    grid = _get(client, "/api/v1/police-uk/grid?category=violent-crime&cell_size_m=500")
    assert sum(r["count"] for r in grid["results"]) == 90
    for r in grid["results"]:
        assert (r["x"] - 250) % 500 == 0
        assert (r["y"] - 250) % 500 == 0
    assert "latitude" not in json.dumps(lsoa) + json.dumps(grid)


# --- hotspots ---------------------------------------------------------------------------------


def test_ward_hotspots(client: Client, published: None, real_data_dir: Any) -> None:
    body = _get(client, "/api/v1/hotspots/wards?limit=1000")
    force_wards = {w.code for w in geography.force_wards()}
    assert body["page"]["count"] == len(force_wards)  # the force area's wards: no City ward
    assert {r["area_code"] for r in body["results"]} == force_wards
    assert body["method"]["description"] == "Getis-Ord Gi*, conditional permutations, BH FDR"
    assert body["method"]["excess"]["rate"] > 0
    assert body["method"]["months"] == ["2023-12", "2024-01", "2024-02", "2024-03"]
    belsize = next(r for r in body["results"] if r["area_code"] == BELSIZE)
    assert belsize["count"] == 30 + 31 + 32 + 33
    assert belsize["hotspot_class"].startswith(("hot", "not", "cold"))
    doc = _get(client, "/api/v1/hotspots/wards.geojson")
    assert len(doc["features"]) == len(force_wards)
    csv_text = _get(client, "/api/v1/hotspots/wards.csv").content.decode()
    assert csv_text.startswith(
        "area_code,area_name,count,score,z,p,q,class,trend,"
        "expected,ratio,excess_p,excess_q,excess_class"
    )
    assert belsize["expected"] > 0
    assert belsize["ratio"] == pytest.approx(belsize["count"] / belsize["expected"])
    # The score is the period's density, the classes those of the ward map: one analysis.
    assert body["method"]["score"] == "counts"
    assert belsize["score"] > 0
    page = client.get("/data/maps/wards/data.json", {"start": "2023-12", "end": "2024-03"})
    on_map = page.json()["wards"]
    assert {r["area_code"]: r["hotspot_class"] for r in body["results"]} == {
        code: row[6] for code, row in on_map.items()
    }
    assert {r["area_code"]: r["excess_class"] for r in body["results"]} == {
        code: row[2] for code, row in on_map.items()
    }


def test_ward_hotspots_without_the_boundaries_are_empty_not_an_error(
    client: Client, published: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path))  # no geo/ folder in it
    body = _get(client, "/api/v1/hotspots/wards")
    assert body["page"]["count"] == 0
    assert body["results"] == []


def test_grid_hotspots_are_a_labelled_proxy(
    client: Client, published: None, real_data_dir: Any
) -> None:
    body = _get(client, "/api/v1/hotspots/grid?cell_size_m=2000&limit=1000")
    assert "proxy" in body["label"]
    assert sum(r["count"] for r in body["results"]) == 90
    doc = _get(client, "/api/v1/hotspots/grid.geojson?cell_size_m=2000")
    assert {f["geometry"]["type"] for f in doc["features"]} == {"Polygon"}


# --- force-derived tables ---------------------------------------------------------------------


POINT_KEYS = {"latitude", "longitude", "lat", "lon", "lng", "easting", "northing", "x", "y"}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_force_table_goes_through_disclosure_control(client: Client, force: None) -> None:
    body = _get(client, "/api/v1/force/vawg-crimes/by-group-month")
    assert body["disclosure"]["rule"] == RULE_NAME
    assert body["provenance"]["disclosure"] == RULE_NAME
    assert body["months"] == [f"2024-{m:02d}" for m in range(1, 13)]  # the whole year, always
    rape = next(r for r in body["rows"] if r["group"] == "rape")
    # 26 rapes, 13 in each of January and February, and 14 stalking crimes, 7 in each; every
    # other cell is 0. Showing the 13s with the month totals (20, 20) would give away the 7s.
    assert rape["counts"] == [None] * 12
    assert rape["total"] == 25  # 26, rounded
    assert body["grand_total"] == 40
    for row in body["rows"]:
        for value, status in zip(row["counts"], row["status"], strict=True):
            assert (value is None) == (status != "published")
            assert value is None or (value >= 10 and value % 5 == 0)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("year=2024", 200),
        ("month_from=2024-01&month_to=2024-12", 200),
        ("month_from=2024-01&month_to=2024-06", 400),
        ("month_from=2024-02", 400),
        ("month_from=2023-01&month_to=2024-12", 400),
        ("year=2023", 404),
        ("year=2024&month_from=2025-01&month_to=2025-12", 400),
    ],
)
def test_force_tables_are_published_for_whole_calendar_years_only(
    client: Client, force: None, query: str, status: int
) -> None:
    for path in ("by-group-month", "grid"):
        response = client.get(f"/api/v1/force/vawg-crimes/{path}?{query}")
        assert response.status_code == status, (path, query, response.content)


def test_force_grid_has_one_cell_size(client: Client, force: None) -> None:
    assert client.get("/api/v1/force/vawg-crimes/grid?cell_size_m=1000").status_code == 200
    for size in (500, 1500, 2000):
        response = client.get(f"/api/v1/force/vawg-crimes/grid?cell_size_m={size}")
        assert response.status_code == 400, size


def test_a_force_year_not_covered_whole_is_not_published(client: Client, db: None) -> None:
    Crime.objects.create(crime_ref="c", recorded_date=date(2024, 3, 1), offence_code="19C")
    response = client.get("/api/v1/force/vawg-crimes/by-group-month")
    assert response.status_code == 404
    assert "covered whole" in response.json()["detail"]


def test_force_grid_cells_are_squares_not_points(client: Client, force: None) -> None:
    body = _get(client, "/api/v1/force/vawg-crimes/grid?cell_size_m=1000")
    assert body["results"], body
    for cell in body["results"]:
        assert cell["rule"] == RULE_NAME
        if cell["x_min"] is None:  # the last row: crimes with no square
            continue
        assert cell["x_min"] % 1000 == 0
        assert cell["y_min"] % 1000 == 0
        assert cell["count"] is None or cell["count"] >= 10


@pytest.mark.parametrize(
    "url",
    ["/api/v1/force/vawg-crimes/by-group-month", "/api/v1/force/vawg-crimes/grid?limit=1000"],
)
def test_no_point_coordinates_in_force_derived_responses(
    client: Client, force: None, url: str
) -> None:
    body = _get(client, url)
    assert not (_keys(body) & POINT_KEYS)
    text = json.dumps(body)
    for crime_easting in ("529100", "529101", "185200", "185201"):
        assert crime_easting not in text  # no crime's own coordinate appears anywhere
    assert '"Point"' not in text


# --- the docs page ----------------------------------------------------------------------------


def test_docs_page_is_server_rendered_with_no_third_party_assets(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/hotspots/wards" in html
    assert "openapi.json" in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "<script>" not in html


def test_openapi_schema_is_served(client: Client) -> None:
    schema = _get(client, "/api/openapi.json")
    assert schema["info"]["title"] == "VAWG open data API"
    assert "/api/v1/vawg/location" in schema["paths"]


def test_schema_and_docs_are_built_once_and_kept(client: Client) -> None:
    from unittest import mock

    from vawg_site.api.api import api

    with mock.patch.object(api, "get_openapi_schema", wraps=api.get_openapi_schema) as built:
        first = client.get("/api/openapi.json")
        again = client.get("/api/openapi.json")
        docs = client.get("/api/docs")
        client.get("/api/docs")
    assert built.call_count == 2  # once for the schema, once for the docs page
    assert again.content == first.content
    assert "no-cache" in again["Cache-Control"]
    assert "no-cache" in docs["Cache-Control"]
    assert "max-age" not in docs["Cache-Control"]
    assert "Content-Security-Policy" in docs
    assert client.get("/api/docs", headers={"If-None-Match": docs["ETag"]}).status_code == 304


def test_implausible_stored_months_change_no_answer(
    client: Client, published: None, real_data_dir: Any
) -> None:
    """Rows written by hand with months the readers refuse (year 1, year 9999 and, on SQLite,
    the text ``-001-01-01``) leave the month list and the grid hotspots as they were: no 500,
    no new month, the same counts."""
    from django.db import connection

    from vawg_site.common.caching import data_version_forget
    from vawg_site.opendata.models import StreetCrime

    urls = ("/api/v1/months", "/api/v1/hotspots/grid?cell_size_m=1000&limit=1000")
    before = [_get(client, url) for url in urls]
    fields = {"category": "violent-crime", "source": "csv", "longitude": -0.14, "latitude": 51.54}
    for key, month in (("year-1", date(1, 1, 1)), ("year-9999", date(9999, 12, 1))):
        StreetCrime.objects.create(crime_key=key, month=month, **fields)
    if connection.vendor == "sqlite":
        StreetCrime.objects.create(crime_key="minus-1", month=date(2000, 1, 1), **fields)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE opendata_streetcrime SET month = '-001-01-01' WHERE crime_key = 'minus-1'"
            )
    data_version_forget()
    after = [_get(client, url) for url in urls]
    assert after == before
