"""Fixtures for the public pages: a few published VAWG offence rows made by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest

from vawg_site.opendata.models import VawgCount

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
