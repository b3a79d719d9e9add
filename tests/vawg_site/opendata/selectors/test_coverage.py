"""Coverage by hand: which force-area boroughs a source covers in a year (at least a quarter of
the median borough's records), what is loaded but not counted, the one-line note, and the page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from uuid import uuid4

import pytest
from django.test import Client

from vawg_site.common.geography import force_boroughs
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.opendata.selectors.coverage import coverage

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def _street(borough_code: str, n: int, *, month: dt.date, falls_within: str = "") -> None:
    StreetCrime.objects.bulk_create(
        StreetCrime(
            crime_key=uuid4().hex,
            month=month,
            category="violent-crime",
            borough_code=borough_code,
            falls_within=falls_within,
            source="api",
        )
        for _ in range(n)
    )


@pytest.fixture
def loaded(real_data_dir: Path) -> list[str]:
    """2017: 20 records in each force borough but the first two (4, under a quarter of the
    median, and none); 30 of the City of London Police in Camden, 7 in the City; 2018: all
    boroughs. The Met's offences in January 2025 for two boroughs."""
    boroughs = force_boroughs()
    assert len(boroughs) == 32
    for i, b in enumerate(boroughs):
        _street(b.code, (4, 0)[i] if i < 2 else 20, month=dt.date(2017, 3, 1))
        _street(b.code, 10, month=dt.date(2018, 1, 1))
    camden = next(b.code for b in boroughs if b.name == "Camden")
    _street(camden, 30, month=dt.date(2019, 5, 1), falls_within="City of London Police")
    _street("E09000001", 7, month=dt.date(2019, 5, 1))
    VawgCount.objects.bulk_create(
        VawgCount(
            natural_key=uuid4().hex,
            measure="offences",
            sheet="location",
            month=dt.date(2025, 1, 1),
            borough=name,
            count=5,
        )
        for name in ("Camden", "Hackney", "Other")
    )
    return [boroughs[0].name, boroughs[1].name]


def test_coverage_by_year_and_what_is_not_counted(loaded: list[str]) -> None:
    found = coverage()
    street = found.source("police-uk-street")
    assert street is not None
    assert (street.first, street.last, street.months) == (
        dt.date(2017, 3, 1),
        dt.date(2018, 1, 1),
        2,
    )
    y2017, y2018 = street.years
    assert (y2017.year, len(y2017.covered), y2017.missing) == (2017, 30, tuple(sorted(loaded)))
    assert (y2018.year, len(y2018.covered), y2018.missing) == (2018, 32, ())
    assert street.not_counted == 37  # the City of London Police's 30 and the City's 7
    assert found.street_not_counted == 37
    offences = found.source("met-vawg-offences")
    assert offences is not None
    assert offences.last == dt.date(2025, 1, 1)
    assert [(y.year, len(y.covered)) for y in offences.years] == [(2025, 2)]
    assert found.note == (
        "Data to January 2025; street-level data for 2017 covers 30 of 32 boroughs, "
        "2018 covers all 32 boroughs"
    )
    assert street.year_lines[0].startswith("2017: 30 of 32 boroughs; not covered: ")
    assert street.year_lines[1] == "2018: all 32 boroughs"


def test_the_coverage_page_and_note(loaded: list[str], client: Client) -> None:
    html = client.get("/data/coverage/").content.decode()
    assert '<h1 class="govuk-heading-xl">Data coverage</h1>' in html
    assert "2017: 30 of 32 boroughs; not covered: " + ", ".join(sorted(loaded)) in html
    assert "37 records of other police forces or outside London" in html
    assert "data.police.uk/data" in html
    home = client.get("/").content.decode()
    assert 'href="/data/coverage/"' in home  # the footer
    street = client.get("/data/maps/street/").content.decode()
    assert "street-level data for 2017 covers 30 of 32 boroughs" in street
    assert "37 street-level records of other police forces" in street
