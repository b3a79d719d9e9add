"""General (non-VAWG) offending: the men and women a force names for theft, drugs, criminal damage
and public order, most of whom never go on to a VAWG allegation, and the generalist VAWG suspects
who offend outside VAWG too.

Before this stage the only non-VAWG offences in an extract were the precursor offences of VAWG
suspects (:data:`vawg.synth.generate.PRECURSOR_RATE`), so everyone named for a non-VAWG offence
was a VAWG suspect and no offence type could predict a VAWG allegation better than any other. A
force's records are not like that: most people it names for non-VAWG offences are never named for
VAWG, while a share of VAWG perpetrators are versatile offenders (docs/synth.md, General
offending, for the sources). This stage adds both, on its own random stream
(:func:`general_rng`), after everything else is drawn, so that the VAWG crimes, people and
involvements of a seed stay exactly as they were and the VAWG calibration is untouched.

Volumes follow the Met's published recorded crime (``mps/recorded-crime-borough.parquet``,
September 2024 to August 2025) times a share of crimes naming a suspect per type: the counts are
published, the shares are assumptions (:data:`GENERAL_TYPES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from vawg.synth.calibration import Calibration
from vawg.synth.careers import BURN_IN_YEARS, careers_draw
from vawg.synth.draws import choice_draw
from vawg.synth.offences import OFFENDER_OUTCOMES, OUTCOME_SHARES
from vawg.synth.people import SUSPECT_AGE_BANDS
from vawg.synth.places import points_from_table, points_in_wards

GENERAL_STREAM = 14
"""Second key of the general stage's random stream, ``default_rng([seed, GENERAL_STREAM])``."""

# HO code, title, Met recorded a year (Sep 2024-Aug 2025, recorded-crime-borough.parquet, the
# minor category named), share of crimes naming a suspect (assumption), CCHI harm days.
GENERAL_TYPES: tuple[tuple[str, str, float, float, float], ...] = (
    ("58A", "Criminal damage to a dwelling", 53_257 * 0.35, 0.20, 2.0),
    ("58C", "Criminal damage to a vehicle", 53_257 * 0.40, 0.20, 2.0),
    ("58D", "Other criminal damage", 53_257 * 0.25, 0.20, 2.0),
    ("9A", "Public fear, alarm or distress", 34_785, 0.40, 7.5),
    ("92D", "Possession of drugs", 30_463, 1.00, 3.0),
    ("46", "Shoplifting", 91_892, 0.30, 1.0),
    ("49", "Other theft", 103_237, 0.05, 2.0),
    ("34B", "Robbery of personal property", 25_367, 0.10, 365.0),
)
"""The general offences: (HO code, title, Met crimes a year, share naming a suspect, harm days).

Met counts: criminal damage 53,257 (split between dwelling, vehicle and other by assumption,
0.35/0.40/0.25), public fear, alarm or distress 34,785, possession of drugs 30,463, shoplifting
91,892, other theft 103,237, robbery of personal property 25,367. The shares naming a suspect are
assumptions (a possession offence always names its suspect; most thefts name none)."""

GENERALIST_SHARE = 0.40
"""Share of VAWG suspects who are also named for non-VAWG offences (Coghlan & Millsteed 2017,
Crime Statistics Agency Victoria: 40% of family-violence perpetrators were "generalists",
recorded for non-family-violence offences over five years; the US studies in Klein 2009, NIJ,
put the share with a prior record at 49-89%)."""

GENERALIST_OFFENCES_MEAN = 2.0
"""Mean non-VAWG offences of a generalist VAWG suspect over the window: 1 + Poisson(1)
(assumption)."""

SUSPECT_SEX = (0.15, 0.84, 0.01)
"""Sex of general offenders (F, M, U; assumption: men are about five in six of those named)."""


@dataclass(frozen=True)
class General:
    """The general stage's rows, in the extract's columns (``crimes`` with the generator's private
    columns), and what it drew."""

    crimes: pl.DataFrame
    people: pl.DataFrame
    involvements: pl.DataFrame
    n_offenders: int
    n_generalists: int


def general_rng(seed: int) -> np.random.Generator:
    """The general stage's own stream: the same seed gives the same rows, and the main stream's
    draws (every VAWG row) do not depend on it."""
    return np.random.default_rng([seed, GENERAL_STREAM])


