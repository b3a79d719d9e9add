"""The public selectors: sums over wards for the location sheet only, and the synthetic marker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vawg_site.public.selectors import (
    SYNTHETIC_FORCE_MARKER,
    MonthCount,
    borough_month_counts,
    borough_names,
    force_data_is_synthetic,
    offence_month_span,
)


@pytest.mark.usefixtures("small_counts")
def test_borough_month_counts_sum_wards_on_the_location_sheet_only() -> None:
    got = borough_month_counts(borough="Camden", start=date(2024, 1, 1), end=date(2024, 3, 1))
    assert got == [
        MonthCount(month=date(2024, 1, 1), offences=1234),
        MonthCount(month=date(2024, 2, 1), offences=1000),
        MonthCount(month=date(2024, 3, 1), offences=807),
    ]


@pytest.mark.usefixtures("small_counts")
def test_all_london_and_open_ended_periods() -> None:
    got = borough_month_counts(borough=None, start=None, end=date(2023, 12, 1))
    assert got == [
        MonthCount(month=date(2023, 11, 1), offences=10),
        MonthCount(month=date(2023, 12, 1), offences=20),
    ]
    assert len(borough_month_counts(borough=None, start=None, end=None)) == 5


@pytest.mark.usefixtures("small_counts")
def test_borough_names_put_other_last() -> None:
    assert borough_names() == ["Barnet", "Camden", "Other"]


@pytest.mark.usefixtures("small_counts")
def test_offence_month_span() -> None:
    assert offence_month_span() == (date(2023, 11, 1), date(2024, 3, 1))


@pytest.mark.django_db
def test_empty_database() -> None:
    assert offence_month_span() is None
    assert borough_names() == []
    assert borough_month_counts(borough=None, start=None, end=None) == []


def test_synthetic_marker(tmp_path: Path) -> None:
    assert force_data_is_synthetic(home=tmp_path) is False
    (tmp_path / SYNTHETIC_FORCE_MARKER).touch()
    assert force_data_is_synthetic(home=tmp_path) is True
