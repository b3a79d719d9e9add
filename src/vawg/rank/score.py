"""Perpetrator prioritisation: the Met's V100 harm score, MATAC's RFGV, and a count baseline.

- **V100** (``docs/sources.md``, The Met's V100): the sum of Cambridge Crime Harm Index days over
  the VAWG allegations naming the suspect, recorded in ``[as_of - window_days, as_of]`` (Sherman's
  design for the Metropolitan Police; Sherman, Neyroud & Neyroud 2016).
- **RFGV** (Northumbria MATAC; College of Policing practice bank): Recency, Frequency, Gravity and
  Victims. The published points tables were not found, so the weights are configurable
  (:class:`RfgvWeights`): ``score = w_R * R + w_F * F + w_G * ln(1 + harm_days) + w_V * V`` with
  ``R`` the recency points of the latest allegation, ``F`` the allegations, ``V`` the distinct
  victims in the window.
- **count**: the number of VAWG allegations in the window (the baseline the backtests beat).
- **learned** (the default of ``vawg rank``): the expected VAWG harm of the next 12 months, and the
  probabilities of a serious allegation and of being named again, from a model trained on the
  force's own earlier years (:mod:`vawg.rank.learned`); it ranks every man named in the 3 years to
  ``as_of``, and says per man the main reasons.

:func:`ranking_compute` ranks allegations already read; :func:`vawg.rank.run.ranking_run` reads
them from a force extract (what ``vawg rank`` runs).

Every person is also flagged **serial** when their VAWG allegations in the 3 years up to ``as_of``
name 2 or more distinct victims (the Northumbria definition, ``docs/sources.md``, applied to every
VAWG allegation rather than only domestic-abuse incidents). Only records on or before ``as_of`` are
used, so deleting later records from the extract changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from vawg.errors import UserInputError
from vawg.rank.allegations import Allegations
from vawg.rank.learned import (
    Context,
    Model,
    context_empty,
    learned_list,
)

METHODS = ("v100", "rfgv", "count", "learned")
"""The ranking methods."""

DEFAULT_METHOD = "learned"
"""The method ``vawg rank`` uses unless told (``docs/ranking.md``: why this one)."""

OUTPUT_COLUMNS = (
    "rank",
    "person_ref",
    "score",
    "harm_days",
    "offences",
    "victims",
    "last_offence_date",
    "explanation",
)
"""The ranked list's columns (``docs/ranking.md``, Output), in order."""

SERIAL_DAYS = 1095
"""The serial-perpetrator look-back: 3 years, in days."""


GROUP_LABELS = {
    "rape": "rape",
    "other_sexual": "other sexual offence",
    "domestic_abuse": "domestic abuse",
    "stalking": "stalking",
    "harassment": "harassment",
    "controlling_coercive": "controlling or coercive behaviour",
    "fgm": "FGM",
    "honour_forced_marriage": "honour-based abuse or forced marriage",
    "intimate_image": "intimate-image abuse",
    "exploitation": "exploitation",
    "violence_against_women": "violence against a woman",
}


@dataclass(frozen=True)
class RfgvWeights:
    """Weights of the RFGV score (all documented in ``docs/ranking.md``).

    Attributes
    ----------
    recency : float
        Weight of the recency points ``R``.
    frequency : float
        Weight of ``F``, the VAWG allegations in the window.
    gravity : float
        Weight of ``G = ln(1 + harm_days)``; the log keeps one rape (1,825 days) from swamping
        every other term while still ordering offences by harm.
    victims : float
        Weight of ``V``, the distinct victims in the window (serial offending weighs more).
    recency_bands : tuple of (int, float)
        ``(days, points)``: the latest allegation within ``days`` of ``as_of`` scores
        ``points``; the first band that fits counts; none: 0.

    Examples
    --------
    >>> RfgvWeights().victims
    2.0
    """

    recency: float = 1.0
    frequency: float = 1.0
    gravity: float = 1.0
    victims: float = 2.0
    recency_bands: tuple[tuple[int, float], ...] = field(
        default=((30, 4.0), (90, 3.0), (180, 2.0), (365, 1.0))
    )


