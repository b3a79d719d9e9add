"""Observed against expected (vawg.spatial.excess): known answers, scipy's Poisson tails,
statsmodels' Benjamini-Hochberg, and properties over generated areas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from shapely.geometry import Polygon, box
from statsmodels.stats.multitest import multipletests

from vawg.spatial.excess import (
    ABOUT,
    FEWER,
    MORE,
    NONE,
    excess_poisson,
    squares_area_km2,
)


def test_known_answer_by_hand() -> None:
    # 10 + 10 offences over 2 x 500 residents: rate 0.02, 10 expected each, both exactly as
    # expected (P(X >= 10) and P(X <= 10) for Poisson(10) are both above one half).
    r = excess_poisson(observed=np.array([10, 10]), exposure=np.array([500, 500]))
    assert r.rate == pytest.approx(0.02)
    assert r.expected.tolist() == pytest.approx([10.0, 10.0])
    assert r.p.tolist() == [1.0, 1.0]
    assert r.classes.tolist() == [ABOUT, ABOUT]
    # One observed against 0.5 expected: P(X >= 1) = 1 - e^-0.5.
    r = excess_poisson(observed=np.array([1, 0]), exposure=np.array([1.0, 1.0]))
    assert r.p_more[0] == pytest.approx(1 - np.exp(-0.5), rel=1e-12)
    assert r.p_fewer[1] == pytest.approx(np.exp(-0.5), rel=1e-12)


def test_matches_scipy_and_statsmodels() -> None:
    rng = np.random.default_rng(7)
    exposure = rng.integers(500, 8000, 300).astype(float)
    observed = rng.poisson(exposure * 0.01 * rng.gamma(2.0, 0.5, 300))
    r = excess_poisson(observed=observed, exposure=exposure)
    rate = observed.sum() / exposure.sum()
    assert r.rate == pytest.approx(rate, rel=1e-12)
    mu = exposure * rate
    np.testing.assert_allclose(r.expected, mu, rtol=1e-12)
    np.testing.assert_allclose(r.p_more, stats.poisson.sf(observed - 1, mu), rtol=1e-10)
    np.testing.assert_allclose(r.p_fewer, stats.poisson.cdf(observed, mu), rtol=1e-10)
    two = np.minimum(1, 2 * np.minimum(r.p_more, r.p_fewer))
    np.testing.assert_allclose(r.p, two, rtol=1e-12)
    reject, q, _, _ = multipletests(two, alpha=0.05, method="fdr_bh")
    np.testing.assert_allclose(r.q, q, rtol=1e-10, atol=1e-15)
    assert ((r.classes != ABOUT) == reject).all()
    assert (r.classes[reject & (observed > mu)] == MORE).all()
    assert (r.classes == MORE).sum() > 0
    assert (r.classes == FEWER).sum() > 0


def test_untested_areas_have_no_class_and_are_not_in_the_rate() -> None:
    r = excess_poisson(
        observed=np.array([50, 5, 5, 900]),
        exposure=np.array([1000, 1000, 0, 1000]),
        policed=np.array([True, True, True, False]),
    )
    assert r.rate == pytest.approx(55 / 2000)
    assert r.tested.tolist() == [True, True, False, False]
    assert r.classes.tolist()[2:] == [NONE, NONE]
    assert np.isnan(r.expected[2:]).all()
    assert np.isnan(r.q[2:]).all()
    assert r.n_tested == 2
    # BH counts only the tested areas: the same two areas alone give the same q-values.
    alone = excess_poisson(observed=np.array([50, 5]), exposure=np.array([1000, 1000]))
    np.testing.assert_allclose(r.q[:2], alone.q)


def test_nothing_anywhere_is_about_as_expected() -> None:
    r = excess_poisson(observed=np.zeros(3), exposure=np.ones(3))
    assert r.rate == 0.0
    assert r.classes.tolist() == [ABOUT] * 3
    assert r.p.tolist() == [1.0] * 3


def test_inputs_checked_and_not_changed() -> None:
    obs = np.array([1.0, 2.0])
    expo = np.array([1.0, -1.0])
    excess_poisson(observed=obs, exposure=expo)
    assert obs.tolist() == [1.0, 2.0]
    assert expo.tolist() == [1.0, -1.0]
    with pytest.raises(ValueError, match="whole"):
        excess_poisson(observed=np.array([1.5]), exposure=np.array([1.0]))
    with pytest.raises(ValueError, match="whole"):
        excess_poisson(observed=np.array([-1]), exposure=np.array([1.0]))
    with pytest.raises(ValueError, match="same length"):
        excess_poisson(observed=np.array([1]), exposure=np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="alpha"):
        excess_poisson(observed=np.array([1]), exposure=np.array([1.0]), alpha=1.0)


areas = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 400), min_size=n, max_size=n),
        st.lists(
            st.one_of(st.just(0.0), st.floats(1.0, 20000.0, allow_nan=False)),
            min_size=n,
            max_size=n,
        ),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(max_examples=300, deadline=None)
@given(areas)
def test_classes_agree_with_the_numbers(data: tuple[list[int], list[float], list[bool]]) -> None:
    observed, exposure, policed = (np.array(v) for v in data)
    r = excess_poisson(observed=observed, exposure=exposure, policed=policed)
    tested = policed & (exposure > 0)
    assert (r.tested == tested).all()
    assert (r.classes[~tested] == NONE).all()
    more = r.classes == MORE
    fewer = r.classes == FEWER
    # "More than expected" always means a rate above the force area's, and never no offences.
    assert (observed[more] > r.expected[more]).all()
    assert (observed[more] / exposure[more] > r.rate).all()
    assert (observed[more] > 0).all()
    assert (observed[fewer] < r.expected[fewer]).all()
    assert (r.q[more | fewer] < r.alpha).all()
    t = r.tested
    assert ((r.p[t] >= 0) & (r.p[t] <= 1) & (r.q[t] >= r.p[t] - 1e-15) & (r.q[t] <= 1)).all()
    if t.any():
        # The expected counts add up to the observed ones over the tested areas.
        assert r.expected[t].sum() == pytest.approx(observed[t].sum(), rel=1e-9, abs=1e-9)
        _, q, _, _ = multipletests(r.p[t], method="fdr_bh")
        np.testing.assert_allclose(r.q[t], q, rtol=1e-9, atol=1e-15)


def test_squares_clipped_to_the_area() -> None:
    tri = Polygon([(0, 0), (2000, 0), (0, 2000)])
    km2 = squares_area_km2(
        x=np.array([500.0, 1500, 500, 1500]),
        y=np.array([500.0, 500, 1500, 1500]),
        cell_size_m=1000,
        area=tri,
    )
    assert km2.tolist() == pytest.approx([1.0, 0.5, 0.5, 0.0])
    assert squares_area_km2(
        x=np.array([50.0]), y=np.array([50.0]), cell_size_m=100, area=box(0, 0, 100, 100)
    ).tolist() == pytest.approx([0.01])
