"""Precursors: non-VAWG offences after which a person is more often named for a VAWG offence.

Practice names behaviour that is not labelled VAWG but often comes before it (``docs/sources.md``)
(indecent exposure, malicious communications, criminal damage by a partner, public-order offences
against a woman...). Whatever the taxonomy does not count as VAWG is a candidate here.

Method (a cohort risk ratio, Rothman, Greenland & Lash, *Modern Epidemiology*, ch. 14):

- The study period runs from the start of the history read (or ``lookback_days`` before its
  end, when given) to ``as_of - follow_up_days``, so every index date has a complete follow-up
  before ``as_of`` and nothing after ``as_of`` is used. The whole history is read: "no VAWG
  allegation" means none anywhere in it, not only in the last three years.
- **Washout**: an index date counts only with ``washout_days`` (365) of records before it,
  while a year of index dates is left, so that the "no earlier VAWG allegation" of the cohort
  looks back about as far as the watch list's (``docs/ranking.md``; Ray 2003).
- A **precursor type** is a non-VAWG offence code or a **pattern** of
  :mod:`vawg.precursor_patterns` (``58A|partner``, ``58A|female``, ``58A+9A`` ...), each
  indexed at its first occurrence.
- The **exposed** people for a type are those named for it in the study period with no VAWG
  allegation on or before their first such date (the index); the **comparison** people are
  everyone else named for any non-VAWG offence in the period, indexed at their first one, with
  the same exclusion.
- The outcome is being named for a VAWG offence within ``follow_up_days`` after the index.
- ``lift = risk_exposed / risk_comparison`` with the Katz log 95% interval (0.5 added to each
  cell when one is zero) and the one-sided p-value of Fisher's exact test; ``significant`` when at
  least ``min_exposed`` people were exposed, the interval's lower end is above 1 and the
  p-value adjusted across every pattern with ``min_exposed`` exposed (Benjamini-Hochberg by
  default, ``adjust="holm"`` for Holm's) is below 0.05.

A type is **watched** when it is significant and its lift is at least ``min_lift`` (3). The
**watch list** (:mod:`vawg.precursors_watch`) is the people named, in the ``watch_days`` up to
``as_of``, for a watched type, with no VAWG allegation anywhere in the history, ranked by their
chance of one in the year ahead (Kaplan-Meier), capped at ``top``, each with the reason;
``curves`` holds the time from a flag to a first VAWG allegation.

The method needs at least ``730 + follow_up_days`` days of records up to ``as_of`` (three years
by default); :func:`precursors_coverage` checks an extract's span against that before it runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from vawg.errors import UserInputError
from vawg.harm import HarmTable
from vawg.precursor_patterns import (
    exact_p,
    female_victim_crimes,
    katz,
    p_adjust,
    pattern_kind,
    pattern_title,
    patterns_typed,
)
from vawg.precursors_watch import (
    curve_summary,
    precursor_curves,
    watch_list_build,
)
from vawg.rank.allegations import Allegations, RecordedSpan, allegations_load, recorded_span
from vawg.taxonomy import Taxonomy, taxonomy_load

LOOKBACK_DAYS = 730
"""The shortest study period the command accepts (:func:`precursors_coverage`)."""
MIN_LIFT = 3.0
"""The lowest lift of a watched type."""
_LIFT_TAIL: tuple[str, ...] = ("watched", "km_flagged", "km_named", "risk_365", "median_days")
_LIFT_TAIL += ("pattern", "p_value", "p_adjusted")
WASHOUT_DAYS = 365
"""Days of records an index date needs before it, while a year of index dates is left."""
ALPHA = 0.05
"""The level of the adjusted p-value under which a pattern is significant."""


@dataclass(frozen=True)
class Precursors:
    """Precursor lifts and the watch list.

    Attributes
    ----------
    lifts : pl.DataFrame
        ``precursor, offence_code, title, exposed, exposed_vawg, risk, comparison,
        comparison_vawg, comparison_risk, lift, lift_low, lift_high, significant``, then
        ``watched, km_flagged, km_named, risk_365, median_days`` (from the curve), then
        ``pattern, p_value, p_adjusted`` (blank when fewer than ``min_exposed`` were exposed:
        not tested); significant first, highest lift first.
    watch_list : pl.DataFrame
        :data:`vawg.precursors_watch.WATCH_COLUMNS`, ranked and capped.
    as_of : date
    follow_up_days : int
    lookback_days : int
    watch_days : int
    curves : pl.DataFrame
        ``precursor, flagged, named, days, at_risk, events, survival, se, low, high``: per type
        (and ``*``, any non-VAWG offence), the Kaplan-Meier curve of the days to a first VAWG
        allegation.
    min_lift : float
    top : int
    """

    lifts: pl.DataFrame
    watch_list: pl.DataFrame
    as_of: date
    follow_up_days: int
    lookback_days: int
    watch_days: int
    curves: pl.DataFrame = field(default_factory=pl.DataFrame)
    min_lift: float = MIN_LIFT
    top: int = 100
    adjust: str = "bh"

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
                "no precursor type is significant (95% interval above 1 and adjusted p-value "
                "under 0.05, with enough people exposed), so no one is listed"
            )
        if "watched" in self.lifts.columns and not self.lifts["watched"].any():
            best = self.lifts.filter(pl.col("significant"))["lift"].max()
            shown = f"{best:.2f}" if isinstance(best, float) else "none"
            return (
                f"no significant precursor type has a lift of {self.min_lift:g} or more (the "
                f"highest is {shown}), so no one is listed"
            )
        return (
            f"no one was named for a watched precursor type in the {self.watch_days} days "
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
        if "watched" in self.lifts.columns:
            watched = self.lifts.filter(pl.col("watched")).height
            tested = self.lifts.get_column("p_adjusted", default=pl.Series([])).count()
            head += (
                f" (patterns tested: {tested}, p-values adjusted by "
                f"{'Holm' if self.adjust == 'holm' else 'Benjamini-Hochberg'}; "
                f"watched: {watched}, significant with a lift of {self.min_lift:g} or "
                f"more; capped at {self.top}, no VAWG allegation in the whole history; risk_365 "
                "is the share of people flagged for the type named for a VAWG offence within "
                "365 days, Kaplan-Meier)"
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


def precursors_compute(
    allegations: Allegations,
    *,
    as_of: date,
    follow_up_days: int = 365,
    lookback_days: int | None = None,
    watch_days: int = 365,
    min_exposed: int = 20,
    min_lift: float = MIN_LIFT,
    top: int = 100,
    taxonomy: Taxonomy | None = None,
    female_crimes: pl.Series | None = None,
    patterns: bool = True,
    adjust: str = "bh",
    washout_days: int = WASHOUT_DAYS,
) -> Precursors:
    """Precursor lifts and watch list from allegations (VAWG and non-VAWG).

    Parameters
    ----------
    allegations : Allegations
        Loaded with ``vawg_only=False``, the whole history up to ``as_of`` (what is read is
        what "no VAWG allegation on record" looks back over).
    as_of : date
    follow_up_days : int
        Days after the index in which a VAWG allegation counts (default 365).
    lookback_days : int, optional
        Length of the study period of index dates (default: from the start of the history).
    watch_days : int
        How recent a precursor must be for the watch list (default 365).
    min_exposed : int
        Fewest exposed people for a lift to be called significant (default 20).
    min_lift : float
        Lowest lift of a watched type (default 3).
    top : int
        Longest watch list (default 100).
    taxonomy : Taxonomy, optional
        For offence titles.
    female_crimes : pl.Series, optional
        Crime references with a victim recorded female, for the ``T|female`` patterns
        (:func:`vawg.precursor_patterns.female_victim_crimes`).
    patterns : bool
        False: single types and their partner variant only (the method before issue #14).
    adjust : str
        ``"bh"`` (Benjamini-Hochberg, default) or ``"holm"``: the multiple-testing adjustment.
    washout_days : int
        Days of records an index date needs before it (default 365; 0: none), kept while a
        year of index dates is left.

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
    titles = {code: title for code, title in taxonomy.code_map("title").items() if title}
    study_end = as_of - timedelta(days=follow_up_days)
    study_start = (
        study_end - timedelta(days=lookback_days)
        if lookback_days is not None
        else min(allegations.start, study_end)
    )
    washed = allegations.start + timedelta(days=washout_days)
    study_start = max(study_start, min(washed, study_end - timedelta(days=364)))
    sus = allegations.suspects.filter(pl.col("recorded_date") <= as_of)
    vawg_dates = sus.filter(pl.col("is_vawg")).select("person_ref", "recorded_date")
    first_vawg = vawg_dates.group_by("person_ref").agg(pl.col("recorded_date").min().alias("fv"))
    typed = patterns_typed(sus, female_crimes=female_crimes, patterns=patterns)

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
        lift, low, high = katz(a, n1, c, n0)
        rows.append(
            {
                "precursor": row["precursor"],
                "offence_code": row["offence_code"],
                "title": pattern_title(row["precursor"], titles),
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
                "p_value": exact_p(a, n1, c, n0) if n1 >= min_exposed else math.nan,
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
        "p_value": pl.Float64,
    }
    tested = pl.DataFrame(rows, schema=schema)
    tested = tested.with_columns(
        pl.Series("p_adjusted", p_adjust(tested["p_value"].to_numpy(), adjust)),
        pattern_kind(pl.col("precursor")).alias("pattern"),
    ).with_columns((pl.col("significant") & (pl.col("p_adjusted") < ALPHA)).fill_null(False))
    # Curves for every single type (as before) and every pattern that was tested.
    curved = tested.filter(
        pl.col("p_value").is_not_nan() | pl.col("pattern").is_in(["type", "partner"])
    )["precursor"]
    curves = precursor_curves(
        typed.filter(pl.col("precursor").is_in(curved.implode())).select(
            "person_ref", "recorded_date", "precursor"
        ),
        first_vawg=first_vawg,
        study_start=study_start,
        as_of=as_of,
    )
    lifts = (
        tested.with_columns(pl.col(pl.Float64).fill_nan(None))
        .with_columns(
            (pl.col("significant") & (pl.col("lift") >= min_lift)).fill_null(False).alias("watched")
        )
        .join(curve_summary(curves), on="precursor", how="left")
        .with_columns(pl.col(pl.Float64).fill_nan(None))
        .sort(["significant", "lift", "precursor"], descending=[True, True, False], nulls_last=True)
        .select(*[c for c in schema if c != "p_value"], *_LIFT_TAIL)
    )
    watch_list = watch_list_build(
        typed,
        lifts,
        first_vawg=first_vawg,
        as_of=as_of,
        watch_days=watch_days,
        top=top,
        curves=curves,
    )
    return Precursors(
        lifts=lifts,
        watch_list=watch_list,
        as_of=as_of,
        follow_up_days=follow_up_days,
        lookback_days=(study_end - study_start).days,
        watch_days=watch_days,
        curves=curves,
        min_lift=min_lift,
        top=top,
        adjust=adjust,
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
    lookback_days: int | None = None,
    watch_days: int = 365,
    min_exposed: int = 20,
    min_lift: float = MIN_LIFT,
    top: int = 100,
    harm: HarmTable | None = None,
    taxonomy: Taxonomy | None = None,
    patterns: bool = True,
    adjust: str = "bh",
) -> Precursors:
    """Precursor lifts and watch list straight from a force extract folder.

    Reads the whole history up to ``as_of``: the lifts' index dates and the check for an
    earlier VAWG allegation reach back to the first recorded crime.

    Parameters
    ----------
    folder : Path
    as_of : date
    follow_up_days, lookback_days, watch_days : int
        Days (see :func:`precursors_compute`).
    min_exposed : int
    min_lift : float
    top : int
    harm : HarmTable, optional
    taxonomy : Taxonomy, optional
    patterns, adjust
        See :func:`precursors_compute`.

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
    allegations = precursors_history_load(
        folder=folder, as_of=as_of, end=as_of, harm=harm, taxonomy=taxonomy
    )
    return precursors_compute(
        allegations,
        as_of=as_of,
        follow_up_days=follow_up_days,
        lookback_days=lookback_days,
        watch_days=watch_days,
        min_exposed=min_exposed,
        min_lift=min_lift,
        top=top,
        taxonomy=taxonomy,
        female_crimes=precursors_female_crimes(folder, allegations, patterns),
        patterns=patterns,
        adjust=adjust,
    )


def precursors_female_crimes(
    folder: Path, allegations: Allegations, patterns: bool
) -> pl.Series | None:
    """The crimes with a victim recorded female, which the ``T|female`` patterns need (None
    without patterns)."""
    if not patterns:
        return None
    return female_victim_crimes(folder=folder, victims=allegations.victims)


def precursors_history_load(
    *, folder: Path, as_of: date, end: date, harm: HarmTable | None, taxonomy: Taxonomy | None
) -> Allegations:
    """Every allegation (VAWG and not) from the extract's first record (or ``as_of``) to
    ``end``: the whole history that the lifts and the "no earlier VAWG allegation" check read."""
    span = recorded_span(folder=folder)
    start = span.first if span.first is not None and span.first <= as_of else as_of
    return allegations_load(
        folder=folder, start=start, end=end, taxonomy=taxonomy, harm=harm, vawg_only=False
    )