@dataclass(frozen=True)
class Ranking:
    """A ranked list.

    Attributes
    ----------
    table : pl.DataFrame
        :data:`OUTPUT_COLUMNS`, then ``serial``, ``serial_victims_3y``, ``method``,
        ``harm_table``, ``taxonomy_version``, ``as_of``, ``window_days``. Best first.
    method : str
    as_of : date
    window_days : int
    harm_table : str
        Name of the harm table used.
    taxonomy_version : str
    pool_size : int
        People with at least one VAWG allegation in the window (the population ranked).
    unknown_codes : pl.DataFrame
        Offence codes not in the taxonomy, with crime counts.
    unweighted_codes : pl.DataFrame
        VAWG offence codes without a harm weight (weighted 0 days).
    """

    table: pl.DataFrame
    method: str
    as_of: date
    window_days: int
    harm_table: str
    taxonomy_version: str
    pool_size: int
    unknown_codes: pl.DataFrame
    unweighted_codes: pl.DataFrame
    notes: tuple[str, ...] = ()
    """What the user should know about how the list was made (the model fitted or read)."""


def _check(method: str, window_days: int, top: int | None) -> None:
    if method not in METHODS:
        raise UserInputError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    if window_days < 1:
        raise UserInputError(f"--window-days must be at least 1, not {window_days}")
    if top is not None and top < 1:
        raise UserInputError(f"--top must be at least 1, not {top}")


def person_scores(
    allegations: Allegations,
    *,
    as_of: date,
    window_days: int = 365,
    method: str = "v100",
    weights: RfgvWeights | None = None,
    context: Context | None = None,
    model: Model | None = None,
) -> pl.DataFrame:
    """Score every person with a VAWG allegation in ``[as_of - window_days, as_of]`` (for
    ``learned``, in the 3 years to ``as_of``).

    Parameters
    ----------
    allegations : Allegations
        Must cover ``[as_of - max(window_days, 1095), as_of]``; later records are ignored.
    as_of : date
    window_days : int
        Length of the window in days (default 365).
    method : {"v100", "rfgv", "count", "learned"}
    weights : RfgvWeights, optional
    context : Context, optional
        Outcomes, orders and risk markers, for ``learned`` (default: none).
    model : Model, optional
        For ``learned``: the fitted model (default: one fitted at ``as_of``).

    Returns
    -------
    pl.DataFrame
        One row per person, best first: ``rank, person_ref, score, harm_days (harm-days),
        offences, victims, last_offence_date, serial, serial_victims_3y, recent_harm_days,
        earlier_harm_days`` (and for ``learned``, ``reasons``).

    Examples
    --------
    >>> sus = pl.DataFrame({
    ...     "crime_ref": ["C1", "C2", "C3"], "person_ref": ["A", "A", "B"],
    ...     "recorded_date": [date(2024, 5, 1), date(2024, 6, 1), date(2024, 6, 2)],
    ...     "offence_code": ["8Q", "8G", "19C"], "vawg_group": ["stalking"] * 3,
    ...     "is_vawg": [True] * 3, "harm_days": [10.0, 15.0, 1825.0], "relationship": [None] * 3})
    >>> vic = pl.DataFrame({"crime_ref": ["C1", "C2", "C3"], "victim_ref": ["V1", "V2", "V3"]})
    >>> a = Allegations(sus, vic, date(2021, 1, 1), date(2024, 12, 31), "t", "v",
    ...                 pl.DataFrame(), pl.DataFrame())
    >>> person_scores(a, as_of=date(2024, 12, 31))[["person_ref", "score"]].rows()
    [('B', 1825.0), ('A', 25.0)]
    """
    _check(method, window_days, None)
    scores = _window_scores(
        allegations,
        as_of=as_of,
        window_days=window_days,
        method=method,
        weights=weights,
        context=context,
        model=model,
    )
    return _with_serial(scores, allegations, as_of=as_of)


