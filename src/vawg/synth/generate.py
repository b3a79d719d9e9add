"""The generator: a synthetic force's crimes, drawn stage by stage from one random stream.

:func:`write_extract` draws crimes from the Met's offence mix (:mod:`vawg.synth.offences`), the
named suspects' careers (:mod:`vawg.synth.careers`), which crimes name a suspect, the victims,
places, dates and outcomes, then the people and their involvements (:mod:`vawg.synth.people`)
and protective orders (:mod:`vawg.synth.orders`), and writes the files
(:mod:`vawg.synth.writer`). The crimes naming a suspect are matched to career events through a
Gaussian copula between the crime's harm and two traits of the suspect: activity
(``HARM_ACTIVITY_CORRELATION``) and a persistent seriousness drawn once per suspect
(``HARM_SERIOUSNESS_CORRELATION``), and within a suspect the more harmful crimes tend to come later
(a mild escalation), so the concentration of harm on a "power few", and its persistence from one
year to the next, emerge from the model rather than being written row by row (Barnham, Barnes &
Sherman 2017). The stages draw from the one generator in a fixed order: the same inputs and seed
give byte-identical files. Numbers marked provisional in ``docs/synth.md`` are assumptions, not
published figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from vawg import __version__
from vawg.errors import UserInputError
from vawg.synth.calibration import Calibration
from vawg.synth.careers import BURN_IN_YEARS, careers_draw, distinct_per_career_start
from vawg.synth.draws import choice_draw, group_rank, rank_normal
from vawg.synth.general import general_draw
from vawg.synth.offences import OUTCOME_SHARES, offence_types
from vawg.synth.orders import orders_draw
from vawg.synth.people import involvements_build, people_draw
from vawg.synth.places import points_from_table, points_in_wards
from vawg.synth.truth import synth_markers, synth_truth, truth_write
from vawg.synth.writer import extract_write

SMALL_CRIMES_PER_YEAR = 3_000
"""VAWG crimes a year at ``--size small`` (the Met's mix and places, scaled down)."""

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
abuse dyads (*Crime & Delinquency* 2023, doi:10.1177/00111287231163101)."""
PRECURSOR_RATE = 0.12
"""Non-VAWG precursor offences (criminal damage, public order) per named VAWG crime
(provisional)."""
NEW_DA_VICTIM_PROBABILITY = 0.1
"""Chance that a suspect's further domestic crime is against a new partner or relative
(provisional; tuned to a 15-25% repeat-victim share)."""
NEW_OTHER_VICTIM_PROBABILITY = 0.7
"""Chance that a suspect's further non-domestic crime has a new victim (provisional)."""
DOMESTIC_RELATIONSHIPS = (0.45, 0.40, 0.15, 0.0, 0.0, 0.0)
CHILD_RELATIONSHIPS = (0.0, 0.0, 0.40, 0.45, 0.15, 0.0)
OTHER_RELATIONSHIPS = (0.0, 0.0, 0.0, 0.60, 0.30, 0.10)
NO_SUSPECT_RELATIONSHIPS = (0.0, 0.0, 0.0, 0.0, 0.60, 0.40)


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


def _window(end_date: date, years: int) -> tuple[date, int]:
    try:
        start = end_date.replace(year=end_date.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        start = end_date.replace(year=end_date.year - years, day=28) + timedelta(days=1)
    return start, (end_date - start).days + 1


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
    """Write a synthetic force extract (``docs/extract.md``) to ``out``.

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
    ...     names = sorted(p.name for p in Path(folder).iterdir())
    >>> names[:5]
    ['MANIFEST.json', 'crimes.csv', 'involvements.csv', 'orders.csv', 'people.csv']
    >>> names[5:]
    ['risk_markers.csv', 'truth']
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
    offence = np.array(vawg_types, dtype=np.int64)[choice_draw(rng, n_crimes, expected)]

    # Suspects' careers over the window and a burn-in before it.
    distinct_target = calibration.suspects_per_year * scale
    rate = distinct_target / distinct_per_career_start()
    n_careers = int(rng.poisson(rate * (years + BURN_IN_YEARS)))
    career, day, _ = careers_draw(
        rng=rng, n_careers=n_careers, first_day=-365.0 * BURN_IN_YEARS, last_day=float(n_days)
    )
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
    activity = rank_normal(events_per_suspect, rng)
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
    crime_rank = group_rank(named_suspect, noisy_harm)
    event_rank = group_rank(suspect_of_event, day.astype(float))
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
    pre_suspect = choice_draw(rng, n_pre, pre_weight / pre_weight.sum())
    first_day = np.full(n_suspects, n_days, dtype=np.int64)
    np.minimum.at(first_day, named_suspect, recorded[named_crimes])
    pre_day = first_day[pre_suspect] - rng.integers(1, 181, n_pre)
    pre_day = np.where(pre_day >= 0, pre_day, rng.integers(0, n_days, n_pre))
    pre_shares = np.array([types[i].expected_per_year for i in precursor_types])
    pre_offence = np.array(precursor_types, dtype=np.int64)[choice_draw(rng, n_pre, pre_shares)]
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
        v_relationship[members] = choice_draw(rng, members.size, relationship_p[c])
    relationship = v_relationship[victim_of_crime]
    relationship[is_precursor] = choice_draw(rng, int(is_precursor.sum()), OTHER_RELATIONSHIPS)
    domestic = relationship <= 2

    # Places: domestic crimes at the victim's home, others drawn afresh; some unlocated.
    ward_weight = np.array([w.count for w in calibration.wards])
    ward_p = ward_weight / ward_weight.sum()
    home_ward = choice_draw(rng, n_victims, ward_p)
    crime_ward = np.where(domestic, home_ward[victim_of_crime], choice_draw(rng, total, ward_p))
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
        pick = choice_draw(rng, members.size, np.array(list(OUTCOME_SHARES[name].values())))
        outcome[members] = np.array(codes, dtype=object)[pick]

    # People: suspects, victims and witnesses; their involvements in the crimes.
    people = people_draw(
        rng=rng,
        types=types,
        offence=offence,
        recorded=recorded,
        first_crime=first_crime,
        first_day=first_day,
        n_suspects=n_suspects,
        n_victims=n_victims,
        start_date=start_date,
        calibration=calibration,
        disparity=disparity,
        disparity_group=disparity_group,
    )
    crime_ref = np.array([f"SC{i + 1:08d}" for i in range(total)], dtype=object)
    involvements = involvements_build(
        people=people,
        crime_ref=crime_ref,
        is_named=is_named,
        outcome=outcome,
        suspect_of_crime=suspect_of_crime,
        victim_of_crime=victim_of_crime,
        relationship=relationship,
    )

    order_frame = orders_draw(
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
        person_ref=people.person_ref,
        start_date=start_date,
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
    row_counts = {
        "crimes": crimes.height,
        "vawg_offences": int((~is_precursor).sum()),
        "precursor_offences": int(is_precursor.sum()),
        "people": people.frame.height,
        "involvements": involvements.height,
        "orders": order_frame.height,
    }
    population_ethnicity = tuple(calibration.victim_ethnicity_shares)
    out = Path(out)
    tables = {
        "crimes": crimes,
        "people": people.frame.sort("person_ref"),
        "involvements": involvements,
        "orders": order_frame,
    }
    manifest = {
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
    }
    markers = synth_markers(
        crimes=crimes, person_ref=people.person_ref, seriousness=seriousness, seed=seed
    )
    manifest["truth"] = ["truth/offences.csv", "truth/harm_by_year.csv"]
    row_counts["risk_markers"] = markers.height
    truth_crimes = crimes
    # General offending, on its own stream: every row above stays as it was.
    general = general_draw(
        seed=seed,
        scale=scale,
        years=years,
        n_days=n_days,
        start_date=start_date,
        calibration=calibration,
        vawg_crimes=crimes,
        person_ref=people.person_ref,
    )
    crimes = pl.concat(
        [crimes.with_columns(pl.lit(False).alias("_general")), general.crimes], how="vertical"
    ).sort("recorded_date", maintain_order=True)
    involvements = pl.concat([involvements, general.involvements], how="vertical")
    people_frame = pl.concat(
        [people.frame, general.people.with_columns(pl.lit(-1).alias("_index"))],
        how="vertical_relaxed",
    )
    tables["crimes"] = crimes
    tables["involvements"] = involvements
    tables["people"] = people_frame.sort("person_ref")
    row_counts.update(
        crimes=crimes.height,
        general_offences=general.crimes.height,
        general_offenders=general.n_offenders,
        generalist_suspects=general.n_generalists,
        people=people_frame.height,
        involvements=involvements.height,
    )
    extract_write(out=out, tables=tables, manifest=manifest, extra={"risk_markers": markers})
    truth_write(out=out, offences=synth_truth(crimes=truth_crimes, person_ref=people.person_ref))
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
        people=people_frame,
        involvements=involvements,
        orders=order_frame,
        population_ethnicity=population_ethnicity,
        seconds=time.perf_counter() - clock,
    )
