"""KDE against direct summation (1e-6 relative) and KDEpy's FFTKDE on the same grid and kernel."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from vawg.spatial.grid import grid_from_bounds
from vawg.spatial.kde import bandwidth_nrd, kde_direct, kde_grid


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_binned_fft_equals_direct_summation_for_points_on_cell_centres(kernel: str) -> None:
    rng = np.random.default_rng(4)
    g = grid_from_bounds(x_min=0, y_min=0, x_max=3999, y_max=2999, cell_size_m=100)
    x = (rng.integers(0, 40, 60) + 0.5) * 100
    y = (rng.integers(0, 30, 60) + 0.5) * 100
    w = rng.uniform(0.5, 3, 60)
    fast = kde_grid(grid=g, x=x, y=y, weights=w, bandwidth_m=650, kernel=kernel).density  # type: ignore[arg-type]
    exact = kde_direct(grid=g, x=x, y=y, weights=w, bandwidth_m=650, kernel=kernel).density  # type: ignore[arg-type]
    assert np.abs(fast - exact).max() <= 1e-6 * exact.max()
    big = exact > 1e-6 * exact.max()
    np.testing.assert_allclose(fast[big], exact[big], rtol=1e-6)


def test_binning_error_shrinks_with_the_cell_size_off_centre_points() -> None:
    rng = np.random.default_rng(5)
    x = rng.uniform(1000, 3000, 40)
    y = rng.uniform(1000, 3000, 40)
    errs = []
    for cell in (100.0, 50.0, 25.0):
        g = grid_from_bounds(x_min=0, y_min=0, x_max=3999, y_max=3999, cell_size_m=cell)
        a = kde_grid(grid=g, x=x, y=y, bandwidth_m=800).density
        b = kde_direct(grid=g, x=x, y=y, bandwidth_m=800).density
        errs.append(np.abs(a - b).max() / b.max())
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 1e-3


def test_quartic_kernel_hand_value() -> None:
    g = grid_from_bounds(x_min=0, y_min=0, x_max=999, y_max=999, cell_size_m=100)
    d = kde_grid(grid=g, x=np.array([550.0]), y=np.array([550.0]), bandwidth_m=200).density
    assert d[5, 5] == pytest.approx(3 / (np.pi * 200**2), rel=1e-12)
    assert d[5, 6] == pytest.approx(3 / (np.pi * 200**2) * (1 - 0.25) ** 2, rel=1e-12)
    assert d[5, 7] == 0.0
    # A kernel integrates to (about) one event over the plane.
    assert d.sum() * 100 * 100 == pytest.approx(1.0, rel=0.05)


def test_nrd_bandwidth_is_the_mean_of_the_two_axes() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1000, 500)
    y = rng.normal(0, 200, 500)

    def nrd(v: np.ndarray) -> float:
        q1, q3 = np.quantile(v, [0.25, 0.75])
        return 4 * 1.06 * min(np.std(v, ddof=1), (q3 - q1) / 1.34) * v.size**-0.2

    assert bandwidth_nrd(x=x, y=y) == pytest.approx((nrd(x) + nrd(y)) / 2)


def _kdepy_on(
    grid_x: np.ndarray,
    grid_y: np.ndarray,
    data: np.ndarray,
    w: np.ndarray,
    kernel: str,
    bw: float,
    scale: float,
) -> np.ndarray:
    from KDEpy import FFTKDE

    pts = np.column_stack([grid_x.T.ravel(), grid_y.T.ravel()]) * scale
    d = FFTKDE(kernel=kernel, bw=bw * scale).fit(data * scale, weights=w).evaluate(pts)
    return np.asarray(d).reshape(grid_x.shape[1], grid_x.shape[0]).T * w.sum() * scale**2


@pytest.mark.parametrize(
    ("kernel", "kdepy_kernel"), [("quartic", "biweight"), ("gaussian", "gaussian")]
)
def test_matches_kdepy_fftkde_on_real_points(
    violent_2017: pl.DataFrame, kernel: str, kdepy_kernel: str
) -> None:
    ev = violent_2017.filter(pl.col("month") == "2017-06")
    x, y = ev["x"].to_numpy(), ev["y"].to_numpy()
    g = grid_from_bounds(
        x_min=x.min() - 500,
        y_min=y.min() - 500,
        x_max=x.max() + 500,
        y_max=y.max() + 500,
        cell_size_m=250,
    )
    w = np.ones(x.size)
    h = 1500.0
    ours = kde_grid(grid=g, x=x, y=y, bandwidth_m=h, kernel=kernel).density  # type: ignore[arg-type]
    # KDEpy scales bw to the kernel's standard deviation: quartic radius = bw * sqrt(7);
    # Gaussian sd = h / 4. KDEpy truncates the Gaussian where it falls below 1e-4, so its data
    # are shrunk (scale) to push that truncation out to about 7 sd, beyond any visible mass.
    bw = h / np.sqrt(7) if kernel == "quartic" else h / 4
    scale = 1.0 if kernel == "quartic" else 1e-7
    cx, cy = g.centres()
    theirs = _kdepy_on(cx, cy, np.column_stack([x, y]), w, kdepy_kernel, bw, scale)
    assert np.abs(ours - theirs).max() <= 1e-6 * theirs.max()


def test_inputs_are_not_changed() -> None:
    g = grid_from_bounds(x_min=0, y_min=0, x_max=999, y_max=999, cell_size_m=100)
    x = np.array([100.0, 500])
    y = np.array([300.0, 700])
    w = np.array([1.0, 2])
    kde_grid(grid=g, x=x, y=y, weights=w, bandwidth_m=300)
    assert x.tolist() == [100.0, 500]
    assert y.tolist() == [300.0, 700]
    assert w.tolist() == [1.0, 2]
