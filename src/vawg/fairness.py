"""Disproportionality: who the ranked list falls on, against the suspect pool it was drawn from.

For each attribute (ethnicity, age band, sex) and each group ``g`` it makes two comparisons,
each an exact test, and reports beside each verdict the smallest disparity it could have found:

1. **Representation** (list vs pool): ``share_ratio = (list_n / N) / (pool_n / P)``, and the
   selection-rate ratio ``rate_ratio = (list_n / pool_n) / ((N - list_n) / (P - pool_n))``
   (group against everyone else) with the Katz log 95% interval (Katz et al. 1978, *Biometrics*
   34:469-474; 0.5 added to every cell when one is zero). ``p_value`` is the exact
   (hypergeometric) two-sided test of ``list_n``. This catches any over-representation,
   **including a legitimate one**: a group whose members are accused of more harm is more often
   on a harm-ranked list.
2. **Beyond harm** (list vs the pool *with comparable harm*): the pool is cut into harm strata
   (harm-days at the pool's ranks N, 2N, 4N, 8N ...; the N-th man is in the first), the
   expected list count of ``g`` is ``E = sum_s N_s * pool_gs / pool_s`` (each stratum's list
   places shared in proportion), ``harm_adjusted_ratio = list_n / E``, and ``adjusted_p_value``
   is the exact stratified test (the sum of the strata's hypergeometric counts). This asks
   whether the *method* selects a group more often than its recorded harm explains (by recency,
   counts or victims for RFGV). For V100 it is 1 by construction: V100 is harm.

``flagged`` and ``adjusted_flagged`` are set after Holm's adjustment over all the table's tests
(both comparisons, every attribute and group), so that the chance of any false flag in a table
is at most 5%; ``detectable_ratio`` and ``adjusted_detectable_ratio`` are the list-over-expected
ratios that would be flagged 80% of the time (:mod:`vawg.fairness_stats`). Ethnicity can be
tested as the force's codes or as the five ONS broad groups (fewer, larger groups: more power).

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

from vawg.errors import UserInputError
from vawg.extract import extract_files_find, table_scan
from vawg.fairness_stats import (
    detectable_ratio,
    ethnic_groups_broad,
    holm,
    hypergeometric_pmf,
    stratified_null,
    two_sided_p,
)
from vawg.harm import HarmTable, harm_table_default
from vawg.rank.allegations import allegations_load
from vawg.rank.learned import context_load
from vawg.rank.model_store import model_obtain
from vawg.rank.score import SERIAL_DAYS, RfgvWeights, person_scores
from vawg.taxonomy import Taxonomy, taxonomy_load

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""

ATTRIBUTES = ("ethnicity", "age_band", "sex")
ETHNIC_GROUPS = ("codes", "broad")
ALPHA = 0.05
"""The family-wise error rate of the check: the chance of any false flag in one table."""

COLUMNS = (
    "attribute",
    "group",
    "pool_n",
    "list_n",
    "pool_share",
    "list_share",
    "share_ratio",
    "rate_ratio",
    "rate_ratio_low",
    "rate_ratio_high",
    "flagged",
    "expected_given_harm",
    "harm_adjusted_ratio",
    "adjusted_low",
    "adjusted_high",
    "adjusted_flagged",
    "p_value",
    "p_holm",
    "detectable_ratio",
    "adjusted_p_value",
    "adjusted_p_holm",
    "adjusted_detectable_ratio",
    "verdict",
)
"""The table's columns: the first sixteen as before issue #14, then the tests and verdict."""
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
        One row per (attribute, group): :data:`COLUMNS` (``attribute, group, pool_n, list_n,
        pool_share, list_share, share_ratio, rate_ratio, rate_ratio_low, rate_ratio_high,
        flagged, expected_given_harm, harm_adjusted_ratio, adjusted_low, adjusted_high,
        adjusted_flagged, p_value, p_holm, detectable_ratio, adjusted_p_value,
        adjusted_p_holm, adjusted_detectable_ratio, verdict``).
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
            f"harm explains (exact tests, Holm-adjusted over the {2 * self.table.height} tests "
            f"to a 5% chance of any false flag; intervals are each 95%; see docs/ranking.md "
            f"for the limits)"
        )
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=250,
        ):
            if "verdict" not in self.table.columns:
                return f"{head}\n{self.table}"
            verdicts = "\n".join(
                f"{a} {g}: {v}"
                for a, g, v in self.table.select("attribute", "group", "verdict").iter_rows()
            )
            return f"{head}\n{self.table.drop('verdict')}\n{verdicts}"


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
    # side="left": a man whose harm equals an edge belongs to the stratum that edge closes (the
    # N-th listed man is in stratum 0, not the next).
    return (
        np.searchsorted(-thresholds, -harm, side="left")
        if thresholds.size
        else np.zeros(harm.size, dtype=np.int64)
    )


