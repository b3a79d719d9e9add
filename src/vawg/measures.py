"""Measures of progress on the VAWG plan's commitments, from a force extract's tables.

Each function takes plain Polars tables (crimes, orders, victimisations, allegations) and returns
a new frozen result or table; nothing is changed in place and nothing is disclosed here: a page
passes every count through statistical disclosure control before showing it. Definitions follow
the Home Office outcomes framework (``docs/sources.md``, Outcome types):

* **charge rate**: crimes recorded in the period with a charged/summonsed outcome (Home Office
  outcome types 1 and 1A) over the crimes recorded in the period that have been assigned an
  outcome. The denominator is stated because the Home Office reports outcomes assigned to crimes
  *recorded in* the period (Home Office, *Crime outcomes in England and Wales*, technical annex);
* **outcome mix**: every crime recorded in the period by its outcome type, with crimes still open
  as their own row;
* **time to outcome**: days from recording to the outcome, as a Kaplan-Meier estimate (Kaplan &
  Meier 1958) in which crimes still open are **right-censored** at ``as_of`` rather than dropped,
  since dropping them would leave only the quick cases and understate the time;
* **orders in place** on a day, and the **breach rate**: orders in force at some time in the
  period with at least one breach recorded in it, over the orders in force in it;
* **repeat victimisation**: the share of victims of a VAWG crime in the period who had been the
  victim of another VAWG crime of the same group in the 365 days before (the CSEW's "more than
  once in 12 months", applied with a rolling window per victim);
* **V100-style list size**: people recorded as suspects on VAWG crimes in the 12 months to a
  day; the harm-ranked list itself (:mod:`vawg.rank`) is never published, only how many are
  eligible for it.

Days are calendar days; dates are :class:`datetime.date`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

CHARGED_CODES = ("1", "1A")
"""Home Office outcome types counted as a charge or summons."""

VICTIM_WITHDREW_CODE = "16"
"""Evidential difficulties: suspect identified, victim does not support action."""

OUTCOME_TYPES: dict[str, str] = {
    "1": "Charged or summonsed",
    "1A": "Alternative offence charged",
    "2": "Youth caution",
    "3": "Adult caution",
    "4": "Taken into consideration",
    "5": "Offender died",
    "6": "Penalty notice for disorder",
    "7": "Cannabis or khat warning",
    "8": "Community resolution",
    "9": "Prosecution not in the public interest (CPS)",
    "10": "Formal action not in the public interest (police)",
    "11": "Prosecution prevented: suspect under age",
    "12": "Prosecution prevented: suspect too ill",
    "13": "Prosecution prevented: victim or key witness dead or too ill",
    "14": "Evidential difficulties: suspect not identified, victim does not support action",
    "15": "Evidential difficulties: suspect identified, victim supports action",
    "16": "Evidential difficulties: suspect identified, victim does not support action",
    "17": "Prosecution time limit expired",
    "18": "Investigation complete, no suspect identified",
    "20": "Another body or agency responsible",
    "21": "Further investigation not in the public interest",
    "22": "Diversionary, educational or intervention activity",
}
"""Home Office outcome types (Home Office Counting Rules; *Crime outcomes in England and Wales*,
technical annex); numbers other than 15, 16, 22 provisional (``docs/sources.md``)."""

OPEN = "open"
"""The outcome code used in :func:`outcome_mix` for crimes with no outcome yet."""

REPEAT_WINDOW_DAYS = 365
LIST_SIZE = 100


def _in_period(frame: pl.DataFrame, column: str, start: date, end: date) -> pl.DataFrame:
    return frame.filter(pl.col(column).is_between(start, end, closed="both"))


def _has_outcome() -> pl.Expr:
    return pl.col("outcome_code").fill_null("").str.strip_chars() != ""


@dataclass(frozen=True)
class ChargeRate:
    """Charges among crimes recorded in a period.

    Attributes
    ----------
    recorded : int
        Crimes recorded in the period.
    outcomes_assigned : int
        Of those, crimes with an outcome (the denominator).
    charged : int
        Of those, crimes charged or summonsed (outcome types 1, 1A).
    """

    recorded: int
    outcomes_assigned: int
    charged: int

    @property
    def rate(self) -> float | None:
        """``charged / outcomes_assigned`` (0..1), None with no outcomes."""
        return self.charged / self.outcomes_assigned if self.outcomes_assigned else None


def charge_rate(*, crimes: pl.DataFrame, start: date, end: date) -> ChargeRate:
    """Charge rate of crimes recorded from ``start`` to ``end`` inclusive.

    Parameters
    ----------
    crimes : pl.DataFrame
        ``recorded_date`` (date) and ``outcome_code`` (str, blank or null while open).
    start, end : date

    Returns
    -------
    ChargeRate

    Examples
    --------
    >>> crimes = pl.DataFrame({
    ...     "recorded_date": [date(2024, 1, d) for d in (1, 2, 3, 4, 5)] + [date(2023, 1, 1)],
    ...     "outcome_code": ["1", "16", "", None, "1A", "1"]})
    >>> r = charge_rate(crimes=crimes, start=date(2024, 1, 1), end=date(2024, 1, 31))
    >>> r.recorded, r.outcomes_assigned, r.charged, round(r.rate, 3)
    (5, 3, 2, 0.667)
    """
    period = _in_period(crimes, "recorded_date", start, end)
    assigned = period.filter(_has_outcome())
    charged = assigned.filter(pl.col("outcome_code").str.strip_chars().is_in(CHARGED_CODES))
    return ChargeRate(
        recorded=period.height, outcomes_assigned=assigned.height, charged=charged.height
    )


def outcome_mix(*, crimes: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """Crimes recorded in the period by outcome type, open crimes included.

    Parameters
    ----------
    crimes : pl.DataFrame
        ``recorded_date`` and ``outcome_code``.
    start, end : date

    Returns
    -------
    pl.DataFrame
        ``outcome_code`` (:data:`OPEN` for no outcome yet), ``outcome`` (label), ``crimes``
        (int), ``share`` (of all crimes recorded in the period, 0..1); in Home Office order with
        open last.

    Examples
    --------
    >>> crimes = pl.DataFrame({"recorded_date": [date(2024, 1, 1)] * 4,
    ...                        "outcome_code": ["16", "1", "16", None]})
    >>> outcome_mix(crimes=crimes, start=date(2024, 1, 1), end=date(2024, 1, 1)).rows()
    [('1', 'Charged or summonsed', 1, 0.25), ('16', 'Evidential difficulties: suspect identified, victim does not support action', 2, 0.5), ('open', 'Open: no outcome yet', 1, 0.25)]
    """  # noqa: E501
    period = _in_period(crimes, "recorded_date", start, end)
    code = pl.col("outcome_code").fill_null("").str.strip_chars()
    counted = (
        period.select(pl.when(code == "").then(pl.lit(OPEN)).otherwise(code).alias("outcome_code"))
        .group_by("outcome_code")
        .agg(pl.len().cast(pl.Int64).alias("crimes"))
    )
    order = {c: i for i, c in enumerate(OUTCOME_TYPES)}
    rows = sorted(
        counted.iter_rows(), key=lambda r: (r[0] == OPEN, order.get(r[0], len(order)), r[0])
    )
    total = period.height
    return pl.DataFrame(
        {
            "outcome_code": [r[0] for r in rows],
            "outcome": [
                "Open: no outcome yet" if r[0] == OPEN else OUTCOME_TYPES.get(r[0], "Other")
                for r in rows
            ],
            "crimes": [int(r[1]) for r in rows],
            "share": [r[1] / total for r in rows],
        },
        schema={
            "outcome_code": pl.String,
            "outcome": pl.String,
            "crimes": pl.Int64,
            "share": pl.Float64,
        },
    )


PUBLISHED_OUTCOMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("charged", "Charged or summonsed (outcome types 1 and 1A)", CHARGED_CODES),
    *((code, label, (code,)) for code, label in OUTCOME_TYPES.items() if code not in CHARGED_CODES),
    ("other", "Another outcome code", ()),
    (OPEN, "Open: no outcome yet", ()),
)
"""The fixed rows of a published outcome table: (key, label, outcome codes). Every row is
always there, zero or not, so that which outcomes occurred is never shown by which rows appear;
charges (1 and 1A) are one row, so the charge count needs no sum of two rounded figures."""


def outcome_table(*, crimes: pl.DataFrame, start: date, end: date) -> list[tuple[str, str, int]]:
    """Crimes recorded from ``start`` to ``end`` inclusive by the rows of
    :data:`PUBLISHED_OUTCOMES`: (key, label, crimes), every row, in order.

    Examples
    --------
    >>> crimes = pl.DataFrame({"recorded_date": [date(2024, 1, 1)] * 5,
    ...                        "outcome_code": ["16", "1", "1A", None, "99"]})
    >>> rows = outcome_table(crimes=crimes, start=date(2024, 1, 1), end=date(2024, 1, 1))
    >>> [(k, n) for k, _, n in rows if n]
    [('charged', 2), ('16', 1), ('other', 1), ('open', 1)]
    >>> len(rows) == len(PUBLISHED_OUTCOMES)
    True
    """
    period = _in_period(crimes, "recorded_date", start, end)
    codes = period.select(pl.col("outcome_code").fill_null("").str.strip_chars()).to_series()
    counts: dict[str, int] = {}
    for code, n in codes.value_counts().iter_rows():
        counts[code] = int(n)
    known = {c for _, _, group in PUBLISHED_OUTCOMES for c in group}
    rows = []
    for key, label, group in PUBLISHED_OUTCOMES:
        if key == OPEN:
            n = counts.get("", 0)
        elif key == "other":
            n = sum(v for c, v in counts.items() if c and c not in known)
        else:
            n = sum(counts.get(c, 0) for c in group)
        rows.append((key, label, n))
    return rows


@dataclass(frozen=True)
class TimeToOutcome:
    """Kaplan-Meier summary of days from recording to outcome.

    Attributes
    ----------
    crimes : int
        Crimes recorded in the period.
    outcomes : int
        Of those, crimes with the outcome by ``as_of`` (events).
    censored : int
        Crimes still without it at ``as_of`` (right-censored at their age on that day), plus,
        for a chosen set of outcome codes, crimes closed with another outcome (censored then).
    median_days, quartile_1_days, quartile_3_days : float or None
        Days by which 50 %, 25 % and 75 % of crimes are estimated to have the outcome; None when
        the estimate never falls that far within the follow-up (say "more than ``max_days``").
    max_days : int
        Longest follow-up in days.
    """

    crimes: int
    outcomes: int
    censored: int
    median_days: float | None
    quartile_1_days: float | None
    quartile_3_days: float | None
    max_days: int


def kaplan_meier_quantile(
    *, days: np.ndarray, event: np.ndarray, probability: float
) -> float | None:
    """Smallest time at which the Kaplan-Meier share still waiting is at most ``1 - probability``.

    Parameters
    ----------
    days : ndarray of int, shape (n,)
        Follow-up time per case, days.
    event : ndarray of bool, shape (n,)
        True where the outcome happened at ``days``; False where the case was censored then.
    probability : float
        0.5 for the median.

    Returns
    -------
    float or None
        Days; None when the survival curve never reaches ``1 - probability``.

    Examples
    --------
    Five cases, outcomes on days 10, 20 and 40, two still open at 30 and 50 days:

    >>> kaplan_meier_quantile(days=np.array([10, 20, 30, 40, 50]),
    ...                       event=np.array([True, True, False, True, False]), probability=0.5)
    40.0

    Dropping the open cases would have said 20 days.
    """
    if len(days) == 0:
        return None
    times = np.unique(days[event])
    survival = 1.0
    for t in times:
        at_risk = int(np.count_nonzero(days >= t))
        happened = int(np.count_nonzero((days == t) & event))
        survival *= 1.0 - happened / at_risk
        if survival <= 1.0 - probability + 1e-12:
            return float(t)
    return None


def time_to_outcome(
    *,
    crimes: pl.DataFrame,
    start: date,
    end: date,
    as_of: date,
    codes: tuple[str, ...] | None = None,
) -> TimeToOutcome:
    """Days from recording to outcome for crimes recorded in the period, open cases kept.

    Parameters
    ----------
    crimes : pl.DataFrame
        ``recorded_date``, ``outcome_code`` and ``outcome_date`` (null while open).
    start, end : date
        Crimes recorded in this period (inclusive).
    as_of : date
        The day of the data: open crimes are censored at ``as_of - recorded_date`` days, and
        outcomes dated later are treated as not yet known.
    codes : tuple of str, optional
        Count only these outcome types as the event (e.g. :data:`CHARGED_CODES` for time to
        charge); crimes closed with another outcome are censored at that date (a cause-specific
        estimate). Default: any outcome.

    Returns
    -------
    TimeToOutcome

    Examples
    --------
    >>> crimes = pl.DataFrame({
    ...     "recorded_date": [date(2024, 1, 1)] * 5,
    ...     "outcome_code": ["1", "16", None, "1", None],
    ...     "outcome_date": [date(2024, 1, 11), date(2024, 1, 21), None, date(2024, 2, 10), None]})
    >>> t = time_to_outcome(crimes=crimes, start=date(2024, 1, 1), end=date(2024, 1, 31),
    ...                     as_of=date(2024, 2, 20))
    >>> t.outcomes, t.censored, t.median_days, t.max_days
    (3, 2, 40.0, 50)
    """
    period = _in_period(crimes, "recorded_date", start, end)
    closed = (
        _has_outcome() & pl.col("outcome_date").is_not_null() & (pl.col("outcome_date") <= as_of)
    )
    until = pl.when(closed).then(pl.col("outcome_date")).otherwise(pl.lit(as_of))
    is_event = closed
    if codes is not None:
        is_event = closed & pl.col("outcome_code").str.strip_chars().is_in(codes)
    frame = period.select(
        (until - pl.col("recorded_date")).dt.total_days().clip(lower_bound=0).alias("days"),
        is_event.fill_null(False).alias("event"),
    )
    days = frame["days"].to_numpy().astype(np.int64)
    event = frame["event"].to_numpy().astype(bool)
    outcomes = int(event.sum())
    return TimeToOutcome(
        crimes=period.height,
        outcomes=outcomes,
        censored=period.height - outcomes,
        median_days=kaplan_meier_quantile(days=days, event=event, probability=0.5),
        quartile_1_days=kaplan_meier_quantile(days=days, event=event, probability=0.25),
        quartile_3_days=kaplan_meier_quantile(days=days, event=event, probability=0.75),
        max_days=int(days.max()) if len(days) else 0,
    )


def _in_force(start: date, end: date) -> pl.Expr:
    return (pl.col("start_date") <= end) & (
        pl.col("end_date").is_null() | (pl.col("end_date") >= start)
    )


def orders_in_place(*, orders: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Orders in force on ``as_of`` (started on or before it, not ended before it), by type.

    Parameters
    ----------
    orders : pl.DataFrame
        ``order_type``, ``start_date``, ``end_date`` (null for no end).
    as_of : date

    Returns
    -------
    pl.DataFrame
        ``order_type``, ``orders`` (int), sorted by type.

    Examples
    --------
    >>> orders = pl.DataFrame({"order_type": ["DVPO", "DVPO", "SPO"],
    ...     "start_date": [date(2024, 1, 1), date(2024, 3, 1), date(2023, 1, 1)],
    ...     "end_date": [None, date(2024, 3, 28), date(2023, 12, 31)]})
    >>> orders_in_place(orders=orders, as_of=date(2024, 6, 1)).rows()
    [('DVPO', 1)]
    """
    return (
        orders.filter(_in_force(as_of, as_of))
        .group_by("order_type")
        .agg(pl.len().cast(pl.Int64).alias("orders"))
        .sort("order_type")
    )


