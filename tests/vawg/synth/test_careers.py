"""Careers: a repeat career's reports by known answer, and prior frequency predicting more."""

from __future__ import annotations

import numpy as np
import pytest

from vawg.synth import careers


def test_a_repeat_career_averages_two_reports_plus_rate_times_span() -> None:
    # Careers all starting at day 0 and all repeat: reports = 2 + Poisson(r * D), with r and D
    # independent lognormals, so the mean is 2 + E[r] E[D] =
    # 2 + 3.5 e^(0.8^2 / 2) / 365 * 300 e^(1 / 2) = 8.53 (REPEAT_RATE_*, CAREER_SPAN_*).
    rng = np.random.default_rng(5)
    _, day, n_events = careers.careers_draw(rng=rng, n_careers=400_000, first_day=0.0, last_day=0.0)
    repeat = n_events > 1
    expected = 2 + (
        careers.REPEAT_RATE_MEDIAN_PER_YEAR
        * np.exp(careers.REPEAT_RATE_SIGMA**2 / 2)
        / 365.0
        * careers.CAREER_SPAN_MEDIAN_DAYS
        * np.exp(0.5)
    )
    assert expected == pytest.approx(8.53, abs=0.01)
    assert n_events[repeat].mean() == pytest.approx(expected, rel=0.02)
    assert repeat.mean() == pytest.approx(1 - careers.ONE_OFF_SHARE, abs=0.005)
    assert day.min() >= 0.0


def test_frequent_suspects_are_more_often_named_again() -> None:
    # Prior frequency predicts future offending (Blumstein et al. 1986; the premise of V100 and
    # RFGV): with a personal rate that lasts the career, the share of suspects with a report in
    # the next 365 days rises with their reports in a year. Measured 0.42 (2 reports) and 0.63
    # (6 or more); the fixed-count model it replaced gave 0.42 and 0.34 (the share fell).
    rng = np.random.default_rng(7)
    career, day, _ = careers.careers_draw(
        rng=rng, n_careers=600_000, first_day=-365.0 * 6, last_day=730.0
    )
    in_year = np.bincount(career[(day >= 0) & (day < 365)], minlength=600_000)
    again = np.bincount(career[(day >= 365) & (day < 730)], minlength=600_000) > 0
    two, many = again[in_year == 2].mean(), again[in_year >= 6].mean()
    assert many > two + 0.15
    assert again[in_year == 1].mean() < two
