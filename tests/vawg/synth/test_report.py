"""Each calibration target at the Met's scale, as the report sets it beside the generated value
(docs/synth.md), on one and two years, and an injected disparity recovered."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vawg.synth import Calibration, SynthSummary, report, write_extract


def _row(rows: list, name: str):  # type: ignore[no-untyped-def, type-arg]
    return next(r for r in rows if r.name.startswith(name))


@pytest.mark.realdata
@pytest.mark.slow
def test_london_volumes(london: SynthSummary, real_calibration: Calibration) -> None:
    rows = report(summary=london, calibration=real_calibration)
    total = _row(rows, "VAWG offences a year")
    assert total.generated == pytest.approx(real_calibration.annual_total, rel=0.03)
    suspects = _row(rows, "distinct named suspects a year")
    assert suspects.generated == pytest.approx(35_000, rel=0.10)
    stated = _row(rows, "VAWG offences a year, against the Met's figure")
    assert stated.target == 150_000
    assert stated.generated == pytest.approx(150_000, rel=0.15)
    assert stated.ok
    every_target = [r for r in rows if r.ok is not None]
    assert every_target
    assert all(r.ok for r in every_target), [r.name for r in every_target if not r.ok]
    assert london.row_counts["precursor_offences"] > 0
    counted = london.crimes.filter(~pl.col("_precursor")).height
    assert counted == london.row_counts["vawg_offences"]


@pytest.mark.realdata
@pytest.mark.slow
def test_london_outcomes_victims_and_people(
    london: SynthSummary, real_calibration: Calibration
) -> None:
    rows = report(summary=london, calibration=real_calibration)
    for name in (
        "charge rate",
        "outcome 16 share",
        "median days to outcome, rape",
        "repeat victims within 12 months",
        "victims female",
        "suspects male",
        "per-capita offending ratio",
        "DVPOs per DVPN",
        "harm carried by the top 3%",
    ):
        row = _row(rows, name)
        assert row.ok, f"{name}: {row.generated} vs {row.target} ({row.tolerance})"
    open_share = _row(rows, "share still open").generated
    assert 0.05 < open_share < 0.4


@pytest.mark.realdata
@pytest.mark.slow
def test_two_years_concentration_of_repeats_and_harm(
    london_two_years: SynthSummary, real_calibration: Calibration
) -> None:
    rows = report(summary=london_two_years, calibration=real_calibration)
    single = _row(rows, "suspects with one report").generated
    assert 0.70 <= single <= 0.85  # Thames Valley: 77.6% (Barnham, Barnes & Sherman 2017)
    assert _row(rows, "harm carried by the top 3%").generated >= 0.60
    assert _row(rows, "distinct named suspects a year").ok


@pytest.mark.realdata
@pytest.mark.slow
def test_injected_disparity_is_recovered(real_calibration: Calibration, tmp_path: Path) -> None:
    summary = write_extract(
        out=tmp_path,
        seed=3,
        size="london",
        disparity=2.0,
        disparity_group="B",
        calibration=real_calibration,
    )
    row = _row(report(summary=summary, calibration=real_calibration), "per-capita offending")
    assert row.generated == pytest.approx(2.0, rel=0.10)
