"""The people of the synthetic extract, and their parts in its crimes: suspects, victims and
witnesses, with sex, year of birth and ethnicity, and the involvements that tie them to crimes.

Suspects are mostly men of working age (:data:`SUSPECT_AGE_BANDS`); victims take the sex their
first crime's offence type gives (``victim_female``) and the Met's victim age and ethnicity shares;
an injected disparity multiplies one ethnic group's per-capita offending (1.0: none). Every share
here is provisional (``docs/synth.md``). People get references in shuffled order, so that a
reference says nothing about the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from vawg.synth.calibration import Calibration
from vawg.synth.draws import IntArray, choice_draw
from vawg.synth.offences import OFFENDER_OUTCOMES, OffenceType

RELATIONSHIPS = ("partner", "ex-partner", "family", "acquaintance", "stranger", "unknown")
WITNESS_SHARE = 0.04
"""Share of crimes with a recorded witness (provisional)."""
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
class People:
    """The people drawn: ``frame`` (``person_ref, sex, birth_year, ethnicity`` and ``_index``,
    the person index, in index order), each index's reference, and the crimes with a witness.
    Suspects come first (``n_suspects``), then victims (``n_victims``), then one witness per
    crime of ``witness_crime``."""

    frame: pl.DataFrame
    person_ref: npt.NDArray[Any]
    witness_crime: IntArray
    n_suspects: int
    n_victims: int


def people_draw(
    *,
    rng: np.random.Generator,
    types: tuple[OffenceType, ...],
    offence: IntArray,
    recorded: IntArray,
    first_crime: IntArray,
    first_day: IntArray,
    n_suspects: int,
    n_victims: int,
    start_date: date,
    calibration: Calibration,
    disparity: float,
    disparity_group: str,
) -> People:
    """Draw the suspects, victims and witnesses.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random stream (drawn from in a fixed order).
    types : tuple of OffenceType
        The offence types; ``offence`` indexes them.
    offence, recorded : numpy.ndarray of int, shape (n_crimes,)
        Per crime: its offence type and the day recorded (days from ``start_date``).
    first_crime : numpy.ndarray of int, shape (n_victims,)
        Per victim: the first crime against them.
    first_day : numpy.ndarray of int, shape (n_suspects,)
        Per suspect: the day of their first VAWG crime.
    n_suspects, n_victims : int
    start_date : datetime.date
        The window's first day.
    calibration : Calibration
        The victims' age and ethnicity shares.
    disparity : float
        Relative per-capita offending rate of ``disparity_group`` (1.0: none).
    disparity_group : str
        The ethnicity code it applies to.

    Returns
    -------
    People
    """
    total = offence.size
    ethnicity_codes = [code for code, _ in calibration.victim_ethnicity_shares]
    n_witness_crimes = round(WITNESS_SHARE * total)
    witness_crime = np.sort(rng.choice(total, n_witness_crimes, replace=False))
    n_people = n_suspects + n_victims + n_witness_crimes
    population = np.array([s for _, s in calibration.victim_ethnicity_shares])
    tilt = np.where(np.array(ethnicity_codes) == disparity_group, disparity, 1.0)
    ethnicity = np.concatenate(
        [
            choice_draw(rng, n_suspects, population * tilt),
            choice_draw(rng, n_victims + n_witness_crimes, population),
        ]
    )
    sex_codes = np.array(["F", "M", "U"])
    suspect_sex = sex_codes[choice_draw(rng, n_suspects, (0.08, 0.91, 0.01))]
    v_female = np.array([t.victim_female for t in types])[offence[first_crime]]
    v_u = rng.random(n_victims)
    victim_sex = np.where(v_u < v_female * 0.995, "F", np.where(v_u < 0.995, "M", "U"))
    witness_sex = sex_codes[choice_draw(rng, n_witness_crimes, (0.5, 0.48, 0.02))]
    band = choice_draw(rng, n_suspects, np.array([b[2] for b in SUSPECT_AGE_BANDS]))
    lo = np.array([b[0] for b in SUSPECT_AGE_BANDS])[band]
    hi = np.array([b[1] for b in SUSPECT_AGE_BANDS])[band]
    first_year = start_date.year + (first_day // 365)
    suspect_birth = first_year - rng.integers(lo, hi + 1)
    age_labels = [a for a, _ in calibration.victim_age_shares]
    age_lo = np.array([int("".join(ch for ch in a.split()[1] if ch.isdigit())) for a in age_labels])
    age_hi = np.array([age_lo[i] + 9 if i + 1 < len(age_lo) else 90 for i in range(len(age_lo))])
    vband = choice_draw(rng, n_victims, np.array([s for _, s in calibration.victim_age_shares]))
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
    people = pl.DataFrame(
        {
            "person_ref": person_ref.tolist(),
            "sex": sex.tolist(),
            "birth_year": np.where(birth_known, birth, -1),
            "ethnicity": np.array(ethnicity_codes, dtype=object)[ethnicity].tolist(),
            "_index": np.arange(n_people),
        }
    ).with_columns(pl.when(pl.col("birth_year") > 0).then(pl.col("birth_year")).alias("birth_year"))
    return People(
        frame=people,
        person_ref=person_ref,
        witness_crime=witness_crime,
        n_suspects=n_suspects,
        n_victims=n_victims,
    )


def involvements_build(
    *,
    people: People,
    crime_ref: npt.NDArray[Any],
    is_named: npt.NDArray[np.bool_],
    outcome: npt.NDArray[Any],
    suspect_of_crime: IntArray,
    victim_of_crime: IntArray,
    relationship: IntArray,
) -> pl.DataFrame:
    """The contract's ``involvements``: a suspect (or, after an offender outcome, offender) row
    and a victim row per crime, and a witness row per crime with a witness, by crime.

    ``crime_ref``, ``is_named``, ``outcome``, ``suspect_of_crime``, ``victim_of_crime`` (victim
    number, 0 first) and ``relationship`` (index into :data:`RELATIONSHIPS`) are per crime.
    No random draw: the same inputs give the same rows.
    """
    total = crime_ref.size
    n_suspects, n_victims = people.n_suspects, people.n_victims
    witness_crime = people.witness_crime
    n_witness_crimes = witness_crime.size
    person_ref = people.person_ref
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
    return pl.DataFrame(
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
