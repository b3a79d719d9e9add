"""A second, simpler force generator with different assumptions (``vawg synth --model simple``).

It exists to test the ranking methods on a force that ``vawg synth`` did not shape, so that a
method tuned to one generator shows it. Where ``vawg synth`` records every offence it draws and
fits the Met's published mix, this one:

- draws each man's **latent class** (:data:`CLASSES`: one-off, persistent, escalating, sexual
  predator), with its own rate, desistance and offence mix;
- makes offending **self-exciting** (a Hawkes process: each offence raises the man's rate for a
  few months, :data:`EXCITATION`, :data:`EXCITATION_DAYS`), and for the escalating class makes
  each further offence more likely to be serious;
- **reports** only a share of offences, by offence (:data:`OFFENCES`), so true harm is larger
  than recorded harm and some harmful men are never recorded at all;
- takes a man **off the street** while he is remanded and serving a sentence after a charge for a
  serious offence (:data:`CUSTODY_MEDIAN_DAYS`), and lets him offend again on release;
- records **risk markers** (strangulation, stalking, threats to kill, weapon, ...) more often for
  the classes that go on to cause serious harm.

It writes the force extract files of ``docs/extract.md`` (``crimes``, ``people``,
``involvements``, ``orders``, ``risk_markers``) and, apart, the hidden truth that no force has:
``truth/offences.csv``, every offence committed (recorded or not) with its harm, and
``truth/harm_by_year.csv``, every man's true harm per calendar year. Every number here is an
assumption for testing, not a published figure (``docs/synth.md``, The simple model).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from vawg.errors import UserInputError
from vawg.synth.truth import truth_write
from vawg.synth.writer import NOTICE

# code, description, harm days (the shipped CCHI table), share reported, sexual, domestic
OFFENCES: tuple[tuple[str, str, float, float, bool, bool], ...] = (
    ("105A", "Common assault (domestic)", 10.0, 0.30, False, True),
    ("8G", "Actual bodily harm (domestic)", 15.0, 0.45, False, True),
    ("8U", "Controlling or coercive behaviour", 10.0, 0.12, False, True),
    ("8Q", "Stalking", 10.0, 0.25, False, True),
    ("3B", "Threats to kill", 10.0, 0.35, False, True),
    ("8S", "Non-fatal strangulation", 365.0, 0.40, False, True),
    ("5D", "Assault with intent to cause serious harm", 365.0, 0.65, False, True),
    ("20A", "Sexual assault on a female aged 13 and over", 30.0, 0.15, True, False),
    ("19C", "Rape of a female aged 16 and over", 1825.0, 0.18, True, False),
)
"""The offences drawn: (code, title, CCHI days, share reported, sexual, domestic)."""

SERIOUS_DAYS = 365.0
"""An offence of at least this many harm-days is serious (charge may lead to custody)."""

# name, share of men, offences a year (median), desistance a year, offence weights
CLASSES: tuple[tuple[str, float, float, float, tuple[float, ...]], ...] = (
    ("one-off", 0.62, 0.0, 1.0, (5, 3, 1, 1, 0.5, 0.3, 0.2, 0.6, 0.2)),
    ("persistent", 0.27, 2.0, 0.35, (6, 4, 3, 2, 1, 0.5, 0.3, 0.4, 0.1)),
    ("escalating", 0.08, 1.5, 0.2, (4, 3, 3, 2, 2, 1.5, 1.0, 0.3, 0.4)),
    ("sexual", 0.03, 1.0, 0.25, (0.5, 0.3, 0, 0.5, 0.2, 0.2, 0.2, 4, 2)),
)
"""Latent classes: (name, share, median rate a year, desistance hazard a year, offence weights
in :data:`OFFENCES` order)."""

EXCITATION = 0.5
"""Expected further offences each offence triggers (Hawkes branching ratio)."""

EXCITATION_DAYS = 60.0
"""Mean delay of a triggered offence, days (exponential kernel)."""

ESCALATION_STEP = 0.35
"""Escalating class: log-odds added to the serious offences' weight per earlier offence."""