def _window_scores(
    allegations: Allegations,
    *,
    as_of: date,
    window_days: int,
    method: str,
    weights: RfgvWeights | None,
    context: Context | None = None,
    model: Model | None = None,
    explain: int | None = None,
) -> pl.DataFrame:
    # Everything but the serial flag, best first.
    if method == "learned":
        return _learned_window_scores(
            allegations,
            as_of=as_of,
            window_days=window_days,
            context=context,
            model=model,
            explain=explain,
        )
    weights = weights or RfgvWeights()
    start = as_of - timedelta(days=window_days)
    half = as_of - timedelta(days=window_days // 2)
    window = allegations.suspects.lazy().filter(
        pl.col("is_vawg") & pl.col("recorded_date").is_between(start, as_of)
    )
    base = window.group_by("person_ref").agg(
        pl.col("harm_days").sum().alias("harm_days"),
        pl.col("crime_ref").n_unique().cast(pl.Int64).alias("offences"),
        pl.col("recorded_date").max().alias("last_offence_date"),
        pl.col("harm_days").filter(pl.col("recorded_date") > half).sum().alias("recent_harm_days"),
        pl.col("harm_days")
        .filter(pl.col("recorded_date") <= half)
        .sum()
        .alias("earlier_harm_days"),
    )
    window_victims = (
        window.select("person_ref", "crime_ref")
        .join(allegations.victims.lazy(), on="crime_ref")
        .group_by("person_ref")
        .agg(pl.col("victim_ref").n_unique().cast(pl.Int64).alias("victims"))
    )
    frame = base.join(window_victims, on="person_ref", how="left").with_columns(
        pl.col("victims").fill_null(0)
    )
    if method == "v100":
        score = pl.col("harm_days")
    elif method == "count":
        score = pl.col("offences").cast(pl.Float64)
    else:
        age = pl.lit(as_of) - pl.col("last_offence_date")
        recency: pl.Expr = pl.lit(0.0)
        for days, points in reversed(weights.recency_bands):
            recency = pl.when(age <= timedelta(days=days)).then(pl.lit(points)).otherwise(recency)
        score = (
            weights.recency * recency
            + weights.frequency * pl.col("offences")
            + weights.gravity * pl.col("harm_days").log1p()
            + weights.victims * pl.col("victims")
        )
    return (
        frame.with_columns(score.cast(pl.Float64).alias("score"))
        .sort(
            ["score", "harm_days", "offences", "last_offence_date", "person_ref"],
            descending=[True, True, True, True, False],
        )
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
        .collect()
    )


def _learned_window_scores(
    allegations: Allegations,
    *,
    as_of: date,
    window_days: int,
    context: Context | None,
    model: Model | None = None,
    explain: int | None = None,
) -> pl.DataFrame:
    # The learned pool (3 years) with the window's figures beside each man (0 when none).
    window = _window_scores(
        allegations, as_of=as_of, window_days=window_days, method="v100", weights=None
    ).drop("rank", "score")
    return learned_list(
        allegations,
        context or context_empty(),
        as_of=as_of,
        window=window,
        model=model,
        explain=explain,
    )


def _with_serial(scores: pl.DataFrame, allegations: Allegations, *, as_of: date) -> pl.DataFrame:
    # The serial flag (distinct victims of VAWG allegations in the 3 years to as_of), computed
    # only for the people in ``scores``: a list of 100 needs 100 look-ups, not the whole pool.
    serial_start = as_of - timedelta(days=SERIAL_DAYS)
    serial_victims = (
        allegations.suspects.lazy()
        .filter(pl.col("is_vawg") & pl.col("recorded_date").is_between(serial_start, as_of))
        .join(scores.lazy().select("person_ref"), on="person_ref", how="semi")
        .select("person_ref", "crime_ref")
        .join(allegations.victims.lazy(), on="crime_ref")
        .group_by("person_ref")
        .agg(pl.col("victim_ref").n_unique().cast(pl.Int64).alias("serial_victims_3y"))
    )
    return (
        scores.lazy()
        .join(serial_victims, on="person_ref", how="left", maintain_order="left")
        .with_columns(pl.col("serial_victims_3y").fill_null(0))
        .with_columns((pl.col("serial_victims_3y") >= 2).alias("serial"))
        .select(
            "rank",
            "person_ref",
            "score",
            "harm_days",
            "offences",
            "victims",
            "last_offence_date",
            "serial",
            "serial_victims_3y",
            "recent_harm_days",
            "earlier_harm_days",
            *(
                ["expected_harm", "probability", "named_probability", "reasons"]
                if "reasons" in scores.columns
                else []
            ),
        )
        .collect()
    )


def _days(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _explain(
    scores: pl.DataFrame, allegations: Allegations, *, as_of: date, window_days: int
) -> pl.Series:
    start = as_of - timedelta(days=window_days)
    people = scores.select("person_ref")
    window = allegations.suspects.filter(
        pl.col("is_vawg") & pl.col("recorded_date").is_between(start, as_of)
    ).join(people, on="person_ref", how="semi")
    mix = (
        window.group_by("person_ref", "vawg_group")
        .agg(pl.len().alias("n"), pl.col("harm_days").sum().alias("h"))
        .sort(["person_ref", "h", "n", "vawg_group"], descending=[False, True, True, False])
    )
    parts: dict[str, list[str]] = {}
    for person, group, n, _ in mix.iter_rows():
        label = GROUP_LABELS.get(group, group)
        parts.setdefault(person, []).append(f"{n} {label}")
    half = window_days // 2
    texts: list[str] = []
    for row in scores.iter_rows(named=True):
        offences = row["offences"]
        victims = row["victims"]
        recent, earlier = row["recent_harm_days"], row["earlier_harm_days"]
        if recent > earlier:
            trend = "rising"
        elif recent < earlier:
            trend = "falling"
        else:
            trend = "steady"
        text = (
            f"{offences} VAWG allegation{'s' * (offences != 1)} in {window_days} days "
            f"({', '.join(parts.get(row['person_ref'], []))}) against {victims} "
            f"victim{'s' * (victims != 1)}; {_days(row['harm_days'])} harm-days; "
            f"last {row['last_offence_date']}; trend {trend} ({_days(recent)} harm-days in the "
            f"last {half} days vs {_days(earlier)} before)"
        )
        if row["serial"]:
            text += f"; serial: {row['serial_victims_3y']} victims in 3 years"
        if "reasons" in row:
            text = (
                f"probability {row['probability']:.2f} of a serious VAWG allegation and "
                f"{row['named_probability']:.2f} of any in the next 12 months, "
                f"{_days(round(row['expected_harm'], 1))} expected harm-days; main "
                f"reasons: {row['reasons']}; {text}"
            )
        texts.append(text)
    return pl.Series("explanation", texts, dtype=pl.String)


def ranking_compute(
    allegations: Allegations,
    *,
    as_of: date,
    window_days: int = 365,
    top: int | None = 100,
    method: str = "v100",
    weights: RfgvWeights | None = None,
    context: Context | None = None,
    model: Model | None = None,
) -> Ranking:
    """Rank the people named in VAWG allegations, with an explanation for each.

    Parameters
    ----------
    allegations : Allegations
        Covering at least ``[as_of - max(window_days, 1095), as_of]``.
    as_of : date
        Only allegations recorded on or before it are used.
    window_days : int
        The scoring window, days (default 365, the V100's).
    top : int or None
        How many to keep (default 100); ``None`` keeps everyone.
    method : {"v100", "rfgv", "count"}
    weights : RfgvWeights, optional
        For ``rfgv``.
    context : Context, optional
        Outcomes, orders and markers, for ``learned``.
    model : Model, optional
        For ``learned``: the fitted model to score with (default: one fitted at ``as_of``).

    Returns
    -------
    Ranking

    Examples
    --------
    >>> sus = pl.DataFrame({
    ...     "crime_ref": ["C1"], "person_ref": ["A"], "recorded_date": [date(2024, 5, 1)],
    ...     "offence_code": ["19C"], "vawg_group": ["rape"], "is_vawg": [True],
    ...     "harm_days": [1825.0], "relationship": ["partner"]})
    >>> vic = pl.DataFrame({"crime_ref": ["C1"], "victim_ref": ["V1"]})
    >>> a = Allegations(sus, vic, date(2021, 1, 1), date(2024, 12, 31), "t", "v",
    ...                 pl.DataFrame(), pl.DataFrame())
    >>> r = ranking_compute(a, as_of=date(2024, 12, 31))
    >>> r.table["explanation"][0][:52]
    '1 VAWG allegation in 365 days (1 rape) against 1 vic'
    """
    _check(method, window_days, top)
    scores = _window_scores(
        allegations,
        as_of=as_of,
        window_days=window_days,
        method=method,
        weights=weights,
        context=context,
        model=model,
        explain=top,
    )
    return _ranking_finish(
        scores.head(top) if top is not None else scores,
        allegations=allegations,
        history=allegations,
        pool_size=scores.height,
        method=method,
        as_of=as_of,
        window_days=window_days,
    )


def _ranking_finish(
    scores: pl.DataFrame,
    *,
    allegations: Allegations,
    history: Allegations,
    pool_size: int,
    method: str,
    as_of: date,
    window_days: int,
) -> Ranking:
    # The listed people's serial flags (from ``history``, covering the 3-year look-back) and
    # explanations (from ``allegations``, covering the window), in the contract's columns.
    scores = _with_serial(scores, history, as_of=as_of)
    table = scores.with_columns(
        _explain(scores, allegations, as_of=as_of, window_days=window_days),
        pl.lit(method).alias("method"),
        pl.lit(allegations.harm_table).alias("harm_table"),
        pl.lit(allegations.taxonomy_version).alias("taxonomy_version"),
        pl.lit(as_of).alias("as_of"),
        pl.lit(window_days).alias("window_days"),
    ).select(
        *OUTPUT_COLUMNS,
        "serial",
        "serial_victims_3y",
        "method",
        "harm_table",
        "taxonomy_version",
        "as_of",
        "window_days",
    )
    return Ranking(
        table=table,
        method=method,
        as_of=as_of,
        window_days=window_days,
        harm_table=allegations.harm_table,
        taxonomy_version=allegations.taxonomy_version,
        pool_size=pool_size,
        unknown_codes=allegations.unknown_codes,
        unweighted_codes=allegations.unweighted_codes,
    )
