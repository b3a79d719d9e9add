"""The pages of commitments 1 and 10: open-data measures worked out by hand on small fixtures,
and pages that say which data they need, and how to load it, when it is absent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from django.test import Client
from tests.vawg_site.placing import placed

from vawg.periods import month_count
from vawg_site.opendata.models import StopSearch, StreetCrime, VawgCount
from vawg_site.opendata.selectors import met, police_uk

pytestmark = pytest.mark.django_db


def _searches(
    n: int, *, month: date, gender: str, age: str, outcome: str, removal: bool | None, force: str
) -> list[StopSearch]:
    return [
        StopSearch(
            search_key=uuid4().hex,
            force=force,
            search_type="Person search",
            searched_at=datetime(month.year, month.month, 15, 12, tzinfo=UTC),
            month=month,
            gender=gender,
            age_range=age,
            outcome=outcome,
            removal_of_clothing=removal,
        )
        for _ in range(n)
    ]


@pytest.fixture
def stop_search() -> None:
    """The Met, 12 months to December 2024 (January 2024 on):

    women 25-34, no further action, nothing removed     6   (June)
    girls 10-17, arrest, more than outer clothing       2   (December)
    woman over 34, no outcome recorded                  1   (March)
    men 18-24, no further action                       10   (May)
    no gender recorded                                  3   (July)
    Outside the count: 4 women in December 2023 (before the period) and 5 women searched by
    the City of London Police.
    """
    met = "metropolitan"
    nfa = "A no further action disposal"
    rows = [
        *_searches(6, month=date(2024, 6, 1), gender="Female", age="25-34", outcome=nfa,
                   removal=False, force=met),
        *_searches(2, month=date(2024, 12, 1), gender="Female", age="10-17", outcome="Arrest",
                   removal=True, force=met),
        *_searches(1, month=date(2024, 3, 1), gender="Female", age="over 34", outcome="",
                   removal=None, force=met),
        *_searches(10, month=date(2024, 5, 1), gender="Male", age="18-24", outcome=nfa,
                   removal=False, force=met),
        *_searches(3, month=date(2024, 7, 1), gender="", age="", outcome=nfa, removal=None,
                   force=met),
        *_searches(4, month=date(2023, 12, 1), gender="Female", age="18-24", outcome=nfa,
                   removal=True, force=met),
        *_searches(5, month=date(2024, 6, 1), gender="Female", age="18-24", outcome=nfa,
                   removal=True, force="city-of-london"),
    ]  # fmt: skip
    StopSearch.objects.bulk_create(rows)


def test_stop_search_of_women_and_girls_by_hand(stop_search: None) -> None:
    s = police_uk.stop_search_women()
    assert s is not None
    assert (s.start, s.end) == (date(2024, 1, 1), date(2024, 12, 1))
    assert s.searches == 6 + 2 + 1 + 10 + 3 == 22
    assert s.gender_recorded == 19
    assert s.women_and_girls == 9
    assert s.girls == 2
    assert s.outcome_recorded == 8
    assert s.no_further_action == 6
    assert s.more_than_outer_clothing == 2
    assert s.girls_more_than_outer_clothing == 2
    assert s.women_share == pytest.approx(9 / 19)
    assert s.no_further_action_share == pytest.approx(6 / 8)


def test_commitment_1_page_shows_the_figures(client: Client, stop_search: None) -> None:
    html = client.get("/commitments/1/").content.decode()
    assert "Stop and search of women and girls (data.police.uk)" in html
    assert "<strong>9</strong> times: 47% of the 19 searches with a gender recorded" in html
    assert (
        "<strong>75%</strong> of searches of women and girls ended with no further action" in html
    )
    assert "(6 of 8 with an outcome recorded)" in html
    assert "not a measure of police-perpetrated VAWG" in html
    assert "12 months January 2024 to December 2024" in html
    assert "ONS 10-5 rule" not in html  # published open data: shown as published
    assert "No stop-and-search records" not in html


@pytest.fixture
def borough_offences() -> None:
    """Camden 10 a month in 2023 and 12 a month in 2024; Barnet 5 a month in 2024 only; the
    Met's "Other" 1 a month in 2024. Rows that must never count: victims, classification."""

    def row(borough: str, month: date, count: int, **extra: str) -> VawgCount:
        fields = {"measure": "offences", "sheet": "location", **extra}
        return VawgCount(
            natural_key=uuid4().hex, month=month, borough=borough, count=count, **fields
        )

    rows = []
    for year, camden in ((2023, 10), (2024, 12)):
        for m in range(1, 13):
            month = date(year, m, 1)
            rows.append(row("Camden", month, camden))
            if year == 2024:
                rows += [row("Barnet", month, 5), row("Other", month, 1)]
                rows.append(row("Camden", month, 1000, measure="victims"))
                rows.append(row("Camden", month, 1000, sheet="classification"))
    VawgCount.objects.bulk_create(rows)


