"""Fitting the learned model: the training origins, the rows, the three GLMs and the weight of
the tasking places (:mod:`vawg.rank.learned` describes the features and scores the list).

Only records on or before the model's date are read: each training origin's features see what
was recorded by it, and its label the 12 months after it, which end on or before the date.
Method and figures: ``docs/ranking.md``, The learned method.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from vawg.rank.allegations import Allegations
from vawg.rank.glm import ridge_logistic, ridge_poisson
from vawg.rank.learned import (
    CALIBRATION_BANDS,
    FEATURE_NAMES,
    HARM_UNIT,
    MIN_HISTORY_DAYS,
    NAMED_WEIGHTS,
    POOL_DAYS,
    TRAINING_YEARS,
    Context,
    HistoryTooShortError,
    Model,
    features_at,
    labels_after,
    tasking_places,
)

__all__ = [
    "model_fit",
    "model_lookback",
    "named_weight_choose",
    "ridge_logistic",
    "ridge_poisson",
    "rows_collapse",
    "training_origins",
]


def _first(allegations: Allegations) -> date | None:
    recorded = allegations.suspects.filter(pl.col("is_vawg"))["recorded_date"]
    first = recorded.min() if recorded.len() else None
    return first if isinstance(first, date) else None


def model_lookback(allegations: Allegations, *, origins: tuple[date, ...]) -> int:
    """The features' look-back: 1,095 days, or less when the earliest training origin sees
    less history, so that the features mean the same at every origin and at the date (a model
    trained where 3-year and 1-year counts coincide would otherwise extrapolate).

    >>> a = Allegations(pl.DataFrame({"is_vawg": [True], "recorded_date": [date(2020, 1, 1)]}),
    ...     pl.DataFrame(), date(2020, 1, 1), date(2024, 1, 1), "t", "v", pl.DataFrame(),
    ...     pl.DataFrame())
    >>> model_lookback(a, origins=(date(2021, 1, 1), date(2022, 1, 1)))
    366
    """
    first = _first(allegations)
    if first is None or not origins:
        return POOL_DAYS
    return int(min(POOL_DAYS, (min(origins) - max(first, allegations.start)).days))


def training_origins(allegations: Allegations, *, as_of: date) -> tuple[date, ...]:
    """Origins ``as_of - 365 k`` and ``as_of - 365 k - 182`` (k = 1..3) with at least
    :data:`MIN_HISTORY_DAYS` of records before them (their next 12 months end on or before
    ``as_of`` by construction), keeping only those that see as much history as the latest one
    (up to 1,095 days): the features then mean the same at every origin."""
    first = _first(allegations)
    if first is None:
        return ()
    out = []
    for k in range(1, TRAINING_YEARS + 1):
        for extra in (0, 182):
            origin = as_of - timedelta(days=365 * k + extra)
            if origin - timedelta(days=MIN_HISTORY_DAYS) >= max(first, allegations.start):
                out.append(origin)
    if not out:
        return ()
    seen = max(first, allegations.start)
    lookback = min(POOL_DAYS, (max(out) - seen).days)
    return tuple(sorted(o for o in out if (o - seen).days >= lookback))


def rows_collapse(rows: pl.DataFrame) -> pl.DataFrame:
    """The training rows (:data:`FEATURE_NAMES`, label ``_y``, harm ``_h``) with identical
    features gathered into one: ``_n`` rows, ``_y`` and ``_h`` summed over them, in order of
    first appearance. The penalised likelihoods weighted by ``_n`` are those of the rows written
    out, so the fit is the same (up to the order of floating-point sums) on about a third of the
    rows at the Met's scale (most men are one-off, with the same few feature values).

    >>> r = pl.DataFrame({n: [0.0, 0.0, 1.0] for n in FEATURE_NAMES}).with_columns(
    ...     _y=pl.Series([1.0, 0.0, 1.0]), _h=pl.Series([2.0, 0.0, 1.0]))
    >>> rows_collapse(r).select("_n", "_y", "_h").rows()
    [(2, 1.0, 2.0), (1, 1.0, 1.0)]
    """
    labels = [c for c in ("_y", "_h", "_a") if c in rows.columns]
    return rows.group_by(FEATURE_NAMES, maintain_order=True).agg(
        pl.len().alias("_n"), *(pl.col(c).sum() for c in labels)
    )


def named_weight_choose(
    frames: list[pl.DataFrame],
    *,
    mean: Any,
    scale: Any,
    harm: tuple[Any, float],
    named: tuple[Any, float],
) -> float:
    """The smallest weight of :data:`NAMED_WEIGHTS` whose order's tasking places
    (:func:`tasking_places`) are expected, by the fitted probability of being named again, to
    be named again at least as often as the first places of a plain count of allegations in
    the last year (ties by harm-days, then recency), averaged over the training origins
    (``frames``: the men's features at each); the largest when none is.

    Ordering by expected harm alone favours the men whose next harm is large but seldom
    recorded; a tasking list that names fewer of its men again than a plain count would spend
    officers' time on men the force will not see again. The weight trades some expected harm
    for that precision in the tasking places only, chosen on the force's own training years.
    The model's probabilities, not the realised labels, are compared: on a few hundred places
    the labels' noise (about 5 points) would decide the weight.
    """
    import numpy as np

    sizes = [frame.height for frame in frames if frame.height]
    if not sizes:
        return 0.0
    top = tasking_places(min(sizes))
    counts: list[float] = []
    chosen: dict[float, list[float]] = {w: [] for w in NAMED_WEIGHTS}
    for frame in frames:
        if frame.height < top:
            continue
        order = np.lexsort(
            (
                -frame["recency"].to_numpy(),
                -frame["harm_365"].to_numpy(),
                -frame["allegations_365"].to_numpy(),
            )
        )
        z = (frame.select(FEATURE_NAMES).to_numpy() - mean) / scale
        log_harm = harm[1] + z @ harm[0]
        p_named = 1.0 / (1.0 + np.exp(-(named[1] + z @ named[0])))
        again = p_named
        counts.append(float(again[order[:top]].mean()))
        log_named = np.log(np.maximum(p_named, 1e-300))
        for weight in NAMED_WEIGHTS:
            key = log_harm + weight * log_named
            best = np.argsort(-key, kind="stable")[:top]
            chosen[weight].append(float(again[best].mean()))
    if not counts:
        return 0.0
    target = float(np.mean(counts))
    for weight in NAMED_WEIGHTS:
        if float(np.mean(chosen[weight])) >= target:
            return weight
    return NAMED_WEIGHTS[-1]


def model_fit(allegations: Allegations, context: Context, *, as_of: date) -> Model:
    """Fit the model on the force's own earlier years (records on or before ``as_of`` only).

    Raises
    ------
    UserInputError
        No training origin fits: the extract needs two years before ``as_of``.
    """
    import numpy as np

    origins = training_origins(allegations, as_of=as_of)
    if not origins:
        raise HistoryTooShortError(
            f"--method learned trains on the force's own history and needs two years of records "
            f"before --as-of {as_of} (a year to describe each man, a year to see what followed); "
            f"the records read start {_first(allegations)}. Give a later --as-of or --method "
            "v100"
        )
    lookback = model_lookback(allegations, origins=origins)
    frames = []
    for origin in origins:
        feats = features_at(allegations, context, as_of=origin, lookback_days=lookback).join(
            labels_after(allegations, as_of=origin), on="person_ref", how="left"
        )
        frames.append(
            feats.select(
                *FEATURE_NAMES,
                pl.col("serious").fill_null(False).cast(pl.Float64).alias("_y"),
                (pl.col("future_harm").fill_null(0.0) / HARM_UNIT).alias("_h"),
                pl.col("named").fill_null(False).cast(pl.Float64).alias("_a"),
            )
        )
    rows = rows_collapse(pl.concat(frames))
    x = rows.select(FEATURE_NAMES).to_numpy()
    n = rows["_n"].to_numpy().astype(np.float64)
    y = rows["_y"].to_numpy() / n if rows.height else np.zeros(0)
    h = rows["_h"].to_numpy() / n if rows.height else np.zeros(0)
    named = rows["_a"].to_numpy() / n if rows.height else np.zeros(0)
    total = float(n.sum())
    mean = (x * n[:, None]).sum(axis=0) / max(total, 1.0)
    scale = np.sqrt(((x - mean) ** 2 * n[:, None]).sum(axis=0) / max(total, 1.0))
    scale[scale == 0] = 1.0
    base_rate = float(np.sum(n * y) / total) if total else 0.0
    if y.size == 0 or y.min() == y.max():
        coef, intercept = (
            np.zeros(x.shape[1]),
            float(np.log((base_rate + 1e-6) / (1 - base_rate + 1e-6))),
        )
    else:
        coef, intercept = ridge_logistic((x - mean) / scale, y, weights=n)
    if named.size and named.min() < named.max():
        named_coef, named_intercept = ridge_logistic((x - mean) / scale, named, weights=n)
    else:
        named_coef, named_intercept = np.zeros(x.shape[1]), 0.0
    if h.size and h.max() > 0:
        harm_coef, harm_intercept = ridge_poisson((x - mean) / scale, h, weights=n)
    else:
        harm_coef, harm_intercept = np.zeros(x.shape[1]), -30.0
    named_weight = named_weight_choose(
        frames,
        mean=mean,
        scale=scale,
        harm=(harm_coef, harm_intercept),
        named=(named_coef, named_intercept),
    )
    z = intercept + ((x - mean) / scale) @ coef
    fitted = 1.0 / (1.0 + np.exp(-z))
    calibration = []
    lower = 0.0
    for upper in CALIBRATION_BANDS:
        inside = (fitted >= lower) & ((fitted < upper) | (upper == CALIBRATION_BANDS[-1]))
        rows_in = float(n[inside].sum())
        if rows_in:
            calibration.append(
                (
                    f"{lower:.2f}-{upper:.2f}",
                    int(rows_in),
                    round(float((fitted[inside] * n[inside]).sum() / rows_in), 6),
                    round(float((y[inside] * n[inside]).sum() / rows_in), 6),
                )
            )
        lower = upper
    return Model(
        tuple(float(v) for v in coef),
        float(intercept),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        origins,
        int(total),
        base_rate,
        tuple(float(v) for v in harm_coef),
        float(harm_intercept),
        lookback,
        tuple(calibration),
        tuple(float(v) for v in named_coef),
        float(named_intercept),
        named_weight,
    )