CHARGE_SHARE = {False: 0.12, True: 0.35}
"""Share of recorded offences charged, by whether the offence is serious."""

CUSTODY_MEDIAN_DAYS = {365.0: 540.0, 1825.0: 2000.0}
"""Median days in custody after a charge for a serious offence (remand, then sentence)."""

# marker, probability per recorded offence by class (one-off, persistent, escalating, sexual)
MARKERS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("strangulation", (0.01, 0.04, 0.25, 0.03)),
    ("threats_to_kill", (0.02, 0.05, 0.20, 0.05)),
    ("stalking", (0.02, 0.06, 0.15, 0.10)),
    ("weapon", (0.01, 0.03, 0.12, 0.05)),
    ("sexual_violence", (0.01, 0.02, 0.05, 0.30)),
)
"""Risk markers recorded beside an offence (besides the offence itself: a recorded 8S always
marks strangulation, an 8Q stalking, a 3B threats to kill)."""

NON_VAWG_MEN_PER_VAWG_MAN = 1.5
"""Men with only non-VAWG offences a year per VAWG career started a year, half of them offending
inside the window (assumption)."""

NON_VAWG_STREAM = 14
"""Third key of the non-VAWG stage's random stream, ``default_rng([seed, 20261203, 14])``."""

NON_VAWG_REPORTED = 0.35
"""Share of non-VAWG offences recorded (assumption)."""

# code, title, weight for men who never offend against women (GENERAL) or for a VAWG man's
# onset (ONSET): a general mix led by theft and drugs; an onset led by damage to a home and
# public order, the domestic-setting offences recorded without a DA flag.
NON_VAWG_OFFENCES: tuple[tuple[str, str, float, float], ...] = (
    ("46", "Shoplifting", 0.30, 0.00),
    ("92D", "Possession of drugs", 0.25, 0.10),
    ("49", "Other theft", 0.15, 0.00),
    ("58C", "Criminal damage to a vehicle", 0.10, 0.10),
    ("58D", "Other criminal damage", 0.08, 0.15),
    ("9A", "Public fear, alarm or distress", 0.08, 0.30),
    ("58A", "Criminal damage to a dwelling", 0.04, 0.35),
)
"""Non-VAWG offences: (code, title, general weight, onset weight). Assumptions; the onset mix
follows the offences the sources name as early contacts (docs/synth.md, General offending)."""

ONSET_SHARE = (0.30, 0.50, 0.70, 0.30)
"""Share of each class (:data:`CLASSES` order) whose career starts with a non-VAWG onset phase:
about 0.39 over all men, near the 40% of family-violence perpetrators recorded for other offences
(Coghlan & Millsteed 2017); higher for the persistent and escalating classes, the generalists of
the sources (assumption)."""

ONSET_LEAD_MEDIAN_DAYS = 300.0
"""Median days from an onset offence to the start of the man's VAWG career, lognormal with sigma
0.8 (assumption: "months or years before")."""

VERSATILE_SHARE = 1 / 3
"""Men of the VAWG careers given general non-VAWG offences at any time, besides any onset
(the earlier model's share, kept)."""

BURN_IN_DAYS = 3 * 365


@dataclass(frozen=True)
class SimpleSummary:
    """What :func:`simple_write` wrote: the folder, counts, and the window."""

    out: Path
    seed: int
    start_date: date
    end_date: date
    row_counts: dict[str, int]


