"""The Met's published counts: sums over wards and committed months on the location sheet only,
one sheet at a time, "Other" last."""

from __future__ import annotations

from datetime import date

import pytest

from vawg_site.opendata.models import VawgCount
from vawg_site.opendata.selectors import met

pytestmark = pytest.mark.django_db


def _count(key: str, **fields: object) -> VawgCount:
    base: dict[str, object] = {
        "natural_key": key,
        "measure": "offences",
        "sheet": "location",
        "month": date(2024, 1, 1),
    }
    base.update(fields)
    return VawgCount(**base)


def test_series_sum_wards_and_committed_months_but_not_sheets() -> None:
    VawgCount.objects.bulk_create(
        [
            _count("a", borough="Camden", ward_name="X", count=2),
            _count("b", borough="Camden", ward_name="Y", count=3, committed_month=date(2023, 1, 1)),
            _count("c", borough="Camden", count=100, sheet="classification"),
            _count("d", borough="Camden", count=4, month=date(2024, 2, 1)),
            _count("e", borough="Barnet", count=1),
            _count("f", borough="Other", count=1),
            _count("g", borough="Camden", count=50, measure="victims"),
        ]
    )
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    camden = met.vawg_month_series(measure="offences", start=jan, end=feb, borough="Camden")
    assert camden == [met.MonthCount(jan, 5), met.MonthCount(feb, 4)]
    london = met.vawg_month_series(measure="offences", start=jan, end=feb)
    assert london == [met.MonthCount(jan, 7), met.MonthCount(feb, 4)]
    victims = met.vawg_month_series(measure="victims", start=jan, end=feb, borough="Camden")
    assert victims == [met.MonthCount(jan, 50)]
    assert met.borough_names() == ["Barnet", "Camden", "Other"]
    assert met.offence_month_span() == (jan, feb)
    assert met.met_months(measure="offences") == [jan, feb]


@pytest.mark.usefixtures("small_counts")
def test_a_borough_over_a_period() -> None:
    got = met.vawg_month_series(
        measure="offences", borough="Camden", start=date(2024, 1, 1), end=date(2024, 3, 1)
    )
    assert got == [
        met.MonthCount(month=date(2024, 1, 1), offences=1234),
        met.MonthCount(month=date(2024, 2, 1), offences=1000),
        met.MonthCount(month=date(2024, 3, 1), offences=807),
    ]


@pytest.mark.usefixtures("small_counts")
def test_totals_by_borough_are_largest_first_and_never_mix_sheets() -> None:
    totals = met.vawg_totals_by(
        measure="offences",
        sheet=met.Sheet.LOCATION,
        field="borough",
        start=date(2024, 1, 1),
        end=date(2024, 3, 1),
    )
    assert totals == [("Camden", 3041), ("Barnet", 2005), ("Other", 3)]
    with pytest.raises(ValueError, match="not a breakdown"):
        met.vawg_totals_by(
            measure="offences", sheet="location", field="count", start=date(2024, 1, 1),
            end=date(2024, 3, 1),
        )  # fmt: skip


@pytest.mark.usefixtures("small_counts")
def test_offence_month_span() -> None:
    assert met.offence_month_span() == (date(2023, 11, 1), date(2024, 3, 1))


def test_empty_database() -> None:
    assert met.offence_month_span() is None
    assert met.borough_names() == []
    assert met.met_months(measure="offences") == []
    assert met.borough_changes() is None
