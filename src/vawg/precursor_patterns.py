"""Precursor patterns: single offence types and the general shapes a record can take.

A **pattern** is something a person's non-VAWG record can show on a given day; each day it is
shown is an *occurrence*, and the first occurrence is the pattern's index date for the lifts
(:func:`vawg.precursors.precursors_compute`). Every non-VAWG offence code ``T`` gives:

- ``T``: named for ``T`` (the single type, as before issue #14);
- ``T|partner``: for ``T`` where the named person is the victim's partner or ex-partner;
- ``T|female``: for ``T`` on a crime with a victim recorded female;
- ``T|x2``: for ``T`` on a second (or later) distinct crime;
- ``T|soon``: for ``T`` and another non-VAWG crime (of any type, before or after it) within
  ``soon_days`` (90) of each other: an offending burst; it occurs on the later of the two;
- ``T+U``: named for two distinct types; the occurrences are the crimes of either type on or
  after the day the second of them was first recorded;
- ``T+*``: named for ``T`` and for any other type (a mixed record); the occurrences are the
  non-VAWG crimes on or after the day both were first recorded.

They are the shapes practice names (``docs/sources.md``: repeat, partner-directed and
woman-directed behaviour, escalation) written for any code, so they apply to a force whose codes
differ; nothing in them names a code. Each occurrence is read from the records up to the as-of
date only.

**Many patterns, many chances.** A force with 60 codes gives a few hundred patterns with enough
people exposed to test; some would pass a single test by chance. :func:`p_adjust` adjusts the
one-sided p-values of Fisher's exact test (:func:`exact_p`) across them, Benjamini-Hochberg by
default (the expected share of false patterns among those passed is at most 5%, and when no
pattern has any effect the chance that one is passed is at most 5%), or Holm's (the chance of
passing any false pattern at most 5%).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
from scipy.special import gammaln

from vawg.extract import code_text_normalise, extract_files_find, table_scan
from vawg.fairness import Z95

PARTNER = ("partner", "ex-partner")
SOON_DAYS = 90
"""Days within which a second non-VAWG crime makes ``T|soon`` (a quarter of a year)."""
ADJUSTMENTS = ("bh", "holm")

_KINDS = {
    "partner": "by a partner or ex-partner",
    "female": "against a woman or girl",
    "x2": "on two or more crimes",
    "soon": f"within {SOON_DAYS} days of another non-VAWG offence",
    "mixed": "with another non-VAWG offence type",
}


def katz(a: int, n1: int, c: int, n0: int) -> tuple[float, float, float]:
    """Risk ratio ``(a / n1) / (c / n0)`` with its Katz log 95% interval.

    0.5 is added to each cell when ``a`` or ``c`` is zero.

    >>> [round(x, 3) for x in katz(20, 40, 3, 60)]
    [10.0, 3.18, 31.445]
    """
    if n1 == 0 or n0 == 0:
        return (math.nan, math.nan, math.nan)
    ratio, se = _log_ratio(a, n1, c, n0)
    return math.exp(ratio), math.exp(ratio - Z95 * se), math.exp(ratio + Z95 * se)


def _log_ratio(a: int, n1: int, c: int, n0: int) -> tuple[float, float]:
    fa, fc, f1, f0 = float(a), float(c), float(n1), float(n0)
    if a == 0 or c == 0:
        fa, fc, f1, f0 = fa + 0.5, fc + 0.5, f1 + 0.5, f0 + 0.5
    se = math.sqrt(max(1 / fa - 1 / f1 + 1 / fc - 1 / f0, 0.0))
    return math.log((fa / f1) / (fc / f0)), se


def exact_p(a: int, n1: int, c: int, n0: int) -> float:
    """One-sided p-value that the exposed risk is above the comparison's: Fisher's exact test.

    The chance, with the ``a + c`` people named spread at random over the ``n1 + n0``
    followed, that ``a`` or more of them fall among the ``n1`` exposed (hypergeometric). The
    normal test on the Katz log scale is too liberal in this tail when few are named: with 100
    patterns of no effect it passed a false one in 14-15% of runs after adjustment, this one in
    under 4% (``tests/vawg/test_precursor_patterns.py``).

    >>> round(exact_p(20, 40, 3, 60), 8)
    2e-07
    >>> exact_p(3, 60, 20, 40) > 0.99
    True
    """
    if n1 == 0 or n0 == 0:
        return math.nan
    total, named = n1 + n0, a + c
    k = np.arange(a, min(n1, named) + 1)
    log_pmf = _log_choose(named, k) + _log_choose(total - named, n1 - k) - _log_choose(total, n1)
    return float(min(1.0, np.exp(log_pmf).sum()))


def _log_choose(n: int | np.ndarray, k: int | np.ndarray) -> np.ndarray:
    return np.asarray(
        gammaln(np.add(n, 1)) - gammaln(np.add(k, 1)) - gammaln(np.subtract(n, k) + 1)
    )


def p_adjust(p: Sequence[float] | np.ndarray, method: str = "bh") -> np.ndarray:
    """Adjusted p-values across a family: ``"bh"`` (Benjamini-Hochberg) or ``"holm"``.

    NaN entries are not counted in the family and stay NaN. A pattern passes at level ``q``
    when its adjusted value is below ``q``.

    >>> p_adjust([0.01, 0.04, 0.03, 0.20]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    >>> p_adjust([0.01, 0.04, 0.03, 0.20], "holm").round(4).tolist()
    [0.04, 0.09, 0.09, 0.2]
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"unknown adjustment {method!r}: one of {', '.join(ADJUSTMENTS)}")
    values = np.asarray(p, dtype=float)
    out = np.full(values.size, np.nan)
    ok = np.flatnonzero(~np.isnan(values))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(values[ok], kind="stable")]
    ranked = values[order]
    if method == "bh":
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    else:
        scaled = ranked * (m - np.arange(m))
        adjusted = np.maximum.accumulate(scaled)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def pattern_title(precursor: str, titles: dict[str, str]) -> str:
    """The pattern in words.

    >>> t = {"58A": "Criminal damage to a dwelling", "9A": "Public fear"}
    >>> pattern_title("58A|x2", t)
    'Criminal damage to a dwelling, on two or more crimes'
    >>> pattern_title("58A+9A", t)
    'both Criminal damage to a dwelling and Public fear'
    """

    def one(code: str) -> str:
        return titles.get(code) or f"{code} (code not in the taxonomy)"

    if precursor.endswith("+*"):
        return f"{one(precursor[:-2])}, {_KINDS['mixed']}"
    if "+" in precursor:
        first, second = precursor.split("+", 1)
        return f"both {one(first)} and {one(second)}"
    code, _, kind = precursor.partition("|")
    return one(code) + (f", {_KINDS[kind]}" if kind in _KINDS else "")


