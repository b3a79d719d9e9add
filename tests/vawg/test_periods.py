"""Months and periods: round trips and agreement between the helpers."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vawg import periods

MONTHS = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)).map(periods.month_start)


@given(MONTHS)
def test_a_month_key_reads_back_as_the_same_month(month: date) -> None:
    assert periods.month_parse(periods.month_key(month)) == month


@given(MONTHS, st.integers(min_value=-600, max_value=600))
def test_shifting_forth_and_back_is_the_identity(month: date, n: int) -> None:
    assert periods.months_shift(periods.months_shift(month, n), -n) == month
    assert periods.months_back(month, n) == periods.months_shift(month, -n)


@given(MONTHS, st.integers(min_value=0, max_value=120))
def test_months_between_has_month_count_months_in_order(first: date, n: int) -> None:
    last = periods.months_shift(first, n)
    months = periods.months_between(first, last)
    assert len(months) == periods.month_count(first, last) == n + 1
    assert months[0] == first
    assert months[-1] == last
    assert all(periods.month_after(a) == b for a, b in itertools.pairwise(months))


def test_an_empty_range_when_the_end_is_before_the_start() -> None:
    assert periods.months_between(date(2024, 2, 1), date(2024, 1, 1)) == []
    assert periods.month_count(date(2024, 2, 1), date(2024, 1, 1)) == 0


@pytest.mark.parametrize(
    "text",
    ["", "2024", "2024-1", "24-01", "2024-00", "2024-13", "-001-01", "2024-01-01", "abcd-ef"],
)
def test_month_parse_refuses_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match="not a month"):
        periods.month_parse(text)
    assert not periods.is_month_key(text)


def test_the_recording_system_changes_in_february_2024() -> None:
    assert date(2024, 2, 28) == periods.RECORDING_SYSTEM_CHANGE
    systems = [
        periods.recording_system(m)
        for m in periods.months_between(date(2023, 12, 1), date(2024, 4, 1))
    ]
    assert systems == ["CRIS", "CRIS", "CRIS and CONNECT", "CONNECT", "CONNECT"]
