"""The generator: suspects' offending careers, crimes, victims, outcomes, places and orders.

Named suspects follow a career model in the spirit of the Thames Valley follow-up (Barnham, Barnes
& Sherman 2017) and of the criminal-career paradigm (Blumstein, Cohen, Roth & Visher 1986,
*Criminal Careers and "Career Criminals"*): careers start at a constant rate; most
(``ONE_OFF_SHARE``) produce a single report; the rest have a lognormal duration and, independently
of it, a personal, heavy-tailed rate of reports that holds for the whole career, so that a few
suspects carry many reports and a suspect reported often this year tends to be reported again.
Crimes are drawn from the Met's offence mix; the ones naming a suspect are matched to career events
through a Gaussian copula between the crime's harm and two traits of the suspect: activity
(``HARM_ACTIVITY_CORRELATION``) and a persistent seriousness drawn once per suspect
(``HARM_SERIOUSNESS_CORRELATION``), and within a suspect the more harmful crimes tend to come later
(a mild escalation), so the concentration of harm on a "power few", and its persistence from one
year to the next, emerge from the model rather than being written row by row. Numbers marked
provisional in ``docs/synth.md`` are assumptions, not published figures.
"""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from vawg import __version__
from vawg.errors import UserInputError
from vawg.schemas import (
    FORCE_CRIMES_FILE,
    FORCE_INVOLVEMENTS_FILE,
    FORCE_ORDERS_FILE,
    FORCE_PEOPLE_FILE,
)
from vawg.synth.calibration import OTHER_FLAGGED_GROUP, Calibration
from vawg.synth.places import points_from_table, points_in_wards

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SMALL_CRIMES_PER_YEAR = 3_000
"""VAWG crimes a year at ``--size small`` (the Met's mix and places, scaled down)."""

ONE_OFF_SHARE = 0.82
"""Share of offending careers with a single report (provisional; tuned so that about 77.6% of
suspects seen over two years have one report, Barnham, Barnes & Sherman 2017; 0.79 under the
fixed-count career model, whose repeat careers showed one report in a window less often)."""
REPEAT_RATE_MEDIAN_PER_YEAR = 3.5
"""Median of a repeat career's personal rate of further reports, per year; lognormal with sigma
``REPEAT_RATE_SIGMA``, drawn once per career and constant over it (the criminal-career
paradigm's individual frequency lambda, Blumstein et al. 1986). Provisional: chosen with
``ONE_OFF_SHARE`` so that the share of crimes naming a suspect (about 0.51) and the reports of
the most active suspects (the top 100 about 25 a year) stay where the fixed-count model it
replaced (2 + a negative binomial of mean 5 reports) put them; a repeat career now averages
about 8.5 reports."""
REPEAT_RATE_SIGMA = 0.8
"""Log-scale spread of the personal rate (provisional): heterogeneity between offenders, the
source of the heavy tail of reports per suspect."""
CAREER_SPAN_MEDIAN_DAYS = 300.0
"""Median span of a repeat career, lognormal with sigma 1, drawn independently of the rate
(provisional)."""
BURN_IN_YEARS = 4
"""Careers may start this long before the window, so the window opens mid-career for some."""
HARM_ACTIVITY_CORRELATION = 0.6
"""Copula correlation between a suspect's activity and the harm of the crimes matched to them
(provisional; tuned so that the top 3% of suspects carry over 60% of harm)."""
HARM_SERIOUSNESS_CORRELATION = 0.6
"""Copula loading of a persistent per-suspect seriousness (a standard normal drawn once per
suspect, independent of activity) on the harm of every crime matched to them. It stands for what
the research finds and activity alone does not give: a "power few" of high-harm perpetrators
whose harm persists (Barnham, Barnes & Sherman 2017, Thames Valley: 3% of perpetrators, 90% of
the harm; the rationale of Sherman's V100) and offence-type specialisation among sexual offenders
(Lussier 2005; Harris & Hanson on sexual recidivism; both as cited in the brief, not checked
against the papers here). Without it each crime's harm depended only on how active its suspect
was, so no harm-based ranking could beat a count of allegations. Provisional: set equal to the
activity loading (no evidence for either being larger); with it the top 3% carry about 80% of
harm, nearer the published 90% than the 67% without."""
ESCALATION_NOISE = 2.0
"""Noise (in log harm-days) when ordering a suspect's crimes by harm over time: 0 would make
every career strictly escalate. Provisional: 2.0 (was 1.0) keeps a mild escalation, because
escalation is the exception rather than the rule in the follow-ups (Barnham, Barnes & Sherman
2017: 77.6% never reported again) and harm tends to fall across repeat incidents in domestic
abuse dyads (``../shared/DOMAIN.md`` 1.2)."""
PRECURSOR_RATE = 0.12
"""Non-VAWG precursor offences (criminal damage, public order) per named VAWG crime
(provisional)."""
NEW_DA_VICTIM_PROBABILITY = 0.1
"""Chance that a suspect's further domestic crime is against a new partner or relative
(provisional; tuned to a 15-25% repeat-victim share)."""
NEW_OTHER_VICTIM_PROBABILITY = 0.7
"""Chance that a suspect's further non-domestic crime has a new victim (provisional)."""
WITNESS_SHARE = 0.04
"""Share of crimes with a recorded witness (provisional)."""

