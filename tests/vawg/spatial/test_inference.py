"""Permutation inference: exact null (p uniform), esda's meaning, streaming; BH FDR; classes."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vawg.spatial.gistar import gistar_grid
from vawg.spatial.grid import grid_counts, grid_from_bounds
from vawg.spatial.inference import (
    PermutationCounts,
    classes_from,
    fdr_bh,
    permutation_counts,
    pvalues_from_counts,
)


@pytest.mark.parametrize("n_side", [40, 120])  # per-site draws (1,600) and block draws (14,400)
def test_pvalues_are_uniform_under_a_random_field(n_side: int) -> None:
    rng = np.random.default_rng(11)
    g = grid_from_bounds(
        x_min=0, y_min=0, x_max=n_side * 100 - 1, y_max=n_side * 100 - 1, cell_size_m=100
    )
    v = rng.normal(size=g.shape)
    r = gistar_grid(grid=g, values=v, permutations=199, seed=3, alternative="greater")
    # Under exchangeability (1 + n_ge) / (1 + n_valid) is uniform on {1..P+1}/(P+1): jitter it
    # to a continuous uniform before the Kolmogorov-Smirnov test.
    jitter = rng.uniform(0, 1 / 200, r.p_sim.size)
    ks = stats.kstest(r.p_sim - jitter, "uniform")
    assert ks.pvalue > 0.001
    two = gistar_grid(grid=g, values=v, permutations=199, seed=3)
    assert abs(float(np.mean(two.p_sim <= 0.05)) - 0.05) < 0.015


def test_block_draws_never_use_the_site_itself() -> None:
    # Only site 0 has a value; with k - 1 = n - 1... impossible, so use a field where drawing
    # the site itself would be detectable: x_i huge, all other values 0.
    n = 5000
    x = np.zeros(n)
    x[123] = 1e6
    m = np.full(n, 8, dtype=np.int64)
    c = permutation_counts(
        values=x, neighbour_sum=np.zeros(n), n_neighbours=m, permutations=999, seed=1
    )
    # Site 123 can only draw zeros: every valid simulated sum equals its observed sum 0.
    assert c.n_le[123] == c.n_valid[123]
    assert c.n_ge[123] == c.n_valid[123]
    assert (c.n_valid > 990).all()
    assert (c.n_valid <= 999).all()


def test_folded_pvalues_agree_in_distribution_with_esda_p_sim(violent_2017: pl.DataFrame) -> None:
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    ev = violent_2017.filter(pl.col("month") == "2017-09")
    x, y = ev["x"].to_numpy(), ev["y"].to_numpy()
    g = grid_from_bounds(
        x_min=x.min(), y_min=y.min(), x_max=x.max(), y_max=y.max(), cell_size_m=1000
    )
    v = grid_counts(grid=g, x=x, y=y)
    ours = gistar_grid(grid=g, values=v, permutations=999, seed=5, alternative="folded")
    cx, cy = g.centres()
    w = DistanceBand(
        np.column_stack([cx.ravel(), cy.ravel()]),
        threshold=1000 * np.sqrt(2) + 1e-6,
        binary=True,
        silence_warnings=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = G_Local(v.ravel(), w, transform="B", star=True, permutations=999, seed=5)
    esda_p = np.round(np.asarray(theirs.p_sim, dtype=np.float64), 6)  # esda stores float32
    assert stats.ks_2samp(ours.p_sim, esda_p).pvalue > 0.01
    assert np.corrcoef(ours.p_sim, esda_p)[0, 1] > 0.98
    assert np.abs(ours.p_sim - esda_p).mean() < 0.01
    # Our default two-sided p is about twice the folded one (esda's p_sim is "half"), except
    # where ties dominate: esda's folding counts ties as "larger", then folds onto the strict
    # "smaller" tail, so an empty cell amid empty cells gets p_sim = 1/(P+1). Ours does not.
    two = gistar_grid(grid=g, values=v, permutations=999, seed=5)
    busy = (two.g > 0) & (ours.p_sim > 0.001)
    assert (
        np.mean(np.abs(two.p_sim - np.minimum(1, 2 * ours.p_sim))[busy] < 0.03) > 0.8
    )  # ties remain
    empty = two.g == 0
    assert np.mean(esda_p[empty] <= 0.001) > 0.9
    assert np.mean(two.p_sim[empty] <= 0.001) < 0.05


def test_pvalue_formulas_by_hand() -> None:
    c = PermutationCounts(
        n_ge=np.array([0, 99, 50]),
        n_le=np.array([99, 0, 50]),
        n_valid=np.array([99, 99, 99]),
        permutations=99,
    )
    assert pvalues_from_counts(c).tolist() == [0.02, 0.02, 1.0]
    assert pvalues_from_counts(c, alternative="greater").tolist() == [0.01, 1.0, 0.51]
    assert pvalues_from_counts(c, alternative="folded").tolist() == [0.01, 0.01, 0.5]


def test_fdr_bh_by_hand() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    q = fdr_bh(p)
    # p_(k) * n / k, then the running minimum from the largest rank down.
    assert q[0] == pytest.approx(0.01)
    assert q[1] == pytest.approx(0.04)
    # rank 3: min(0.039 * 10/3, 0.041 * 10/4, 0.042 * 10/5, ...) = 0.084
    assert q[2] == pytest.approx(0.084)
    assert q[4] == pytest.approx(0.084)
    assert q[9] == pytest.approx(0.216)
    assert np.isnan(fdr_bh(np.array([np.nan, 0.5]))[0])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=200))
def test_fdr_q_is_monotone_in_p_and_never_below_p(ps: list[float]) -> None:
    p = np.array(ps)
    q = fdr_bh(p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-15)
    assert np.all(q >= p - 1e-15)
    assert np.all(q <= 1)


def test_classes() -> None:
    out = classes_from(
        z=np.array([3, 2, 1, -1, -2, 0.0]), p=np.array([0.005, 0.03, 0.08, 0.09, 0.2, 0.001])
    )
    assert out.tolist() == [
        "hot-99",
        "hot-95",
        "hot-90",
        "cold-90",
        "not-significant",
        "not-significant",
    ]
