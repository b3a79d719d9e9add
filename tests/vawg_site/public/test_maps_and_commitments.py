"""Map pages (ward Gi* with rates and caveats; the police.uk proxy grid) and commitment pages
(force measures through disclosure control, synthetic banner, no people or points)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from django.test import Client
from tests.vawg_site.placing import placed

from vawg_site.common import geography
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.opendata.selectors.hotspots import ward_hotspots
from vawg_site.records.models import Crime, Involvement, Order, Person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    geography.cache_clear()


@pytest.fixture
def ward_counts() -> None:
    rows = [
        VawgCount(
            natural_key=uuid4().hex,
            measure="offences",
            sheet="location",
            month=date(2024, m, 1),
            borough="Westminster",
            ward_name="West End",
            ward_code=code,
            count=count,
        )
        for m in range(1, 13)
        for code, count in (("E05013806", 400), ("E05013805", 5))
    ]
    VawgCount.objects.bulk_create(rows)


@pytest.mark.realdata
@pytest.mark.usefixtures("ward_counts")
def test_ward_map_table_rates_caveats_and_csv(client: Client, real_data_dir: Path) -> None:
    response = client.get("/data/maps/wards/", {"order": "offences"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "best-fit sums" in html
    assert "More offences than expected" in html
    assert "Cluster (Gi*)" in html
    assert 'data-vawg-map="wards"' in html
    assert "<style" not in html
    assert ' style="' not in html
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/data/maps/wards/", {"format": "csv"}).content.decode())
        )
    )
    assert len(rows) == len(geography.force_wards())
    top = rows[0]
    assert top["offences"] == "4800"
    female = next(
        r.female
        for r in ward_hotspots(start=date(2024, 1, 1), end=date(2024, 12, 1)).rows
        if r.code == top["ward_code"]
    )
    assert float(top["rate_per_1000_female"]) == pytest.approx(4800 / female * 1000, abs=0.01)
    assert top["compared_with_expected"] == "more"
    assert float(top["expected_offences"]) < 4800
    assert not [r for r in rows if r["borough"] == "City of London"]
    hot = client.get("/data/maps/wards/", {"hotspot": "hot", "format": "csv"}).content.decode()
    hot_rows = list(csv.DictReader(io.StringIO(hot)))
    assert hot_rows
    assert all(r["compared_with_expected"] == "more" for r in hot_rows)
    data = client.get("/data/maps/wards/data.json").json()
    assert data["wards"][top["ward_code"]][0] == 4800
    geo = client.get("/data/maps/outlines/wards.geojson")
    assert geo.status_code == 200
    assert geo["Content-Type"] == "application/geo+json"
    assert client.get("/data/maps/outlines/nope.geojson").status_code == 404


@pytest.mark.realdata
def test_street_map_is_labelled_a_proxy_and_counts_squares(
    client: Client, real_data_dir: Path
) -> None:
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    month=date(2017, 1, 1),
                    category="violent-crime",
                    longitude=-0.1276 + i * 1e-5,
                    latitude=51.5072,
                    source="api",
                )
                for i in range(30)
            ]
        )
    )
    response = client.get("/data/maps/street/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "a proxy" in html
    assert "not a map of VAWG" in html
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/data/maps/street/", {"format": "csv"}).content.decode())
        )
    )
    assert [r["crimes"] for r in rows] == ["30"]
    assert rows[0]["grid_reference"] == "TQ 30 80"
    assert rows[0]["borough"] == "Westminster"
    assert rows[0]["compared_with_expected"] == "more"
    assert "Westminster</option>" in html
    assert "City of London</option>" not in html  # not policed by the Met: no squares of its own
    assert "more crimes than expected" in html


def test_maps_without_data_say_so(client: Client) -> None:
    assert "nothing to map" in client.get("/data/maps/wards/").content.decode()
    assert "nothing to map" in client.get("/data/maps/street/").content.decode()


@pytest.fixture
def force_data() -> None:
    people = Person.objects.bulk_create(
        Person(person_ref=f"P{i}", sex="F" if i < 40 else "M") for i in range(80)
    )
    for i in range(40):
        crime = Crime.objects.create(
            crime_ref=f"C{i}",
            recorded_date=date(2024, 1 + i % 12, 1),
            offence_code="8Q",
            domestic_abuse=True,
            outcome_code="1" if i < 12 else ("16" if i < 30 else ""),
            outcome_date=date(2024, 12, 1) if i < 30 else None,
            easting=530000.0 + i,
            northing=180000.0,
        )
        Involvement.objects.create(crime=crime, person=people[i], role="victim")
        Involvement.objects.create(crime=crime, person=people[40 + i], role="suspect")
    # Not VAWG: a crime on the last day of 2024, so that the records cover 2024 whole.
    Crime.objects.create(crime_ref="X", recorded_date=date(2024, 12, 31), offence_code="28E")
    for i in range(15):
        Order.objects.create(
            order_ref=f"O{i}",
            order_type="DVPO",
            subject=people[40 + i],
            start_date=date(2024, 1, 1),
            breach_dates=["2024-06-01"] if i < 11 else [],
        )


@pytest.mark.usefixtures("force_data")
def test_commitment_pages_apply_disclosure_and_show_no_people(
    client: Client, tmp_path: Path, settings: object
) -> None:
    settings.VAWG_HOME = tmp_path  # type: ignore[attr-defined]
    (tmp_path / "force_is_synthetic").touch()
    html = client.get("/commitments/8/").content.decode()
    assert "ONS 10-5 rule with secondary suppression" in html
    assert "generated (synthetic) force data" in html  # the base banner
    assert "right-censored" in html
    assert "Kaplan-Meier" in html
    for secret in ("P1", "C1", "530000", "O1"):
        assert f">{secret}<" not in html
        assert f"{secret}," not in html
    # 12 charged of 30 with an outcome: rounded to 10 and 30, never the true 12.
    assert ">10<" in html
    assert ">30<" in html
    assert ">12<" not in html
    orders = client.get("/commitments/7/").content.decode()
    assert "[c]" in orders or ">15<" in orders
    assert client.get("/commitments/6/").status_code == 200
    assert client.get("/commitments/0/").status_code == 404
    assert client.get("/commitments/11/").status_code == 404


def test_force_records_without_a_whole_year_say_so(client: Client) -> None:
    Crime.objects.create(crime_ref="C", recorded_date=date(2024, 3, 1), offence_code="8Q")
    html = client.get("/commitments/8/").content.decode()
    assert "do not yet cover a whole calendar year" in html
    assert "No force records are loaded" not in html


def test_commitment_pages_without_data(client: Client) -> None:
    for n in range(1, 11):
        assert client.get(f"/commitments/{n}/").status_code == 200, n
    assert "No force records are loaded" in client.get("/commitments/8/").content.decode()


def test_home_links_every_progress_page(client: Client) -> None:
    html = client.get("/").content.decode()
    for n in range(1, 11):
        assert f'href="/commitments/{n}/"' in html
