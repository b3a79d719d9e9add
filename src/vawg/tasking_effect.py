"""Did tasking work? The change in the harm of tasked men against comparable men not tasked.

For each man: the VAWG harm-days recorded against him in a period before the tasking date and
in an equal period after it, whether he was tasked, and a **stratum** that makes the men within
it comparable (the caller's choice: for a list, the band of rank or of predicted harm the men
were in when the list was made, so that a tasked man is compared with men the list rated like
him). Within a stratum, the effect is the tasked men's mean change in harm (after minus before)
less the untasked men's (a difference in differences); over the strata it is the average weighted
by the tasked men in each (the effect on those tasked). Strata with no tasked or no untasked man
cannot be compared and are left out (counted in ``strata_dropped``).

Comparing changes, not levels, removes what is fixed about each stratum; comparing with men who
were not tasked removes the fall that any list of high scorers shows the year after (regression
to the mean). It is not a randomised comparison: if officers task the men they expect to offend
again, the effect is biased towards harm (and the reverse). The interval is a stratified
percentile bootstrap (tasked and untasked men resampled separately within each stratum),
seeded, so the same data give the same interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

COLUMNS = ("person_ref", "tasked", "stratum", "harm_before", "harm_after")
"""The columns read (``tasked`` a boolean; harms in harm-days)."""


@dataclass(frozen=True)
class _Strata:
    tasked: list[np.ndarray]
    untasked: list[np.ndarray]


def _split(frame: pl.DataFrame) -> tuple[_Strata, int]:
    tasked, untasked, dropped = [], [], 0
    for _, part in frame.group_by("stratum", maintain_order=True):
        change = (part["harm_after"] - part["harm_before"]).cast(pl.Float64)
        mask = part["tasked"].fill_null(False)
        on, off = change.filter(mask).to_numpy(), change.filter(~mask).to_numpy()
        if on.size and off.size:
            tasked.append(on)
            untasked.append(off)
        else:
            dropped += 1
    return _Strata(tasked, untasked), dropped


def _effect(tasked: list[np.ndarray], untasked: list[np.ndarray]) -> float:
    weights = np.array([t.size for t in tasked], dtype=np.float64)
    gaps = np.array([t.mean() - u.mean() for t, u in zip(tasked, untasked, strict=True)])
    return float((weights * gaps).sum() / weights.sum())


def tasking_effect(
    frame: pl.DataFrame,
    *,
    by: str | None = None,
    reps: int = 2000,
    seed: int = 1,
    level: float = 0.95,
) -> pl.DataFrame:
    """The effect of being tasked on recorded harm (see the module docstring).

    Parameters
    ----------
    frame : pl.DataFrame
        :data:`COLUMNS`, one row per man (and ``by`` when given).
    by : str, optional
        A column of the tasked men's action (arrest, order, referral...): one effect per
        value, each against all the untasked men of the same strata. Default: one effect.
    reps, seed, level
        The bootstrap's resamples, seed and interval level.

    Returns
    -------
    pl.DataFrame
        Per group (``group``: the value of ``by``, or ``all``): ``tasked, comparison`` (men in
        the strata compared), ``harm_before, harm_after`` (the tasked men's mean), ``effect``
        (harm-days per man over the period; negative is less harm), ``low, high`` (the
        interval), ``strata_used, strata_dropped``.

    Examples
    --------
    >>> f = pl.DataFrame({"person_ref": list("ABCD"), "tasked": [True, False, True, False],
    ...     "stratum": [1, 1, 2, 2], "harm_before": [100.0, 100, 50, 50],
    ...     "harm_after": [40.0, 80, 30, 50]})
    >>> tasking_effect(f, reps=200)["effect"].to_list()  # ((-60 - -20) + (-20 - 0)) / 2
    [-30.0]
    """
    missing = set(COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"tasking_effect needs {', '.join(sorted(missing))}")
    groups = (
        ["all"]
        if by is None
        else sorted(
            frame.filter(pl.col("tasked"))[by].drop_nulls().cast(pl.String).unique().to_list()
        )
    )
    rng = np.random.default_rng(seed)
    rows = []
    for group in groups:
        part = (
            frame
            if by is None
            else frame.filter(~pl.col("tasked") | (pl.col(by).cast(pl.String) == group))
        )
        strata, dropped = _split(part)
        if not strata.tasked:
            rows.append({"group": group, "strata_used": 0, "strata_dropped": dropped})
            continue
        effect = _effect(strata.tasked, strata.untasked)
        draws = np.empty(reps)
        for r in range(reps):
            draws[r] = _effect(
                [t[rng.integers(0, t.size, t.size)] for t in strata.tasked],
                [u[rng.integers(0, u.size, u.size)] for u in strata.untasked],
            )
        tail = (1.0 - level) / 2.0
        compared = part.filter(
            pl.col("stratum").is_in(
                part.group_by("stratum")
                .agg(pl.col("tasked").any().alias("a"), (~pl.col("tasked")).any().alias("b"))
                .filter(pl.col("a") & pl.col("b"))["stratum"]
                .implode()
            )
        )
        on = compared.filter(pl.col("tasked"))
        rows.append(
            {
                "group": group,
                "tasked": on.height,
                "comparison": compared.height - on.height,
                "harm_before": float(on["harm_before"].mean()),  # type: ignore[arg-type]
                "harm_after": float(on["harm_after"].mean()),  # type: ignore[arg-type]
                "effect": round(effect, 6),
                "low": round(float(np.quantile(draws, tail)), 6),
                "high": round(float(np.quantile(draws, 1.0 - tail)), 6),
                "strata_used": len(strata.tasked),
                "strata_dropped": dropped,
            }
        )
    schema = {
        "group": pl.String,
        "tasked": pl.Int64,
        "comparison": pl.Int64,
        "harm_before": pl.Float64,
        "harm_after": pl.Float64,
        "effect": pl.Float64,
        "low": pl.Float64,
        "high": pl.Float64,
        "strata_used": pl.Int64,
        "strata_dropped": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)
