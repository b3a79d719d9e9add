"""Backtests: how much of the next year's VAWG harm each ranked list would have covered.

At ``as_of`` each method ranks the people it can see (VAWG allegations in the window, records on
or before ``as_of`` only). The harm that follows is the sum of CCHI days of VAWG allegations
naming each person recorded in ``(as_of, as_of + horizon_days]``. For each list length N:

- ``captured_harm_days``: the later harm of the top N;
- ``share_of_oracle``: that over the later harm of the best possible N (the oracle: the N people,
  seen before or not, with the most later harm);
- ``precision_at_n``: the share of the top N who are in the oracle's N;
- ``hit_rate``: the share of the top N who cause any harm in the horizon;
- ``named_again``: the share of the top N named on a VAWG allegation recorded in the horizon
  (what a force can check; the same as ``hit_rate`` when the harm is the recorded harm);
- ``retained_from_last_month``: the share of the top N already in the same method's top N one
  month earlier (month-to-month stability);
- ``brier``: for a method that gives probabilities (``learned``), the Brier score over its whole
  pool against what the probability claims (a serious VAWG allegation recorded in the next
  ``horizon_days``), with a reliability table (:attr:`Backtest.reliability`).

With a generator's truth (``truth/offences.csv``, every offence committed, recorded or not) the
harm that follows is the **true** harm: a method cannot look good by predicting only what gets
recorded. Without it, the recorded harm. Every list is drawn only from records on or before
``as_of`` (the learned method trains on the years before it too).

``random`` is the exact expectation for N people drawn uniformly from the ranked pool (no draws,
so no seed), and ``oracle`` the upper bound. This follows the "power few" validation idea of
Barnham, Barnes & Sherman (2017), *Cambridge Journal of Evidence-Based Policing* 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.harm import HarmTable
from vawg.rank.allegations import Allegations, allegations_load
from vawg.rank.learned import LEARNED_LOOKBACK_DAYS, Context, context_load, labels_after
from vawg.rank.learned_fit import training_origins
from vawg.rank.score import (
    METHODS,
    SERIAL_DAYS,
    RfgvWeights,
    person_scores,
)
from vawg.taxonomy import Taxonomy

BACKTEST_COLUMNS = (
    "n",
    "method",
    "listed",
    "captured_harm_days",
    "share_of_oracle",
    "precision_at_n",
    "hit_rate",
    "named_again",
    "retained_from_last_month",
    "brier",
)


@dataclass(frozen=True)
class Backtest:
    """The backtest table and its setting.

    Attributes
    ----------
    table : pl.DataFrame
        :data:`BACKTEST_COLUMNS`, one row per (N, method); methods ``v100, rfgv, count,
        random, oracle``.
    as_of : date
    horizon_days : int
    window_days : int
    pool_size : int
        People ranked at ``as_of``.
    future_harm_days : float
        All VAWG harm-days in the horizon (everyone, seen before or not).
    harm_table : str
    harm_basis : str
        ``true`` (a generator's truth) or ``recorded``.
    reliability : pl.DataFrame
        ``method, bin, people, mean_probability, observed_share``: for each band of predicted
        probability, the share who went on to a serious recorded VAWG allegation.
    skipped : tuple of str
        Methods left out: ``learned`` when the records before ``as_of`` are too short to train.
    """

    table: pl.DataFrame
    as_of: date
    horizon_days: int
    window_days: int
    pool_size: int
    future_harm_days: float
    harm_table: str
    harm_basis: str = "recorded"
    reliability: pl.DataFrame = field(default_factory=pl.DataFrame)
    skipped: tuple[str, ...] = ()

    def text(self) -> str:
        """The table as aligned text, for a terminal.

        >>> b = Backtest(pl.DataFrame({"n": [10]}), date(2024, 1, 1), 365, 365, 5, 1.0, "t")
        >>> b.text().splitlines()[0][:26]
        'backtest as of 2024-01-01:'
        """
        head = (
            f"backtest as of {self.as_of}: window {self.window_days} days, horizon "
            f"{self.horizon_days} days, {self.pool_size:,} people ranked, "
            f"{self.future_harm_days:,.0f} {self.harm_basis} VAWG harm-days in the horizon; "
            f"harm table {self.harm_table}"
        )
        if self.skipped:
            head += (
                f"; left out: {', '.join(self.skipped)} (needs two years of records before the "
                "date)"
            )
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=200,
        ):
            text = f"{head}\n{self.table}"
            if self.reliability.height:
                text += f"\nreliability (serious recorded VAWG allegation):\n{self.reliability}"
            return text


def _month_before(day: date) -> date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return day - timedelta(days=30)  # pragma: no cover - unreachable


PROBABILITY_BINS = (0.05, 0.1, 0.2, 0.3, 0.5)
"""Upper edges of the reliability table's bands of predicted probability (the last is 1)."""


def truth_find(*, folder: Path, truth: Path | None = None) -> Path | None:
    """The truth to score against: ``truth`` when given, else the folder's own
    ``truth/offences.csv`` when it has one (a generator's extract), else None (recorded harm)."""
    if truth is not None:
        return truth
    default = Path(folder) / "truth" / "offences.csv"
    return default if default.is_file() else None


def truth_load(*, path: Path) -> pl.DataFrame:
    """A generator's truth (``truth/offences.csv``): ``person_ref, offence_date, harm_days``.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "offences.csv"
    >>> _ = d.write_text("person_ref,offence_date,offence_code,harm_days\\nA,2024-01-02,8Q,10\\n")
    >>> truth_load(path=d)["harm_days"].to_list()
    [10.0]
    """
    if not path.is_file():
        raise UserInputError(f"--truth: {path} is not a file (truth/offences.csv)")
    frame = pl.read_csv(path, infer_schema=False)
    missing = {"person_ref", "offence_date", "harm_days"} - set(frame.columns)
    if missing:
        raise UserInputError(f"--truth: {path} lacks {', '.join(sorted(missing))}")
    return frame.select(
        "person_ref",
        pl.col("offence_date").str.to_date("%Y-%m-%d"),
        pl.col("harm_days").cast(pl.Float64),
    )


def _reliability(method: str, probability: pl.Series, outcome: pl.Series) -> pl.DataFrame:
    edges = [0.0, *PROBABILITY_BINS, 1.0]
    frame = pl.DataFrame({"p": probability, "y": outcome.cast(pl.Float64)})
    rows = []
    for lo, hi in pairwise(edges):
        band = frame.filter((pl.col("p") >= lo) & ((pl.col("p") < hi) | (hi == 1.0)))
        rows.append(
            {
                "method": method,
                "bin": f"{lo:.2f}-{hi:.2f}",
                "people": band.height,
                "mean_probability": float(band["p"].mean()) if band.height else None,  # type: ignore[arg-type]
                "observed_share": float(band["y"].mean()) if band.height else None,  # type: ignore[arg-type]
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "method": pl.String,
            "bin": pl.String,
            "people": pl.Int64,
            "mean_probability": pl.Float64,
            "observed_share": pl.Float64,
        },
    )


def backtest_compute(
    allegations: Allegations,
    *,
    as_of: date,
    horizon_days: int = 365,
    tops: tuple[int, ...] = (10, 100, 1000),
    window_days: int = 365,
    weights: RfgvWeights | None = None,
    context: Context | None = None,
    truth: pl.DataFrame | None = None,
    methods: tuple[str, ...] = METHODS,
) -> Backtest:
    """Backtest the methods at ``as_of`` on allegations covering the horizon.

    Parameters
    ----------
    allegations : Allegations
        Covering ``[as_of - 1 month - max(window_days, 1095), as_of + horizon_days]`` (for
        ``learned``, from ``as_of`` less its look-back).
    as_of : date
    horizon_days : int
        Days after ``as_of`` whose harm is counted (default 365).
    tops : tuple of int
        List lengths N.
    window_days : int
    weights : RfgvWeights, optional
    context : Context, optional
        Outcomes, orders and markers for ``learned`` (only what is dated on or before each list's
        date is used).
    truth : pl.DataFrame, optional
        :func:`truth_load`'s table: score against true harm rather than recorded harm.
    methods : tuple of str
        The methods to test (default all).

    Returns
    -------
    Backtest

    Examples
    --------
    >>> sus = pl.DataFrame({
    ...     "crime_ref": ["C1", "C2", "C3", "C4"], "person_ref": ["A", "B", "A", "B"],
    ...     "recorded_date": [date(2024, 1, 5), date(2024, 1, 6), date(2024, 3, 1),
    ...                       date(2024, 3, 2)],
    ...     "offence_code": ["19C", "8Q", "19C", "8Q"], "vawg_group": ["rape"] * 4,
    ...     "is_vawg": [True] * 4, "harm_days": [1825.0, 10.0, 1825.0, 10.0],
    ...     "relationship": [None] * 4})
    >>> vic = pl.DataFrame({"crime_ref": ["C1"], "victim_ref": ["V1"]})
    >>> a = Allegations(sus, vic, date(2020, 1, 1), date(2025, 1, 1), "t", "v",
    ...                 pl.DataFrame(), pl.DataFrame())
    >>> b = backtest_compute(a, as_of=date(2024, 2, 1), tops=(1,), methods=("v100", "count"))
    >>> b.table.filter(pl.col("method") == "v100")["share_of_oracle"].item()
    1.0
    """
    if horizon_days < 1:
        raise UserInputError(f"--horizon-days must be at least 1, not {horizon_days}")
    if not tops or min(tops) < 1:
        raise UserInputError("--top must list positive list lengths, e.g. 10,100,1000")
    end = as_of + timedelta(days=horizon_days)
    recorded_after = allegations.suspects.filter(
        pl.col("is_vawg") & (pl.col("recorded_date") > as_of) & (pl.col("recorded_date") <= end)
    )
    named = recorded_after.select("person_ref").unique().with_columns(pl.lit(True).alias("_named"))
    if truth is not None:
        future = (
            truth.filter((pl.col("offence_date") > as_of) & (pl.col("offence_date") <= end))
            .group_by("person_ref")
            .agg(pl.col("harm_days").sum().alias("future_harm_days"))
        )
    else:
        future = recorded_after.group_by("person_ref").agg(
            pl.col("harm_days").sum().alias("future_harm_days")
        )
    future_total = float(future["future_harm_days"].sum())
    oracle = future.sort(["future_harm_days", "person_ref"], descending=[True, False])
    previous = _month_before(as_of)
    rows: list[dict[str, object]] = []
    reliability: list[pl.DataFrame] = []
    lists: dict[str, pl.DataFrame] = {}
    serious = labels_after(allegations, as_of=as_of, horizon_days=horizon_days)
    skipped = []
    for method in methods:
        if method == "learned" and not training_origins(allegations, as_of=previous):
            skipped.append(method)  # too little history before as_of to train on
            continue
        score = partial(
            person_scores,
            allegations,
            window_days=window_days,
            method=method,
            weights=weights,
            context=context,
        )
        now = (
            score(as_of=as_of)
            .join(future, on="person_ref", how="left")
            .join(named, on="person_ref", how="left")
        )
        before = score(as_of=previous)
        lists[method] = now.with_columns(
            pl.col("future_harm_days").fill_null(0.0), pl.col("_named").fill_null(False)
        )
        brier = None
        if method == "learned" and now.height:
            outcome = now.join(serious, on="person_ref", how="left")["serious"].fill_null(False)
            import numpy as np

            error = now["probability"].to_numpy() - outcome.cast(pl.Float64).to_numpy()
            brier = float(np.mean(error**2))
            reliability.append(_reliability(method, now["probability"], outcome))
        for n in tops:
            top = lists[method].head(n)
            oracle_n = oracle.head(n)
            best = float(oracle_n["future_harm_days"].sum())
            captured = float(top["future_harm_days"].sum())
            listed = top.height
            in_oracle = top.join(oracle_n, on="person_ref", how="semi").height
            retained = top.join(before.head(n), on="person_ref", how="semi").height
            rows.append(
                {
                    "n": n,
                    "method": method,
                    "listed": listed,
                    "captured_harm_days": captured,
                    "share_of_oracle": captured / best if best else None,
                    "precision_at_n": in_oracle / n,
                    "hit_rate": (
                        top.filter(pl.col("future_harm_days") > 0).height / listed
                        if listed
                        else None
                    ),
                    "named_again": top["_named"].sum() / listed if listed else None,
                    "retained_from_last_month": retained / listed if listed else None,
                    "brier": brier,
                }
            )
    if not lists:
        raise UserInputError(
            f"rank backtest: --method {','.join(methods)} needs two years of records before "
            f"--as-of {as_of}"
        )
    pool = lists[next(iter(lists))]
    pool_size = pool.height
    pool_future = float(pool["future_harm_days"].sum())
    pool_hits = pool.filter(pl.col("future_harm_days") > 0).height
    pool_named = int(pool["_named"].sum())
    for n in tops:
        oracle_n = oracle.head(n)
        best = float(oracle_n["future_harm_days"].sum())
        listed = min(n, pool_size)
        fraction = listed / pool_size if pool_size else 0.0
        oracle_in_pool = pool.join(oracle_n, on="person_ref", how="semi").height
        oracle_named = oracle_n.join(named, on="person_ref", how="semi").height
        rows.append(
            {
                "n": n,
                "method": "random",
                "listed": listed,
                "captured_harm_days": pool_future * fraction,
                "share_of_oracle": pool_future * fraction / best if best else None,
                "precision_at_n": oracle_in_pool * fraction / n,
                "hit_rate": pool_hits / pool_size if pool_size else None,
                "named_again": pool_named / pool_size if pool_size else None,
                "retained_from_last_month": fraction,
                "brier": None,
            }
        )
        rows.append(
            {
                "n": n,
                "method": "oracle",
                "listed": oracle_n.height,
                "captured_harm_days": best,
                "share_of_oracle": 1.0 if best else None,
                "precision_at_n": oracle_n.height / n,
                "hit_rate": 1.0 if oracle_n.height else None,
                "named_again": oracle_named / oracle_n.height if oracle_n.height else None,
                "retained_from_last_month": None,
                "brier": None,
            }
        )
    order = {m: i for i, m in enumerate((*methods, "random", "oracle"))}
    table = (
        pl.DataFrame(rows, schema=_SCHEMA)
        .with_columns(pl.col("method").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort("n", "_o")
        .drop("_o")
    )
    return Backtest(
        table=table,
        as_of=as_of,
        horizon_days=horizon_days,
        window_days=window_days,
        pool_size=pool_size,
        future_harm_days=future_total,
        harm_table=allegations.harm_table,
        harm_basis="true" if truth is not None else "recorded",
        reliability=pl.concat(reliability) if reliability else pl.DataFrame(),
        skipped=tuple(skipped),
    )


_SCHEMA = {
    "n": pl.Int64,
    "method": pl.String,
    "listed": pl.Int64,
    "captured_harm_days": pl.Float64,
    "share_of_oracle": pl.Float64,
    "precision_at_n": pl.Float64,
    "hit_rate": pl.Float64,
    "named_again": pl.Float64,
    "retained_from_last_month": pl.Float64,
    "brier": pl.Float64,
}


def backtests_mean(backtests: list[Backtest]) -> pl.DataFrame:
    """The mean over several dates of each (N, method)'s figures, with ``year_ends`` (how many)
    and the smallest and largest share of the oracle.

    >>> t = pl.DataFrame({"n": [1], "method": ["v100"], "share_of_oracle": [0.5],
    ...     "precision_at_n": [1.0], "hit_rate": [1.0], "named_again": [1.0], "brier": [None]})
    >>> b = Backtest(t, date(2024, 1, 1), 365, 365, 1, 1.0, "t")
    >>> backtests_mean([b, b])["share_of_oracle"].to_list()
    [0.5]
    """
    order = {m: i for i, m in enumerate((*METHODS, "random", "oracle"))}
    return (
        pl.concat(
            [
                b.table.select(
                    "n",
                    "method",
                    "share_of_oracle",
                    "precision_at_n",
                    "hit_rate",
                    "named_again",
                    pl.col("brier").cast(pl.Float64),
                )
                for b in backtests
            ]
        )
        .group_by("n", "method")
        .agg(
            pl.len().cast(pl.Int64).alias("year_ends"),
            pl.col("share_of_oracle").mean(),
            pl.col("share_of_oracle").min().alias("share_min"),
            pl.col("share_of_oracle").max().alias("share_max"),
            pl.col("precision_at_n").mean(),
            pl.col("hit_rate").mean(),
            pl.col("named_again").mean(),
            pl.col("brier").mean(),
        )
        .with_columns(
            pl.col("method").replace_strict(order, default=99, return_dtype=pl.Int64).alias("_o")
        )
        .sort("n", "_o")
        .drop("_o")
    )


def backtest_run(
    *,
    folder: Path,
    as_of: date,
    horizon_days: int = 365,
    tops: tuple[int, ...] = (10, 100, 1000),
    window_days: int = 365,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
    weights: RfgvWeights | None = None,
    cache: bool = False,
    truth: Path | None = None,
    methods: tuple[str, ...] = METHODS,
) -> Backtest:
    """Backtest straight from a force extract folder (what ``vawg rank backtest`` runs).

    Parameters
    ----------
    folder : Path
    as_of : date
    horizon_days : int
        Days (default 365).
    tops : tuple of int
    window_days : int
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional
    weights : RfgvWeights, optional
    cache : bool
        Read CSV tables through a Parquet copy kept in the folder (default off).
    truth : Path, optional
        A generator's ``truth/offences.csv`` to score against true harm; default: the folder's
        own ``truth/offences.csv`` when it has one, else recorded harm.
    methods : tuple of str

    Returns
    -------
    Backtest

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n"
    ...     "C1,2024-01-01,8Q\\nC2,2024-09-01,8Q\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n"
    ...     "C1,S1,suspect\\nC2,S1,suspect\\n")
    >>> b = backtest_run(folder=d, as_of=date(2024, 6, 1), tops=(1,), methods=("v100",))
    >>> b.future_harm_days
    10.0
    """
    lookback = max(window_days, SERIAL_DAYS)
    if "learned" in methods:
        lookback = max(lookback, LEARNED_LOOKBACK_DAYS + 31)
    start = _month_before(as_of) - timedelta(days=lookback)
    allegations = allegations_load(
        folder=folder,
        start=start,
        end=as_of + timedelta(days=horizon_days),
        taxonomy=taxonomy,
        harm=harm,
        vawg_only=True,
        cache=cache,
    )
    truth_path = truth_find(folder=folder, truth=truth)
    return backtest_compute(
        allegations,
        as_of=as_of,
        horizon_days=horizon_days,
        tops=tops,
        window_days=window_days,
        weights=weights,
        context=context_load(folder=folder, end=as_of, cache=cache)
        if "learned" in methods
        else None,
        truth=truth_load(path=truth_path) if truth_path is not None else None,
        methods=methods,
    )


def held_out_as_of(*, last_recorded: date, horizon_days: int = 365) -> date:
    """The latest date whose whole horizon is in the data: the last month end on or before
    ``last_recorded - horizon_days``. The workspace's "what works" figures are the backtest at
    this date (the latest held-out year), so they move month by month as the data grow.

    >>> held_out_as_of(last_recorded=date(2025, 8, 31))
    datetime.date(2024, 8, 31)
    >>> held_out_as_of(last_recorded=date(2025, 8, 30))
    datetime.date(2024, 7, 31)
    """
    latest = last_recorded - timedelta(days=horizon_days)
    if (latest + timedelta(days=1)).month != latest.month:
        return latest
    return latest.replace(day=1) - timedelta(days=1)
