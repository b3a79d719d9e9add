"""Places: points uniform inside each ward polygon, or picked from the shipped points."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from vawg.synth import points_from_table, points_in_wards


def test_points_in_wards_lands_inside_each_polygon() -> None:
    # An L-shaped ward (bbox acceptance 3/4) and a thin triangle (acceptance 1/2).
    ell = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)])
    triangle = shapely.Polygon([(10, 0), (10.001, 0), (10, 0.001)])
    index = np.array([0, 1] * 500)
    lon, lat = points_in_wards(
        ward_index=index, polygons=[ell, triangle], rng=np.random.default_rng(7)
    )
    assert shapely.contains_xy(ell, lon[index == 0], lat[index == 0]).all()
    assert shapely.contains_xy(triangle, lon[index == 1], lat[index == 1]).all()
    # Uniform over the L: a third of the area is in each unit square.
    upper = (lat[index == 0] > 1).mean()
    assert upper == pytest.approx(1 / 3, abs=0.07)
    assert np.array_equal(np.round(lon, 6), lon)


def test_points_from_table_picks_shipped_points() -> None:
    lon, lat = points_from_table(
        ward_index=np.array([0, 1, 1, 1]),
        points=[[(0.5, 51.5)], [(0.1, 51.1), (0.2, 51.2)]],
        rng=np.random.default_rng(0),
    )
    assert lon[0] == 0.5
    assert lat[0] == 51.5
    assert set(zip(lon[1:], lat[1:], strict=True)) <= {(0.1, 51.1), (0.2, 51.2)}
