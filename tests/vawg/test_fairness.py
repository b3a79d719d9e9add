"""Disproportionality: an injected selection disparity is caught; none is not flagged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from vawg.fairness import age_band, disproportionality, fairness_run

GROUPS = np.array(["A", "B", "C"])
SHARES = np.array([0.5, 0.3, 0.2])


def _pool(seed: int, size: int = 3000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    harm = np.round(rng.pareto(1.2, size) * 10.0, 1)  # heavy-tailed, with ties
    group = GROUPS[rng.choice(3, size=size, p=SHARES)]
    return pl.DataFrame({"harm_days": harm, "ethnicity": group})


def _top(pool: pl.DataFrame, score: np.ndarray, n: int) -> pl.DataFrame:
    order = np.argsort(-score, kind="stable")
    selected = np.zeros(pool.height, dtype=bool)
    selected[order[:n]] = True
    return pool.with_columns(pl.Series("selected", selected))


def test_a_selection_disparity_is_caught() -> None:
    pool = _pool(seed=1)
    harm = pool["harm_days"].to_numpy()
    bias = np.where(pool["ethnicity"].to_numpy() == "B", 1.6, 1.0)  # the method favours B
    result = disproportionality(_top(pool, harm * bias, 100), attributes=("ethnicity",))
    b = result.table.filter(pl.col("group") == "B").row(0, named=True)
    assert b["flagged"]
    assert b["share_ratio"] > 1
    assert b["adjusted_flagged"]
    assert b["harm_adjusted_ratio"] > 1


def test_more_harm_raises_the_share_but_is_not_a_disparity_beyond_harm() -> None:
    pool = _pool(seed=2)
    is_b = pool["ethnicity"].to_numpy() == "B"
    heavier = pool.with_columns(
        pl.Series("harm_days", np.where(is_b, 3.0, 1.0) * pool["harm_days"].to_numpy())
    )
    result = disproportionality(
        _top(heavier, heavier["harm_days"].to_numpy(), 100), attributes=("ethnicity",)
    )
    b = result.table.filter(pl.col("group") == "B").row(0, named=True)
    assert b["flagged"]  # over-represented against the pool...
    assert not b["adjusted_flagged"]  # ...but not against people with comparable harm


def test_the_null_is_flagged_at_no_more_than_the_nominal_rate() -> None:
    flags = adjusted = tests = 0
    for seed in range(150):
        pool = _pool(seed=100 + seed, size=2000)
        noise = np.random.default_rng(seed).lognormal(0.0, 0.5, pool.height)
        # a noisy method (like RFGV) so that the beyond-harm check has something to test
        out = disproportionality(
            _top(pool, pool["harm_days"].to_numpy() * noise, 100), attributes=("ethnicity",)
        ).table
        flags += int(out["flagged"].sum())
        adjusted += int(out["adjusted_flagged"].sum())
        tests += out.height
    assert flags / tests <= 0.075
    assert adjusted / tests <= 0.075


def test_age_bands() -> None:
    years = pl.DataFrame({"y": [2010, 2003, 1995, 1960, None]})
    bands = years.select(age_band(birth_year=pl.col("y"), as_of=date(2025, 1, 1)))
    assert bands.to_series().to_list() == ["under 18", "18-24", "25-34", "55+", "unknown"]


@pytest.mark.slow
def test_a_higher_offending_rate_in_synth_shows_in_the_pool_not_as_selection(
    tmp_path: Path,
) -> None:
    from vawg import synth

    folder = tmp_path / "disparity"
    synth.write_extract(
        out=folder,
        seed=5,
        size="small",
        years=2,
        disparity=3.0,
        disparity_group="B",
        calibration=synth.calibration_shipped(),
    )
    result = fairness_run(folder=folder, as_of=date(2025, 8, 31), top=100)
    b = result.table.filter((pl.col("attribute") == "ethnicity") & (pl.col("group") == "B"))
    row = b.row(0, named=True)
    assert row["pool_share"] > 0.3  # tripled offending: B is over-represented in the pool
    assert not row["adjusted_flagged"]  # V100 selects on harm alone
