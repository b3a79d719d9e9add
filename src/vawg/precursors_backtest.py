"""How the precursor watch list did after its date: its lift (:func:`precursors_evaluate`, what
`vawg rank precursors --evaluate` prints) and how much of the next year's harm by men with no
VAWG record it had flagged (:func:`watch_harm`, the figure `vawg rank backtest` prints under each
date's table). Both read the whole history once, to the horizon's end.

A ranking can only list men the force already knows for VAWG; about half of the most harmful
domestic abusers had no such record (``docs/ranking.md``). The watch list (``vawg rank
precursors``) is the force's one look at them. This counts, for the watch list made as of a
date from what was recorded by then, the harm its men did in the horizon after it (every offence
committed, with a generator's truth; otherwise what was recorded), against the harm in the same
horizon by every man with no VAWG allegation recorded on or before the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.harm import HarmTable
from vawg.precursor_patterns import katz, patterns_typed
from vawg.precursors import (
    MIN_LIFT,
    Precursors,
    precursors_compute,
    precursors_coverage,
    precursors_female_crimes,
    precursors_history_load,
)
from vawg.precursors_watch import WatchEvaluation, watch_list_score
from vawg.rank.allegations import Allegations, recorded_span
from vawg.taxonomy import Taxonomy


@dataclass(frozen=True)
class WatchHarm:
    """The watch list's share of the harm by men with no VAWG record.

    Attributes
    ----------
    as_of : date
    horizon_days : int
    listed : int
        Men on the watch list.
    listed_named : int
        Of them, named on a VAWG allegation recorded in the horizon.
    listed_harm_days : float
        Their VAWG harm-days in the horizon (``basis``).
    unknown_harm_days : float
        The VAWG harm-days in the horizon by every man with no VAWG allegation recorded on or
        before ``as_of`` (listed or not).
    basis : str
        ``true`` (a generator's truth) or ``recorded``.
    """

    as_of: date
    horizon_days: int
    listed: int
    listed_named: int
    listed_harm_days: float
    unknown_harm_days: float
    basis: str

    @property
    def share(self) -> float | None:
        """``listed_harm_days`` over ``unknown_harm_days`` (None when there was none)."""
        return self.listed_harm_days / self.unknown_harm_days if self.unknown_harm_days else None

    def text(self) -> str:
        """One line.

        >>> WatchHarm(date(2024, 1, 1), 365, 100, 30, 500.0, 10000.0, "true").text()[:60]
        'watch list (precursors) as of 2024-01-01: 100 men flagged, 3'
        """
        share = self.share
        shown = f"{100 * share:.1f}%" if share is not None else "n/a"
        return (
            f"watch list (precursors) as of {self.as_of}: {self.listed} men flagged, "
            f"{self.listed_named} named for a VAWG offence in the next {self.horizon_days} "
            f"days; their {self.basis} VAWG harm-days {self.listed_harm_days:,.0f}, {shown} of "
            f"the {self.unknown_harm_days:,.0f} by men with no VAWG record before the date"
        )


def watch_harm(
    *,
    folder: Path,
    as_of: date,
    horizon_days: int = 365,
    truth: pl.DataFrame | None = None,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
) -> WatchHarm | None:
    """The watch list as of ``as_of`` and its share of the next ``horizon_days``' harm by men
    with no VAWG record; None when the records before ``as_of`` are too short to make the watch
    list (``vawg rank precursors`` refuses the date).

    ``truth``: a generator's ``person_ref, offence_date, harm_days``
    (:func:`vawg.rank.backtest.truth_load`), to count every offence committed; default the
    recorded VAWG harm-days.
    """
    span = recorded_span(folder=folder)
    if span.first is None:
        return None
    try:
        precursors_coverage(span=span, as_of=as_of, folder=folder)
    except UserInputError:
        return None
    end = as_of + timedelta(days=horizon_days)
    allegations = precursors_history_load(
        folder=folder, as_of=as_of, end=end, harm=harm, taxonomy=taxonomy
    )
    result, evaluation = _evaluate(
        allegations, folder=folder, as_of=as_of, horizon_days=horizon_days, taxonomy=taxonomy
    )
    history = allegations.suspects.filter(pl.col("is_vawg"))
    known = history.filter(pl.col("recorded_date") <= as_of).select("person_ref").unique()
    if truth is not None:
        later = truth.filter(
            (pl.col("offence_date") > as_of) & (pl.col("offence_date") <= end)
        ).select("person_ref", "harm_days")
    else:
        later = history.filter(pl.col("recorded_date") > as_of).select(
            "person_ref", pl.col("harm_days").cast(pl.Float64)
        )
    unknown = later.join(known, on="person_ref", how="anti")
    listed = result.watch_list.select("person_ref").unique()
    return WatchHarm(
        as_of=as_of,
        horizon_days=horizon_days,
        listed=listed.height,
        listed_named=evaluation.listed_named,
        listed_harm_days=float(
            unknown.join(listed, on="person_ref", how="semi")["harm_days"].sum()
        ),
        unknown_harm_days=float(unknown["harm_days"].sum()),
        basis="true" if truth is not None else "recorded",
    )


def precursors_evaluate(
    *,
    folder: Path,
    as_of: date,
    horizon_days: int = 365,
    watch_days: int = 365,
    min_lift: float = MIN_LIFT,
    top: int = 100,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
    patterns: bool = True,
    adjust: str = "bh",
) -> tuple[Precursors, WatchEvaluation]:
    """The watch list as of ``as_of`` (from what was recorded by then) and how it did after.

    Returns
    -------
    (Precursors, WatchEvaluation)
        The list, and its lift over the ``horizon_days`` after ``as_of``
        (:func:`vawg.precursors_watch.watch_list_score`).
    """
    allegations = precursors_history_load(
        folder=folder,
        as_of=as_of,
        end=as_of + timedelta(days=horizon_days),
        harm=harm,
        taxonomy=taxonomy,
    )
    return _evaluate(
        allegations,
        folder=folder,
        as_of=as_of,
        horizon_days=horizon_days,
        watch_days=watch_days,
        min_lift=min_lift,
        top=top,
        taxonomy=taxonomy,
        patterns=patterns,
        adjust=adjust,
    )


def _evaluate(
    allegations: Allegations,
    *,
    folder: Path,
    as_of: date,
    horizon_days: int = 365,
    watch_days: int = 365,
    min_lift: float = MIN_LIFT,
    top: int = 100,
    taxonomy: Taxonomy | None = None,
    patterns: bool = True,
    adjust: str = "bh",
) -> tuple[Precursors, WatchEvaluation]:
    # The watch list as of ``as_of`` from the whole history read up to the horizon's end, and
    # how it did after.
    result = precursors_compute(
        allegations,
        as_of=as_of,
        watch_days=watch_days,
        min_lift=min_lift,
        top=top,
        taxonomy=taxonomy,
        female_crimes=precursors_female_crimes(folder, allegations, patterns),
        patterns=patterns,
        adjust=adjust,
    )
    sus = allegations.suspects
    past = sus.filter(pl.col("recorded_date") <= as_of)
    first_vawg = (
        past.filter(pl.col("is_vawg"))
        .group_by("person_ref")
        .agg(pl.col("recorded_date").min().alias("fv"))
    )
    evaluation = watch_list_score(
        watch_list=result.watch_list,
        typed=patterns_typed(past, patterns=False),
        first_vawg=first_vawg,
        future_vawg=sus.filter(pl.col("is_vawg") & (pl.col("recorded_date") > as_of)).select(
            "person_ref", "recorded_date", pl.col("harm_days").cast(pl.Float64).fill_null(0.0)
        ),
        as_of=as_of,
        watch_days=watch_days,
        horizon_days=horizon_days,
        katz=katz,
    )
    return result, evaluation