def _career(
    rng: np.random.Generator, klass: int, start: float, last: float
) -> list[tuple[float, int]]:
    # One man's offences (day, offence index) before custody is applied: a Hawkes process with
    # a constant background rate over an exponential career, thinned by desistance.
    name, _, rate, desist, weights = CLASSES[klass]
    base = np.array(weights, dtype=float)
    serious = np.array([o[2] >= SERIOUS_DAYS for o in OFFENCES])
    end = start + (rng.exponential(365.0 / desist) if klass else 0.0)
    days = [start]
    if klass:
        personal = rate * rng.lognormal(0.0, 0.6) / 365.0
        n = rng.poisson(personal * (min(end, last) - start))
        days += list(rng.uniform(start, min(end, last), n))
    queue = list(days)
    while queue:  # offspring of each offence
        parent = queue.pop()
        for _ in range(rng.poisson(EXCITATION if klass else 0.15)):
            child = parent + rng.exponential(EXCITATION_DAYS)
            if child < last:
                days.append(child)
                queue.append(child)
    days.sort()
    out = []
    for i, day in enumerate(days):
        w = base.copy()
        if name == "escalating":
            w[serious] *= np.exp(ESCALATION_STEP * i)
        out.append((day, int(rng.choice(len(OFFENCES), p=w / w.sum()))))
    return out


def non_vawg_draw(
    *,
    rng: np.random.Generator,
    klass: np.ndarray,
    starts: np.ndarray,
    n_days: int,
    first_number: int,
    involvements: list[tuple[str, str, str, str]],
) -> list[dict[str, object]]:
    """Non-VAWG crimes (and their suspect rows, appended to ``involvements``): men who never
    offend against women, with the general mix; VAWG men whose careers start with an onset phase
    (:data:`ONSET_SHARE`) of 1 + Poisson(0.5) offences of the onset mix, each a lognormal lead
    (:data:`ONSET_LEAD_MEDIAN_DAYS`) before the career starts; and versatile VAWG men
    (:data:`VERSATILE_SHARE`) with general offences at any time. Each offence is recorded with
    chance :data:`NON_VAWG_REPORTED`."""
    n_men = klass.size
    general_w = np.array([o[2] for o in NON_VAWG_OFFENCES])
    onset_w = np.array([o[3] for o in NON_VAWG_OFFENCES])
    n_other = int(NON_VAWG_MEN_PER_VAWG_MAN * n_men * 0.5)
    offences: list[tuple[str, int, int]] = []  # man_ref, day, offence index
    for i in range(n_other):
        for _ in range(1 + rng.poisson(0.4)):
            day = int(rng.integers(-BURN_IN_DAYS, n_days))
            offences.append((f"SM-N{i:07d}", day, int(rng.choice(general_w.size, p=general_w))))
    onset = rng.random(n_men) < np.array(ONSET_SHARE)[klass]
    for man in np.flatnonzero(onset).tolist():
        for _ in range(1 + rng.poisson(0.5)):
            lead = rng.lognormal(np.log(ONSET_LEAD_MEDIAN_DAYS), 0.8)
            day = int(np.floor(starts[man] - lead))
            offences.append((f"SM-P{man:07d}", day, int(rng.choice(onset_w.size, p=onset_w))))
    for man in rng.choice(n_men, int(VERSATILE_SHARE * n_men), replace=False).tolist():
        for _ in range(1 + rng.poisson(0.4)):
            day = int(rng.integers(-BURN_IN_DAYS, n_days))
            offences.append((f"SM-P{man:07d}", day, int(rng.choice(general_w.size, p=general_w))))
    crimes: list[dict[str, object]] = []
    for man_ref, day, off in offences:
        if rng.random() >= NON_VAWG_REPORTED:
            continue
        ref = f"SM{first_number + len(crimes):08d}"
        code, title = NON_VAWG_OFFENCES[off][:2]
        crimes.append(
            {
                "crime_ref": ref,
                "recorded": day,
                "committed": day,
                "offence_code": code,
                "offence_description": title,
                "domestic_abuse": "N",
                "outcome_code": str(rng.choice(["1", "14", "16"])),
                "outcome": day + 30,
            }
        )
        involvements.append((ref, man_ref, "suspect", "acquaintance"))
    return crimes


