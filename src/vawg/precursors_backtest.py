"""How much of the next year's harm by men with no VAWG record the precursor watch list had
flagged: the figure `vawg rank backtest` prints under each date's table.

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
from vawg.precursors import precursors_coverage, precursors_evaluate
from vawg.rank.allegations import recorded_span
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
        result, evaluation = precursors_evaluate(
            folder=folder, as_of=as_of, horizon_days=horizon_days, harm=harm, taxonomy=taxonomy
        )
    except UserInputError:
        return None
    from vawg.rank.allegations import allegations_load

    end = as_of + timedelta(days=horizon_days)
    history = allegations_load(
        folder=folder, start=span.first, end=end, taxonomy=taxonomy, harm=harm, vawg_only=True
    ).suspects.filter(pl.col("is_vawg"))
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