@dataclass(frozen=True)
class BreachRate:
    """Orders in force during a period and those breached in it."""

    orders: int
    breached: int

    @property
    def rate(self) -> float | None:
        """``breached / orders`` (0..1), None with no orders."""
        return self.breached / self.orders if self.orders else None


def order_breach_rate(*, orders: pl.DataFrame, start: date, end: date) -> BreachRate:
    """Share of orders in force at some time in the period with a breach recorded in it.

    Parameters
    ----------
    orders : pl.DataFrame
        ``start_date``, ``end_date`` and ``breach_dates`` (list of dates).
    start, end : date

    Returns
    -------
    BreachRate

    Examples
    --------
    >>> orders = pl.DataFrame({
    ...     "start_date": [date(2024, 1, 1), date(2024, 1, 1), date(2022, 1, 1)],
    ...     "end_date": [None, None, date(2022, 6, 1)],
    ...     "breach_dates": [[date(2024, 2, 1)], [date(2023, 1, 1)], [date(2022, 2, 1)]]},
    ...     schema_overrides={"breach_dates": pl.List(pl.Date)})
    >>> b = order_breach_rate(orders=orders, start=date(2024, 1, 1), end=date(2024, 12, 31))
    >>> b.orders, b.breached, b.rate
    (2, 1, 0.5)
    """
    live = orders.filter(_in_force(start, end))
    breached = live.filter(
        pl.col("breach_dates")
        .list.eval(pl.element().is_between(start, end, closed="both"))
        .list.any()
        .fill_null(False)
    )
    return BreachRate(orders=live.height, breached=breached.height)


