"""The offences the generator writes: each Met classification name with its Home Office code, the
model's inputs per Met group (indicative harm, the share flagged domestic abuse, the weight of
naming a suspect, the days to an outcome), and the Home Office outcome types assigned.

Codes come from the shipped table ``vawg/data/mps_offence_codes.csv`` (Met name -> HO code, with
a source and a status per row); harm days are CCHI 2026 Home Office subgroup medians with a few
offence-level values, used for calibration only (Sherman, Neyroud & Neyroud 2016). Outcome shares
are provisional, anchored on charge rates of 5-10% for VAWG and outcome 16 (victim does not
support) at 40-50% of domestic abuse outcomes. Numbers marked provisional in ``docs/synth.md`` are
assumptions, not published figures.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from vawg.synth.calibration import OTHER_FLAGGED_GROUP, Calibration

OUTCOME_SHARES: dict[str, dict[str, float]] = {
    # Home Office outcome types (docs/sources.md, Outcome types). Provisional shares of assigned
    # outcomes, # anchored on: charge rates of 5-10% for VAWG; outcome 16 (victim does not support)
    # 40-50% # of domestic abuse outcomes (newlawjournal.co.uk, 33% -> 48% in 2015-18).
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
