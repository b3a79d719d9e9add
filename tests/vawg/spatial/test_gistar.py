"""Gi*: hand-checkable answers, esda's G_Local(star=True, transform="B") on real data."""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vawg.spatial.gistar import band_offsets, gistar_grid, gistar_sparse, window_sum
from vawg.spatial.grid import grid_counts, grid_from_bounds


def test_single_hot_cell_hand_computed() -> None:
    # 5 x 5 grid, one cell of 9 in the middle: n = 25, mean 0.36, population sd 1.76363...
    g = grid_from_bounds(x_min=0, y_min=0, x_max=499, y_max=499, cell_size_m=100)
    v = np.zeros((5, 5))
    v[2, 2] = 9.0
    r = gistar_grid(grid=g, values=v, permutations=0)
    mean, sd = 0.36, np.sqrt(81 / 25 - 0.36**2)
    # centre: k = 9, lag = 9
    assert r.z[12] == pytest.approx((9 - 9 * mean) / (sd * np.sqrt(9 * 16 / 24)), abs=1e-12)
    # corner (0, 0): k = 4, lag = 0
    assert r.z[0] == pytest.approx((0 - 4 * mean) / (sd * np.sqrt(4 * 21 / 24)), abs=1e-12)
    assert r.n_neighbours.reshape(5, 5)[0].tolist() == [4, 6, 6, 6, 4]


def test_distance_band_includes_cells_by_centre_distance() -> None:
    assert len(band_offsets(cell_size_m=100, distance_m=99)) == 1
    assert len(band_offsets(cell_size_m=100, distance_m=100)) == 5
    assert len(band_offsets(cell_size_m=100, distance_m=100 * np.sqrt(2))) == 9
    assert len(band_offsets(cell_size_m=100, distance_m=200)) == 13


def test_fft_window_sum_equals_shifted_sums() -> None:
    rng = np.random.default_rng(0)
    v = rng.poisson(2, size=(60, 70)).astype(float)
    small = band_offsets(cell_size_m=1, distance_m=3)
    large = band_offsets(cell_size_m=1, distance_m=8)
    assert len(large) > 121
    direct = np.zeros_like(v)
    for dr, dc in large.tolist():
        shifted = np.zeros_like(v)
        r0, r1 = max(0, -dr), min(60, 60 - dr)
        c0, c1 = max(0, -dc), min(70, 70 - dc)
        shifted[r0:r1, c0:c1] = v[r0 + dr : r1 + dr, c0 + dc : c1 + dc]
        direct += shifted
    assert np.array_equal(window_sum(values=v, offsets=large), direct)
    assert window_sum(values=v, offsets=small).sum() > 0


def _esda_on_grid(values: np.ndarray, g, distance: float, **kw):  # type: ignore[no-untyped-def]
    from esda.getisord import G_Local
    from libpysal.weights import DistanceBand

    x, y = g.centres()
    pts = np.column_stack([x[g.in_area], y[g.in_area]])
    w = DistanceBand(pts, threshold=distance * (1 + 1e-9), binary=True, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(values[g.in_area], w, transform="B", star=True, **kw)


@pytest.mark.parametrize("distance_factor", [1.0, np.sqrt(2), 2.5])
def test_analytic_z_equals_esda_on_real_data(
    violent_2017: pl.DataFrame, distance_factor: float
) -> None:
    ev = violent_2017.filter(pl.col("month") == "2017-03")
    x, y = ev["x"].to_numpy(), ev["y"].to_numpy()
    g = grid_from_bounds(
        x_min=x.min(), y_min=y.min(), x_max=x.max(), y_max=y.max(), cell_size_m=1000
    )
    v = grid_counts(grid=g, x=x, y=y)
    d = 1000 * distance_factor
    ours = gistar_grid(grid=g, values=v, distance_m=d, permutations=0)
    theirs = _esda_on_grid(v, g, d, permutations=0)
    np.testing.assert_allclose(ours.z, theirs.Zs, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.g, theirs.Gs, rtol=0, atol=1e-12)


@pytest.mark.slow  # importing esda and libpysal takes 4-7 s in a fresh process
def test_analytic_z_equals_esda_on_wards_with_queen_contiguity(real_data_dir) -> None:  # type: ignore[no-untyped-def]
    from esda.getisord import G_Local
    from libpysal.weights import Queen

    from vawg.spatial.areal import areas_read, ward_counts_mps

    wards = areas_read(real_data_dir / "geo" / "london_wards24_bgc.geojson")
    counts, _, _ = ward_counts_mps(
        real_data_dir / "mps" / "vawg-offences.parquet",
        areas=wards,
        month_from="2024-01",
        month_to="2024-12",
    )
    values = counts.sum(axis=1)
    q = Queen.from_iterable(list(wards.geometries))
    assert (q.sparse.toarray() != wards.neighbours.toarray()).sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = G_Local(values, q, transform="B", star=True, permutations=0, island_weight=0)
    ours = gistar_sparse(values=values, neighbours=wards.neighbours, permutations=0)
    np.testing.assert_allclose(ours.z, theirs.Zs, rtol=0, atol=1e-8)


@settings(max_examples=30, deadline=None)
@given(
    scale=st.floats(min_value=1e-3, max_value=1e4),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_z_is_invariant_to_scaling_the_counts(scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = grid_from_bounds(x_min=0, y_min=0, x_max=1199, y_max=999, cell_size_m=100)
    v = rng.poisson(1.5, size=g.shape).astype(float)
    v[0, 0] += 1  # never constant
    a = gistar_grid(grid=g, values=v, permutations=0)
    b = gistar_grid(grid=g, values=v * scale, permutations=0)
    np.testing.assert_allclose(a.z, b.z, atol=1e-9)
    np.testing.assert_allclose(a.g, b.g, atol=1e-12)


def test_inputs_are_not_changed_and_results_are_seeded() -> None:
    g = grid_from_bounds(x_min=0, y_min=0, x_max=999, y_max=999, cell_size_m=100)
    v = np.random.default_rng(2).poisson(1, size=g.shape).astype(float)
    before = v.copy()
    a = gistar_grid(grid=g, values=v, permutations=99, seed=7)
    b = gistar_grid(grid=g, values=v, permutations=99, seed=7)
    assert np.array_equal(v, before)
    assert np.array_equal(a.p_sim, b.p_sim)
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        a.z = b.z  # type: ignore[misc]
