"""Disproportionality: who the ranked list falls on, against the suspect pool it was drawn from.

For each attribute (ethnicity, age band, sex) and each group ``g`` it reports two comparisons,
each as a ratio with a 95% interval, flagged when the interval excludes 1:

1. **Representation** (list vs pool): ``share_ratio = (list_n / N) / (pool_n / P)``, and the
   selection-rate ratio ``rate_ratio = (list_n / pool_n) / ((N - list_n) / (P - pool_n))``
   (group against everyone else) with the Katz log interval (Katz et al. 1978, *Biometrics*
   34:469-474; 0.5 added to every cell when one is zero). ``flagged`` is set when its interval
   excludes 1. This catches any over-representation, **including a legitimate one**: a group
   whose members are accused of more harm is more often on a harm-ranked list.
2. **Beyond harm** (list vs the pool *with comparable harm*): the pool is cut into harm strata
   (harm-days at the pool's ranks N, 2N, 4N, 8N ...), the expected list count of ``g`` is
   ``E = sum_s N_s * pool_gs / pool_s`` (each stratum's list places shared in proportion), with
   the hypergeometric variance; ``harm_adjusted_ratio = list_n / E`` and ``adjusted_flagged``
   when ``|list_n - E| > 0.5 + 1.96 sd`` (a continuity correction of half a person). This
   asks whether the *method* selects a group more often than its recorded harm explains (by
   recency, counts or victims for RFGV). For V100 it is 1 by construction: V100 is harm.

Neither comparison can see bias in what was reported and recorded in the first place: the pool
is made of allegations, and both checks take them as given. ``docs/ranking.md`` says so plainly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from vawg.extract import extract_files_find, table_scan
from vawg.harm import HarmTable
from vawg.rank.allegations import allegations_load
from vawg.rank.score import SERIAL_DAYS, RfgvWeights, person_scores
from vawg.taxonomy import Taxonomy

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""

ATTRIBUTES = ("ethnicity", "age_band", "sex")
AGE_BANDS = (
    (0, 17, "under 18"),
    (18, 24, "18-24"),
    (25, 34, "25-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 200, "55+"),
)


@dataclass(frozen=True)
class Disproportionality:
    """The make-up of a ranked list against its pool.

    Attributes
    ----------
    table : pl.DataFrame
        One row per (attribute, group): ``attribute, group, pool_n, list_n, pool_share,
        list_share, share_ratio, rate_ratio, rate_ratio_low, rate_ratio_high, flagged,
        expected_given_harm, harm_adjusted_ratio, adjusted_low, adjusted_high,
        adjusted_flagged``.
    list_size : int
    pool_size : int
    method : str
    as_of : date or None
    """

    table: pl.DataFrame
    list_size: int
    pool_size: int
    method: str
    as_of: date | None

    def text(self) -> str:
        """The table as text, with a one-line reading.

        >>> d = Disproportionality(pl.DataFrame({"flagged": [False]}), 1, 2, "v100", None)
        >>> d.text().splitlines()[0][:39]
        'disproportionality of the top 1 (v100) '
        """
        flagged = self.table.filter(pl.col("flagged")).height
        adjusted = (
            self.table.filter(pl.col("adjusted_flagged")).height
            if "adjusted_flagged" in self.table.columns
            else 0
        )
        head = (
            f"disproportionality of the top {self.list_size} ({self.method}) against "
            f"{self.pool_size:,} people in the suspect pool, as of {self.as_of}: "
            f"{flagged} group(s) over- or under-represented; {adjusted} beyond what their "
            f"harm explains (95% intervals; see docs/ranking.md for the limits)"
        )
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=250,
        ):
            return f"{head}\n{self.table}"


def _katz(a: float, n1: float, c: float, n0: float) -> tuple[float, float, float]:
    if n1 <= 0 or n0 <= 0:
        return (math.nan, math.nan, math.nan)
    if a == 0 or c == 0 or a == n1 or c == n0:
        a, c, n1, n0 = a + 0.5, c + 0.5, n1 + 1.0, n0 + 1.0
    ratio = (a / n1) / (c / n0)
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / c - 1 / n0, 0.0))
    return ratio, ratio * math.exp(-Z95 * se), ratio * math.exp(Z95 * se)


def _strata(harm: np.ndarray, list_size: int) -> np.ndarray:
    order = np.sort(harm)[::-1]
    edges: list[float] = []
    k = list_size
    while k < harm.size:
        edges.append(float(order[k - 1]))
        k *= 2
    # Stratum 0 holds harm at or above the N-th largest, then each doubling.
    thresholds = np.array(sorted(set(edges), reverse=True))
    return (
        np.searchsorted(-thresholds, -harm, side="right")
        if thresholds.size
        else np.zeros(harm.size, dtype=np.int64)
    )


def disproportionality(
    pool: pl.DataFrame,
    *,
    attributes: tuple[str, ...] = ATTRIBUTES,
    method: str = "",
    as_of: date | None = None,
) -> Disproportionality:
    """Compare the listed people with the pool they were drawn from.

    Parameters
    ----------
    pool : pl.DataFrame
        One row per person in the pool: ``selected`` (boolean: on the list), ``harm_days``
        (harm-days in the window) and the attribute columns (text; null reads ``unknown``).
    attributes : tuple of str
    method : str
        Label for the output.
    as_of : date, optional

    Returns
    -------
    Disproportionality

    Examples
    --------
    >>> pool = pl.DataFrame({"selected": [True] * 20 + [False] * 80,
    ...                      "harm_days": [100.0] * 20 + [1.0] * 80,
    ...                      "sex": ["M"] * 20 + ["M", "F"] * 40})
    >>> d = disproportionality(pool, attributes=("sex",))
    >>> d.table.filter(pl.col("group") == "M")[["share_ratio", "flagged"]].row(0)
    (1.6666666666666667, True)
    >>> d.table.filter(pl.col("group") == "M")["adjusted_flagged"].item()
    False
    """
    selected = pool["selected"].to_numpy().astype(bool)
    harm = pool["harm_days"].cast(pl.Float64).fill_null(0.0).to_numpy()
    n_list = int(selected.sum())
    n_pool = int(selected.size)
    strata = _strata(harm, max(n_list, 1))
    rows: list[dict[str, object]] = []
    for attribute in attributes:
        labels = pool[attribute].cast(pl.String).fill_null("unknown").to_numpy()
        for group in sorted(set(labels.tolist())):
            member = labels == group
            pool_n = int(member.sum())
            list_n = int((member & selected).sum())
            rr, low, high = _katz(list_n, pool_n, n_list - list_n, n_pool - pool_n)
            expected = 0.0
            variance = 0.0
            for s in np.unique(strata):
                in_s = strata == s
                size = int(in_s.sum())
                chosen = int((in_s & selected).sum())
                if chosen == 0:
                    continue
                p = float((in_s & member).sum()) / size
                expected += chosen * p
                if size > 1:
                    variance += chosen * p * (1 - p) * (size - chosen) / (size - 1)
            sd = math.sqrt(variance)
            # Half a person of continuity correction: counts are whole, and a tie at the list's
            # edge broken by offences or date must not read as a disparity on its own.
            margin = 0.5 + Z95 * sd
            adj = list_n / expected if expected > 0 else math.nan
            rows.append(
                {
                    "attribute": attribute,
                    "group": group,
                    "pool_n": pool_n,
                    "list_n": list_n,
                    "pool_share": pool_n / n_pool if n_pool else math.nan,
                    "list_share": list_n / n_list if n_list else math.nan,
                    "share_ratio": (list_n / n_list) / (pool_n / n_pool)
                    if n_list and pool_n
                    else math.nan,
                    "rate_ratio": rr,
                    "rate_ratio_low": low,
                    "rate_ratio_high": high,
                    "flagged": bool(low > 1 or high < 1) if not math.isnan(rr) else False,
                    "expected_given_harm": expected,
                    "harm_adjusted_ratio": adj,
                    "adjusted_low": max(list_n - margin, 0.0) / expected
                    if expected > 0
                    else math.nan,
                    "adjusted_high": (list_n + margin) / expected if expected > 0 else math.nan,
                    "adjusted_flagged": bool(sd > 0 and abs(list_n - expected) > margin),
                }
            )
    table = pl.DataFrame(rows).with_columns(pl.col(pl.Float64).fill_nan(None))
    return Disproportionality(
        table=table, list_size=n_list, pool_size=n_pool, method=method, as_of=as_of
    )


def age_band(*, birth_year: pl.Expr, as_of: date) -> pl.Expr:
    """Age band at ``as_of`` from the birth year (``unknown`` when missing).

    >>> pl.select(age_band(birth_year=pl.lit(1990), as_of=date(2025, 1, 1))).item()
    '35-44'
    """
    age = pl.lit(as_of.year) - birth_year
    band: pl.Expr = pl.lit("unknown")
    for low, high, label in reversed(AGE_BANDS):
        band = pl.when(age.is_between(low, high)).then(pl.lit(label)).otherwise(band)
    return band


def fairness_run(
    *,
    folder: Path,
    as_of: date,
    top: int = 100,
    method: str = "v100",
    window_days: int = 365,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
    weights: RfgvWeights | None = None,
) -> Disproportionality:
    """Rank from a force extract and compare the top ``top`` with the suspect pool.

    Parameters
    ----------
    folder : Path
    as_of : date
    top : int
        List length N.
    method : {"v100", "rfgv", "count"}
    window_days : int
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional
    weights : RfgvWeights, optional

    Returns
    -------
    Disproportionality

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n"
    ...     "C1,2024-01-01,8Q\\nC2,2024-02-01,19C\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n"
    ...     "C1,S1,suspect\\nC2,S2,suspect\\n")
    >>> fairness_run(folder=d, as_of=date(2024, 6, 1), top=1).pool_size
    2
    """
    start = as_of - timedelta(days=max(window_days, SERIAL_DAYS))
    allegations = allegations_load(
        folder=folder, start=start, end=as_of, taxonomy=taxonomy, harm=harm, vawg_only=True
    )
    scores = person_scores(
        allegations, as_of=as_of, window_days=window_days, method=method, weights=weights
    )
    people = table_scan(
        files=extract_files_find(folder=folder),
        table="people",
        columns=("person_ref", "sex", "birth_year", "ethnicity"),
    ).collect()
    pool = scores.join(people, on="person_ref", how="left").with_columns(
        (pl.col("rank") <= top).alias("selected"),
        age_band(birth_year=pl.col("birth_year"), as_of=as_of).alias("age_band"),
    )
    return disproportionality(pool, method=method, as_of=as_of)
