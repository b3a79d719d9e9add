"""Areas and contiguity, emerging-hotspot classes, PAI evaluation (hand cases and real data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
import shapely

from vawg.spatial.areal import area_index, areas_read, queen_neighbours, ward_counts_mps
from vawg.spatial.emerging import emerging_classify, mann_kendall
from vawg.spatial.evaluate import capture, evaluate_areas, evaluate_grid
from vawg.spatial.grid import grid_from_bounds


def test_queen_contiguity_counts_corner_touches() -> None:
    boxes = np.array([shapely.box(i % 3, i // 3, i % 3 + 1, i // 3 + 1) for i in range(9)])
    w = queen_neighbours(geometries=boxes).toarray()
    assert w.sum(axis=1).tolist() == [3, 5, 3, 5, 8, 5, 3, 5, 3]
    assert (w == w.T).all()
    assert np.trace(w) == 0


def test_points_go_to_the_area_containing_them() -> None:
    from scipy import sparse

    from vawg.spatial.areal import Areas

    g = np.array([shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    a = Areas(
        codes=("a", "b"),
        names=("A", "B"),
        geometries=g,
        area_m2=np.ones(2),
        x=np.zeros(2),
        y=np.zeros(2),
        neighbours=sparse.csr_matrix((2, 2)),
    )
    assert area_index(areas=a, x=np.array([1.0, 19, 30]), y=np.array([1.0, 9, 1])).tolist() == [
        0,
        1,
        -1,
    ]


def test_ward_series_matches_wards(real_data_dir: Path) -> None:
    wards = areas_read(real_data_dir / "geo" / "london_wards24_bgc.geojson")
    assert wards.n == 684
    counts, months, unmatched = ward_counts_mps(
        real_data_dir / "mps" / "vawg-offences.parquet",
        areas=wards,
        month_from="2023-01",
        month_to="2023-12",
    )
    assert months[0] == "2023-01"
    assert len(months) == 12
    # Everything but unknown wards and other forces is placed; only the City's wards are empty.
    assert unmatched < 0.05 * counts.sum()
    assert (counts.sum(axis=1) == 0).sum() <= 5


def test_mann_kendall_hand_value() -> None:
    mk = mann_kendall(np.array([[1.0], [2], [3], [4], [5]]))
    # S = 10, var = 5*4*15/18 = 16.667, z = (10 - 1) / sqrt(16.667) = 2.2045
    assert mk.s[0] == 10
    assert mk.z[0] == pytest.approx(9 / np.sqrt(50 / 3))


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([0] * 11 + [1], "new-hot"),
        ([0] * 8 + [1] * 4, "consecutive-hot"),
        ([1] * 12, "persistent-hot"),
        ([1] * 11 + [0], "historical-hot"),
        ([1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1], "sporadic-hot"),
        ([0] * 12, "no-pattern"),
    ],
)
def test_emerging_categories_on_a_synthetic_cube(pattern: list[int], expected: str) -> None:
    # 200 quiet locations with noise; location 0 follows the pattern (30 events when "on").
    rng = np.random.default_rng(0)
    cube = rng.poisson(1.0, size=(12, 200)).astype(float)
    cube[:, 0] = np.array(pattern) * 30.0
    r = emerging_classify(cube=cube, spatial_sum=lambda v: v, time_steps=0)
    assert r.classes[0] == expected


def test_intensifying_needs_a_rising_trend() -> None:
    rng = np.random.default_rng(1)
    cube = rng.poisson(1.0, size=(12, 300)).astype(float)
    cube[:, 0] = np.linspace(20, 60, 12)
    r = emerging_classify(cube=cube, spatial_sum=lambda v: v, time_steps=0)
    assert r.classes[0] == "intensifying-hot"


def test_capture_with_ties_is_fractional() -> None:
    score = np.array([5.0, 1, 1, 1, 0])
    actual = np.array([2.0, 3, 0, 0, 5])
    # 40 % of 5 cells = 2 cells: the top one and a third of the three tied ones.
    assert capture(score=score, actual=actual, share=0.4) == pytest.approx((2 + 3 / 3) / 10)
    # Areas: unequal sizes.
    assert capture(
        score=np.array([2.0, 1]), actual=np.array([1.0, 1]), area=np.array([1.0, 3]), share=0.5
    ) == pytest.approx((1 + 1 / 3) / 2)


@pytest.mark.slow
def test_default_method_beats_last_period_and_kde_on_real_grids_and_wards(
    violent_2017: pl.DataFrame, real_data_dir: Path
) -> None:
    x, y = violent_2017["x"].to_numpy(), violent_2017["y"].to_numpy()
    g = grid_from_bounds(x_min=x.min(), y_min=y.min(), x_max=x.max(), y_max=y.max())
    months = [f"2017-{m:02d}" for m in range(7, 13)]
    grid_eval = evaluate_grid(grid=g, events=violent_2017, test_months=months, train_months=6)
    wards = areas_read(real_data_dir / "geo" / "london_wards24_bgc.geojson")
    counts, ward_months, _ = ward_counts_mps(
        real_data_dir / "mps" / "vawg-offences.parquet", areas=wards
    )
    keep = counts.sum(axis=1) > 0
    from scipy import sparse

    nb = sparse.csr_matrix(wards.neighbours)[keep][:, keep]
    ward_eval = evaluate_areas(
        counts=counts[keep],
        months=ward_months,
        area_m2=wards.area_m2[keep],
        neighbours=nb,
        x=wards.x[keep],
        y=wards.y[keep],
        test_months=ward_months[-6:],
        train_months=12,
    )
    for ev in (grid_eval, ward_eval):
        pai = {r.method: r.pai for r in ev.rows if r.area_share == 0.05}
        assert pai["recency"] >= pai["last-period"]
        assert pai["recency"] >= pai["kde"]
