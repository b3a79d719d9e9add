"""The watch list's share of the next year's harm by men with no VAWG record (printed by
`vawg rank backtest`)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.precursors import precursors_run
from vawg.precursors_backtest import watch_harm
from vawg.rank import allegations_load, truth_load

AS_OF = date(2023, 8, 31)


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vawg import synth

    folder = tmp_path_factory.mktemp("synth4")
    synth.write_extract(
        out=folder, seed=3, size="small", years=4, calibration=synth.calibration_shipped()
    )
    return folder


def test_the_watch_list_harm_is_counted_from_the_truth_and_from_the_records(force: Path) -> None:
    truth = truth_load(path=force / "truth" / "offences.csv")
    found = watch_harm(folder=force, as_of=AS_OF, truth=truth)
    assert found is not None
    listed = set(precursors_run(folder=force, as_of=AS_OF).watch_list["person_ref"])
    assert found.listed == len(listed) > 0
    end = AS_OF + timedelta(days=365)
    history = allegations_load(folder=force, start=date(2000, 1, 1), end=end, vawg_only=True)
    vawg = history.suspects.filter(pl.col("is_vawg"))
    known = set(vawg.filter(pl.col("recorded_date") <= AS_OF)["person_ref"])
    later = truth.filter((pl.col("offence_date") > AS_OF) & (pl.col("offence_date") <= end))
    unknown = later.filter(~pl.col("person_ref").is_in(list(known)))
    assert found.unknown_harm_days == pytest.approx(unknown["harm_days"].sum())
    expected = unknown.filter(pl.col("person_ref").is_in(list(listed)))["harm_days"].sum()
    assert found.listed_harm_days == pytest.approx(expected)
    assert 0 < found.listed_harm_days < found.unknown_harm_days
    assert found.basis == "true"
    recorded = watch_harm(folder=force, as_of=AS_OF)
    assert recorded is not None
    assert recorded.basis == "recorded"
    named = vawg.filter(
        (pl.col("recorded_date") > AS_OF) & pl.col("person_ref").is_in(list(listed))
    )
    assert recorded.listed_harm_days == pytest.approx(named["harm_days"].sum())
    assert recorded.listed_named == named["person_ref"].n_unique()
    assert "of the" in recorded.text()


def test_no_watch_list_without_three_years_before_the_date(force: Path) -> None:
    assert watch_harm(folder=force, as_of=date(2022, 8, 31)) is None
