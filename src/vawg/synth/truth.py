"""The hidden truth of a synthetic force, and the risk markers ``vawg synth`` records.

A backtest that scores a list against *recorded* harm flatters a method that predicts what gets
recorded; the generators know every offence, so they write it apart from the extract, in
``truth/`` (a force holds no such file): ``truth/offences.csv``, one row per offence committed
with its harm, and ``truth/harm_by_year.csv``, each man's true harm per calendar year. In
``vawg synth`` every offence it draws is recorded, so its truth is its named VAWG crimes; in
``vawg synth --model simple`` most offences are never recorded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl

from vawg.harm import harm_table_default

MARKER_NAMES = ("strangulation", "threats_to_kill", "stalking", "weapon", "sexual_violence")
"""The risk markers the generators record (``risk_markers.csv``)."""

FORCED_MARKERS = {"8S": "strangulation", "8Q": "stalking", "3B": "threats_to_kill"}
"""Offences that always record a marker."""

SERIOUS_DAYS = 365.0
"""An offence of at least this many harm-days is serious."""


def truth_write(*, out: Path, offences: pl.DataFrame) -> None:
    """Write ``out/truth/offences.csv`` (``person_ref, offence_date, offence_code, harm_days,
    crime_ref, serious``) and ``out/truth/harm_by_year.csv`` (``person_ref, year,
    true_harm_days, true_offences, recorded_harm_days``): the hidden truth a backtest scores
    against, kept apart from the extract a force would hold."""
    folder = Path(out) / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    offences.sort("offence_date", "person_ref").write_csv(folder / "offences.csv")
    (
        offences.group_by("person_ref", pl.col("offence_date").dt.year().alias("year"))
        .agg(
            pl.col("harm_days").sum().alias("true_harm_days"),
            pl.len().cast(pl.Int64).alias("true_offences"),
            pl.col("harm_days")
            .filter(pl.col("crime_ref").is_not_null())
            .sum()
            .alias("recorded_harm_days"),
        )
        .sort("person_ref", "year")
        .write_csv(folder / "harm_by_year.csv")
    )


def synth_truth(*, crimes: pl.DataFrame, person_ref: npt.NDArray[np.object_]) -> pl.DataFrame:
    """``vawg synth``'s truth: its named VAWG crimes (every offence it draws is recorded), in
    the columns of :func:`truth_write`, weighed with the shipped CCHI table.

    ``crimes`` is the generator's table with ``_suspect`` and ``_precursor``; ``person_ref``
    maps a suspect index to its reference.
    """
    days = harm_table_default().days()
    named = crimes.filter((pl.col("_suspect") >= 0) & ~pl.col("_precursor"))
    refs = person_ref[named["_suspect"].to_numpy()]
    return pl.DataFrame(
        {
            "person_ref": refs.tolist(),
            "offence_date": named["recorded_date"],
            "offence_code": named["offence_code"],
            "harm_days": [days.get(c, 0.0) for c in named["offence_code"].to_list()],
            "crime_ref": named["crime_ref"],
        },
        schema={
            "person_ref": pl.String,
            "offence_date": pl.Date,
            "offence_code": pl.String,
            "harm_days": pl.Float64,
            "crime_ref": pl.String,
        },
    ).with_columns((pl.col("harm_days") >= SERIOUS_DAYS).alias("serious"))


def synth_markers(
    *,
    crimes: pl.DataFrame,
    person_ref: npt.NDArray[np.object_],
    seriousness: npt.NDArray[np.float64],
    seed: int,
) -> pl.DataFrame:
    """``vawg synth``'s ``risk_markers``: beside each named VAWG crime, each marker of
    :data:`MARKER_NAMES` with probability ``1 / (1 + exp(3.5 - 1.2 s))`` for the suspect's
    hidden seriousness ``s`` (the draw that also steers him to harmful offences), plus the
    marker an offence names itself (:data:`FORCED_MARKERS`). Drawn from their own stream
    (``seed``), so the other files are the same with or without them."""
    rng = np.random.default_rng([seed, 1406])
    named = crimes.filter((pl.col("_suspect") >= 0) & ~pl.col("_precursor"))
    suspect = named["_suspect"].to_numpy()
    p = 1.0 / (1.0 + np.exp(3.5 - 1.2 * seriousness[suspect]))
    codes = named["offence_code"].to_list()
    frames = []
    for marker in MARKER_NAMES:
        hit = rng.random(named.height) < p
        hit |= np.array([FORCED_MARKERS.get(c) == marker for c in codes], dtype=bool)
        frames.append(
            pl.DataFrame(
                {
                    "person_ref": person_ref[suspect[hit]].tolist(),
                    "marker": [marker] * int(hit.sum()),
                    "recorded_date": named["recorded_date"].filter(pl.Series(hit)),
                },
                schema={"person_ref": pl.String, "marker": pl.String, "recorded_date": pl.Date},
            )
        )
    return pl.concat(frames).unique().sort("recorded_date", "person_ref", "marker")