OUTCOME_SHARES: dict[str, dict[str, float]] = {
    # Home Office outcome types (DOMAIN.md section 8). Provisional shares of assigned outcomes,
    # anchored on: charge rates of 5-10% for VAWG; outcome 16 (victim does not support) 40-50%
    # of domestic abuse outcomes (newlawjournal.co.uk, 33% -> 48% in 2015-18).
    "no_suspect": {"18": 0.62, "14": 0.30, "20": 0.03, "21": 0.03, "10": 0.02},
    "domestic": {
        "16": 0.46,
        "15": 0.20,
        "1": 0.12,
        "1A": 0.005,
        "21": 0.06,
        "8": 0.02,
        "3": 0.015,
        "10": 0.015,
        "20": 0.02,
        "9": 0.03,
        "14": 0.04,
        "22": 0.015,
    },
    "other": {
        "16": 0.38,
        "15": 0.25,
        "1": 0.12,
        "21": 0.07,
        "8": 0.03,
        "3": 0.02,
        "10": 0.02,
        "20": 0.03,
        "9": 0.02,
        "14": 0.04,
        "22": 0.02,
    },
}
CHARGED = ("1", "1A")
OFFENDER_OUTCOMES = ("1", "1A", "2", "3", "4", "6", "8")
"""Outcomes after which the force records the suspect as an offender."""

# Per Met group: indicative harm days (CCHI 2026 Home Office subgroup medians, data/reference/
# cchi_days_by_prc_subgroup.csv; used here for calibration only), the share flagged domestic
# abuse when a suspect is named, the relative weight of naming a suspect, and the median days to
# an outcome. All but the harm days are provisional.
GROUP_PARAMETERS: dict[str, tuple[float, float, float, float]] = {
    "Rape": (2555.0, 0.35, 0.85, 150.0),
    "Other Sexual Offences": (182.25, 0.10, 0.55, 75.0),
    "Violence with Injury": (365.0, 0.65, 0.85, 35.0),
    "Stalking and Harassment": (10.0, 0.45, 0.75, 35.0),
    "Public fear, alarm, distress": (7.5, 0.35, 0.55, 25.0),
    "Homicide": (5475.0, 0.50, 1.00, 200.0),
    "Modern Slavery": (365.0, 0.05, 0.60, 120.0),
    "Exploitation of prostitution": (182.25, 0.00, 0.70, 120.0),
    OTHER_FLAGGED_GROUP: (10.0, 1.00, 1.00, 30.0),
    "precursor": (2.0, 0.00, 1.00, 25.0),
}
DEFAULT_GROUP = (10.0, 0.3, 0.6, 40.0)
# Offence-level harm days where the subgroup median would mislead (data/reference/
# cchi_values_partial.csv: VERIFIED rows for rape 16+ and homicide, PROVISIONAL otherwise).
HARM_OVERRIDES: dict[str, float] = {
    "Rape of a Female aged 16 and over": 1825.0,
    "Rape of a Female Child under 13": 3650.0,
    "Assault on a female by penetration.": 730.0,
    "Sexual assault on a Female aged 13 and over": 30.0,
    "Exposure and Voyeurism": 10.0,
    "Actual Bodily harm and other Injury": 15.0,
    "Attempted Murder": 4380.0,
    "Public fear, alarm or distress (not flagged)": 7.5,
}
RELATIONSHIPS = ("partner", "ex-partner", "family", "acquaintance", "stranger", "unknown")
DOMESTIC_RELATIONSHIPS = (0.45, 0.40, 0.15, 0.0, 0.0, 0.0)
CHILD_RELATIONSHIPS = (0.0, 0.0, 0.40, 0.45, 0.15, 0.0)
OTHER_RELATIONSHIPS = (0.0, 0.0, 0.0, 0.60, 0.30, 0.10)
NO_SUSPECT_RELATIONSHIPS = (0.0, 0.0, 0.0, 0.0, 0.60, 0.40)
SUSPECT_AGE_BANDS = (
    (14, 17, 0.04),
    (18, 24, 0.17),
    (25, 34, 0.32),
    (35, 44, 0.26),
    (45, 54, 0.14),
    (55, 75, 0.07),
)
"""Suspect age at report (provisional)."""