def pattern_kind(precursor: pl.Expr) -> pl.Expr:
    """``type``, ``partner``, ``female``, ``x2``, ``soon``, ``pair`` or ``mixed``."""
    return (
        pl.when(precursor.str.ends_with("+*"))
        .then(pl.lit("mixed"))
        .when(precursor.str.contains("+", literal=True))
        .then(pl.lit("pair"))
        .when(precursor.str.contains("|", literal=True))
        .then(precursor.str.split("|").list.last())
        .otherwise(pl.lit("type"))
    )


def patterns_typed(
    sus: pl.DataFrame,
    *,
    female_crimes: pl.Series | None = None,
    soon_days: int = SOON_DAYS,
    patterns: bool = True,
) -> pl.DataFrame:
    """Each occurrence of each pattern in the non-VAWG allegations of ``sus``.

    Parameters
    ----------
    sus : pl.DataFrame
        ``crime_ref, person_ref, recorded_date, offence_code, is_vawg, relationship``: the
        allegations up to the as-of date (nothing later may be passed).
    female_crimes : pl.Series, optional
        Crime references with a victim recorded female (no ``T|female`` without it).
    soon_days : int
    patterns : bool
        False: only ``T`` and ``T|partner`` (the method before issue #14).

    Returns
    -------
    pl.DataFrame
        ``person_ref, recorded_date, offence_code, precursor``; ``offence_code`` is ``T+U``
        for a pair, ``T+*`` for a mixed record.

    Examples
    --------
    >>> from datetime import date
    >>> d = [date(2023, 1, 1), date(2023, 2, 1), date(2023, 9, 1)]
    >>> sus = pl.DataFrame({"crime_ref": ["a", "b", "c"], "person_ref": ["P"] * 3,
    ...     "recorded_date": d, "offence_code": ["58A", "9A", "58A"],
    ...     "is_vawg": [False] * 3, "relationship": [None, None, "partner"]})
    >>> t = patterns_typed(sus).sort("precursor", "recorded_date")
    >>> t.group_by("precursor", maintain_order=True).len().rows()  # doctest: +NORMALIZE_WHITESPACE
    [('58A', 2), ('58A+*', 2), ('58A+9A', 2), ('58A|partner', 1), ('58A|soon', 1),
     ('58A|x2', 1), ('9A', 1), ('9A+*', 2), ('9A|soon', 1)]
    """
    other = (
        sus.filter(~pl.col("is_vawg"))
        .select("crime_ref", "person_ref", "recorded_date", "offence_code", "relationship")
        .unique(["crime_ref", "person_ref"])
        .sort("person_ref", "recorded_date", "crime_ref")
    )
    cols = ("person_ref", "recorded_date", "offence_code")

    def keyed(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        return frame.select(*cols, (pl.col("offence_code") + suffix).alias("precursor"))

    parts = [
        keyed(other, ""),
        keyed(other.filter(pl.col("relationship").is_in(PARTNER)), "|partner"),
    ]
    if patterns:
        if female_crimes is not None:
            female = other.filter(pl.col("crime_ref").is_in(female_crimes.implode()))
            parts.append(keyed(female, "|female"))
        nth = pl.int_range(pl.len()).over("person_ref", "offence_code")
        parts.append(keyed(other.filter(nth >= 1), "|x2"))
        parts.append(_soon(other.select(*cols), soon_days))
        parts.extend(_pairs(other.select(*cols)))
    return pl.concat(parts)


def _soon(other: pl.DataFrame, soon_days: int) -> pl.DataFrame:
    # ``other`` is sorted by person and date: each crime within soon_days of the one before
    # makes both codes occur on its date.
    before = other.select(
        pl.col("recorded_date").shift(1).over("person_ref").alias("before_date"),
        pl.col("offence_code").shift(1).over("person_ref").alias("before_code"),
    )
    close = pl.concat([other, before], how="horizontal").filter(
        (pl.col("recorded_date") - pl.col("before_date")).dt.total_days() <= soon_days
    )
    both = pl.concat(
        [
            close.select("person_ref", "recorded_date", "offence_code"),
            close.select(
                "person_ref", "recorded_date", pl.col("before_code").alias("offence_code")
            ),
        ]
    ).unique()
    return both.with_columns((pl.col("offence_code") + "|soon").alias("precursor"))


def _pairs(other: pl.DataFrame) -> list[pl.DataFrame]:
    first = other.group_by("person_ref", "offence_code").agg(pl.col("recorded_date").min())
    pairs = (
        first.join(first, on="person_ref", suffix="_b")
        .filter(pl.col("offence_code") < pl.col("offence_code_b"))
        .select(
            "person_ref",
            pl.col("offence_code").alias("a"),
            pl.col("offence_code_b").alias("b"),
            pl.max_horizontal("recorded_date", "recorded_date_b").alias("since"),
        )
    )
    key = pl.col("a") + "+" + pl.col("b")
    pair = (
        other.join(pairs, on="person_ref", how="inner")
        .filter(
            ((pl.col("offence_code") == pl.col("a")) | (pl.col("offence_code") == pl.col("b")))
            & (pl.col("recorded_date") >= pl.col("since"))
        )
        .select("person_ref", "recorded_date", key.alias("offence_code"), key.alias("precursor"))
    )
    # T+*: from the day T and some other type have both been recorded (the earliest pair with T).
    since = (
        pl.concat([pairs.select("person_ref", pl.col(c).alias("code"), "since") for c in "ab"])
        .group_by("person_ref", "code")
        .agg(pl.col("since").min())
    )
    key = pl.col("code") + "+*"
    mixed = (
        other.join(since, on="person_ref", how="inner")
        .filter(pl.col("recorded_date") >= pl.col("since"))
        .select("person_ref", "recorded_date", key.alias("offence_code"), key.alias("precursor"))
    )
    return [pair, mixed]


def female_victim_crimes(*, folder: Path, victims: pl.DataFrame) -> pl.Series:
    """The crime references of ``victims`` (``crime_ref, victim_ref``) with a victim recorded
    female in the extract's ``people`` table (empty when it has none).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "crimes.csv").write_text("crime_ref,recorded_date,offence_code\\n")
    >>> _ = (d / "involvements.csv").write_text("crime_ref,person_ref,role\\n")
    >>> _ = (d / "people.csv").write_text("person_ref,sex\\nV1,f\\nV2,M\\n")
    >>> v = pl.DataFrame({"crime_ref": ["C1", "C2"], "victim_ref": ["V1", "V2"]})
    >>> female_victim_crimes(folder=d, victims=v).to_list()
    ['C1']
    """
    files = extract_files_find(folder=folder)
    if "people" not in files.files or victims.is_empty():
        return pl.Series("crime_ref", [], dtype=pl.String)
    wanted = victims.get_column("victim_ref").unique()
    women = (
        table_scan(files=files, table="people", columns=("person_ref", "sex"), normalise=False)
        .filter(pl.col("person_ref").is_in(wanted.implode()))
        .collect()
        .filter(code_text_normalise(pl.col("sex")) == "F")
    )
    return (
        victims.join(women, left_on="victim_ref", right_on="person_ref", how="semi")
        .get_column("crime_ref")
        .unique()
    )