def disproportionality(
    pool: pl.DataFrame,
    *,
    attributes: tuple[str, ...] = ATTRIBUTES,
    method: str = "",
    as_of: date | None = None,
    alpha: float = ALPHA,
) -> Disproportionality:
    """Compare the listed people with the pool they were drawn from.

    Every (attribute, group) is tested twice, against the pool and against the pool with
    comparable harm, with exact tests; the flags are after Holm's adjustment over all of those
    tests together, so that the chance of any false flag in the table is at most ``alpha``.

    Parameters
    ----------
    pool : pl.DataFrame
        One row per person in the pool: ``selected`` (boolean: on the list), ``harm_days``
        (harm-days in the window) and the attribute columns (text; null reads ``unknown``).
    attributes : tuple of str
    method : str
        Label for the output.
    as_of : date, optional
    alpha : float
        The family-wise error rate (default 0.05).

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
    levels = np.unique(strata)
    stratum_size = np.array([int((strata == s).sum()) for s in levels])
    stratum_chosen = np.array([int((selected & (strata == s)).sum()) for s in levels])
    rows: list[dict[str, object]] = []
    for attribute in attributes:
        labels = pool[attribute].cast(pl.String).fill_null("unknown").to_numpy()
        for group in sorted(set(labels.tolist())):
            member = labels == group
            pool_n = int(member.sum())
            list_n = int((member & selected).sum())
            rr, low, high = _katz(list_n, pool_n, n_list - list_n, n_pool - pool_n)
            lo, pmf = hypergeometric_pmf(size=n_pool, group=pool_n, chosen=n_list)
            pool_expected = n_list * pool_n / n_pool if n_pool else 0.0
            pool_sd = _sd(lo, pmf)
            groups = np.array([int((member & (strata == s)).sum()) for s in levels])
            adj_lo, adj_pmf = stratified_null(
                sizes=stratum_size, groups=groups, chosen=stratum_chosen
            )
            expected = float((stratum_chosen * groups / np.maximum(stratum_size, 1)).sum())
            sd = _sd(adj_lo, adj_pmf)
            # Half a person of continuity correction in the interval: counts are whole.
            margin = 0.5 + Z95 * sd
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
                    "p_value": two_sided_p(lo=lo, pmf=pmf, observed=list_n),
                    "_pool_expected": pool_expected,
                    "_pool_sd": pool_sd,
                    "expected_given_harm": expected,
                    "harm_adjusted_ratio": list_n / expected if expected > 0 else math.nan,
                    "adjusted_low": max(list_n - margin, 0.0) / expected
                    if expected > 0
                    else math.nan,
                    "adjusted_high": (list_n + margin) / expected if expected > 0 else math.nan,
                    "adjusted_p_value": two_sided_p(lo=adj_lo, pmf=adj_pmf, observed=list_n),
                    "_sd": sd,
                }
            )
    return Disproportionality(
        table=_verdicts(rows, alpha=alpha),
        list_size=n_list,
        pool_size=n_pool,
        method=method,
        as_of=as_of,
    )


def _sd(lo: int, pmf: np.ndarray) -> float:
    k = lo + np.arange(pmf.size)
    mean = float((k * pmf).sum())
    return math.sqrt(max(float((k * k * pmf).sum()) - mean * mean, 0.0))


def _verdicts(rows: list[dict[str, object]], *, alpha: float) -> pl.DataFrame:
    """Holm over both tests of every row; the detectable ratios; a verdict in words."""
    if not rows:
        return pl.DataFrame()
    table = pl.DataFrame(rows)
    tests = 2 * table.height
    p_all = np.concatenate(
        [table["p_value"].to_numpy(), table["adjusted_p_value"].to_numpy()]
    ).astype(np.float64)
    adjusted = holm(p_all)
    p_holm, adj_holm = adjusted[: table.height], adjusted[table.height :]
    detect = [
        detectable_ratio(expected=e, sd=s, tests=tests, alpha=alpha)
        for e, s in zip(table["_pool_expected"], table["_pool_sd"], strict=True)
    ]
    adj_detect = [
        detectable_ratio(expected=e, sd=s, tests=tests, alpha=alpha)
        for e, s in zip(table["expected_given_harm"], table["_sd"], strict=True)
    ]
    table = table.with_columns(
        pl.Series("p_holm", p_holm),
        pl.Series("flagged", p_holm < alpha),
        pl.Series("detectable_ratio", detect, dtype=pl.Float64),
        pl.Series("adjusted_p_holm", adj_holm),
        pl.Series("adjusted_flagged", adj_holm < alpha),
        pl.Series("adjusted_detectable_ratio", adj_detect, dtype=pl.Float64),
    )
    verdicts = [_verdict(row) for row in table.iter_rows(named=True)]
    return (
        table.with_columns(pl.Series("verdict", verdicts, dtype=pl.String))
        .select(COLUMNS)
        .with_columns(pl.col(pl.Float64).fill_nan(None))
    )


def _verdict(row: dict[str, object]) -> str:
    def num(key: str) -> float:
        value = row[key]
        return float(value) if isinstance(value, int | float) else math.nan

    if row["adjusted_flagged"]:
        side = "more" if num("harm_adjusted_ratio") > 1 else "less"
        return (
            f"listed {side} often than their harm explains: {num('harm_adjusted_ratio'):.2f}x "
            f"the expected count (Holm p {num('adjusted_p_holm'):.2g}); review the method"
        )
    if row["flagged"]:
        side = "over" if num("share_ratio") > 1 else "under"
        return (
            f"{side}-represented against the pool ({num('share_ratio'):.2f}x, Holm p "
            f"{num('p_holm'):.2g}) but not beyond what their harm explains"
            + (
                f" (could detect {num('adjusted_detectable_ratio'):.2f}x)"
                if not math.isnan(num("adjusted_detectable_ratio"))
                else ""
            )
        )
    if num("pool_share") == 1.0:
        return "the whole pool is in this group: nothing to compare"
    detect = num("adjusted_detectable_ratio")
    if math.isnan(detect):
        detect = num("detectable_ratio")
    if math.isnan(detect):
        return "too few people to test"
    return (
        f"no disparity found; at this list size, one of {detect:.2f}x the expected count or "
        "more would be found 4 times in 5"
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
    ethnic_groups: str = "codes",
) -> Disproportionality:
    """Rank from a force extract and compare the top ``top`` with the suspect pool.

    Parameters
    ----------
    folder : Path
    as_of : date
    top : int
        List length N.
    method : {"v100", "rfgv", "count", "learned"}
        For ``learned``, the model of the month (:func:`vawg.rank.model_store.fit_date`) is
        fitted on the extract's records up to it.
    window_days : int
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional
    weights : RfgvWeights, optional
    ethnic_groups : {"codes", "broad"}
        Test the force's ethnicity codes as they are, or as the five ONS broad groups.

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
    if ethnic_groups not in ETHNIC_GROUPS:
        raise UserInputError(
            f"ethnic groups must be one of {', '.join(ETHNIC_GROUPS)}, not {ethnic_groups!r}"
        )
    start = as_of - timedelta(days=max(window_days, SERIAL_DAYS))
    allegations = allegations_load(
        folder=folder, start=start, end=as_of, taxonomy=taxonomy, harm=harm, vawg_only=True
    )
    context = model = None
    if method == "learned":  # the month's model (fitted here), as `vawg rank` would use
        stored, _ = model_obtain(
            folder=folder,
            as_of=as_of,
            harm=harm or harm_table_default(),
            taxonomy=taxonomy or taxonomy_load(),
        )
        model = stored.model
        context = context_load(
            folder=folder, end=as_of, recorded_from=as_of - timedelta(days=model.lookback_days)
        )
    scores = person_scores(
        allegations,
        as_of=as_of,
        window_days=window_days,
        method=method,
        weights=weights,
        context=context,
        model=model,
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
    if ethnic_groups == "broad":
        pool = pool.with_columns(ethnic_groups_broad(pl.col("ethnicity")).alias("ethnicity"))
    return disproportionality(pool, method=method, as_of=as_of)
