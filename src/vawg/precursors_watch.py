"""The precursor watch list, the time from a flag to a first VAWG offence, and the list's lift.

- **Curves**: for each precursor type, everyone flagged for it (first such offence from the start
  of the history to ``as_of``) with no VAWG allegation on or before that day, followed to their
  first VAWG allegation or, censored, to ``as_of``: a Kaplan-Meier curve (:mod:`vawg.survival`).
  ``*`` is the same for a first non-VAWG offence of any type: the curve to compare with.
- **The watch list**: people named in the ``watch_days`` up to ``as_of`` for a *watched* type
  (significant, lift at least ``min_lift``, 3 by default) who have **no VAWG allegation anywhere
  in the history**, ranked by the share of people flagged for their best type before who were
  named for a VAWG offence within 365 days (``risk_365``, from the curve), then by how many
  watched types, then the latest; capped at ``top``; each with the reason in words.
- **Lift of the list** (:func:`watch_list_evaluate`): over the days after ``as_of``, the share of
  the listed named for a VAWG offence, against the share of everyone else named for a non-VAWG
  offence in the same ``watch_days`` with no VAWG allegation on record; Katz 95% interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from vawg.survival import CURVE_SCHEMA, kaplan_meier, median_days, survival_at

ANY = "*"
"""The curve of a first non-VAWG offence of any type."""

WATCH_COLUMNS = (
    "person_ref",
    "precursors",
    "last_precursor_date",
    "best_lift",
    "reason",
    "rank",
    "risk_365",
    "median_days",
    "best_pattern",
    "risk_next_365",
)
"""The watch list's columns: the first five as before issue #14; ``best_pattern`` is the kind
(``type, partner, female, x2, soon, pair, mixed``) of the first of ``precursors``, the one
ranked on; ``risk_next_365`` the chance, from its curve, of a first VAWG allegation in the year
after ``as_of`` for someone flagged as long ago as he was and not named since
(:func:`conditional_risk`)."""


def precursor_curves(
    typed: pl.DataFrame,
    *,
    first_vawg: pl.DataFrame,
    study_start: date,
    as_of: date,
) -> pl.DataFrame:
    """Kaplan-Meier curves of the days from a first flag to a first VAWG allegation.

    Parameters
    ----------
    typed : pl.DataFrame
        ``person_ref, recorded_date, precursor``: each non-VAWG allegation under each type.
    first_vawg : pl.DataFrame
        ``person_ref, fv``: each person's first VAWG allegation in the whole history.
    study_start, as_of : date

    Returns
    -------
    pl.DataFrame
        ``precursor, flagged, named`` and :data:`vawg.survival.CURVE_SCHEMA`.

    Examples
    --------
    >>> typed = pl.DataFrame({"person_ref": ["A", "B", "C"], "precursor": ["58A"] * 3,
    ...     "recorded_date": [date(2024, 1, 1)] * 3})
    >>> fv = pl.DataFrame({"person_ref": ["A"], "fv": [date(2024, 1, 11)]})
    >>> c = precursor_curves(typed, first_vawg=fv, study_start=date(2023, 1, 1),
    ...                      as_of=date(2024, 6, 1))
    >>> c.filter(pl.col("precursor") == "58A").select("days", "at_risk", "events").row(0)
    (10, 3, 1)
    """
    window = typed.filter(pl.col("recorded_date").is_between(study_start, as_of))
    first = pl.concat(
        [
            window.group_by("person_ref", "precursor").agg(
                pl.col("recorded_date").min().alias("index_date")
            ),
            window.group_by("person_ref")
            .agg(pl.col("recorded_date").min().alias("index_date"))
            .with_columns(pl.lit(ANY).alias("precursor"))
            .select("person_ref", "precursor", "index_date"),
        ]
    )
    followed = (
        first.join(first_vawg, on="person_ref", how="left")
        .filter(pl.col("fv").is_null() | (pl.col("fv") > pl.col("index_date")))
        .with_columns(
            pl.col("fv").is_not_null().alias("event"),
            (pl.coalesce("fv", pl.lit(as_of)) - pl.col("index_date")).dt.total_days().alias("t"),
        )
        .sort("precursor")
    )
    curves = []
    for (precursor,), part in followed.group_by("precursor", maintain_order=True):
        curve = kaplan_meier(durations=part["t"].to_numpy(), events=part["event"].to_numpy())
        curves.append(
            curve.with_columns(
                pl.lit(precursor, pl.String).alias("precursor"),
                pl.lit(part.height, pl.Int64).alias("flagged"),
                pl.lit(int(part["event"].sum()), pl.Int64).alias("named"),
            )
        )
    schema = {"precursor": pl.String, "flagged": pl.Int64, "named": pl.Int64, **CURVE_SCHEMA}
    if not curves:
        return pl.DataFrame(schema=schema)
    return pl.concat(curves).select(list(schema))


def curve_summary(curves: pl.DataFrame, *, days: tuple[int, ...] = (365,)) -> pl.DataFrame:
    """Per type: people followed, named, the share named by each of ``days``, the median.

    >>> curves = pl.DataFrame({"precursor": ["x", "x"], "flagged": [4, 4], "named": [2, 2],
    ...     "days": [10, 400], "survival": [0.75, 0.5]})
    >>> curve_summary(curves).row(0)
    ('x', 4, 2, 0.25, 400.0)
    """
    rows = []
    for (precursor,), part in curves.group_by("precursor", maintain_order=True):
        row: dict[str, object] = {
            "precursor": precursor,
            "km_flagged": int(part["flagged"][0]),
            "km_named": int(part["named"][0]),
        }
        for day in days:
            row[f"risk_{day}"] = 1.0 - survival_at(part, day)
        row["median_days"] = median_days(part)
        rows.append(row)
    schema: dict[str, type[pl.DataType]] = {
        "precursor": pl.String,
        "km_flagged": pl.Int64,
        "km_named": pl.Int64,
    }
    schema.update({f"risk_{day}": pl.Float64 for day in days})
    schema["median_days"] = pl.Float64
    return pl.DataFrame(rows, schema=schema)


def conditional_risk(
    curves: pl.DataFrame, flags: pl.DataFrame, *, horizon_days: int = 365
) -> pl.Series:
    """``1 - S(t + horizon) / S(t)`` for each row of ``flags`` (``precursor, t``: days since the
    person's first flag for it): the chance of a first VAWG allegation in the next
    ``horizon_days`` for someone followed ``t`` days without one. Past the curve's last event
    day ``S`` is held at its last value (the estimate is then a lower bound).

    >>> curves = pl.DataFrame({"precursor": ["x", "x"], "days": [10, 400],
    ...     "survival": [0.5, 0.25]})
    >>> flags = pl.DataFrame({"precursor": ["x", "x", "y"], "t": [0, 100, 0]})
    >>> conditional_risk(curves, flags).to_list()
    [0.5, 0.5, 0.0]
    """
    points = curves.select("precursor", pl.col("days").cast(pl.Int64), "survival").sort("days")
    keyed = flags.select(
        pl.int_range(pl.len()).alias("_row"),
        pl.col("precursor").cast(pl.String),
        pl.col("t").cast(pl.Int64),
        (pl.col("t") + horizon_days).cast(pl.Int64).alias("_later"),
    )

    def survival(column: str) -> pl.Series:
        found = keyed.sort(column).join_asof(
            points,
            left_on=column,
            right_on="days",
            by="precursor",
            strategy="backward",
            check_sortedness=False,
        )
        return found.sort("_row")["survival"].fill_null(1.0)

    now, later = survival("t"), survival("_later")
    risk = pl.Series("risk_next_365", 1.0 - later / now, pl.Float64)
    return risk.fill_nan(0.0)


def watch_list_build(
    typed: pl.DataFrame,
    lifts: pl.DataFrame,
    *,
    first_vawg: pl.DataFrame,
    as_of: date,
    watch_days: int,
    top: int,
    curves: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The ranked, capped watch list (:data:`WATCH_COLUMNS`) from the watched types of ``lifts``.

    ``lifts`` needs ``precursor, title, lift, lift_low, lift_high, watched, km_flagged,
    risk_365, median_days, pattern, p_adjusted``; ``first_vawg`` covers the whole history, so no
    one with any VAWG allegation on record is listed; with ``curves``, men are ranked by
    :func:`conditional_risk`.
    """
    watched = lifts.filter(pl.col("watched")).select(
        "precursor", "title", "lift", "lift_low", "lift_high", "km_flagged", "risk_365",
        "median_days", "pattern", "p_adjusted",
    )  # fmt: skip
    recent = (
        typed.filter(pl.col("recorded_date").is_between(as_of - timedelta(days=watch_days), as_of))
        .join(watched, on="precursor", how="inner")
        .join(first_vawg, on="person_ref", how="anti")
    )
    per_type = recent.group_by(
        "person_ref", "precursor", "title", "lift", "lift_low", "lift_high", "km_flagged",
        "risk_365", "median_days", "pattern", "p_adjusted",
    ).agg(pl.len().alias("n"), pl.col("recorded_date").max().alias("last"))  # fmt: skip
    # Days since each man's first flag for the pattern, for his chance in the year ahead.
    flagged = (
        typed.join(per_type.select("person_ref", "precursor"), on=["person_ref", "precursor"])
        .group_by("person_ref", "precursor")
        .agg((pl.lit(as_of) - pl.col("recorded_date").min()).dt.total_days().alias("t"))
    )
    per_type = per_type.join(flagged, on=["person_ref", "precursor"], how="left")
    per_type = per_type.with_columns(
        conditional_risk(curves, per_type.select("precursor", "t"))
        if curves is not None
        else pl.col("risk_365").alias("risk_next_365")
    )
    median = (
        pl.when(pl.col("median_days").is_null())
        .then(pl.lit("fewer than half by the end of the data"))
        .otherwise(pl.format("half by day {}", pl.col("median_days").cast(pl.Int64)))
    )
    reason_part = pl.format(
        "{} ({}) x{}, last {}: lift {} (95% CI {}-{}, adjusted p {}); of {} people flagged for "
        "it before, {}% were named for a VAWG offence within 365 days ({}); first flagged {} days "
        "ago and not named since: {}% in the next 365 days",
        pl.col("precursor"),
        pl.col("title"),
        pl.col("n"),
        pl.col("last"),
        pl.col("lift").round(2),
        pl.col("lift_low").round(2),
        pl.col("lift_high").round(2),
        pl.when(pl.col("p_adjusted") < 0.001)
        .then(pl.lit("< 0.001"))
        .otherwise(pl.col("p_adjusted").round(3).cast(pl.String)),
        pl.col("km_flagged"),
        (pl.col("risk_365") * 100).round(0).cast(pl.Int64),
        median,
        pl.col("t"),
        (pl.col("risk_next_365") * 100).round(0).cast(pl.Int64),
    )
    listed = (
        per_type.sort(
            ["person_ref", "risk_next_365", "risk_365", "lift", "precursor"],
            descending=[False, True, True, True, False],
        )
        .group_by("person_ref", maintain_order=True)
        .agg(
            pl.col("precursor").str.join(";").alias("precursors"),
            pl.col("pattern").first().alias("best_pattern"),
            pl.col("last").max().alias("last_precursor_date"),
            pl.col("lift").max().alias("best_lift"),
            pl.col("risk_365").first().alias("risk_365"),
            pl.col("risk_next_365").first().alias("risk_next_365"),
            pl.col("median_days").min().alias("median_days"),
            pl.len().alias("_types"),
            reason_part.str.join("; ").alias("_parts"),
        )
        .with_columns(
            (
                pl.lit("named for ") + pl.col("_parts") + pl.lit("; no VAWG allegation on record")
            ).alias("reason")
        )
        .sort(
            ["risk_next_365", "risk_365", "_types", "last_precursor_date", "person_ref"],
            descending=[True, True, True, True, False],
        )
        .head(top)
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
    return listed.select(WATCH_COLUMNS)


@dataclass(frozen=True)
class WatchEvaluation:
    """How the watch list did over the days after its date.

    ``listed_named`` of ``listed`` were named for a VAWG offence in the ``horizon_days`` after
    ``as_of``, against ``others_named`` of ``others`` (named for a non-VAWG offence in the same
    ``watch_days``, with no VAWG allegation on record, not listed); ``lift`` is the ratio of the
    two shares with its Katz 95% interval; ``lift_over_base`` the listed share over that of
    everyone in the pool (listed or not); ``*_harm_days`` their harm in the horizon.
    """

    as_of: date
    horizon_days: int
    listed: int
    listed_named: int
    listed_harm_days: float
    others: int
    others_named: int
    others_harm_days: float
    lift: float
    lift_low: float
    lift_high: float

    @property
    def lift_over_base(self) -> float:
        """The listed share over the base rate of the whole pool (listed and others).

        >>> WatchEvaluation(date(2024, 1, 1), 365, 10, 5, 9.0, 90, 5, 20.0, 9.0, 4.0,
        ...                 20.0).lift_over_base
        5.0
        """
        pool, named = self.listed + self.others, self.listed_named + self.others_named
        if not self.listed or not named:
            return math.nan
        return (self.listed_named / self.listed) / (named / pool)

    def text(self) -> str:
        """One line.

        >>> WatchEvaluation(date(2024, 1, 1), 365, 10, 5, 9.0, 100, 10, 20.0, 5.0, 3.0,
        ...                 8.0).text()[:45]
        'watch list of 10 as of 2024-01-01: 5 (50.0%) '
        """

        def share(a: int, n: int) -> str:
            return f"{100 * a / n:.1f}%" if n else "n/a"

        return (
            f"watch list of {self.listed} as of {self.as_of}: {self.listed_named} "
            f"({share(self.listed_named, self.listed)}) named for a VAWG offence in the next "
            f"{self.horizon_days} days ({self.listed_harm_days:,.0f} harm-days), against "
            f"{self.others_named} of {self.others:,} ({share(self.others_named, self.others)}) "
            f"other non-VAWG offenders with no VAWG record ({self.others_harm_days:,.0f} "
            f"harm-days): lift {self.lift:.2f} (95% CI {self.lift_low:.2f}-{self.lift_high:.2f})"
            f", {self.lift_over_base:.2f} over the base rate of all of them"
        )


def watch_list_score(
    *,
    watch_list: pl.DataFrame,
    typed: pl.DataFrame,
    first_vawg: pl.DataFrame,
    future_vawg: pl.DataFrame,
    as_of: date,
    watch_days: int,
    horizon_days: int,
    katz: Callable[[int, int, int, int], tuple[float, float, float]],
) -> WatchEvaluation:
    """Score a watch list against the VAWG allegations after ``as_of``.

    ``future_vawg``: ``person_ref, recorded_date, harm_days`` of VAWG allegations after
    ``as_of``; ``katz``: the risk-ratio function ``(a, n1, c, n0) -> (ratio, low, high)``.
    """
    candidates = (
        typed.filter(pl.col("recorded_date").is_between(as_of - timedelta(days=watch_days), as_of))
        .select("person_ref")
        .unique()
        .join(first_vawg, on="person_ref", how="anti")
    )
    horizon = future_vawg.filter(
        (pl.col("recorded_date") > as_of)
        & (pl.col("recorded_date") <= as_of + timedelta(days=horizon_days))
    )
    harm = horizon.group_by("person_ref").agg(pl.col("harm_days").sum().alias("h"))
    scored = candidates.join(harm, on="person_ref", how="left").with_columns(
        pl.col("person_ref").is_in(watch_list["person_ref"].implode()).alias("listed"),
        pl.col("h").is_not_null().alias("named"),
        pl.col("h").fill_null(0.0),
    )
    on = scored.filter(pl.col("listed"))
    off = scored.filter(~pl.col("listed"))
    a, n1, c, n0 = int(on["named"].sum()), on.height, int(off["named"].sum()), off.height
    ratio, low, high = katz(a, n1, c, n0)
    return WatchEvaluation(
        as_of=as_of,
        horizon_days=horizon_days,
        listed=n1,
        listed_named=a,
        listed_harm_days=float(on["h"].sum()),
        others=n0,
        others_named=c,
        others_harm_days=float(off["h"].sum()),
        lift=ratio,
        lift_low=low,
        lift_high=high,
    )
