"""Fixtures for the site's tests: published VAWG counts, police.uk rows and a small force
extract, made by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest
from tests.vawg_site.placing import placed

from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.records.models import Crime, Involvement, Person

Row = tuple[str, str, date, int]


def _add(rows: list[Row], *, sheet: str = VawgCount.Sheet.LOCATION) -> None:
    VawgCount.objects.bulk_create(
        VawgCount(
            natural_key=uuid4().hex,
            measure=VawgCount.Measure.OFFENCES,
            sheet=sheet,
            borough=borough,
            ward_name=ward,
            month=month,
            committed_month=month,
            count=count,
        )
        for borough, ward, month, count in rows
    )


@pytest.fixture
def add_counts(db: None) -> Callable[..., None]:
    """Insert (borough, ward, recorded month, count) rows on a sheet (location by default)."""
    return _add


@pytest.fixture
def small_counts(add_counts: Callable[..., None]) -> None:
    """Two boroughs over five months either side of the change of recording system.

    Camden:  2024-01: 1,200 + 34 = 1,234;  2024-02: 1,000;  2024-03: 800 + 7 = 807
    Barnet:  2024-01: 5;  2024-03: 2,000
    Other:   2024-02: 3 (the Met's own "Other")
    Plus a classification-sheet row and a victims row that must never be counted.
    """
    add_counts(
        [
            ("Camden", "Ward A", date(2024, 1, 1), 1200),
            ("Camden", "Ward B", date(2024, 1, 1), 34),
            ("Camden", "Ward A", date(2024, 2, 1), 1000),
            ("Camden", "Ward A", date(2024, 3, 1), 800),
            ("Camden", "Ward B", date(2024, 3, 1), 7),
            ("Barnet", "Ward C", date(2024, 1, 1), 5),
            ("Barnet", "Ward C", date(2024, 3, 1), 2000),
            ("Other", "", date(2024, 2, 1), 3),
            ("Camden", "Ward A", date(2023, 11, 1), 10),
            ("Camden", "Ward A", date(2023, 12, 1), 20),
        ]
    )
    add_counts(
        [("Camden", "Ward A", date(2024, 1, 1), 99999)], sheet=VawgCount.Sheet.CLASSIFICATION
    )
    VawgCount.objects.create(
        natural_key=uuid4().hex,
        measure=VawgCount.Measure.VICTIMS,
        sheet=VawgCount.Sheet.LOCATION,
        borough="Camden",
        month=date(2024, 1, 1),
        count=77777,
    )


def _vawg(measure: str, sheet: str, month: dt.date, count: int, **fields: str) -> VawgCount:
    return VawgCount(
        natural_key=uuid4().hex,
        measure=measure,
        sheet=sheet,
        month=month,
        committed_month=month,
        count=count,
        **fields,
    )


MONTHS = [dt.date(2023, 12, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]
CAMDEN = "E09000007"
CAMDEN_WARD = "E05013652"  # Belsize (2024 wards)


@pytest.fixture
def published(db: None) -> None:
    """The Met's sheets (two boroughs, one ward matched, each other sheet) and police.uk rows."""
    rows = []
    for i, month in enumerate(MONTHS):
        for measure in ("offences", "victims"):
            rows += [
                _vawg(measure, "location", month, 30 + i, borough="Camden",
                      ward_name="Belsize", ward_code=CAMDEN_WARD),
                _vawg(measure, "location", month, 5, borough="Camden", ward_name="Old ward"),
                _vawg(measure, "location", month, 50, borough="Hackney", ward_name="Victoria"),
                _vawg(measure, "location", month, 3, borough="Other"),
            ]  # fmt: skip
        rows += [
            _vawg("offences", "classification", month, 40, offence_group="Rape"),
            _vawg("offences", "classification", month, 70, offence_group="Stalking and Harassment"),
            _vawg("victims", "age", month, 12, age_group="Aged 20 to 29 years"),
            _vawg("victims", "ethnicity", month, 9, ethnic_group="White"),
        ]
    VawgCount.objects.bulk_create(rows)
    StreetCrime.objects.bulk_create(
        placed(
            [
                StreetCrime(
                    crime_key=uuid4().hex,
                    month=dt.date(2023, 1 + i % 3, 1),
                    category="violent-crime" if i % 4 else "burglary",
                    longitude=-0.14 + (i % 7) * 0.002,
                    latitude=51.54 + (i % 5) * 0.002,
                    lsoa_code="E01000907" if i % 2 else "",
                    source="csv",
                )
                for i in range(120)
            ]
        )
    )


@pytest.fixture
def force(db: None) -> None:
    """A small force extract: 40 VAWG crimes (rape; stalking) in two cells in January and
    February 2024, and two non-VAWG crimes."""
    woman = Person.objects.create(person_ref="p1", sex="F")
    crimes = []
    for i in range(40):
        crimes.append(
            Crime(
                crime_ref=f"c{i}",
                recorded_date=dt.date(2024, 1 + i % 2, 5),
                offence_code="19C" if i % 3 else "8Q",
                domestic_abuse=False,
                easting=529_100.0 + (i % 2) * 1000 + i,
                northing=185_200.0 + i,
            )
        )
    # Two burglaries (not VAWG) on the first and last days of 2024: the records cover 2024 whole,
    # so its tables are published.
    for ref, day in (("burglary-1", dt.date(2024, 1, 1)), ("burglary-2", dt.date(2024, 12, 31))):
        crimes.append(Crime(crime_ref=ref, recorded_date=day, offence_code="28E",
                            easting=529_500.0, northing=185_500.0))  # fmt: skip
    Crime.objects.bulk_create(crimes)
    Involvement.objects.bulk_create(
        Involvement(crime=c, person=woman, role="victim") for c in Crime.objects.all()
    )
