"""Offending careers: when each named suspect is reported, in the spirit of the criminal-career
paradigm (Blumstein, Cohen, Roth & Visher 1986, *Criminal Careers and "Career Criminals"*) and of
the Thames Valley follow-up (Barnham, Barnes & Sherman 2017).

Careers start at a constant rate; most (:data:`ONE_OFF_SHARE`) produce a single report; the rest
have a lognormal duration and, independently of it, a personal, heavy-tailed rate of reports that
holds for the whole career, so that a few suspects carry many reports and a suspect reported often
this year tends to be reported again. Times are in days from the start of the window (negative
before it). Numbers marked provisional in ``docs/synth.md`` are assumptions.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

ONE_OFF_SHARE = 0.82
"""Share of offending careers with a single report (provisional; tuned so that about 77.6% of
suspects seen over two years have one report, Barnham, Barnes & Sherman 2017; 0.79 under the
fixed-count career model, whose repeat careers showed one report in a window less often)."""


REPEAT_RATE_MEDIAN_PER_YEAR = 3.5
"""Median of a repeat career's personal rate of further reports, per year; lognormal with sigma
``REPEAT_RATE_SIGMA``, drawn once per career and constant over it (the criminal-career
paradigm's individual frequency lambda, Blumstein et al. 1986). Provisional: chosen with
``ONE_OFF_SHARE`` so that the share of crimes naming a suspect (about 0.51) and the reports of
the most active suspects (the top 100 about 25 a year) stay where the fixed-count model it
replaced (2 + a negative binomial of mean 5 reports) put them; a repeat career now averages
about 8.5 reports."""


REPEAT_RATE_SIGMA = 0.8
"""Log-scale spread of the personal rate (provisional): heterogeneity between offenders, the
source of the heavy tail of reports per suspect."""


CAREER_SPAN_MEDIAN_DAYS = 300.0
"""Median span of a repeat career, lognormal with sigma 1, drawn independently of the rate
(provisional)."""


BURN_IN_YEARS = 4
"""Careers may start this long before the window, so the window opens mid-career for some."""


def careers_draw(
    *, rng: np.random.Generator, n_careers: int, first_day: float, last_day: float
) -> tuple[IntArray, FloatArray, IntArray]:
    """Career events: (career of each event, day of each event, events per career).

    A one-off career is one report on its start day. A repeat career has a span ``D`` (lognormal,
    median ``CAREER_SPAN_MEDIAN_DAYS``, sigma 1) and, independently, a personal rate ``r`` of
    reports (lognormal, median ``REPEAT_RATE_MEDIAN_PER_YEAR`` a year, sigma
    ``REPEAT_RATE_SIGMA``): its first report on the start day, a second (a repeat career has at
    least two) and Poisson(``r * D``) more, all uniform over the span, i.e. a Poisson process at
    rate ``r`` conditioned on at least one further report. Because ``r`` holds for the whole
    career and the span does not depend on it, a suspect with many reports in a year has a high
    rate and, as often as anyone, time left: the share named again rises with past frequency
    (Blumstein, Cohen, Roth & Visher 1986, the stability of individual frequency lambda).
    """
    start = rng.uniform(first_day, last_day, n_careers)
    repeat = rng.random(n_careers) >= ONE_OFF_SHARE
    span = rng.lognormal(np.log(CAREER_SPAN_MEDIAN_DAYS), 1.0, n_careers)
    rate_per_day = (
        rng.lognormal(np.log(REPEAT_RATE_MEDIAN_PER_YEAR), REPEAT_RATE_SIGMA, n_careers) / 365.0
    )
    further = rng.poisson(rate_per_day * span)
    n_events = np.where(repeat, 2 + further, 1).astype(np.int64)
    career = np.repeat(np.arange(n_careers, dtype=np.int64), n_events)
    first = np.zeros(career.size, dtype=bool)
    first[np.concatenate([[0], np.cumsum(n_events)[:-1]])] = True
    offset = np.where(first, 0.0, rng.random(career.size) * span[career])
    return career, start[career] + offset, n_events


@lru_cache(maxsize=4)
def distinct_per_career_start() -> float:
    """Distinct suspects seen in a 365-day window per career started per 365 days (steady state),
    by simulation with a fixed seed so that it is the same on every run."""
    rng = np.random.default_rng(20250831)
    n = 400_000
    career, day, _ = careers_draw(
        rng=rng, n_careers=n, first_day=-365.0 * BURN_IN_YEARS, last_day=365.0
    )
    seen = np.unique(career[(day >= 0) & (day < 365)]).size
    return seen / (n / (BURN_IN_YEARS + 1))
