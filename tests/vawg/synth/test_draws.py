"""The shared random draws: categorical draws follow their weights, normal scores keep order."""

from __future__ import annotations

import numpy as np
import pytest

from vawg.synth.draws import choice_draw, group_rank, rank_normal


def test_a_categorical_draw_follows_its_weights() -> None:
    drawn = choice_draw(np.random.default_rng(1), 100_000, (1.0, 3.0, 0.0, 6.0))
    shares = np.bincount(drawn, minlength=4) / drawn.size
    assert shares == pytest.approx([0.1, 0.3, 0.0, 0.6], abs=0.005)


def test_normal_scores_keep_the_order_of_the_values() -> None:
    values = np.array([5.0, 1.0, 3.0, 3.0, 10.0])
    scores = rank_normal(values, np.random.default_rng(0))
    assert np.argmax(scores) == 4
    assert np.argmin(scores) == 1
    assert scores[2] != scores[3]  # a tie is broken at random, not scored twice
    assert scores.sum() == pytest.approx(0.0, abs=1e-12)  # mid-ranks are symmetric


def test_ranks_within_groups_restart_at_zero() -> None:
    groups = np.array([2, 2, 1, 2, 1])
    keys = np.array([0.5, 0.1, 9.0, 0.3, 1.0])
    assert group_rank(groups, keys).tolist() == [2, 0, 1, 1, 0]