def simple_write(
    *, out: Path, seed: int, years: int = 6, end_date: date, men: int = 4000
) -> SimpleSummary:
    """Write a force extract from the simple model to ``out`` (and its truth to ``out/truth``).

    Parameters
    ----------
    out : pathlib.Path
    seed : int
        The same seed and arguments give the same files.
    years : int
        Years of records, ending on ``end_date``.
    end_date : datetime.date
    men : int
        VAWG offending careers started a year (default 4,000).

    Returns
    -------
    SimpleSummary

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     s = simple_write(out=Path(folder), seed=1, years=2, end_date=date(2024, 12, 31),
    ...                      men=200)
    ...     sorted(p.name for p in (Path(folder) / "truth").iterdir())
    ['harm_by_year.csv', 'offences.csv']
    >>> s.row_counts["true_offences"] > s.row_counts["vawg_crimes"]
    True
    """
    if years < 1:
        raise UserInputError("--years must be at least 1")
    rng = np.random.default_rng([seed, 20261203])
    try:
        start_date = end_date.replace(year=end_date.year - years) + timedelta(days=1)
    except ValueError:  # 29 February
        start_date = end_date.replace(year=end_date.year - years, day=28) + timedelta(days=1)
    n_days = (end_date - start_date).days + 1
    shares = np.array([c[1] for c in CLASSES])
    n_men = int(rng.poisson(men * (years + BURN_IN_DAYS / 365)))
    klass = rng.choice(len(CLASSES), n_men, p=shares / shares.sum())
    starts = rng.uniform(-BURN_IN_DAYS, n_days, n_men)
    truth: list[tuple[int, int, int, str]] = []  # man, day, offence, crime_ref ('' unrecorded)
    crimes: list[dict[str, object]] = []
    involvements: list[tuple[str, str, str, str]] = []
    markers: list[tuple[str, str, int]] = []
    orders: list[dict[str, object]] = []
    victim_no = 0
    for man in range(n_men):
        k = int(klass[man])
        events = _career(rng, k, float(starts[man]), float(n_days))
        free_from = -np.inf
        partner = victim_no
        victim_no += 1
        order: dict[str, object] | None = None
        order_end = -1
        for day_f, off in events:
            if day_f < free_from:
                continue  # in custody: off the street
            code, title, harm, p_report, sexual, domestic = OFFENCES[off]
            if rng.random() < 0.15:  # a new partner
                partner = victim_no
                victim_no += 1
            victim = partner
            if sexual and rng.random() < 0.7:  # a new victim outside the home
                victim = victim_no
                victim_no += 1
            day = int(day_f)
            recorded = rng.random() < p_report
            ref = ""
            if recorded:
                rec_day = day + int(rng.integers(0, 15))
                ref = f"SM{len(crimes) + 1:08d}"
                charged = rng.random() < CHARGE_SHARE[harm >= SERIOUS_DAYS]
                outcome_day = rec_day + int(np.ceil(rng.lognormal(np.log(45.0), 0.8)))
                code_out = "1" if charged else str(rng.choice(["14", "15", "16", "21"]))
                if charged and harm >= SERIOUS_DAYS:
                    free_from = rec_day + 2 + rng.lognormal(np.log(CUSTODY_MEDIAN_DAYS[harm]), 0.5)
                    outcome_day = rec_day + 2
                crimes.append(
                    {
                        "crime_ref": ref,
                        "recorded": rec_day,
                        "committed": day,
                        "offence_code": code,
                        "offence_description": title,
                        "domestic_abuse": "Y" if domestic else "N",
                        "outcome_code": code_out,
                        "outcome": outcome_day,
                    }
                )
                relation = "partner" if victim == partner else "stranger"
                involvements.append((ref, f"SM-P{man:07d}", "suspect", relation))
                involvements.append((ref, f"SM-V{victim:07d}", "victim", relation))
                for marker, probs in MARKERS:
                    forced = (marker, code) in (
                        ("strangulation", "8S"),
                        ("stalking", "8Q"),
                        ("threats_to_kill", "3B"),
                    )
                    if forced or rng.random() < probs[k]:
                        markers.append((f"SM-P{man:07d}", marker, rec_day))
                if order is not None and rec_day <= order_end and victim == partner:
                    breaches = order["_breaches"]
                    assert isinstance(breaches, list)
                    breaches.append(rec_day)
                elif domestic and rng.random() < 0.2:
                    long = rng.random() < 0.3
                    order_end = rec_day + (365 if long else 28)
                    order = {
                        "order_ref": f"SMO{len(orders) + 1:07d}",
                        "order_type": "DAPO" if long else "DVPO",
                        "subject_ref": f"SM-P{man:07d}",
                        "protected_ref": f"SM-V{victim:07d}",
                        "_start": rec_day + 1,
                        "_end": order_end,
                        "_breaches": [],
                    }
                    orders.append(order)
            truth.append((man, day, off, ref))
    # Non-VAWG offending, on its own stream (the VAWG rows above do not depend on it).
    crimes.extend(
        non_vawg_draw(
            rng=np.random.default_rng([seed, 20261203, NON_VAWG_STREAM]),
            klass=klass,
            starts=starts,
            n_days=n_days,
            first_number=len(crimes) + 1,
            involvements=involvements,
        )
    )
    epoch = start_date
    tables = _tables(
        rng=rng,
        crimes=crimes,
        involvements=involvements,
        markers=markers,
        orders=orders,
        n_days=n_days,
        epoch=epoch,
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(out / f"{name}.csv")
    truth_frame = truth_table(truth=truth, epoch=epoch)
    truth_write(out=out, offences=truth_frame)
    counts = {name: frame.height for name, frame in tables.items()}
    counts["vawg_crimes"] = int(sum(r[3] != "" for r in truth))
    counts["true_offences"] = len(truth)
    manifest = {
        "synthetic": True,
        "notice": NOTICE.replace("`vawg synth`", "`vawg synth --model simple`"),
        "generator": "vawg.synth.simple",
        "seed": seed,
        "years": years,
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "row_counts": counts,
        "files": [f"{name}.csv" for name in tables],
        "truth": ["truth/offences.csv", "truth/harm_by_year.csv"],
    }
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return SimpleSummary(out, seed, start_date, end_date, counts)


def _tables(
    *,
    rng: np.random.Generator,
    crimes: list[dict[str, object]],
    involvements: list[tuple[str, str, str, str]],
    markers: list[tuple[str, str, int]],
    orders: list[dict[str, object]],
    n_days: int,
    epoch: date,
) -> dict[str, pl.DataFrame]:
    # The extract's files, keeping only what was recorded inside the window.
    def as_date(column: str) -> pl.Expr:
        return (pl.lit(epoch) + pl.duration(days=pl.col(column))).alias(column)

    frame = pl.DataFrame(crimes).filter((pl.col("recorded") >= 0) & (pl.col("recorded") < n_days))
    frame = frame.with_columns(
        pl.when(pl.col("outcome") < n_days).then(pl.col("outcome_code")).alias("outcome_code"),
        pl.when(pl.col("outcome") < n_days).then(pl.col("outcome")).alias("outcome"),
        pl.Series("latitude", np.round(rng.uniform(51.30, 51.68, len(crimes)), 6)).head(
            frame.height
        ),
        pl.Series("longitude", np.round(rng.uniform(-0.48, 0.30, len(crimes)), 6)).head(
            frame.height
        ),
    )
    crime_frame = frame.with_columns(as_date("recorded"), as_date("committed"), as_date("outcome"))
    crime_frame = crime_frame.select(
        "crime_ref",
        pl.col("recorded").alias("recorded_date"),
        pl.col("committed").alias("committed_date"),
        "offence_code",
        "offence_description",
        "domestic_abuse",
        "latitude",
        "longitude",
        "outcome_code",
        pl.col("outcome").alias("outcome_date"),
    )
    inv = pl.DataFrame(
        involvements, schema=["crime_ref", "person_ref", "role", "relationship"], orient="row"
    ).join(crime_frame.select("crime_ref"), on="crime_ref", how="semi")
    refs = inv.select("person_ref").unique().sort("person_ref")
    victim = refs["person_ref"].str.starts_with("SM-V")
    people = refs.with_columns(
        pl.when(victim).then(pl.lit("F")).otherwise(pl.lit("M")).alias("sex"),
        pl.Series("birth_year", rng.integers(1950, 2006, refs.height)),
        pl.Series(
            "ethnicity",
            rng.choice(["W", "B", "A", "O", "U"], refs.height, p=[0.55, 0.15, 0.18, 0.08, 0.04]),
        ),
    )
    marker_frame = (
        pl.DataFrame(markers, schema=["person_ref", "marker", "recorded"], orient="row")
        .filter((pl.col("recorded") >= 0) & (pl.col("recorded") < n_days))
        .with_columns(as_date("recorded"))
        .select("person_ref", "marker", pl.col("recorded").alias("recorded_date"))
        .unique(maintain_order=True)
    )
    order_rows = [
        {
            **{k: v for k, v in o.items() if not k.startswith("_")},
            "start": o["_start"],
            "end": o["_end"],
            "breach_dates": ";".join(
                (epoch + timedelta(days=int(d))).isoformat()
                for d in o["_breaches"]  # type: ignore[attr-defined]
                if 0 <= int(d) < n_days
            ),
        }
        for o in orders
    ]
    order_schema = {
        "order_ref": pl.String,
        "order_type": pl.String,
        "subject_ref": pl.String,
        "protected_ref": pl.String,
        "start": pl.Int64,
        "end": pl.Int64,
        "breach_dates": pl.String,
    }
    order_frame = (
        pl.DataFrame(order_rows, schema=order_schema)
        .filter((pl.col("start") >= 0) & (pl.col("start") < n_days))
        .with_columns(as_date("start"), as_date("end"))
        .select(
            "order_ref",
            "order_type",
            "subject_ref",
            "protected_ref",
            pl.col("start").alias("start_date"),
            pl.col("end").alias("end_date"),
            "breach_dates",
        )
    )
    return {
        "crimes": crime_frame,
        "people": people,
        "involvements": inv,
        "orders": order_frame,
        "risk_markers": marker_frame,
    }


def truth_table(*, truth: list[tuple[int, int, int, str]], epoch: date) -> pl.DataFrame:
    """Every offence committed, recorded or not: ``person_ref, offence_date, offence_code,
    harm_days, serious, crime_ref`` (blank when never recorded)."""
    frame = pl.DataFrame(truth, schema=["man", "day", "off", "crime_ref"], orient="row")
    codes = pl.Series([o[0] for o in OFFENCES])
    harms = pl.Series([o[2] for o in OFFENCES])
    return frame.select(
        (pl.lit("SM-P") + pl.col("man").cast(pl.String).str.zfill(7)).alias("person_ref"),
        (pl.lit(epoch) + pl.duration(days=pl.col("day"))).alias("offence_date"),
        pl.col("off")
        .map_elements(lambda i: codes[i], return_dtype=pl.String)
        .alias("offence_code"),
        pl.col("off").map_elements(lambda i: harms[i], return_dtype=pl.Float64).alias("harm_days"),
        pl.when(pl.col("crime_ref") == "")
        .then(None)
        .otherwise(pl.col("crime_ref"))
        .alias("crime_ref"),
    ).with_columns((pl.col("harm_days") >= SERIOUS_DAYS).alias("serious"))