@dataclass(frozen=True)
class OffenceType:
    """One offence the generator writes: Met classification, HO code and the model's inputs."""

    group: str
    offence: str
    ho_code: str
    description: str
    expected_per_year: float
    harm_days: float
    p_domestic: float
    p_named: float
    outcome_median_days: float
    victim_female: float
    child_ages: tuple[int, int] | None
    precursor: bool


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_extract` wrote, with the tables (and model-internal columns) it used.

    Internal columns start with ``_`` and are not written: ``crimes`` has ``_group``,
    ``_harm_days``, ``_precursor``, ``_ward`` (-1 unlocated), ``_suspect`` and ``_victim``
    (person index, -1 none); ``people`` has ``_index``.
    """

    out: Path
    seed: int
    size: str
    years: int
    start_date: date
    end_date: date
    scale: float
    disparity: float
    disparity_group: str
    calibration_source: str
    row_counts: dict[str, int]
    crimes: pl.DataFrame
    people: pl.DataFrame
    involvements: pl.DataFrame
    orders: pl.DataFrame
    population_ethnicity: tuple[tuple[str, float], ...]
    seconds: float


def offence_codes_read() -> list[dict[str, str]]:
    """Rows of the shipped ``vawg/data/mps_offence_codes.csv`` (Met name -> HO code)."""
    text = resources.files("vawg").joinpath("data", "mps_offence_codes.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def offence_types(*, calibration: Calibration) -> tuple[OffenceType, ...]:
    """The offence types of the calibration year, each with its HO code and model inputs.

    A Met name the code table lacks gets its group's usual code and is marked ``unmapped`` in
    the description, rather than dropped.

    >>> from vawg.synth.calibration import calibration_shipped
    >>> types = offence_types(calibration=calibration_shipped())
    >>> sorted({t.ho_code for t in types if t.offence.startswith("Harassment")})
    ['8L']
    """
    table: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in offence_codes_read():
        table.setdefault((row["mps_group"], row["mps_offence"]), []).append(row)
    fallback = {
        "Rape": "19C",
        "Other Sexual Offences": "88C",
        "Stalking and Harassment": "8L",
        "Violence with Injury": "8G",
        "Public fear, alarm, distress": "9A",
        "Homicide": "1",
        "Modern Slavery": "106",
        OTHER_FLAGGED_GROUP: "105A",
    }
    counts = [(o.group, o.offence, float(o.count)) for o in calibration.offences]
    precursor_rows = [r for rows in table.values() for r in rows if r["mps_group"] == "precursor"]
    types: list[OffenceType] = []
    for group, offence, count in counts:
        rows = table.get((group, offence)) or [
            {"ho_code": fallback.get(group, ""), "ho_title": f"{offence} (unmapped)", "share": "1"}
        ]
        for row in rows:
            types.append(_offence_type(group, offence, row, count * float(row["share"]), False))
    for row in precursor_rows:
        types.append(_offence_type("precursor", row["mps_offence"], row, float(row["share"]), True))
    return tuple(types)


def _offence_type(
    group: str, offence: str, row: dict[str, str], expected: float, precursor: bool
) -> OffenceType:
    harm, p_domestic, p_named, median = GROUP_PARAMETERS.get(group, DEFAULT_GROUP)
    harm = HARM_OVERRIDES.get(offence, harm)
    if precursor and "damage" not in offence:
        harm = 7.5
    name = offence.lower()
    if "coercive" in name:
        p_domestic, p_named = 1.0, 1.0
    child: tuple[int, int] | None = None
    if "under 13" in name:
        child = (4, 12)
    elif "under 16" in name or "child" in name:
        child = (12, 15)
    female = 1.0 if "female" in name else 0.8 if group == OTHER_FLAGGED_GROUP else 0.93
    if precursor:
        female = 0.55
    return OffenceType(
        group=group,
        offence=offence,
        ho_code=row["ho_code"],
        description=offence if not precursor else row["ho_title"],
        expected_per_year=expected,
        harm_days=harm,
        p_domestic=p_domestic,
        p_named=p_named,
        outcome_median_days=median,
        victim_female=female,
        child_ages=child,
        precursor=precursor,
    )


def _careers(
    rng: np.random.Generator, n_careers: int, first_day: float, last_day: float
) -> tuple[IntArray, FloatArray, IntArray]:
    """Career events: (career of each event, day of each event, events per career).

    A one-off career is one report on its start day. A repeat career has a span ``D`` (lognormal,
    median ``CAREER_SPAN_MEDIAN_DAYS``, sigma 1) and, independently, a personal rate ``r`` of
    reports (lognormal, median ``REPEAT_RATE_MEDIAN_PER_YEAR`` a year, sigma
    ``REPEAT_RATE_SIGMA``): its first report on the start day, a second (a repeat career has at
    least two) and Poisson(``r * D``) more, all uniform over the span, i.e. a Poisson process at
    rate ``r`` conditioned on at least one further report. Because ``r`` holds for the whole
    career and the span does not depend on it, a suspect with many reports in a year has a high
    rate and, as often as anyone, time left: the share named again rises with past frequency
    (Blumstein, Cohen, Roth & Visher 1986, the stability of individual frequency lambda).
    """
    start = rng.uniform(first_day, last_day, n_careers)
    repeat = rng.random(n_careers) >= ONE_OFF_SHARE
    span = rng.lognormal(np.log(CAREER_SPAN_MEDIAN_DAYS), 1.0, n_careers)
    rate_per_day = (
        rng.lognormal(np.log(REPEAT_RATE_MEDIAN_PER_YEAR), REPEAT_RATE_SIGMA, n_careers) / 365.0
    )
    further = rng.poisson(rate_per_day * span)
    n_events = np.where(repeat, 2 + further, 1).astype(np.int64)
    career = np.repeat(np.arange(n_careers, dtype=np.int64), n_events)
    first = np.zeros(career.size, dtype=bool)
    first[np.concatenate([[0], np.cumsum(n_events)[:-1]])] = True
    offset = np.where(first, 0.0, rng.random(career.size) * span[career])
    return career, start[career] + offset, n_events


@lru_cache(maxsize=4)
def _distinct_per_career_start() -> float:
    """Distinct suspects seen in a 365-day window per career started per 365 days (steady state),
    by simulation with a fixed seed so that it is the same on every run."""
    rng = np.random.default_rng(20250831)
    n = 400_000
    career, day, _ = _careers(rng, n, -365.0 * BURN_IN_YEARS, 365.0)
    seen = np.unique(career[(day >= 0) & (day < 365)]).size
    return seen / (n / (BURN_IN_YEARS + 1))


def _choice(rng: np.random.Generator, n: int, p: tuple[float, ...] | FloatArray) -> IntArray:
    cumulative = np.cumsum(np.asarray(p, dtype=float))
    return np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right").astype(
        np.int64
    )


def _window(end_date: date, years: int) -> tuple[date, int]:
    try:
        start = end_date.replace(year=end_date.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28) + timedelta(days=1)
    return start, (end_date - start).days + 1


def _rank_normal(values: FloatArray, rng: np.random.Generator) -> FloatArray:
    from scipy.special import ndtri

    order = np.lexsort((rng.random(values.size), values))
    ranks = np.empty(values.size)
    ranks[order] = (np.arange(values.size) + 0.5) / values.size
    return np.asarray(ndtri(ranks), dtype=float)


def _group_rank(groups: IntArray, keys: FloatArray) -> IntArray:
    """Position of each element within its group when the group is sorted by key."""
    order = np.lexsort((keys, groups))
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, sorted_groups.size])
    within = np.arange(groups.size) - np.repeat(starts, sizes)
    rank = np.empty(groups.size, dtype=np.int64)
    rank[order] = within
    return rank


def write_extract(
    *,
    out: Path,
    seed: int,
    size: Literal["small", "london"],
    years: int = 1,
    end_date: date = date(2025, 8, 31),
    disparity: float = 1.0,
    disparity_group: str = "B",
    calibration: Calibration,
) -> SynthSummary:
    """Write a synthetic force extract (CONTRACT.md section 2) to ``out``.

    Parameters
    ----------
    out : pathlib.Path
        Folder to write ``crimes.csv``, ``people.csv``, ``involvements.csv``, ``orders.csv`` and
        ``MANIFEST.json``; created if missing, those files overwritten.
    seed : int
        Random seed: the same inputs and seed give byte-identical files.
    size : {"small", "london"}
        ``london`` is the Met's volume (``calibration.annual_total`` VAWG offences a year);
        ``small`` is :data:`SMALL_CRIMES_PER_YEAR` a year with the same mix and places.
    years : int
        Length of the window in years, ending on ``end_date`` (inclusive).
    end_date : datetime.date
        Last recorded date; also the extract date (later outcomes are blank, i.e. open).
    disparity : float
        Relative per-capita offending rate injected for ``disparity_group`` (1.0 injects none).
    disparity_group : str
        Ethnicity code (``W``, ``B``, ``A``, ``O``, ``U``) that ``disparity`` applies to.
    calibration : Calibration
        Targets, from :func:`vawg.synth.calibration_from_data` or the shipped summary.

    Returns
    -------
    SynthSummary

    Examples
    --------
    >>> import tempfile
    >>> from vawg.synth.calibration import calibration_shipped
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     s = write_extract(out=Path(folder), seed=1, size="small",
    ...                       calibration=calibration_shipped())
    ...     sorted(p.name for p in Path(folder).iterdir())
    ['MANIFEST.json', 'crimes.csv', 'involvements.csv', 'orders.csv', 'people.csv']
    >>> 2_500 < s.row_counts["vawg_offences"] < 3_500
    True
    """
    clock = time.perf_counter()
    if years < 1:
        raise UserInputError("--years must be at least 1")
    if not disparity > 0:
        raise UserInputError("--disparity must be a positive number")
    ethnicity_codes = [code for code, _ in calibration.victim_ethnicity_shares]
    if disparity_group not in ethnicity_codes:
        raise UserInputError(
            f"--disparity-group must be one of {', '.join(ethnicity_codes)}, not {disparity_group}"
        )
    if size not in ("small", "london"):
        raise UserInputError(f"--size must be small or london, not {size}")
    rng = np.random.default_rng(seed)
    start_date, n_days = _window(end_date, years)
    scale = 1.0 if size == "london" else SMALL_CRIMES_PER_YEAR / calibration.annual_total
    types = offence_types(calibration=calibration)
    vawg_types = [i for i, t in enumerate(types) if not t.precursor]
    precursor_types = [i for i, t in enumerate(types) if t.precursor]
    expected = np.array([types[i].expected_per_year for i in vawg_types])

    # Crimes and their offences: the Met's mix, at its annual volume.
    n_crimes = round(calibration.annual_total * scale * years)
    offence = np.array(vawg_types, dtype=np.int64)[_choice(rng, n_crimes, expected)]

    # Suspects' careers over the window and a burn-in before it.
    distinct_target = calibration.suspects_per_year * scale
    rate = distinct_target / _distinct_per_career_start()
    n_careers = int(rng.poisson(rate * (years + BURN_IN_YEARS)))
    career, day, _ = _careers(rng, n_careers, -365.0 * BURN_IN_YEARS, float(n_days))
    keep = (day >= 0) & (day < n_days)
    career, day = career[keep], np.floor(day[keep]).astype(np.int64)
    careers_seen, suspect_of_event = np.unique(career, return_inverse=True)
    n_suspects = careers_seen.size
    n_named = min(career.size, int(0.95 * n_crimes))
    if n_named < career.size:  # a career model far from the mix; keep the first events
        pick = np.sort(rng.choice(career.size, n_named, replace=False))
        suspect_of_event, day = suspect_of_event[pick], day[pick]

    # Which crimes name a suspect: weighted sampling without replacement (Efraimidis-Spirakis),
    # with weights the odds of each offence's naming probability.
    p_named = np.array([t.p_named for t in types])[offence]
    weight = p_named / (1.0 - p_named + 1e-3)
    key = np.log(rng.random(n_crimes)) / weight
    named_crimes = np.argsort(-key, kind="stable")[:n_named]

    # Match named crimes to career events: high-activity suspects get the more harmful crimes.
    harm = np.array([t.harm_days for t in types])
    events_per_suspect = np.bincount(suspect_of_event, minlength=n_suspects).astype(float)
    activity = _rank_normal(events_per_suspect, rng)
    seriousness = rng.standard_normal(n_suspects)
    slot_key = (
        HARM_ACTIVITY_CORRELATION * activity[suspect_of_event]
        + HARM_SERIOUSNESS_CORRELATION * seriousness[suspect_of_event]
        + np.sqrt(1 - HARM_ACTIVITY_CORRELATION**2 - HARM_SERIOUSNESS_CORRELATION**2)
        * rng.standard_normal(n_named)
    )
    crime_key = np.log(harm[offence[named_crimes]]) + 0.01 * rng.standard_normal(n_named)
    slot_order = np.argsort(slot_key, kind="stable")
    crime_order = np.argsort(crime_key, kind="stable")
    suspect_of_crime = np.full(n_crimes, -1, dtype=np.int64)
    suspect_of_crime[named_crimes[crime_order]] = suspect_of_event[slot_order]
    # Escalation: within a suspect, order the crimes by noisy harm and give them the dates in
    # time order.
    named_suspect = suspect_of_crime[named_crimes]
    noisy_harm = np.log(harm[offence[named_crimes]]) + ESCALATION_NOISE * rng.standard_normal(
        n_named
    )
    crime_rank = _group_rank(named_suspect, noisy_harm)
    event_rank = _group_rank(suspect_of_event, day.astype(float))
    by_suspect_rank = np.lexsort((event_rank, suspect_of_event))
    counts = np.bincount(suspect_of_event, minlength=n_suspects)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    recorded = rng.integers(0, n_days, n_crimes)
    recorded[named_crimes] = day[by_suspect_rank[starts[named_suspect] + crime_rank]]

    # Domestic abuse and the victim each crime is against.
    is_named = suspect_of_crime >= 0
    child = np.array([t.child_ages is not None for t in types])[offence]
    p_domestic = np.array([t.p_domestic for t in types])[offence]
    victim_class = np.where(
        ~is_named, 3, np.where(child, 1, np.where(rng.random(n_crimes) < p_domestic, 0, 2))
    )
    crimes_of = np.bincount(
        suspect_of_crime[is_named] * 4 + victim_class[is_named], minlength=n_suspects * 4
    )
    new_p = np.array([NEW_DA_VICTIM_PROBABILITY, 0.5, NEW_OTHER_VICTIM_PROBABILITY, 0.0])
    victims_of = 1 + rng.binomial(np.maximum(crimes_of - 1, 0), np.tile(new_p, n_suspects))
    victims_of = np.minimum(victims_of, 15)
    dyad = np.where(is_named, suspect_of_crime * 4 + victim_class, 0)
    slot = np.floor(rng.random(n_crimes) * victims_of[dyad]).astype(np.int64)
    unnamed_pool = max(int((~is_named).sum()) * 3, 1)  # about 15% repeat
    victim_key = np.where(
        is_named, dyad * 16 + slot, n_suspects * 64 + rng.integers(0, unnamed_pool, n_crimes)
    )

    # Precursors: non-VAWG offences by named suspects, mostly before their first VAWG crime.
    n_pre = round(PRECURSOR_RATE * n_named)
    pre_weight = counts.astype(float) ** 0.8
    pre_suspect = _choice(rng, n_pre, pre_weight / pre_weight.sum())
    first_day = np.full(n_suspects, n_days, dtype=np.int64)
    np.minimum.at(first_day, named_suspect, recorded[named_crimes])
    pre_day = first_day[pre_suspect] - rng.integers(1, 181, n_pre)
    pre_day = np.where(pre_day >= 0, pre_day, rng.integers(0, n_days, n_pre))
    pre_shares = np.array([types[i].expected_per_year for i in precursor_types])
    pre_offence = np.array(precursor_types, dtype=np.int64)[_choice(rng, n_pre, pre_shares)]
    base_key = int(victim_key.max()) + 1
    pre_victim_key = base_key + np.arange(n_pre)

    offence = np.concatenate([offence, pre_offence])
    recorded = np.concatenate([recorded, pre_day])
    suspect_of_crime = np.concatenate([suspect_of_crime, pre_suspect])
    victim_class = np.concatenate([victim_class, np.full(n_pre, 2)])
    victim_key = np.concatenate([victim_key, pre_victim_key])
    is_precursor = np.r_[np.zeros(n_crimes, bool), np.ones(n_pre, bool)]
    is_named = suspect_of_crime >= 0
    total = offence.size

    # Crime order: by recorded day, ties at random; crime_ref follows this order.
    order = np.lexsort((rng.random(total), recorded))
    offence, recorded, suspect_of_crime = offence[order], recorded[order], suspect_of_crime[order]
    victim_class, victim_key = victim_class[order], victim_key[order]
    is_precursor, is_named = is_precursor[order], is_named[order]

    # Victims: one person per distinct key, described at their first crime.
    victim_keys, first_crime, victim_of_crime = np.unique(
        victim_key, return_index=True, return_inverse=True
    )
    n_victims = victim_keys.size
    relationship_p = np.array(
        [DOMESTIC_RELATIONSHIPS, CHILD_RELATIONSHIPS, OTHER_RELATIONSHIPS, NO_SUSPECT_RELATIONSHIPS]
    )
    v_class = victim_class[first_crime]
    v_relationship = np.empty(n_victims, dtype=np.int64)
    for c in range(4):
        members = np.flatnonzero(v_class == c)
        v_relationship[members] = _choice(rng, members.size, relationship_p[c])
    relationship = v_relationship[victim_of_crime]
    relationship[is_precursor] = _choice(rng, int(is_precursor.sum()), OTHER_RELATIONSHIPS)
    domestic = relationship <= 2

    # Places: domestic crimes at the victim's home, others drawn afresh; some unlocated.
    ward_weight = np.array([w.count for w in calibration.wards])
    ward_p = ward_weight / ward_weight.sum()
    home_ward = _choice(rng, n_victims, ward_p)
    crime_ward = np.where(domestic, home_ward[victim_of_crime], _choice(rng, total, ward_p))
    crime_ward[rng.random(total) < calibration.unlocated_share] = -1
    located = np.flatnonzero(crime_ward >= 0)
    site_key = np.where(domestic, victim_of_crime, n_victims + np.arange(total))[located]
    _, site_first, site_of = np.unique(site_key, return_index=True, return_inverse=True)
    site_ward = crime_ward[located][site_first]
    if calibration.polygons is not None:
        site_lon, site_lat = points_in_wards(
            ward_index=site_ward, polygons=calibration.polygons, rng=rng
        )
    else:
        site_lon, site_lat = points_from_table(
            ward_index=site_ward, points=[w.points for w in calibration.wards], rng=rng
        )
    lon = np.full(total, np.nan)
    lat = np.full(total, np.nan)
    lon[located], lat[located] = site_lon[site_of], site_lat[site_of]

    # Dates: committed before recorded (sexual offences often long before); outcomes after.
    groups = np.array([t.group for t in types])
    sexual = np.isin(groups[offence], ["Rape", "Other Sexual Offences"])
    lag = np.where(rng.random(total) < 0.55, 0.0, rng.lognormal(np.log(3.0), 1.2, total))
    historic = sexual & (rng.random(total) < 0.25)
    lag = np.where(historic, rng.lognormal(np.log(700.0), 1.0, total), lag)
    committed = recorded - np.floor(lag).astype(np.int64)
    committed_known = rng.random(total) >= 0.04
    median = np.array([t.outcome_median_days for t in types])[offence]
    outcome_day = recorded + np.ceil(rng.lognormal(np.log(median), 1.0, total)).astype(np.int64)
    assigned = outcome_day < n_days
    outcome = np.full(total, "", dtype=object)
    for name, mask in (
        ("no_suspect", ~is_named),
        ("domestic", is_named & domestic),
        ("other", is_named & ~domestic),
    ):
        members = np.flatnonzero(mask & assigned)
        codes = list(OUTCOME_SHARES[name])
        pick = _choice(rng, members.size, np.array(list(OUTCOME_SHARES[name].values())))
        outcome[members] = np.array(codes, dtype=object)[pick]

    # People: suspects, victims and witnesses, with refs in shuffled order.
    n_witness_crimes = round(WITNESS_SHARE * total)
    witness_crime = np.sort(rng.choice(total, n_witness_crimes, replace=False))
    n_people = n_suspects + n_victims + n_witness_crimes
    population = np.array([s for _, s in calibration.victim_ethnicity_shares])
    tilt = np.where(np.array(ethnicity_codes) == disparity_group, disparity, 1.0)
    ethnicity = np.concatenate(
        [
            _choice(rng, n_suspects, population * tilt),
            _choice(rng, n_victims + n_witness_crimes, population),
        ]
    )
    sex_codes = np.array(["F", "M", "U"])
    suspect_sex = sex_codes[_choice(rng, n_suspects, (0.08, 0.91, 0.01))]
    v_female = np.array([t.victim_female for t in types])[offence[first_crime]]
    v_u = rng.random(n_victims)
    victim_sex = np.where(v_u < v_female * 0.995, "F", np.where(v_u < 0.995, "M", "U"))
    witness_sex = sex_codes[_choice(rng, n_witness_crimes, (0.5, 0.48, 0.02))]
    band = _choice(rng, n_suspects, np.array([b[2] for b in SUSPECT_AGE_BANDS]))
    lo = np.array([b[0] for b in SUSPECT_AGE_BANDS])[band]
    hi = np.array([b[1] for b in SUSPECT_AGE_BANDS])[band]
    first_year = start_date.year + (first_day // 365)
    suspect_birth = first_year - rng.integers(lo, hi + 1)
    age_labels = [a for a, _ in calibration.victim_age_shares]
    age_lo = np.array([int("".join(ch for ch in a.split()[1] if ch.isdigit())) for a in age_labels])
    age_hi = np.array([age_lo[i] + 9 if i + 1 < len(age_lo) else 90 for i in range(len(age_lo))])
    vband = _choice(rng, n_victims, np.array([s for _, s in calibration.victim_age_shares]))
    victim_age = rng.integers(np.maximum(age_lo[vband], 16), age_hi[vband] + 1)
    child_lo = np.array([t.child_ages[0] if t.child_ages else 0 for t in types])
    child_hi = np.array([t.child_ages[1] if t.child_ages else 0 for t in types])
    v_offence = offence[first_crime]
    is_child_v = child_hi[v_offence] > 0
    victim_age = np.where(
        is_child_v, rng.integers(child_lo[v_offence], child_hi[v_offence] + 1), victim_age
    )
    victim_age = np.where(
        (vband == 0) & ~is_child_v & (rng.random(n_victims) < 0.35),
        rng.integers(13, 16, n_victims),
        victim_age,
    )
    victim_birth = start_date.year + recorded[first_crime] // 365 - victim_age
    witness_birth = start_date.year - rng.integers(18, 70, n_witness_crimes)
    sex = np.concatenate([suspect_sex, victim_sex, witness_sex])
    birth = np.concatenate([suspect_birth, victim_birth, witness_birth])
    birth_known = rng.random(n_people) >= 0.03
    person_number = rng.permutation(n_people) + 1
    person_ref = np.array([f"SP{n:07d}" for n in person_number.tolist()], dtype=object)

    # Involvements: a suspect (or offender) row and a victim row per crime; some witnesses.
    crime_ref = np.array([f"SC{i + 1:08d}" for i in range(total)], dtype=object)
    rel_names = np.array(RELATIONSHIPS, dtype=object)
    named_idx = np.flatnonzero(is_named)
    offender = np.isin(outcome[named_idx], OFFENDER_OUTCOMES)
    inv_crime = np.concatenate([named_idx, np.arange(total), witness_crime])
    inv_person = np.concatenate(
        [
            suspect_of_crime[named_idx],
            n_suspects + victim_of_crime,
            n_suspects + n_victims + np.arange(n_witness_crimes),
        ]
    )
    inv_role = np.concatenate(
        [
            np.where(offender, "offender", "suspect"),
            np.full(total, "victim"),
            np.full(n_witness_crimes, "witness"),
        ]
    ).astype(object)
    inv_rel = np.concatenate(
        [
            rel_names[relationship[named_idx]],
            rel_names[relationship],
            np.full(n_witness_crimes, "", dtype=object),
        ]
    )
    inv_order = np.lexsort(
        (np.r_[np.zeros(named_idx.size), np.ones(total), np.full(n_witness_crimes, 2)], inv_crime)
    )

    orders = _orders(
        rng=rng,
        n_days=n_days,
        is_named=is_named,
        domestic=domestic,
        is_precursor=is_precursor,
        groups=groups[offence],
        offence_names=np.array([t.offence for t in types], dtype=object)[offence],
        recorded=recorded,
        outcome=outcome,
        outcome_day=outcome_day,
        suspect=suspect_of_crime,
        victim=n_suspects + victim_of_crime,
        scale=scale,
    )

    epoch = (start_date - date(1970, 1, 1)).days
    crimes = (
        pl.DataFrame(
            {
                "crime_ref": crime_ref.tolist(),
                "recorded_date": recorded + epoch,
                "committed_date": np.where(committed_known, committed + epoch, -(10**6)),
                "offence_code": [types[i].ho_code for i in offence.tolist()],
                "offence_description": [types[i].description for i in offence.tolist()],
                "domestic_abuse": np.where(domestic, "Y", "N").tolist(),
                "latitude": np.round(lat, 6),
                "longitude": np.round(lon, 6),
                "outcome_code": outcome.tolist(),
                "outcome_date": np.where(assigned, outcome_day + epoch, -(10**6)),
                "_group": groups[offence].tolist(),
                "_harm_days": harm[offence],
                "_precursor": is_precursor,
                "_ward": crime_ward,
                "_suspect": suspect_of_crime,
                "_victim": n_suspects + victim_of_crime,
            }
        )
        .with_columns(
            pl.col("recorded_date").cast(pl.Int32).cast(pl.Date),
            *(
                pl.when(pl.col(c) > -(10**6)).then(pl.col(c)).cast(pl.Int32).cast(pl.Date).alias(c)
                for c in ("committed_date", "outcome_date")
            ),
        )
        .with_columns(
            pl.col("latitude").fill_nan(None),
            pl.col("longitude").fill_nan(None),
            pl.when(pl.col("outcome_code") == "")
            .then(None)
            .otherwise(pl.col("outcome_code"))
            .alias("outcome_code"),
        )
    )
    people = pl.DataFrame(
        {
            "person_ref": person_ref.tolist(),
            "sex": sex.tolist(),
            "birth_year": np.where(birth_known, birth, -1),
            "ethnicity": np.array(ethnicity_codes, dtype=object)[ethnicity].tolist(),
            "_index": np.arange(n_people),
        }
    ).with_columns(pl.when(pl.col("birth_year") > 0).then(pl.col("birth_year")).alias("birth_year"))
    involvements = pl.DataFrame(
        {
            "crime_ref": crime_ref[inv_crime[inv_order]].tolist(),
            "person_ref": person_ref[inv_person[inv_order]].tolist(),
            "role": inv_role[inv_order].tolist(),
            "relationship": inv_rel[inv_order].tolist(),
        }
    ).with_columns(
        pl.when(pl.col("relationship") == "")
        .then(None)
        .otherwise(pl.col("relationship"))
        .alias("relationship")
    )
    order_frame = pl.DataFrame(
        {
            "order_ref": [f"SO{i + 1:07d}" for i in range(len(orders["type"]))],
            "order_type": orders["type"],
            "subject_ref": person_ref[np.asarray(orders["subject"], dtype=np.int64)].tolist(),
            "protected_ref": [person_ref[p] if p >= 0 else None for p in orders["protected"]],
            "start_date": [start_date + timedelta(days=int(d)) for d in orders["start"]],
            "end_date": [
                start_date + timedelta(days=int(d)) if d >= 0 else None for d in orders["end"]
            ],
            "breach_dates": [
                ";".join((start_date + timedelta(days=int(b))).isoformat() for b in bs) or None
                for bs in orders["breaches"]
            ],
        },
        schema={
            "order_ref": pl.String,
            "order_type": pl.String,
            "subject_ref": pl.String,
            "protected_ref": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "breach_dates": pl.String,
        },
    )
    people_out = people.sort("person_ref")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for frame, schema in (
        (crimes, FORCE_CRIMES_FILE),
        (people_out, FORCE_PEOPLE_FILE),
        (involvements, FORCE_INVOLVEMENTS_FILE),
        (order_frame, FORCE_ORDERS_FILE),
    ):
        # The contract's columns that the generator makes, in the contract's order.
        written = [name for name in schema.names if name in frame.columns]
        frame.select(written).write_csv(out / f"{schema.name}.csv")
    row_counts = {
        "crimes": crimes.height,
        "vawg_offences": int((~is_precursor).sum()),
        "precursor_offences": int(is_precursor.sum()),
        "people": people.height,
        "involvements": involvements.height,
        "orders": order_frame.height,
    }
    population_ethnicity = tuple(calibration.victim_ethnicity_shares)
    manifest = {
        "synthetic": True,
        "notice": "SYNTHETIC DATA generated by `vawg synth`. No row describes a real crime or "
        "person; names of offences and places are real, the records are not.",
        "generator": "vawg.synth",
        "generator_version": __version__,
        "seed": seed,
        "size": size,
        "years": years,
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "disparity": disparity,
        "disparity_group": disparity_group,
        "population_ethnicity_shares": {c: round(s, 6) for c, s in population_ethnicity},
        "calibration": {
            "source": calibration.source,
            "period_start": calibration.period_start.isoformat(),
            "period_end": calibration.period_end.isoformat(),
            "annual_total": calibration.annual_total,
            "suspects_per_year": calibration.suspects_per_year,
            "ward_polygons": calibration.polygons is not None,
        },
        "row_counts": row_counts,
        "files": ["crimes.csv", "people.csv", "involvements.csv", "orders.csv"],
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return SynthSummary(
        out=out,
        seed=seed,
        size=size,
        years=years,
        start_date=start_date,
        end_date=end_date,
        scale=scale,
        disparity=disparity,
        disparity_group=disparity_group,
        calibration_source=calibration.source,
        row_counts=row_counts,
        crimes=crimes,
        people=people,
        involvements=involvements,
        orders=order_frame,
        population_ethnicity=population_ethnicity,
        seconds=time.perf_counter() - clock,
    )


def _orders(
    *,
    rng: np.random.Generator,
    n_days: int,
    is_named: BoolArray,
    domestic: BoolArray,
    is_precursor: BoolArray,
    groups: npt.NDArray[Any],
    offence_names: npt.NDArray[Any],
    recorded: IntArray,
    outcome: npt.NDArray[Any],
    outcome_day: IntArray,
    suspect: IntArray,
    victim: IntArray,
    scale: float,
) -> dict[str, list[Any]]:
    """Protective orders (DOMAIN.md section 7) tied to crimes; all rates provisional."""
    _ = scale
    result: dict[str, list[Any]] = {
        "type": [],
        "subject": [],
        "protected": [],
        "start": [],
        "end": [],
        "breaches": [],
    }

    def add(
        kind: str,
        crimes: IntArray,
        start: IntArray,
        end: IntArray,
        protected: bool,
        breach_p: float,
    ) -> None:
        keep = start < n_days
        crimes, start, end = crimes[keep], start[keep], end[keep]
        breached = rng.random(crimes.size) < breach_p
        n_breach = rng.integers(1, 4, crimes.size)
        for c, s, e, b, k in zip(
            crimes.tolist(),
            start.tolist(),
            end.tolist(),
            breached.tolist(),
            n_breach.tolist(),
            strict=True,
        ):
            last = min(e if e >= 0 else n_days - 1, n_days - 1)
            days = sorted(set(rng.integers(s + 1, last + 1, k).tolist())) if b and last > s else []
            result["type"].append(kind)
            result["subject"].append(int(suspect[c]))
            result["protected"].append(int(victim[c]) if protected else -1)
            result["start"].append(s)
            result["end"].append(e)
            result["breaches"].append(days)

    charged = np.isin(outcome, CHARGED)
    eligible = is_named & ~is_precursor
    dvpn = np.flatnonzero(eligible & domestic & (rng.random(is_named.size) < 0.03))
    add("DVPN", dvpn, recorded[dvpn], recorded[dvpn] + 2, True, 0.05)
    dvpo = dvpn[rng.random(dvpn.size) < 0.85]
    dvpo_start = recorded[dvpo] + 2
    dvpo_end = dvpo_start + np.where(rng.random(dvpo.size) < 0.7, 28, 14)
    add("DVPO", dvpo, dvpo_start, dvpo_end, True, 0.22)
    stalking = np.array(["stalking" in str(o).lower() for o in offence_names])
    spo = np.flatnonzero(eligible & stalking & (rng.random(is_named.size) < 0.03))
    spo_start = recorded[spo] + rng.integers(14, 121, spo.size)
    add("SPO", spo, spo_start, np.where(rng.random(spo.size) < 0.3, -1, spo_start + 730), True, 0.2)
    sexual = np.isin(groups, ["Rape", "Other Sexual Offences"])
    shpo = np.flatnonzero(eligible & sexual & charged & (rng.random(is_named.size) < 0.6))
    shpo_start = outcome_day[shpo] + rng.integers(30, 121, shpo.size)
    add(
        "SHPO",
        shpo,
        shpo_start,
        np.where(rng.random(shpo.size) < 0.4, -1, shpo_start + 1826),
        False,
        0.08,
    )
    harassment = np.isin(groups, ["Stalking and Harassment"])
    ro = np.flatnonzero(
        eligible & (domestic | harassment) & charged & (rng.random(is_named.size) < 0.4)
    )
    ro_start = outcome_day[ro] + rng.integers(30, 201, ro.size)
    ro_end = np.where(rng.random(ro.size) < 0.3, -1, ro_start + 365 * rng.integers(1, 6, ro.size))
    add("RO", ro, ro_start, ro_end, True, 0.15)
    nmo = np.flatnonzero(eligible & domestic & (rng.random(is_named.size) < 0.02))
    nmo_start = recorded[nmo] + rng.integers(7, 91, nmo.size)
    add(
        "NMO", nmo, nmo_start, nmo_start + np.where(rng.random(nmo.size) < 0.5, 182, 365), True, 0.2
    )
    return result
