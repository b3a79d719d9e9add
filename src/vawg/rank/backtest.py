"""Backtests: how much of the next year's VAWG harm each ranked list would have covered.

At ``as_of`` each method ranks the people it can see (VAWG allegations in the window, records on
or before ``as_of`` only). The harm that follows is the sum of CCHI days of VAWG allegations
naming each person recorded in ``(as_of, as_of + horizon_days]``. For each list length N:

- ``captured_harm_days``: the later harm of the top N;
- ``share_of_oracle``: that over the later harm of the best possible N (the oracle: the N people,
  seen before or not, with the most later harm);
- ``precision_at_n``: the share of the top N who are in the oracle's N;
- ``hit_rate``: the share of the top N named again for any VAWG offence in the horizon;
- ``retained_from_last_month``: the share of the top N already in the same method's top N one
  month earlier (month-to-month stability).

``random`` is the exact expectation for N people drawn uniformly from the ranked pool (no draws,
so no seed), and ``oracle`` the upper bound. This follows the "power few" validation idea of
Barnham, Barnes & Sherman (2017), *Cambridge Journal of Evidence-Based Policing* 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.harm import HarmTable
from vawg.rank.allegations import Allegations, allegations_load
from vawg.rank.score import METHODS, SERIAL_DAYS, RfgvWeights, person_scores
from vawg.taxonomy import Taxonomy

BACKTEST_COLUMNS = (
    "n",
    "method",
    "listed",
    "captured_harm_days",
    "share_of_oracle",
    "precision_at_n",
    "hit_rate",
    "retained_from_last_month",
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
    """

    table: pl.DataFrame
    as_of: date
    horizon_days: int
    window_days: int
    pool_size: int
    future_harm_days: float
    harm_table: str

    def text(self) -> str:
        """The table as aligned text, for a terminal.

        >>> b = Backtest(pl.DataFrame({"n": [10]}), date(2024, 1, 1), 365, 365, 5, 1.0, "t")
        >>> b.text().splitlines()[0][:26]
        'backtest as of 2024-01-01:'
        """
        head = (
            f"backtest as of {self.as_of}: window {self.window_days} days, horizon "
            f"{self.horizon_days} days, {self.pool_size:,} people ranked, "
            f"{self.future_harm_days:,.0f} VAWG harm-days in the horizon; "
            f"harm table {self.harm_table}"
        )
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=200,
        ):
            return f"{head}\n{self.table}"


def _month_before(day: date) -> date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    return day - timedelta(days=30)  # pragma: no cover - unreachable


def backtest_compute(
    allegations: Allegations,
    *,
    as_of: date,
    horizon_days: int = 365,
    tops: tuple[int, ...] = (10, 100, 1000),
    window_days: int = 365,
    weights: RfgvWeights | None = None,
) -> Backtest:
    """Backtest the methods at ``as_of`` on allegations covering the horizon.

    Parameters
    ----------
    allegations : Allegations
        Covering ``[as_of - 1 month - max(window_days, 1095), as_of + horizon_days]``.
    as_of : date
    horizon_days : int
        Days after ``as_of`` whose harm is counted (default 365).
    tops : tuple of int
        List lengths N.
    window_days : int
    weights : RfgvWeights, optional

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
    >>> b = backtest_compute(a, as_of=date(2024, 2, 1), tops=(1,))
    >>> b.table.filter(pl.col("method") == "v100")["share_of_oracle"].item()
    1.0
    """
    if horizon_days < 1:
        raise UserInputError(f"--horizon-days must be at least 1, not {horizon_days}")
    if not tops or min(tops) < 1:
        raise UserInputError("--top must list positive list lengths, e.g. 10,100,1000")
    end = as_of + timedelta(days=horizon_days)
    future = (
        allegations.suspects.filter(
            pl.col("is_vawg") & (pl.col("recorded_date") > as_of) & (pl.col("recorded_date") <= end)
        )
        .group_by("person_ref")
        .agg(pl.col("harm_days").sum().alias("future_harm_days"))
    )
    future_total = float(future["future_harm_days"].sum())
    oracle = future.sort(["future_harm_days", "person_ref"], descending=[True, False])
    previous = _month_before(as_of)
    rows: list[dict[str, object]] = []
    pool_size = 0
    lists: dict[str, pl.DataFrame] = {}
    for method in METHODS:
        now = person_scores(
            allegations, as_of=as_of, window_days=window_days, method=method, weights=weights
        ).join(future, on="person_ref", how="left")
        before = person_scores(
            allegations, as_of=previous, window_days=window_days, method=method, weights=weights
        )
        lists[method] = now.with_columns(pl.col("future_harm_days").fill_null(0.0))
        pool_size = now.height
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
                    "retained_from_last_month": retained / listed if listed else None,
                }
            )
    pool = lists["v100"]
    pool_future = float(pool["future_harm_days"].sum())
    pool_hits = pool.filter(pl.col("future_harm_days") > 0).height
    for n in tops:
        oracle_n = oracle.head(n)
        best = float(oracle_n["future_harm_days"].sum())
        listed = min(n, pool_size)
        fraction = listed / pool_size if pool_size else 0.0
        oracle_in_pool = pool.join(oracle_n, on="person_ref", how="semi").height
        rows.append(
            {
                "n": n,
                "method": "random",
                "listed": listed,
                "captured_harm_days": pool_future * fraction,
                "share_of_oracle": pool_future * fraction / best if best else None,
                "precision_at_n": oracle_in_pool * fraction / n,
                "hit_rate": pool_hits / pool_size if pool_size else None,
                "retained_from_last_month": fraction,
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
                "retained_from_last_month": None,
            }
        )
    order = {m: i for i, m in enumerate((*METHODS, "random", "oracle"))}
    table = (
        pl.DataFrame(
            rows,
            schema={
                "n": pl.Int64,
                "method": pl.String,
                "listed": pl.Int64,
                "captured_harm_days": pl.Float64,
                "share_of_oracle": pl.Float64,
                "precision_at_n": pl.Float64,
                "hit_rate": pl.Float64,
                "retained_from_last_month": pl.Float64,
            },
        )
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
    >>> b = backtest_run(folder=d, as_of=date(2024, 6, 1), tops=(1,))
    >>> b.future_harm_days
    10.0
    """
    start = _month_before(as_of) - timedelta(days=max(window_days, SERIAL_DAYS))
    allegations = allegations_load(
        folder=folder,
        start=start,
        end=as_of + timedelta(days=horizon_days),
        taxonomy=taxonomy,
        harm=harm,
        vawg_only=True,
        cache=cache,
    )
    return backtest_compute(
        allegations,
        as_of=as_of,
        horizon_days=horizon_days,
        tops=tops,
        window_days=window_days,
        weights=weights,
    )