@lru_cache(maxsize=1)
def events_per_career_in_window() -> float:
    """Career events inside a 365-day window per career started per 365 days (steady state, by
    simulation with a fixed seed)."""
    rng = np.random.default_rng(20261203)
    n = 400_000
    _, day, _ = careers_draw(rng=rng, n_careers=n, first_day=-365.0 * BURN_IN_YEARS, last_day=365.0)
    return float(((day >= 0) & (day < 365)).sum()) / (n / (BURN_IN_YEARS + 1))


def general_draw(
    *,
    seed: int,
    scale: float,
    years: int,
    n_days: int,
    start_date: date,
    calibration: Calibration,
    vawg_crimes: pl.DataFrame,
    person_ref: npt.NDArray[Any],
) -> General:
    """Draw general offenders' careers and generalist VAWG suspects' non-VAWG offences.

    General offenders follow the generator's career model (:func:`careers_draw`), started at the
    rate that gives the expected named crimes a year of :data:`GENERAL_TYPES` (times ``scale``),
    each event a type drawn by its named volume; none of them has a VAWG crime. A share of VAWG
    suspects (:data:`GENERALIST_SHARE`, counting those who already have a precursor offence) get
    1 + Poisson(1) general offences on days uniform over the window, before or after their VAWG
    crimes: versatility, not a precursor. ``vawg_crimes`` is the generator's crime table (with
    ``_suspect`` and ``_precursor``); ``person_ref`` maps person indices to references.
    """
    rng = general_rng(seed)
    codes = np.array([t[0] for t in GENERAL_TYPES], dtype=object)
    titles = np.array([t[1] for t in GENERAL_TYPES], dtype=object)
    named_per_year = np.array([t[2] * t[3] for t in GENERAL_TYPES]) * scale
    harm = np.array([t[4] for t in GENERAL_TYPES])

    # General offenders: careers over the window and the burn-in, events inside the window kept.
    rate = named_per_year.sum() / events_per_career_in_window()
    n_careers = int(rng.poisson(rate * (years + BURN_IN_YEARS)))
    career, day, _ = careers_draw(
        rng=rng, n_careers=n_careers, first_day=-365.0 * BURN_IN_YEARS, last_day=float(n_days)
    )
    keep = (day >= 0) & (day < n_days)
    careers_seen, offender = np.unique(career[keep], return_inverse=True)
    g_day = np.floor(day[keep]).astype(np.int64)
    n_offenders = careers_seen.size

    # Generalist VAWG suspects: non-VAWG offences beside their VAWG ones.
    named = vawg_crimes.filter(pl.col("_suspect") >= 0)
    suspects = np.unique(named["_suspect"].to_numpy())
    with_pre = np.unique(named.filter(pl.col("_precursor"))["_suspect"].to_numpy())
    without = np.setdiff1d(suspects, with_pre)
    share_pre = with_pre.size / max(suspects.size, 1)
    p_extra = max(GENERALIST_SHARE - share_pre, 0.0) / max(1.0 - share_pre, 1e-9)
    generalists = without[rng.random(without.size) < p_extra]
    per = 1 + rng.poisson(GENERALIST_OFFENCES_MEAN - 1.0, generalists.size)
    v_suspect = np.repeat(generalists, per)
    v_day = rng.integers(0, n_days, v_suspect.size)

    n_g, n_v = g_day.size, v_suspect.size
    total = n_g + n_v
    kind = choice_draw(rng, total, named_per_year)
    recorded = np.r_[g_day, v_day]
    lag = np.where(rng.random(total) < 0.6, 0, np.floor(rng.lognormal(np.log(2.0), 1.0, total)))
    committed = recorded - lag.astype(np.int64)
    outcome_day = recorded + np.ceil(rng.lognormal(np.log(30.0), 1.0, total)).astype(np.int64)
    assigned = outcome_day < n_days
    shares = OUTCOME_SHARES["other"]
    outcome = np.array(list(shares), dtype=object)[
        choice_draw(rng, total, np.array(list(shares.values())))
    ]
    outcome = np.where(assigned, outcome, "")

    ward_weight = np.array([w.count for w in calibration.wards], dtype=float)
    ward = choice_draw(rng, total, ward_weight / ward_weight.sum())
    ward[rng.random(total) < calibration.unlocated_share] = -1
    located = np.flatnonzero(ward >= 0)
    if calibration.polygons is not None:
        p_lon, p_lat = points_in_wards(
            ward_index=ward[located], polygons=calibration.polygons, rng=rng
        )
    else:
        p_lon, p_lat = points_from_table(
            ward_index=ward[located], points=[w.points for w in calibration.wards], rng=rng
        )
    lon, lat = np.full(total, np.nan), np.full(total, np.nan)
    lon[located], lat[located] = p_lon, p_lat

    # People: the general offenders, with references of their own (shuffled).
    ethnicity_codes = [code for code, _ in calibration.victim_ethnicity_shares]
    population = np.array([s for _, s in calibration.victim_ethnicity_shares])
    sex = np.array(["F", "M", "U"])[choice_draw(rng, n_offenders, SUSPECT_SEX)]
    band = choice_draw(rng, n_offenders, np.array([b[2] for b in SUSPECT_AGE_BANDS]))
    lo = np.array([b[0] for b in SUSPECT_AGE_BANDS])[band]
    hi = np.array([b[1] for b in SUSPECT_AGE_BANDS])[band]
    first = np.full(n_offenders, n_days, dtype=np.int64)
    np.minimum.at(first, offender, g_day)
    birth = start_date.year + first // 365 - rng.integers(lo, hi + 1)
    birth_known = rng.random(n_offenders) >= 0.03
    number = rng.permutation(n_offenders) + 1
    g_ref = np.array([f"SG{n:07d}" for n in number.tolist()], dtype=object)
    people = pl.DataFrame(
        {
            "person_ref": g_ref.tolist(),
            "sex": sex.tolist(),
            "birth_year": np.where(birth_known, birth, -1),
            "ethnicity": np.array(ethnicity_codes, dtype=object)[
                choice_draw(rng, n_offenders, population)
            ].tolist(),
        }
    ).with_columns(pl.when(pl.col("birth_year") > 0).then(pl.col("birth_year")).alias("birth_year"))

    epoch = (start_date - date(1970, 1, 1)).days
    order = np.lexsort((np.arange(total), recorded))
    crime_ref = np.empty(total, dtype=object)
    crime_ref[order] = [f"SG{i + 1:08d}" for i in range(total)]
    suspect_ref = np.r_[g_ref[offender], person_ref[v_suspect]] if total else np.array([])
    suspect_index = np.r_[-2 - offender, v_suspect]
    crimes = (
        pl.DataFrame(
            {
                "crime_ref": crime_ref.tolist(),
                "recorded_date": recorded + epoch,
                "committed_date": committed + epoch,
                "offence_code": codes[kind].tolist(),
                "offence_description": titles[kind].tolist(),
                "domestic_abuse": ["N"] * total,
                "latitude": np.round(lat, 6),
                "longitude": np.round(lon, 6),
                "outcome_code": outcome.tolist(),
                "outcome_date": np.where(assigned, outcome_day + epoch, -(10**6)),
                "_group": ["general"] * total,
                "_harm_days": harm[kind],
                "_precursor": np.ones(total, dtype=bool),
                "_ward": ward,
                "_suspect": suspect_index,
                "_victim": np.full(total, -1, dtype=np.int64),
            }
        )
        .with_columns(
            pl.col("recorded_date").cast(pl.Int32).cast(pl.Date),
            pl.col("committed_date").cast(pl.Int32).cast(pl.Date),
            pl.when(pl.col("outcome_date") > -(10**6))
            .then(pl.col("outcome_date"))
            .cast(pl.Int32)
            .cast(pl.Date)
            .alias("outcome_date"),
            pl.col("latitude").fill_nan(None),
            pl.col("longitude").fill_nan(None),
            pl.when(pl.col("outcome_code") == "")
            .then(None)
            .otherwise(pl.col("outcome_code"))
            .alias("outcome_code"),
            pl.lit(True).alias("_general"),
        )
        .sort("crime_ref")
    )
    offender_role = np.isin(outcome, OFFENDER_OUTCOMES)
    involvements = pl.DataFrame(
        {
            "crime_ref": crime_ref.tolist(),
            "person_ref": list(suspect_ref),
            "role": np.where(offender_role, "offender", "suspect").tolist(),
            "relationship": [None] * total,
        },
        schema={
            "crime_ref": pl.String,
            "person_ref": pl.String,
            "role": pl.String,
            "relationship": pl.String,
        },
    ).sort("crime_ref")
    return General(
        crimes=crimes,
        people=people,
        involvements=involvements,
        n_offenders=n_offenders,
        n_generalists=int(generalists.size),
    )
