"""Rates per 1,000 female residents against London's (the force area), the VAWG share of all
recorded crime, the Met's groups in plain words with "other flagged offences outside of VAWG"
shown apart, and the pages that show them: known answers small enough to check by hand."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.test import Client

from vawg_site.common import geography
from vawg_site.opendata.models import RecordedCrimeCount, VawgCount
from vawg_site.opendata.selectors import recorded
from vawg_site.public.presenters import rates

pytestmark = pytest.mark.django_db

CAMDEN, BARNET, CITY = "E09000007", "E09000003", "E09000001"
MONTHS = [date(2024, m, 1) for m in (1, 2, 3)]


@pytest.fixture
def boroughs(real_data_dir: Path) -> None:
    """The shipped borough boundaries (names to ONS codes)."""
    geography.cache_clear()


@pytest.fixture
def female(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, int]], None]:
    def set_female(by_code: dict[str, int]) -> None:
        monkeypatch.setattr(rates, "female_residents_by_borough", lambda: by_code)

    return set_female


def _recorded(rows: list[tuple[str, date, int]]) -> None:
    RecordedCrimeCount.objects.bulk_create(
        RecordedCrimeCount(
            level="borough",
            area_name=name,
            major_category="THEFT",
            minor_category=f"THEFT {i}",
            month=month,
            count=count,
        )
        for i, (name, month, count) in enumerate(rows)
    )


def _counts(rows: list[tuple[str, str, date, int]], sheet: str = "location") -> None:
    VawgCount.objects.bulk_create(
        VawgCount(
            natural_key=uuid4().hex,
            measure="offences",
            sheet=sheet,
            borough=borough if sheet == "location" else "",
            offence_group=group if sheet == "classification" else "",
            month=month,
            count=count,
        )
        for borough, group, month, count in rows
    )


def test_rates_and_the_london_average_by_hand(
    boroughs: None, female: Callable[[dict[str, int]], None]
) -> None:
    # Camden 300 offences and 100,000 women: 3.0 per 1,000; Barnet 100 and 100,000: 1.0.
    # London (the force area) 400 over 200,000: 2.0, so Camden is 1.5 times London's rate.
    # "Other" and the City of London are in neither the numerator nor the denominator.
    female({CAMDEN: 100_000, BARNET: 100_000, CITY: 5_000})
    out = rates.rates_build(
        borough_counts=[("Camden", 300), ("Barnet", 100), ("Other", 50), ("City of London", 9)],
        start=MONTHS[0],
        end=MONTHS[-1],
        what="Offences",
        only_borough=None,
        csv_href="",
        with_share=False,
    )
    assert out is not None
    assert (out.london.count, out.london.female, out.london.rate) == (400, 200_000, 2.0)
    by_name = {b.name: b for b in out.boroughs}
    assert set(by_name) == {"Camden", "Barnet"}
    assert by_name["Camden"].rate == pytest.approx(3.0)
    assert by_name["Camden"].times_london == pytest.approx(1.5)
    assert by_name["Barnet"].times_london == pytest.approx(0.5)
    assert [row[0] for row in out.table.rows][:3] == [out.london.name, "Camden", "Barnet"]
    assert out.force_boroughs == 32
    assert "London" in out.london.name


def test_share_of_all_crime_needs_every_month(
    boroughs: None, female: Callable[[dict[str, int]], None]
) -> None:
    female({CAMDEN: 100_000, BARNET: 100_000})
    _recorded([("Camden", m, 1_000) for m in MONTHS] + [("Barnet", m, 500) for m in MONTHS[:2]])
    _recorded([("Unknown", MONTHS[0], 7_000)])  # placed in no borough: in no share

    def build(end: date) -> rates.Rates:
        out = rates.rates_build(
            borough_counts=[("Camden", 300), ("Barnet", 100)],
            start=MONTHS[0],
            end=end,
            what="Offences",
            only_borough="Camden",
            csv_href="",
            with_share=True,
        )
        assert out is not None
        return out

    whole = build(MONTHS[-1])
    assert whole.recorded_note == ""
    assert whole.selected is not None
    assert whole.selected.recorded == 3_000
    assert whole.selected.share_percent == pytest.approx(10.0)
    assert whole.london.recorded == 4_000  # Camden 3,000 and Barnet 1,000; not Unknown
    assert whole.london.share_percent == pytest.approx(10.0)
    assert [row[0] for row in whole.table.rows] == [whole.london.name, "Camden"]
    assert whole.table.columns[-1].key == "vawg_share_percent"

    # Recorded crime ends in March 2024: a period to April has a month without it.
    short = build(date(2024, 4, 1))
    assert short.london.recorded is None
    assert "not for every month" in short.recorded_note
    assert all(c.key != "vawg_share_percent" for c in short.table.columns)


def test_no_population_file_no_rates(boroughs: None, female: Callable[..., None]) -> None:
    female({})
    assert (
        rates.rates_build(
            borough_counts=[("Camden", 1)],
            start=MONTHS[0],
            end=MONTHS[0],
            what="Offences",
            only_borough=None,
            csv_href="",
            with_share=True,
        )
        is None
    )


def test_recorded_crime_by_borough_code(boroughs: None) -> None:
    _recorded([("Camden", MONTHS[0], 10), ("CAMDEN", MONTHS[1], 5), ("Unknown", MONTHS[1], 99)])
    got = recorded.recorded_crime_by_borough(start=MONTHS[0], end=MONTHS[-1])
    assert got.by_borough == {CAMDEN: 15}
    assert got.months == tuple(MONTHS[:2])
    assert recorded.recorded_month_span() == (MONTHS[0], MONTHS[1])


def test_female_residents_are_the_census_sums(real_data_dir: Path) -> None:
    geography.cache_clear()
    by_code = recorded.female_residents_by_borough()
    assert len(by_code) == 33  # the 32 boroughs and the City
    # SOURCES: Census 2021 TS008, London's female residents on the LSOA file: 4,531,662.
    assert sum(by_code.values()) == 4_531_662


def test_groups_in_plain_words_and_other_flagged_apart() -> None:
    assert rates.group_meaning("Violence with Injury").startswith("Assaults that caused")
    assert rates.group_meaning("other flagged offences outside of vawg").startswith(
        "Offences that are not"
    )
    out = rates.outside_vawg([("Rape", 60), (rates.OTHER_FLAGGED, 20), ("Homicide", 20)])
    assert (out.count, out.total, out.percent) == (20, 100, 20.0)


@pytest.fixture
def published(boroughs: None, female: Callable[[dict[str, int]], None]) -> None:
    female({CAMDEN: 100_000, BARNET: 50_000})
    rows = []
    for m in MONTHS:
        rows += [("Camden", "", m, 100), ("Barnet", "", m, 50), ("Other", "", m, 1)]
    _counts(rows)
    groups = []
    for m in MONTHS:
        groups += [("", "Rape", m, 40), ("", rates.OTHER_FLAGGED, m, 30), ("", "Homicide", m, 11)]
    _counts(groups, sheet="classification")
    _recorded([(name, m, 1_000) for m in MONTHS for name in ("Camden", "Barnet")])


PERIOD = "start=2024-01&end=2024-03"


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="table-{table}"', 1)[1].split("</table>", 1)[0]
    rows = [re.findall(r'data-cell="([^"]*)"', row) for row in body.split("<tr")[2:]]
    return [[unescape(cell) for cell in row] for row in rows if row]  # not the total row


def test_dashboard_shows_rates_and_other_flagged_apart(client: Client, published: None) -> None:
    html = client.get(f"/data/?{PERIOD}").content.decode()
    # London: 450 offences over 150,000 women in 3 months = 3.0 per 1,000.
    assert "<strong>3.0</strong> per 1,000 female residents" in html
    rates_rows = _cells(html, "rates")
    assert rates_rows[0][:4] == ["London (the Met's area)", "450", "150000", "3.00"]
    assert ["Camden", "300", "100000", "3.00", "1.00", "3000", "10.00"] in rates_rows
    # The groups table holds the VAWG groups only; the other flagged are shown apart.
    groups = _cells(html, "groups")
    assert [r[0] for r in groups] == ["Rape", "Homicide"]
    assert (
        "Other flagged offences outside of VAWG"
        not in html.split('id="table-groups"')[1].split("</table>")[0]
    )
    # 90 of the 243 offences in the classification table: 37.0%.
    assert "<strong>90</strong> offences" in html
    assert "37.0% of its published total of 243" in html
    assert "153 are in its VAWG offence groups and 90 (37.0%)" in html
    # The rates table downloads as it is shown.
    download = client.get(f"/data/?{PERIOD}&format=csv&table=rates")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[1:] == rates_rows


def test_borough_page_shows_its_rate_beside_londons(client: Client, published: None) -> None:
    html = client.get(f"/data/boroughs/?borough=Barnet&{PERIOD}").content.decode()
    # Barnet 150 over 50,000 = 3.0; London 450 over 150,000 = 3.0.
    assert "<strong>3.0</strong> per 1,000 female residents, against 3.0 across London" in html
    assert "<strong>37.0%</strong>" in html  # of London's published total, other flagged
    rows = _cells(html, "rates")
    assert [r[0] for r in rows] == ["London (the Met's area)", "Barnet"]
    assert rows[1][-1] == "5.00"  # 150 of 3,000 recorded crimes


@pytest.mark.parametrize("path", ["/data/", "/data/boroughs/"])
def test_every_data_page_links_the_api_and_the_call_answers(
    client: Client, published: None, path: str
) -> None:
    html = client.get(f"{path}?borough=Camden&{PERIOD}").content.decode()
    assert "Get this data" in html
    assert 'href="/api/docs"' in html
    call = html.split('class="govuk-link vawg-api-call" href="', 1)[1].split('"', 1)[0]
    call = call.replace("&amp;", "&")
    assert call.startswith("/api/v1/vawg/location?")
    assert f"area={CAMDEN}" in call
    answer: Any = client.get(call).json()
    assert sum(r["count"] for r in answer["results"]) == 300


@pytest.mark.parametrize("path", ["/data/", "/data/boroughs/"])
def test_a_refused_choice_still_says_which_months_there_are(
    client: Client, published: None, path: str
) -> None:
    response = client.get(f"{path}?start=2030-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert "from  to ." not in html
    assert "Figures are available from January 2024 to March 2024." in html


def test_how_we_use_data_names_the_tile_host_and_sets_no_cookie(
    client: Client, settings: Any
) -> None:
    settings.VAWG_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/how-we-use-data/")
    html = response.content.decode()
    assert "tiles.example.org" in html
    assert not response.cookies  # "The public pages set no cookies"
    settings.VAWG_MAP_TILE_URL = ""
    cache.clear()  # the kept page: a tile setting changes only with a redeploy
    assert "outlines only" in client.get("/how-we-use-data/").content.decode()


@pytest.mark.parametrize("path", ["/data/maps/wards/", "/commitments/1/"])
def test_map_and_commitment_pages_link_the_api_too(
    client: Client, published: None, path: str
) -> None:
    html = client.get(path).content.decode()
    assert "Get this data" in html
    assert 'href="/api/docs"' in html
    calls = re.findall(r'class="govuk-link vawg-api-call" href="([^"]+)"', html)
    assert bool(calls) is ("/maps/" in path)
    for call in calls:
        assert client.get(unescape(call)).status_code == 200, call