def test_borough_changes_by_hand(borough_offences: None) -> None:
    b = met.borough_changes()
    assert b is not None
    assert (b.start, b.end) == (date(2024, 1, 1), date(2024, 12, 1))
    assert (b.previous_start, b.previous_end) == (date(2023, 1, 1), date(2023, 12, 1))
    assert [(r.borough, r.latest, r.previous) for r in b.rows] == [
        ("Camden", 144, 120),
        ("Barnet", 60, 0),
        ("Other", 12, 0),  # not a borough: last whatever its size
    ]
    assert b.rows[0].change_percent == pytest.approx(20.0)
    assert b.rows[1].change_percent is None  # no offences before: no percentage
    assert b.crosses_change


@pytest.fixture
def street_crimes(real_data_dir: Path) -> None:
    """Violence and sexual offences in 2024: 7 at two "Shopping Area" points in Westminster (4
    and 3), 5 and 2 at "Station Road" points in Camden and Barnet, 1 with no map point (in no
    borough, so not counted), 3 of other forces' areas (Peterborough, the City of London) and 2
    with no place named. Outside the count: 20 burglaries at the Shopping Area and 9 violent
    crimes in 2022 (before the period)."""

    def crimes(n: int, **fields: object) -> list[StreetCrime]:
        base = {"category": "violent-crime", "month": date(2024, 6, 1), "source": "csv"}
        return [StreetCrime(crime_key=uuid4().hex, **(base | fields)) for _ in range(n)]

    shop = {
        "location": "On or near Shopping Area",
        "longitude": -0.14,
        "latitude": 51.51,
        "lsoa_name": "Westminster 018A",
    }
    shop_2 = shop | {"longitude": -0.15, "lsoa_name": "Westminster 019B"}
    rows = [
        *crimes(4, **shop),
        *crimes(3, **shop_2),  # another point of the same label and area: counted together
        *crimes(5, location="On or near Station Road", longitude=-0.13, latitude=51.55,
                lsoa_name="Camden 001A", month=date(2024, 12, 1)),
        *crimes(2, location="On or near Station Road", longitude=-0.2, latitude=51.6,
                lsoa_name="Barnet 002B"),
        *crimes(1, location="", longitude=None, latitude=None),
        *crimes(2, location="On or near Bridge Street", longitude=-0.24, latitude=52.57,
                lsoa_name="Peterborough 012A", falls_within="Cambridgeshire Constabulary"),
        *crimes(1, location="On or near Cheapside", longitude=-0.093, latitude=51.514,
                lsoa_name="City of London 001F", falls_within="City of London Police"),
        *crimes(1, location="No Location", longitude=-0.13, latitude=51.55,
                lsoa_name="Camden 001A"),
        *crimes(1, location="On or near ", longitude=-0.13, latitude=51.55,
                lsoa_name="Camden 001A"),
        *crimes(20, category="burglary", **shop),
        *crimes(9, month=date(2022, 1, 1), **shop),
    ]  # fmt: skip
    StreetCrime.objects.bulk_create(placed(rows))


def test_street_places_by_hand(street_crimes: None) -> None:
    p = police_uk.street_places()
    assert p is not None
    assert (p.start, p.end, p.months) == (date(2024, 1, 1), date(2024, 12, 1), 12)
    assert p.crimes == 4 + 3 + 5 + 2 + 2  # in the force area, with a place named or not
    assert [(x.label, x.area, x.crimes) for x in p.places] == [
        ("On or near Shopping Area", "Westminster", 7),
        ("On or near Station Road", "Camden", 5),
        ("On or near Station Road", "Barnet", 2),
    ]