@dataclass(frozen=True)
class RepeatVictimisation:
    """Victims in a period and those victimised again within the window."""

    victims: int
    repeat_victims: int
    window_days: int

    @property
    def rate(self) -> float | None:
        """``repeat_victims / victims`` (0..1), None with no victims."""
        return self.repeat_victims / self.victims if self.victims else None


def repeat_victimisation(
    *,
    victimisations: pl.DataFrame,
    start: date,
    end: date,
    window_days: int = REPEAT_WINDOW_DAYS,
) -> RepeatVictimisation:
    """Share of victims in the period with an earlier victimisation of the same group in the
    ``window_days`` before one of their crimes in the period.

    Parameters
    ----------
    victimisations : pl.DataFrame
        ``victim_ref``, ``recorded_date`` and ``vawg_group`` (the kind of crime); one row per
        victim per crime. Rows before ``start`` are used as history.
    start, end : date
    window_days : int
        Days (default 365).

    Returns
    -------
    RepeatVictimisation

    Examples
    --------
    V1: stalking in March 2023 and January 2024 (repeat); V2: one crime; V3: rape in 2022 and
    stalking in 2024 (different group, and more than a year apart).

    >>> v = pl.DataFrame({"victim_ref": ["V1", "V1", "V2", "V3", "V3"],
    ...     "recorded_date": [date(2023, 3, 1), date(2024, 1, 5), date(2024, 2, 1),
    ...                       date(2022, 1, 1), date(2024, 3, 1)],
    ...     "vawg_group": ["stalking", "stalking", "rape", "rape", "stalking"]})
    >>> r = repeat_victimisation(victimisations=v, start=date(2024, 1, 1), end=date(2024, 12, 31))
    >>> r.victims, r.repeat_victims, round(r.rate, 3)
    (3, 1, 0.333)
    """
    history = victimisations.filter(pl.col("recorded_date") <= end).sort(
        "victim_ref", "vawg_group", "recorded_date"
    )
    gap = (
        pl.col("recorded_date") - pl.col("recorded_date").shift(1).over("victim_ref", "vawg_group")
    ).dt.total_days()
    marked = history.with_columns(
        (gap.is_not_null() & (gap <= window_days)).alias("repeat")
    ).filter(pl.col("recorded_date") >= start)
    per_victim = marked.group_by("victim_ref").agg(pl.col("repeat").any())
    return RepeatVictimisation(
        victims=per_victim.height,
        repeat_victims=int(per_victim["repeat"].sum()),
        window_days=window_days,
    )


def list_eligible(
    *, allegations: pl.DataFrame, as_of: date, window_days: int = REPEAT_WINDOW_DAYS
) -> int:
    """People recorded as suspects on VAWG crimes in the ``window_days`` up to ``as_of``.

    The V100-style list is the :data:`LIST_SIZE` of them with the most harm
    (:func:`vawg.rank.person_scores`); this is how many it is drawn from.

    Parameters
    ----------
    allegations : pl.DataFrame
        ``person_ref`` and ``recorded_date``, VAWG crimes only.
    as_of : date
    window_days : int

    Returns
    -------
    int

    Examples
    --------
    >>> a = pl.DataFrame({"person_ref": ["A", "A", "B", "C"],
    ...     "recorded_date": [date(2024, 5, 1), date(2024, 6, 1), date(2022, 1, 1),
    ...                       date(2024, 12, 30)]})
    >>> list_eligible(allegations=a, as_of=date(2024, 12, 31))
    2
    """
    first = as_of - timedelta(days=window_days)
    window = _in_period(allegations, "recorded_date", first, as_of)
    return int(window["person_ref"].n_unique())
