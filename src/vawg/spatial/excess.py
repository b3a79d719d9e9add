"""More or fewer offences than expected: each area's observed count against the count the force
area's overall rate would give it, with an exact Poisson test and false discovery rate control.

This answers the question a reader means by "hotspot": *are there more offences here than we
would expect for a place of this size?* For area ``i`` with observed count ``O_i`` and exposure
``E_i`` (female residents for a ward; square kilometres of the force area for a grid square), over
the ``m`` areas that are tested (policed, with a positive exposure)::

    r     = sum O_i / sum E_i                     the force area's rate (per unit of exposure)
    e_i   = E_i r                                 expected count
    p⁺_i  = P(X >= O_i), X ~ Poisson(e_i)         "more than expected" (one-sided, upper)
    p⁻_i  = P(X <= O_i), X ~ Poisson(e_i)         "fewer than expected" (one-sided, lower)
    p_i   = min(1, 2 min(p⁺_i, p⁻_i))             two-sided, by doubling the smaller tail
    q_i   = Benjamini-Hochberg q-value of p_i over the m tested areas

and the class is ``more`` when ``q_i < alpha`` and ``O_i > e_i``, ``fewer`` when ``q_i < alpha``
and ``O_i < e_i``, else ``about``; an area that is not tested has class ``none`` and no expected
count. The ratio ``O_i / e_i`` is also the area's rate divided by the force area's, so an area
classed ``more`` always has a rate above the force area's, and one with no offences is never
``more``.

Why these choices. The exact Poisson test is the standard test of an observed count against an
expected one when events are rare against the population (Breslow & Day 1987, ch. 2; it is the
test behind standardised incidence ratios and the "excess" maps of disease mapping). Doubling the
smaller tail is the conventional two-sided exact p-value (Armitage, Berry & Matthews 2002, 4.4);
it is conservative. With hundreds of wards tested at once, Benjamini & Hochberg (1995) keep the
expected share of false "more than expected" labels below ``alpha``. Counts of crime are
over-dispersed against Poisson (repeat victims, busy places), so with large counts small
differences become significant: the ratio and the counts beside each class say how large the
difference is, and the class says only that it is unlikely to be chance.

For a grid of squares there is no population per square, so the exposure is the square's land
inside the force area (km²) and "expected" is the count if the offences of the force area were
spread evenly over its land. That is a claim about concentration, not about risk to a resident:
a square in a town centre with few residents and many visitors has "more than expected" because
more happens there, which is what a reader of a street map asks. Squares cut by the force area's
boundary are weighted by the part inside it, so a square half outside London expects half as much.

References
----------
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate: a practical and
powerful approach to multiple testing. *J. R. Stat. Soc. B* 57(1), 289-300.
Breslow, N. E. & Day, N. E. (1987). *Statistical Methods in Cancer Research, vol. II: the design
and analysis of cohort studies*. IARC Scientific Publications 82, ch. 2.
Armitage, P., Berry, G. & Matthews, J. N. S. (2002). *Statistical Methods in Medical Research*,
4th ed., Blackwell, section 4.4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vawg.spatial.inference import fdr_bh

ALPHA = 0.05
"""False discovery rate below which a difference from the expected count is called a finding."""

MORE, FEWER, ABOUT, NONE = "more", "fewer", "about", "none"
"""The classes: more than expected, fewer than expected, about as expected, not tested."""
CLASSES = (MORE, ABOUT, FEWER, NONE)


@dataclass(frozen=True)
class ExcessResult:
    """Observed against expected for every area (arrays of shape (n,), in the order given).

    Attributes
    ----------
    observed : offences (counts) per area.
    exposure : the exposure per area as given (persons, or km²).
    tested : whether the area was tested (policed, with a positive exposure).
    expected : ``exposure x rate`` for tested areas, NaN elsewhere (offences).
    ratio : ``observed / expected`` (NaN when untested or the expected count is 0).
    p_more : one-sided upper exact Poisson p-value, ``P(X >= observed)``.
    p_fewer : one-sided lower exact Poisson p-value, ``P(X <= observed)``.
    p : two-sided p-value, ``min(1, 2 min(p_more, p_fewer))``.
    q : Benjamini-Hochberg q-value of ``p`` over the tested areas.
    classes : ``more``, ``fewer``, ``about`` or ``none`` (untested).
    rate : the force area's rate, offences per unit of exposure over the tested areas.
    alpha : the false discovery rate used for the classes.
    """

    observed: NDArray[np.float64]
    exposure: NDArray[np.float64]
    tested: NDArray[np.bool_]
    expected: NDArray[np.float64]
    ratio: NDArray[np.float64]
    p_more: NDArray[np.float64]
    p_fewer: NDArray[np.float64]
    p: NDArray[np.float64]
    q: NDArray[np.float64]
    classes: NDArray[np.str_]
    rate: float
    alpha: float

    @property
    def n_tested(self) -> int:
        """Areas tested."""
        return int(self.tested.sum())


def excess_poisson(
    *,
    observed: NDArray[Any],
    exposure: NDArray[Any],
    policed: NDArray[np.bool_] | None = None,
    alpha: float = ALPHA,
) -> ExcessResult:
    """Each area's count against the count the overall rate gives it (exact Poisson, BH FDR).

    Parameters
    ----------
    observed : ndarray, shape (n,)
        Whole non-negative counts per area (offences over the period).
    exposure : ndarray, shape (n,)
        Female residents per area (persons), or the area's land in the force area (km²). Zero,
        negative or NaN: the area is not tested.
    policed : ndarray of bool, shape (n,), optional
        False for areas the force does not police: not tested and not in the rate. Default all.
    alpha : float
        False discovery rate for the classes, in (0, 1).

    Returns
    -------
    ExcessResult
        New arrays; the inputs are not changed.

    Raises
    ------
    ValueError
        When the shapes differ, a count is negative or not whole, or ``alpha`` is out of range.

    Examples
    --------
    Four areas of 1,000 residents and one of none; 100 offences over 4,000 residents is a rate of
    0.025 per resident, 25 expected in each:

    >>> import numpy as np
    >>> r = excess_poisson(observed=np.array([60, 25, 10, 5, 3]),
    ...                    exposure=np.array([1000, 1000, 1000, 1000, 0]))
    >>> r.rate, r.expected[:4].tolist()
    (0.025, [25.0, 25.0, 25.0, 25.0])
    >>> r.classes.tolist()
    ['more', 'about', 'fewer', 'fewer', 'none']
    >>> r.ratio[:4].tolist(), f"{r.p_more[0]:.2e}"
    ([2.4, 1.0, 0.4, 0.2], '2.11e-09')
    """
    obs = np.asarray(observed, dtype=np.float64).copy()
    exp_in = np.asarray(exposure, dtype=np.float64).copy()
    if obs.ndim != 1 or obs.shape != exp_in.shape:
        raise ValueError("observed and exposure must be 1-d arrays of the same length")
    if np.any(np.isnan(obs)) or np.any(obs < 0) or np.any(obs != np.round(obs)):
        raise ValueError("observed must hold whole non-negative counts")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if policed is None:
        policed_mask = np.ones(obs.shape, dtype=bool)
    else:
        policed_mask = np.asarray(policed, dtype=bool)
        if policed_mask.shape != obs.shape:
            raise ValueError("policed must have the same length as observed")
    with np.errstate(invalid="ignore"):
        tested = policed_mask & np.isfinite(exp_in) & (exp_in > 0)
    n = obs.size
    expected = np.full(n, np.nan)
    ratio = np.full(n, np.nan)
    p_more = np.full(n, np.nan)
    p_fewer = np.full(n, np.nan)
    p = np.full(n, np.nan)
    classes = np.full(n, NONE, dtype="<U5")
    total_exposure = float(exp_in[tested].sum())
    rate = float(obs[tested].sum()) / total_exposure if total_exposure > 0 else float("nan")
    if tested.any():
        from scipy.stats import poisson

        mu = exp_in[tested] * rate
        o = obs[tested]
        expected[tested] = mu
        if rate > 0:
            p_more[tested] = poisson.sf(o - 1, mu)
            p_fewer[tested] = poisson.cdf(o, mu)
        else:  # nothing happened anywhere: every area is exactly as expected
            p_more[tested] = 1.0
            p_fewer[tested] = 1.0
        p[tested] = np.minimum(1.0, 2.0 * np.minimum(p_more[tested], p_fewer[tested]))
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio[tested] = np.where(mu > 0, o / np.where(mu > 0, mu, 1.0), np.nan)
    q = fdr_bh(p)
    found = tested & (q < alpha)
    classes[tested] = ABOUT
    classes[found & (obs > expected)] = MORE
    classes[found & (obs < expected)] = FEWER
    return ExcessResult(
        observed=obs,
        exposure=exp_in,
        tested=tested,
        expected=expected,
        ratio=ratio,
        p_more=p_more,
        p_fewer=p_fewer,
        p=p,
        q=q,
        classes=classes,
        rate=rate,
        alpha=alpha,
    )


def squares_area_km2(*, x: NDArray[Any], y: NDArray[Any], cell_size_m: float, area: Any) -> Any:
    """The land of each square inside a study area, square kilometres: the grid's exposure.

    Parameters
    ----------
    x, y : ndarray, shape (n,)
        Square centres, EPSG:27700 metres.
    cell_size_m : float
        Side of a square, metres.
    area : shapely Polygon or MultiPolygon
        The force area, EPSG:27700 metres.

    Returns
    -------
    ndarray, shape (n,)
        ``cell_size_m² / 1e6`` for squares wholly inside, the clipped part for squares cut by the
        boundary, 0 for squares outside.

    Examples
    --------
    >>> import numpy as np
    >>> from shapely.geometry import box
    >>> squares_area_km2(x=np.array([500.0, 1500, 2500]), y=np.array([500.0] * 3),
    ...                  cell_size_m=1000, area=box(0, 0, 2000, 1000)).tolist()
    [1.0, 1.0, 0.0]
    >>> squares_area_km2(x=np.array([500.0]), y=np.array([500.0]), cell_size_m=1000,
    ...                  area=box(0, 0, 250, 1000)).tolist()
    [0.25]
    """
    import shapely

    cx = np.asarray(x, dtype=np.float64)
    cy = np.asarray(y, dtype=np.float64)
    h = float(cell_size_m) / 2.0
    full = float(cell_size_m) ** 2 / 1e6
    boxes = shapely.box(cx - h, cy - h, cx + h, cy + h)
    shapely.prepare(area)
    inside = shapely.contains(area, boxes)
    touching = shapely.intersects(area, boxes)
    out = np.where(inside, full, 0.0)
    cut = np.flatnonzero(touching & ~inside)
    if cut.size:
        out[cut] = shapely.area(shapely.intersection(boxes[cut], area)) / 1e6
    return out
