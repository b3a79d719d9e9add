"""Precursors: non-VAWG offences after which a person is more often named for a VAWG offence.

Practice names behaviour that is not labelled VAWG but often comes before it (``docs/sources.md``)
(indecent exposure, malicious communications, criminal damage by a partner, public-order offences
against a woman...). Whatever the taxonomy does not count as VAWG is a candidate here.

Method (a cohort risk ratio, Rothman, Greenland & Lash, *Modern Epidemiology*, ch. 14):

- The study period is ``[as_of - follow_up_days - lookback_days, as_of - follow_up_days]``, so
  every index date has a complete follow-up before ``as_of`` and nothing after ``as_of`` is used.
- A **precursor type** is a non-VAWG offence code, and the same code where the named person's
  relationship to the victim is ``partner`` or ``ex-partner`` (``58A|partner``).
- The **exposed** people for a type are those named for it in the study period with no VAWG
  allegation on or before their first such date (the index); the **comparison** people are
  everyone else named for any non-VAWG offence in the period, indexed at their first one, with
  the same exclusion.
- The outcome is being named for a VAWG offence within ``follow_up_days`` after the index.
- ``lift = risk_exposed / risk_comparison`` with the Katz log 95% interval (0.5 added to each
  cell when one is zero); ``significant`` when the interval's lower end is above 1 and at
  least ``min_exposed`` people were exposed.

The **watch list** is the people named, in the ``watch_days`` up to ``as_of``, for a significant
precursor type, who have no VAWG allegation on record, each with the reason.

So the method needs ``lookback_days + follow_up_days`` of records up to ``as_of`` (three years by
default); :func:`precursors_coverage` checks an extract's span against that before it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.fairness import Z95
from vawg.harm import HarmTable
from vawg.rank.allegations import Allegations, RecordedSpan, allegations_load
from vawg.taxonomy import Taxonomy, taxonomy_load

PARTNER = ("partner", "ex-partner")


@dataclass(frozen=True)
class Precursors:
    """Precursor lifts and the watch list.

    Attributes
    ----------
    lifts : pl.DataFrame
        ``precursor, offence_code, title, exposed, exposed_vawg, risk, comparison,
        comparison_vawg, comparison_risk, lift, lift_low, lift_high, significant``; highest
        lift first.
    watch_list : pl.DataFrame
        ``person_ref, precursors, last_precursor_date, best_lift, reason``.
    as_of : date
    follow_up_days : int
    lookback_days : int
    watch_days : int
    """

    lifts: pl.DataFrame
    watch_list: pl.DataFrame
    as_of: date
    follow_up_days: int
    lookback_days: int
    watch_days: int

    @property
    def study_end(self) -> date:
        """The last index date: ``as_of - follow_up_days``."""
        return self.as_of - timedelta(days=self.follow_up_days)

    @property
    def study_start(self) -> date:
        """The first index date: ``study_end - lookback_days``."""
        return self.study_end - timedelta(days=self.lookback_days)

    def empty_reason(self) -> str:
        """Why the watch list is empty (it lists people only for significant types).

        >>> p = Precursors(pl.DataFrame({"significant": [False]}), pl.DataFrame(),
        ...                date(2024, 1, 1), 365, 730, 365)
        >>> p.empty_reason()[:32]
        'no precursor type is significant'
        """
        if not self.lifts["significant"].any():
            return (
                "no precursor type is significant (95% interval above 1 with enough people "
                "exposed), so no one is listed"
            )
        return (
            f"no one was named for a significant precursor type in the {self.watch_days} days "
            f"to {self.as_of} without a VAWG allegation on record"
        )

    def text(self) -> str:
        """The lifts as text.

        >>> p = Precursors(pl.DataFrame({"lift": [1.0]}), pl.DataFrame(), date(2024, 1, 1),
        ...                365, 730, 365)
        >>> p.text().splitlines()[0][:30]
        'precursor lifts as of 2024-01-'
        """
        head = (
            f"precursor lifts as of {self.as_of}: the chance of being named for a VAWG offence "
            f"within {self.follow_up_days} days of a non-VAWG offence, against other non-VAWG "
            f"offences (index dates in the {self.lookback_days} days before the last "
            f"{self.follow_up_days}); watch list: {self.watch_list.height} people"
        )
        with pl.Config(
            tbl_rows=40,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            float_precision=3,
            tbl_width_chars=250,
        ):
            return f"{head}\n{self.lifts}"


def _katz(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    if n1 == 0 or n0 == 0:
        return (math.nan, math.nan, math.nan)
    fa, fc, f1, f0 = float(a), float(c), float(n1), float(n0)
    if a == 0 or c == 0:
        fa, fc, f1, f0 = fa + 0.5, fc + 0.5, f1 + 0.5, f0 + 0.5
    ratio = (fa / f1) / (fc / f0)
    se = math.sqrt(max(1 / fa - 1 / f1 + 1 / fc - 1 / f0, 0.0))
    return ratio, ratio * math.exp(-Z95 * se), ratio * math.exp(Z95 * se)


def precursors_compute(
    allegations: Allegations,
    *,
    as_of: date,
    follow_up_days: int = 365,
    lookback_days: int = 730,
    watch_days: int = 365,
    min_exposed: int = 20,
    taxonomy: Taxonomy | None = None,
) -> Precursors:
    """Precursor lifts and watch list from allegations (VAWG and non-VAWG).

    Parameters
    ----------
    allegations : Allegations
        Loaded with ``vawg_only=False``, covering
        ``[as_of - follow_up_days - lookback_days, as_of]``.
    as_of : date
    follow_up_days : int
        Days after the index in which a VAWG allegation counts (default 365).
    lookback_days : int
        Length of the study period of index dates (default 730).
    watch_days : int
        How recent a precursor must be for the watch list (default 365).
    min_exposed : int
        Fewest exposed people for a lift to be called significant (default 20).
    taxonomy : Taxonomy, optional
        For offence titles.

    Returns
    -------
    Precursors

    Examples
    --------
    >>> rows = [("C%d" % i, "P%d" % i, date(2023, 1, 1), "58A", None, False, 2.0, None)
    ...         for i in range(40)]
    >>> rows += [("V%d" % i, "P%d" % i, date(2023, 3, 1), "8Q", "stalking", True, 10.0, None)
    ...          for i in range(20)]
    >>> rows += [("D%d" % i, "Q%d" % i, date(2023, 1, 1), "46", None, False, 1.0, None)
    ...          for i in range(40)]
    >>> cols = ["crime_ref", "person_ref", "recorded_date", "offence_code", "vawg_group",
    ...         "is_vawg", "harm_days", "relationship"]
    >>> sus = pl.DataFrame(rows, schema=cols, orient="row")
    >>> a = Allegations(sus, pl.DataFrame({"crime_ref": [], "victim_ref": []}),
    ...                 date(2021, 1, 1), date(2025, 1, 1), "t", "v", pl.DataFrame(),
    ...                 pl.DataFrame())
    >>> p = precursors_compute(a, as_of=date(2024, 6, 1))
    >>> p.lifts.filter(pl.col("precursor") == "58A")["significant"].item()
    True
    """
    taxonomy = taxonomy or taxonomy_load()
    titles = taxonomy.code_map("title")
    study_end = as_of - timedelta(days=follow_up_days)
    study_start = study_end - timedelta(days=lookback_days)
    sus = allegations.suspects.filter(pl.col("recorded_date") <= as_of)
    vawg_dates = sus.filter(pl.col("is_vawg")).select("person_ref", "recorded_date")
    first_vawg = vawg_dates.group_by("person_ref").agg(pl.col("recorded_date").min().alias("fv"))
    other = sus.filter(~pl.col("is_vawg")).with_columns(
        pl.when(pl.col("relationship").is_in(PARTNER))
        .then(pl.col("offence_code") + "|partner")
        .otherwise(pl.col("offence_code"))
        .alias("precursor_variant")
    )
    # Each non-VAWG allegation counts for its code and, when by a partner, for the variant too.
    typed = pl.concat(
        [
            other.select(
                "person_ref",
                "recorded_date",
                "offence_code",
                pl.col("offence_code").alias("precursor"),
            ),
            other.filter(pl.col("precursor_variant") != pl.col("offence_code")).select(
                "person_ref",
                "recorded_date",
                "offence_code",
                pl.col("precursor_variant").alias("precursor"),
            ),
        ]
    )

    def outcome(index: pl.DataFrame) -> pl.DataFrame:
        # Eligible: no VAWG allegation on or before the index; outcome: one in the follow-up.
        horizon = pl.col("index_date") + pl.duration(days=follow_up_days)
        later = (
            index.join(vawg_dates, on="person_ref", how="inner")
            .filter(
                (pl.col("recorded_date") > pl.col("index_date"))
                & (pl.col("recorded_date") <= horizon)
            )
            .select(*[c for c in index.columns if c != "index_date"])
            .unique()
            .with_columns(pl.lit(True).alias("vawg_after"))
        )
        keys = [c for c in index.columns if c != "index_date"]
        return (
            index.join(first_vawg, on="person_ref", how="left")
            .filter(pl.col("fv").is_null() | (pl.col("fv") > pl.col("index_date")))
            .join(later, on=keys, how="left")
            .with_columns(pl.col("vawg_after").fill_null(False))
        )

    in_study = typed.filter(pl.col("recorded_date").is_between(study_start, study_end))
    by_type = outcome(
        in_study.group_by("person_ref", "precursor", "offence_code").agg(
            pl.col("recorded_date").min().alias("index_date")
        )
    )
    overall = outcome(
        in_study.group_by("person_ref").agg(pl.col("recorded_date").min().alias("index_date"))
    )
    total_n = overall.height
    total_y = int(overall["vawg_after"].sum())
    exposed = by_type.group_by("precursor", "offence_code").agg(
        pl.len().alias("exposed"), pl.col("vawg_after").sum().alias("exposed_vawg")
    )
    # People with the type, counted at their overall index, are taken out of the comparison.
    with_type = (
        by_type.select("person_ref", "precursor")
        .join(overall.select("person_ref", "vawg_after"), on="person_ref", how="inner")
        .group_by("precursor")
        .agg(pl.len().alias("n_typed"), pl.col("vawg_after").sum().alias("y_typed"))
    )
    rows: list[dict[str, object]] = []
    joined = exposed.join(with_type, on="precursor", how="left").sort("precursor")
    for row in joined.iter_rows(named=True):
        a, n1 = int(row["exposed_vawg"]), int(row["exposed"])
        n0 = total_n - int(row["n_typed"] or 0)
        c = total_y - int(row["y_typed"] or 0)
        lift, low, high = _katz(a, n1, c, n0)
        code = row["offence_code"]
        title = titles.get(code) or "(code not in the taxonomy)"
        if row["precursor"].endswith("|partner"):
            title += ", by a partner or ex-partner"
        rows.append(
            {
                "precursor": row["precursor"],
                "offence_code": code,
                "title": title,
                "exposed": n1,
                "exposed_vawg": a,
                "risk": a / n1 if n1 else math.nan,
                "comparison": n0,
                "comparison_vawg": c,
                "comparison_risk": c / n0 if n0 else math.nan,
                "lift": lift,
                "lift_low": low,
                "lift_high": high,
                "significant": bool(n1 >= min_exposed and low > 1),
            }
        )
    schema = {
        "precursor": pl.String,
        "offence_code": pl.String,
        "title": pl.String,
        "exposed": pl.Int64,
        "exposed_vawg": pl.Int64,
        "risk": pl.Float64,
        "comparison": pl.Int64,
        "comparison_vawg": pl.Int64,
        "comparison_risk": pl.Float64,
        "lift": pl.Float64,
        "lift_low": pl.Float64,
        "lift_high": pl.Float64,
        "significant": pl.Boolean,
    }
    lifts = (
        pl.DataFrame(rows, schema=schema)
        .with_columns(pl.col(pl.Float64).fill_nan(None))
        .sort(["significant", "lift", "precursor"], descending=[True, True, False], nulls_last=True)
    )
    watch_list = _watch_list(
        typed, lifts, first_vawg=first_vawg, as_of=as_of, watch_days=watch_days
    )
    return Precursors(
        lifts=lifts,
        watch_list=watch_list,
        as_of=as_of,
        follow_up_days=follow_up_days,
        lookback_days=lookback_days,
        watch_days=watch_days,
    )


def _watch_list(
    typed: pl.DataFrame,
    lifts: pl.DataFrame,
    *,
    first_vawg: pl.DataFrame,
    as_of: date,
    watch_days: int,
) -> pl.DataFrame:
    significant = lifts.filter(pl.col("significant")).select(
        "precursor", "title", "lift", "lift_low", "lift_high"
    )
    recent = (
        typed.filter(pl.col("recorded_date").is_between(as_of - timedelta(days=watch_days), as_of))
        .join(significant, on="precursor", how="inner")
        .join(first_vawg, on="person_ref", how="anti")
    )
    per_type = recent.group_by(
        "person_ref", "precursor", "title", "lift", "lift_low", "lift_high"
    ).agg(pl.len().alias("n"), pl.col("recorded_date").max().alias("last"))
    reason_part = pl.format(
        "{} ({}) x{}, last {}: lift {} (95% CI {}-{})",
        pl.col("precursor"),
        pl.col("title"),
        pl.col("n"),
        pl.col("last"),
        pl.col("lift").round(2),
        pl.col("lift_low").round(2),
        pl.col("lift_high").round(2),
    )
    return (
        per_type.sort(["person_ref", "lift", "precursor"], descending=[False, True, False])
        .group_by("person_ref", maintain_order=True)
        .agg(
            pl.col("precursor").str.join(";").alias("precursors"),
            pl.col("last").max().alias("last_precursor_date"),
            pl.col("lift").max().alias("best_lift"),
            reason_part.str.join("; ").alias("_parts"),
        )
        .with_columns(
            (
                pl.lit("named for ") + pl.col("_parts") + pl.lit("; no VAWG allegation on record")
            ).alias("reason")
        )
        .drop("_parts")
        .sort(["best_lift", "last_precursor_date", "person_ref"], descending=[True, True, False])
    )


def precursors_coverage(
    *,
    span: RecordedSpan,
    as_of: date,
    folder: Path | str = "the extract",
    follow_up_days: int = 365,
    lookback_days: int = 730,
) -> str | None:
    """Check an extract's recorded span against what :func:`precursors_compute` needs.

    Index dates lie in ``[as_of - follow_up_days - lookback_days, as_of - follow_up_days]`` and
    each is followed for ``follow_up_days``: three years of records up to ``as_of`` by default.

    Returns
    -------
    str or None
        None when the span covers it all; else a note on what is short (the lifts rest on
        fewer index dates, or follow-ups that end early).

    Raises
    ------
    UserInputError
        When no index date has a complete follow-up in the data: nothing can be computed.

    Examples
    --------
    >>> span = RecordedSpan(date(2024, 9, 1), date(2025, 8, 31), 3195)
    >>> precursors_coverage(span=span, as_of=date(2025, 8, 31))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    vawg.errors.UserInputError: rank precursors needs 1,095 days (3.0 years) of records ...
    >>> full = RecordedSpan(date(2022, 1, 1), date(2025, 8, 31), 9000)
    >>> precursors_coverage(span=full, as_of=date(2025, 8, 31)) is None
    True
    """
    need = follow_up_days + lookback_days
    study_end = as_of - timedelta(days=follow_up_days)
    study_start = study_end - timedelta(days=lookback_days)
    if span.first is None or span.last is None or span.first > study_end or span.last < study_start:
        earliest = span.first + timedelta(days=need) if span.first is not None else None
        fix = (
            f"give an --as-of on or after {earliest}"
            if earliest is not None and span.last is not None and earliest <= span.last
            else f"give an extract with {need:,} days of records"
        )
        raise UserInputError(
            f"rank precursors needs {need:,} days ({need / 365:.1f} years) of records up "
            f"to --as-of: index dates {study_start}..{study_end}, each followed for "
            f"{follow_up_days} days to {as_of}; {folder} holds {span.text()} "
            f"({span.days():,} days), so no index date has a full follow-up; {fix}"
        )
    notes = []
    if span.first > study_start:
        covered = (study_end - span.first).days + 1
        notes.append(
            f"the data starts {span.first}, so index dates cover {covered:,} of the "
            f"{lookback_days + 1:,} days {study_start}..{study_end} and the check for an "
            "earlier VAWG allegation sees less history"
        )
    if span.last < as_of:
        notes.append(
            f"the data ends {span.last}, {(as_of - span.last).days} days before --as-of, so "
            "the last follow-ups end early"
        )
    return "; ".join(notes) if notes else None


def precursors_run(
    *,
    folder: Path,
    as_of: date,
    follow_up_days: int = 365,
    lookback_days: int = 730,
    watch_days: int = 365,
    min_exposed: int = 20,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
) -> Precursors:
    """Precursor lifts and watch list straight from a force extract folder.

    Parameters
    ----------
    folder : Path
    as_of : date
    follow_up_days, lookback_days, watch_days : int
        Days (see :func:`precursors_compute`).
    min_exposed : int
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional

    Returns
    -------
    Precursors

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n"
    ...     "C1,2023-01-01,58A\\nC2,2023-02-01,8Q\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n"
    ...     "C1,S1,suspect\\nC2,S1,suspect\\n")
    >>> precursors_run(folder=d, as_of=date(2024, 6, 1)).lifts["exposed"].to_list()
    [1]
    """
    start = as_of - timedelta(days=follow_up_days + lookback_days)
    allegations = allegations_load(
        folder=folder, start=start, end=as_of, taxonomy=taxonomy, harm=harm, vawg_only=False
    )
    return precursors_compute(
        allegations,
        as_of=as_of,
        follow_up_days=follow_up_days,
        lookback_days=lookback_days,
        watch_days=watch_days,
        min_exposed=min_exposed,
        taxonomy=taxonomy,
    )
