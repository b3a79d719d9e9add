"""Kaplan-Meier survival curves, with censoring, in numpy.

The time from a flag (a precursor offence) to a first VAWG allegation is known only for people
who have one by the end of the data; for the others it is *censored*: at least the days they have
been followed. Leaving them out would make the wait look short; counting them as never would make
it look long. The Kaplan-Meier estimate (Kaplan & Meier 1958, *JASA* 53:457-481) uses each person
for as long as they are followed:

``S(t) = prod over event days t_i <= t of (1 - d_i / n_i)``, with ``d_i`` events on day ``t_i``
and ``n_i`` people still followed and event-free just before it; Greenwood's variance
``S(t)^2 * sum d_i / (n_i (n_i - d_i))``; the 95% interval on the log(-log) scale (it stays in
[0, 1]). The share named for a VAWG offence by day ``t`` is ``1 - S(t)``. Checked against
``statsmodels.duration.survfunc.SurvfuncRight`` in the tests.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

Z95 = 1.959963984540054

CURVE_SCHEMA = {
    "days": pl.Int64,
    "at_risk": pl.Int64,
    "events": pl.Int64,
    "survival": pl.Float64,
    "se": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
}
"""The columns of a curve: one row per day with at least one event."""


def kaplan_meier(*, durations: np.ndarray, events: np.ndarray) -> pl.DataFrame:
    """The Kaplan-Meier curve of ``durations`` (days), ``events`` true where one was observed.

    Returns
    -------
    pl.DataFrame
        :data:`CURVE_SCHEMA`, one row per event day.

    Examples
    --------
    >>> km = kaplan_meier(durations=np.array([2, 3, 3, 5, 8]),
    ...                   events=np.array([True, True, False, True, False]))
    >>> km["days"].to_list(), [round(s, 4) for s in km["survival"]]
    ([2, 3, 5], [0.8, 0.6, 0.3])
    """
    t = np.asarray(durations, dtype=np.int64)
    d = np.asarray(events, dtype=bool)
    if t.size == 0 or not d.any():
        return pl.DataFrame(schema=CURVE_SCHEMA)
    times, deaths = np.unique(t[d], return_counts=True)
    at_risk = t.size - np.searchsorted(np.sort(t), times, side="left")
    survival = np.cumprod(1.0 - deaths / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        greenwood = np.cumsum(deaths / (at_risk * (at_risk - deaths)))
        se = np.where(survival > 0, survival * np.sqrt(greenwood), np.nan)
    low, high = _log_log_interval(survival, greenwood)
    return pl.DataFrame(
        {
            "days": times,
            "at_risk": at_risk.astype(np.int64),
            "events": deaths.astype(np.int64),
            "survival": survival,
            "se": se,
            "low": low,
            "high": high,
        },
        schema=CURVE_SCHEMA,
    ).with_columns(pl.col(pl.Float64).fill_nan(None))


def _log_log_interval(survival: np.ndarray, greenwood: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    low = np.full(survival.size, np.nan)
    high = np.full(survival.size, np.nan)
    ok = (survival > 0) & (survival < 1) & np.isfinite(greenwood)
    log_s = np.log(survival[ok])
    spread = Z95 * np.sqrt(greenwood[ok]) / np.abs(log_s)
    low[ok] = survival[ok] ** np.exp(spread)
    high[ok] = survival[ok] ** np.exp(-spread)
    return low, high


def survival_at(curve: pl.DataFrame, day: int) -> float:
    """``S(day)``: the curve's value on ``day`` (1 before the first event).

    >>> km = kaplan_meier(durations=np.array([2, 3, 3, 5, 8]),
    ...                   events=np.array([True, True, False, True, False]))
    >>> [round(survival_at(km, day), 4) for day in (1, 4, 100)]
    [1.0, 0.6, 0.3]
    """
    before = curve.filter(pl.col("days") <= day)
    return 1.0 if before.is_empty() else float(before["survival"][-1])


def median_days(curve: pl.DataFrame) -> float:
    """The first day on which ``S`` falls to one half or below (NaN when it never does).

    >>> km = kaplan_meier(durations=np.array([2, 3, 3, 5, 8]),
    ...                   events=np.array([True, True, False, True, False]))
    >>> median_days(km)
    5.0
    """
    below = curve.filter(pl.col("survival") <= 0.5)
    return math.nan if below.is_empty() else float(below["days"][0])
