"""Kaplan-Meier: the same curve, standard errors and intervals as statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.duration.survfunc import SurvfuncRight

from vawg.survival import kaplan_meier, median_days, survival_at


def test_the_curve_matches_statsmodels_with_ties_and_censoring() -> None:
    rng = np.random.default_rng(7)
    durations = rng.integers(1, 200, 400)
    events = rng.random(400) < 0.6
    ours = kaplan_meier(durations=durations, events=events)
    theirs = SurvfuncRight(durations, events.astype(int))
    assert ours["days"].to_list() == theirs.surv_times.astype(int).tolist()
    assert ours["at_risk"].to_numpy() == pytest.approx(theirs.n_risk)
    assert ours["events"].to_numpy() == pytest.approx(theirs.n_events)
    assert ours["survival"].to_numpy() == pytest.approx(theirs.surv_prob, abs=1e-12)
    assert ours["se"].to_numpy() == pytest.approx(theirs.surv_prob_se, abs=1e-12)
    low, high = _pointwise(theirs)
    ok = ~np.isnan(low)
    assert ours["low"].to_numpy()[ok] == pytest.approx(low[ok], abs=1e-9)
    assert ours["high"].to_numpy()[ok] == pytest.approx(high[ok], abs=1e-9)
    half = theirs.quantile(0.5)
    assert median_days(ours) == pytest.approx(half)


def _pointwise(fit: SurvfuncRight) -> tuple[np.ndarray, np.ndarray]:
    # the log(-log) pointwise 95% interval (lifelines' default) on statsmodels' curve and variance
    s, se = fit.surv_prob, fit.surv_prob_se
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = 1.959963984540054 * se / (s * np.abs(np.log(s)))
        return s ** np.exp(spread), s ** np.exp(-spread)


def test_censoring_is_not_an_event_and_not_dropped() -> None:
    # 10 people: 5 named on day 10; the other 5 followed to day 20 with no event.
    durations = np.array([10] * 5 + [20] * 5)
    events = np.array([True] * 5 + [False] * 5)
    curve = kaplan_meier(durations=durations, events=events)
    assert survival_at(curve, 15) == pytest.approx(0.5)
    # the same five events with the others censored on day 5: they leave the risk set first
    early = kaplan_meier(durations=np.array([10] * 5 + [5] * 5), events=events)
    assert survival_at(early, 15) == pytest.approx(0.0)
    assert kaplan_meier(durations=np.array([3]), events=np.array([False])).is_empty()
