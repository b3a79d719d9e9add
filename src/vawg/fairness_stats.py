"""The statistics behind the disproportionality check: exact tests, Holm, power, broad groups.

- **Exact null distribution** of a group's list count. Under no selection disparity the list
  places of each harm stratum fall on its members at random, so the group's count in stratum
  ``s`` is hypergeometric (``size_s`` people, ``group_s`` of them in the group, ``chosen_s``
  listed) and its list count is the sum over strata: the distribution is the convolution of the
  strata's hypergeometric distributions (the exact form of the stratified test; one stratum gives
  the plain list-against-pool test). The two-sided p-value is twice the smaller tail, at most 1.
- **Holm** (1979, *Scand. J. Statist.* 6:65-70) step-down adjustment: the family-wise chance of
  any false flag stays at most ``alpha`` whatever the dependence between the tests.
- **The smallest disparity it could detect**: the list-over-expected ratio flagged with 80%
  power at Holm's strictest level ``alpha / m`` (normal approximation with the null spread:
  ``1 + (z(1 - alpha / 2m) + z(power)) * sd / expected``). A verdict of "no disparity" says
  nothing about disparities smaller than that.
- **Broad ethnic groups**: the 18 police/ONS self-defined codes (W1-W9, M1-M9, A1-A9, B1-B9,
  O1-O9) and the one-letter codes, as the five ONS broad groups.
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import numpy as np
import polars as pl
from scipy.special import gammaln

BROAD_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}
"""The five ONS broad ethnic groups, by the first letter of the force's code."""

_WORDS = (
    ("white", "White"),
    ("mixed", "Mixed"),
    ("asian", "Asian"),
    ("black", "Black"),
    ("any other", "Other"),
    ("other", "Other"),
    ("arab", "Other"),
)


def hypergeometric_pmf(*, size: int, group: int, chosen: int) -> tuple[int, np.ndarray]:
    """The distribution of the group's count among ``chosen`` drawn at random from ``size``.

    Returns
    -------
    (int, numpy.ndarray)
        The lowest possible count and the probabilities from it upwards.

    Examples
    --------
    >>> lo, pmf = hypergeometric_pmf(size=4, group=2, chosen=2)
    >>> lo, [round(float(p), 4) for p in pmf]
    (0, [0.1667, 0.6667, 0.1667])
    """
    lo = max(0, chosen - (size - group))
    hi = min(chosen, group)
    k = np.arange(lo, hi + 1, dtype=np.float64)
    # log C(group, k) + log C(size - group, chosen - k), up to a constant: normalised below.
    log_p = -(
        gammaln(k + 1)
        + gammaln(group - k + 1)
        + gammaln(chosen - k + 1)
        + gammaln(size - group - chosen + k + 1)
    )
    pmf = np.exp(log_p - log_p.max())
    return lo, pmf / pmf.sum()


def stratified_null(
    *, sizes: np.ndarray, groups: np.ndarray, chosen: np.ndarray
) -> tuple[int, np.ndarray]:
    """The exact distribution of a group's list count summed over strata.

    Examples
    --------
    >>> lo, pmf = stratified_null(sizes=np.array([4, 4]), groups=np.array([2, 2]),
    ...                           chosen=np.array([2, 2]))
    >>> lo, round(float(pmf[2]), 4)  # P(2) = 1/36 + 4/9 + 1/36
    (0, 0.5)
    """
    lo_total = 0
    pmf_total = np.ones(1)
    for size, group, pick in zip(sizes.tolist(), groups.tolist(), chosen.tolist(), strict=True):
        if pick == 0:
            continue
        lo, pmf = hypergeometric_pmf(size=int(size), group=int(group), chosen=int(pick))
        lo_total += lo
        pmf_total = np.convolve(pmf_total, pmf)
    return lo_total, pmf_total


def two_sided_p(*, lo: int, pmf: np.ndarray, observed: int) -> float:
    """Twice the smaller tail of ``observed`` under ``pmf`` (starting at ``lo``), at most 1.

    >>> lo, pmf = hypergeometric_pmf(size=4, group=2, chosen=2)
    >>> round(two_sided_p(lo=lo, pmf=pmf, observed=2), 4)
    0.3333
    >>> two_sided_p(lo=0, pmf=np.array([1.0]), observed=0)
    1.0
    """
    i = observed - lo
    if i < 0 or i >= pmf.size:
        return 0.0
    lower = float(pmf[: i + 1].sum())
    upper = float(pmf[i:].sum())
    return min(1.0, 2.0 * min(lower, upper))


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (flag where the adjusted value is below ``alpha``).

    >>> holm(np.array([0.01, 0.04, 0.03])).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=np.float64)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def detectable_ratio(
    *, expected: float, sd: float, tests: int, alpha: float = 0.05, power: float = 0.8
) -> float:
    """The smallest list-over-expected ratio flagged with ``power`` among ``tests`` tests.

    >>> round(detectable_ratio(expected=100.0, sd=9.0, tests=1), 3)  # 1 + 2.80 * 0.09
    1.252
    >>> math.isnan(detectable_ratio(expected=0.0, sd=0.0, tests=3))
    True
    """
    if expected <= 0 or sd <= 0 or tests < 1:
        return math.nan
    z = NormalDist().inv_cdf(1 - alpha / (2 * tests)) + NormalDist().inv_cdf(power)
    return 1.0 + z * sd / expected


def ethnic_group_broad(code: str | None) -> str:
    """The ONS broad ethnic group of a force's ethnicity code (``unknown`` when not one).

    >>> [ethnic_group_broad(c) for c in ["W1", "B9", "A", "O2", "M3", "U", None, "White"]]
    ['White', 'Black', 'Asian', 'Other', 'Mixed', 'unknown', 'unknown', 'White']
    """
    if code is None:
        return "unknown"
    text = code.strip()
    if re.fullmatch(r"[WMABO][0-9]?", text.upper()):
        return BROAD_GROUPS[text[0].upper()]
    lower = text.lower()
    for prefix, group in _WORDS:
        if lower.startswith(prefix):
            return group
    return "unknown"


def ethnic_groups_broad(column: pl.Expr) -> pl.Expr:
    """:func:`ethnic_group_broad` over a text column.

    >>> pl.select(ethnic_groups_broad(pl.lit("B2"))).item()
    'Black'
    """
    return column.map_elements(ethnic_group_broad, return_dtype=pl.String, skip_nulls=False)
