"""Calibration: unmatched wards spread within their borough, the shipped summary round-trips,
and the real calibration matches the Met's published totals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from vawg.synth import (
    Calibration,
    calibration_from_json,
    calibration_shipped,
    calibration_to_json,
    ward_counts_match,
)


def test_ward_counts_match_spreads_unmatched_within_borough() -> None:
    rows = pl.DataFrame(
        {
            "borough_name": ["Camden", "Camden", "Camden", "Camden", "Other", "Hackney"],
            "ward_name_clean_2": [
                "St. Pancras & Somers Town",
                "Kilburn",
                "Old Ward",
                None,
                None,
                "Non MET police force",
            ],
            "count": [30, 10, 8, 2, 5, 5],
        }
    )
    wards = (
        ("E1", "St Pancras and Somers Town", "Camden"),
        ("E2", "Kilburn", "Camden"),
        ("E3", "Hoxton East", "Hackney"),
    )
    weights, unlocated, unmatched = ward_counts_match(counts=rows, wards=wards)
    # 10 unmatched Camden offences split 3:1 like the matched wards.
    assert weights.tolist() == pytest.approx([37.5, 12.5, 0.0])
    assert unlocated == pytest.approx(10 / 60)
    assert unmatched == pytest.approx(10 / 60)


def test_shipped_calibration_round_trips_and_is_small() -> None:
    path = Path(__file__).parents[3] / "src" / "vawg" / "data" / "synth_calibration.json"
    assert path.stat().st_size < 300_000
    cal = calibration_shipped()
    assert cal.polygons is None
    assert len(cal.wards) == 684
    assert all(len(w.points) > 0 for w in cal.wards)
    again = calibration_from_json(text=calibration_to_json(calibration=cal), source=cal.source)
    assert again == cal


@pytest.mark.realdata
def test_real_calibration_matches_the_published_totals(real_calibration: Calibration) -> None:
    cal = real_calibration
    assert (cal.period_start, cal.period_end) == (date(2024, 9, 1), date(2025, 8, 1))
    assert cal.annual_total == 129_722  # Met ward sheet, Sep 2024 - Aug 2025
    assert sum(o.count for o in cal.offences) == cal.annual_total
    assert sum(w.count for w in cal.wards) == pytest.approx(
        cal.annual_total * (1 - cal.unlocated_share)
    )
    assert cal.unmatched_share < 0.02
    assert cal.unlocated_share < 0.02
    assert len(cal.polygons or ()) == 684
