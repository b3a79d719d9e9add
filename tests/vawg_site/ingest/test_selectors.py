"""Selectors: the borough series sums wards and committed months on the location sheet only."""

from __future__ import annotations

from datetime import date

import pytest

from vawg_site.ingest.selectors import data_status, vawg_borough_month_list, vawg_borough_names
from vawg_site.opendata.models import VawgCount

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


def test_borough_months_sum_wards_and_committed_months_but_not_sheets() -> None:
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
    camden = vawg_borough_month_list(borough="Camden")
    assert [(r.month, r.count) for r in camden] == [(date(2024, 1, 1), 5), (date(2024, 2, 1), 4)]
    assert len(vawg_borough_month_list()) == 4
    assert vawg_borough_month_list(measure="victims", borough="Camden")[0].count == 50
    assert vawg_borough_names() == ["Barnet", "Camden"]
    status = data_status()
    assert status.vawg_offences.rows == 6
    assert status.vawg_offences.latest == date(2024, 2, 1)
    assert status.street_crimes.rows == 0
    assert not status.empty
