"""The effect of tasking: a difference in differences within strata, with a bootstrap interval."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from vawg.tasking_effect import tasking_effect


def _force(*, effect: float, seed: int, n: int = 600) -> pl.DataFrame:
    # Three strata of risk; within each, before-harm and a common fall (regression to the
    # mean); tasked men (a third) lose `effect` more; noise on top.
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 3, n)
    level = np.array([200.0, 80.0, 20.0])[stratum]
    before = level + rng.normal(0, 10, n)
    tasked = rng.random(n) < 1 / 3
    after = before * 0.6 + np.where(tasked, effect, 0.0) + rng.normal(0, 10, n)
    return pl.DataFrame(
        {
            "person_ref": [f"P{i}" for i in range(n)],
            "tasked": tasked,
            "stratum": stratum,
            "harm_before": before,
            "harm_after": after,
            "action": np.where(rng.random(n) < 0.5, "arrest", "order"),
        }
    )


def test_no_noise_gives_the_effect_exactly() -> None:
    frame = pl.DataFrame(
        {
            "person_ref": [f"P{i}" for i in range(8)],
            "tasked": [True, True, False, False] * 2,
            "stratum": ["a"] * 4 + ["b"] * 4,
            "harm_before": [100.0, 120, 100, 120, 10, 12, 10, 12],
            "harm_after": [40.0, 60, 60, 80, 0, 2, 5, 7],
        }
    )
    row = tasking_effect(frame, reps=100).row(0, named=True)
    # a: tasked change -60, untasked -40: -20; b: tasked -10, untasked -5: -5; mean -12.5
    assert row["effect"] == pytest.approx(-12.5)
    assert row["low"] <= row["effect"] <= row["high"]
    assert (row["tasked"], row["comparison"], row["strata_used"]) == (4, 4, 2)


def test_the_interval_covers_the_truth_and_excludes_zero_for_a_real_effect() -> None:
    covered = 0
    for seed in range(20):
        row = tasking_effect(_force(effect=-15.0, seed=seed), reps=300, seed=seed).row(
            0, named=True
        )
        covered += row["low"] <= -15.0 <= row["high"]
        assert row["high"] < 0
    assert covered >= 16  # a 95% interval: about 19 of 20, and at least 16 on any seeds


def test_no_effect_is_found_as_none_and_the_fall_of_a_high_list_is_not_credited() -> None:
    row = tasking_effect(_force(effect=0.0, seed=3), reps=500).row(0, named=True)
    assert row["harm_after"] < row["harm_before"]  # everyone's harm fell ...
    assert row["low"] < 0 < row["high"]  # ... but no more for the tasked


def test_one_effect_per_action_and_strata_without_a_comparison_are_dropped() -> None:
    frame = _force(effect=-15.0, seed=5)
    lonely = pl.DataFrame(
        {
            "person_ref": ["Z"],
            "tasked": [True],
            "stratum": [99],
            "harm_before": [500.0],
            "harm_after": [0.0],
            "action": ["arrest"],
        }
    ).cast(frame.schema)
    table = tasking_effect(pl.concat([frame, lonely]), by="action", reps=200)
    assert table["group"].to_list() == ["arrest", "order"]
    assert table["strata_dropped"].to_list() == [1, 0]
    assert all(high < 0 for high in table["high"])
    with pytest.raises(ValueError, match="needs"):
        tasking_effect(frame.drop("stratum"))


def test_the_same_data_give_the_same_interval() -> None:
    frame = _force(effect=-5.0, seed=9)
    assert tasking_effect(frame, reps=200).equals(tasking_effect(frame, reps=200))