def test_area_of_reads_the_local_authority_from_an_lsoa_name() -> None:
    assert police_uk.area_of("Westminster 018A") == "Westminster"
    assert police_uk.area_of("City of London 001F") == "City of London"
    assert police_uk.area_of("Kingston upon Thames 010C") == "Kingston upon Thames"
    assert police_uk.area_of("") == ""


@pytest.mark.usefixtures("borough_offences", "street_crimes")
def test_commitment_10_page_shows_the_figures(client: Client) -> None:
    html = client.get("/commitments/10/").content.decode()
    assert "VAWG offences by borough, for local partners (published)" in html
    camden = (
        '<th scope="row" class="govuk-table__header">Camden</th><td class="govuk-table__cell '
        'govuk-table__cell--numeric vawg-numeric">144</td><td class="govuk-table__cell '
        'govuk-table__cell--numeric vawg-numeric">120</td><td class="govuk-table__cell '
        'govuk-table__cell--numeric vawg-numeric">20.0%</td>'
    )
    assert camden in html
    assert "change of crime recording system" in html
    assert "out of <strong>16</strong> such offences" in html
    for outside in ("Peterborough", "Bridge Street", "Cheapside", "City of London", "No Location"):
        assert outside not in html.split('id="m-places"')[1].split("</section>")[0]
    assert "street-level records of other police forces or outside the force area" in html
    assert "in the 12 months January 2024 to December 2024" in html
    assert html.index("On or near Shopping Area") < html.index("On or near Station Road")
    assert "this is a proxy, not a count of VAWG" in html
    assert 'href="/data/maps/street/"' in html
    assert 'href="/data/boroughs/"' in html


def test_pages_without_data_say_what_they_need_and_how_to_load_it(client: Client) -> None:
    one = client.get("/commitments/1/")
    assert one.status_code == 200
    html = one.content.decode()
    assert "No stop-and-search records of the Met are loaded" in html
    assert (
        "<code>vawg fetch police-uk --force metropolitan --from YYYY-MM --to YYYY-MM</code>" in html
    )
    assert "<code>vawg ingest police-uk data/police_uk</code>" in html
    ten = client.get("/commitments/10/")
    assert ten.status_code == 200
    html = ten.content.decode()
    assert "<code>vawg fetch mps-vawg</code>" in html
    assert "<code>vawg ingest mps-vawg data/mps</code>" in html
    assert "No data.police.uk street-level crimes are loaded" in html


def test_home_and_neighbours_link_the_new_pages(client: Client) -> None:
    home = client.get("/").content.decode()
    assert 'href="/commitments/1/"' in home
    assert 'href="/commitments/10/"' in home
    assert 'href="/commitments/1/" rel="prev"' in client.get("/commitments/2/").content.decode()
    assert 'href="/commitments/10/" rel="next"' in client.get("/commitments/9/").content.decode()


def test_a_shorter_span_is_called_by_its_length(client: Client, real_data_dir: Path) -> None:
    """With three months loaded the page says three months, never "12 months"."""
    assert month_count(date(2017, 1, 1), date(2017, 3, 1)) == 3
    assert month_count(date(2023, 12, 1), date(2024, 11, 1)) == 12
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    category="violent-crime",
                    month=date(2017, m, 1),
                    location="On or near High Street",
                    lsoa_name="Camden 003C",
                    longitude=-0.14,
                    latitude=51.54,
                    source="api",
                )
                for m in (1, 2, 3)
            ]
        )
    )
    html = client.get("/commitments/10/").content.decode()
    assert "in the 3 months January 2017 to March 2017" in html
    assert "12 months January 2017" not in html


def test_a_force_extract_without_orders_still_shows_every_commitment(
    client: Client, force: None
) -> None:
    """An extract with no orders file once made the pages that count orders fail."""
    for number in range(1, 11):
        response = client.get(f"/commitments/{number}/")
        assert response.status_code == 200, number
