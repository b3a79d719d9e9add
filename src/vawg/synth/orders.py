"""Protective orders tied to the generated crimes (``docs/sources.md``, Protective orders): DVPNs
and the DVPOs that follow them, stalking protection orders, sexual harm prevention orders after a
charge for a sexual offence, restraining orders after a charge for domestic abuse or harassment, and
non-molestation orders, each with its breaches. Every rate here is provisional (``docs/synth.md``).
Days count from the first day of the window.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from vawg.schemas import FORCE_ORDERS_FILE
from vawg.synth.offences import CHARGED

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def orders_draw(
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
    person_ref: npt.NDArray[Any],
    start_date: date,
) -> pl.DataFrame:
    """Protective orders tied to the crimes, as the contract's ``orders`` table.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator's random stream (drawn from in a fixed order).
    n_days : int
        Days in the window; orders starting later are not written.
    is_named, domestic, is_precursor : numpy.ndarray of bool, shape (n_crimes,)
        Per crime: a suspect is named; flagged domestic abuse; a precursor offence.
    groups, offence_names : numpy.ndarray of str, shape (n_crimes,)
        Per crime: the Met group and the Met offence name.
    recorded, outcome_day : numpy.ndarray of int, shape (n_crimes,)
        Per crime: the day recorded and the day of its outcome (days from ``start_date``).
    outcome : numpy.ndarray of str, shape (n_crimes,)
        Per crime: the Home Office outcome type ("" while open).
    suspect, victim : numpy.ndarray of int, shape (n_crimes,)
        Per crime: the person index of the suspect (-1: none) and of the victim.
    person_ref : numpy.ndarray of str, shape (n_people,)
        Each person's reference.
    start_date : datetime.date
        The window's first day.

    Returns
    -------
    polars.DataFrame
        One row per order, with the columns of :data:`vawg.schemas.FORCE_ORDERS_FILE`.
    """
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
    return pl.DataFrame(
        {
            "order_ref": [f"SO{i + 1:07d}" for i in range(len(result["type"]))],
            "order_type": result["type"],
            "subject_ref": person_ref[np.asarray(result["subject"], dtype=np.int64)].tolist(),
            "protected_ref": [person_ref[p] if p >= 0 else None for p in result["protected"]],
            "start_date": [start_date + timedelta(days=int(d)) for d in result["start"]],
            "end_date": [
                start_date + timedelta(days=int(d)) if d >= 0 else None for d in result["end"]
            ],
            "breach_dates": [
                ";".join((start_date + timedelta(days=int(b))).isoformat() for b in bs) or None
                for bs in result["breaches"]
            ],
        },
        schema=FORCE_ORDERS_FILE.polars(),
    )
