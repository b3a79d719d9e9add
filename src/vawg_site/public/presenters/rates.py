"""Context for the Met's VAWG counts: rates per 1,000 female residents with London's beside each
borough's, the VAWG share of all recorded crime, and the Met's offence groups in plain words with
"other flagged offences outside of VAWG" kept apart from the VAWG groups.

**Rates.** A borough's rate is its published VAWG count over the period divided by its female
residents on Census day 2021 (ONS TS008), times 1,000 (:func:`vawg.rates.rate_per_1000`, the crude
rate of ONS and the Home Office). London is the **force area**: the boroughs the force polices
(the Met's 32; the City of London has its own police), so London's rate is the sum of those
boroughs' counts over the sum of their female residents. Offences the Met did not place in a
borough ("Other", "Unknown") are in neither. Over 12 months a rate is an annual rate.

**Share of all crime.** The VAWG count over every crime the Met recorded in the same area and
the same months (London Datastore, "MPS Recorded Crime: Geographic Breakdown"), given only when
recorded crime is loaded for every month of the period. The Met's VAWG count includes the "other
flagged" offences, so the share does too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vawg.periods import month_label, months_between
from vawg.rates import rate_per_1000
from vawg_site.common.geography import (
    borough_codes_by_name,
    force_area,
    force_borough_codes,
    name_normalise,
)
from vawg_site.opendata.selectors.recorded import (
    female_residents_by_borough,
    recorded_crime_by_borough,
    recorded_month_span,
)
from vawg_site.public.presenters.tables import Column, Table

OTHER_FLAGGED = "Other flagged offences outside of VAWG"
"""The Met's group for offences that are not on its VAWG offence list but carry a flag on its
records; the Met counts them in its published VAWG series."""

GROUP_MEANINGS = {
    "violence with injury": (
        "Assaults that caused an injury, from actual bodily harm to wounding and grievous "
        "bodily harm, attempted murder and endangering life."
    ),
    "stalking and harassment": (
        "Stalking, harassment, controlling or coercive behaviour, and malicious communications."
    ),
    "public fear, alarm, distress": (
        "Threatening, abusive or insulting behaviour meant to cause fear, alarm or distress, "
        "including when racially or religiously aggravated."
    ),
    "other sexual offences": (
        "Sexual offences other than rape: sexual assault, exposure and voyeurism, sexual "
        "activity with a child, grooming, and abuse of a position of trust."
    ),
    "rape": "Rape of a woman or girl, including of a child under 13 or under 16.",
    "modern slavery": (
        "Holding a person in slavery or servitude, forced labour, and arranging a person's "
        "travel to exploit them, including sexually."
    ),
    "homicide": "Murder and manslaughter.",
    "exploitation of prostitution": (
        "Causing, inciting or controlling prostitution for gain, and keeping a brothel."
    ),
    OTHER_FLAGGED.casefold(): (
        "Offences that are not on the Met's list of VAWG offences but carry a flag on the Met's "
        "records (a domestic abuse flag, for example), which is why the Met publishes them in "
        "its VAWG series. The Met's table does not say which flag."
    ),
}
"""Plain words for each of the Met's offence groups, from the offences its classification table
lists under them."""

NO_MEANING = "The Met does not describe this group."


def group_meaning(group: str) -> str:
    """What one of the Met's offence groups covers, in plain words.

    >>> group_meaning("Homicide"), group_meaning("Something new")
    ('Murder and manslaughter.', 'The Met does not describe this group.')
    """
    return GROUP_MEANINGS.get(group.strip().casefold(), NO_MEANING)


def is_other_flagged(group: str) -> bool:
    """True for the Met's "other flagged offences outside of VAWG" group, however it is cased.

    >>> is_other_flagged("Other flagged offences outside of VAWG"), is_other_flagged("Rape")
    (True, False)
    """
    return group.strip().casefold() == OTHER_FLAGGED.casefold()


@dataclass(frozen=True)
class OutsideVawg:
    """How much of the Met's published VAWG total is "other flagged offences outside of VAWG"."""

    count: int
    total: int

    @property
    def in_vawg_groups(self) -> int:
        return self.total - self.count

    @property
    def percent(self) -> float:
        return self.count / self.total * 100.0 if self.total else 0.0


def outside_vawg(groups: list[tuple[str, int]]) -> OutsideVawg:
    """The "other flagged" part of the classification table's totals ``(group, count)``.

    >>> outside_vawg([("Rape", 30), ("Other flagged offences outside of VAWG", 10)]).percent
    25.0
    """
    return OutsideVawg(
        count=sum(v for g, v in groups if is_other_flagged(g)), total=sum(v for _, v in groups)
    )


@dataclass(frozen=True)
class AreaRate:
    """One area's count over the period beside its residents and its recorded crime."""

    name: str
    count: int
    female: int | None
    rate: float | None
    """Per 1,000 female residents over the period."""
    times_london: float | None
    """The rate divided by London's (force area)."""
    recorded: int | None
    """All crime the Met recorded in the area in the same months, when loaded for all of them."""

    @property
    def share_percent(self) -> float | None:
        return self.count / self.recorded * 100.0 if self.recorded else None


@dataclass(frozen=True)
class Rates:
    london: AreaRate
    boroughs: tuple[AreaRate, ...]
    period_months: int
    recorded_note: str
    """Why the share of all recorded crime is not shown, or "" when it is."""
    table: Table
    force_boroughs: int = 0
    """How many boroughs the force area has (London's denominator is theirs)."""
    selected: AreaRate | None = None
    """The borough asked for (``only_borough``), when it is one of the force area's."""

    @property
    def with_share(self) -> bool:
        return self.london.recorded is not None


def _recorded(start: date, end: date) -> tuple[dict[str, int] | None, str]:
    """Recorded crime by borough code when loaded for every month of the period, else None and
    the reason, in words."""
    span = recorded_month_span()
    if span is None:
        return None, "The Met's recorded crime (all crime) is not loaded, so no share is shown."
    wanted = months_between(start, end)
    recorded = recorded_crime_by_borough(start=start, end=end)
    if len(recorded.months) < len(wanted):
        return None, (
            "The Met's recorded crime (all crime) is loaded for "
            f"{month_label(span[0])} to {month_label(span[1])} only, not for every month of "
            "this period, so no share of all crime is shown."
        )
    return recorded.by_borough, ""


def _text(value: float | None, *, unit: str = "") -> Any:
    """A cell for a figure that may be unknown: the figure, or blank with "not known"."""
    return value if value is not None else ("", "not known" + unit)


def rates_build(
    *,
    borough_counts: list[tuple[str, int]],
    start: date,
    end: date,
    what: str,
    only_borough: str | None,
    csv_href: str,
    with_share: bool,
) -> Rates | None:
    """Rates per 1,000 female residents for the force area's boroughs and for London, from the
    location table's totals ``(Met borough name, count)`` over ``start``..``end``.

    ``only_borough`` keeps London and that borough in the table (else every borough, highest
    rate first); ``with_share`` adds the share of all recorded crime (offences only). None when
    the population file is not in the data folder.
    """
    female = female_residents_by_borough()
    if not female:
        return None
    codes = borough_codes_by_name()
    inside = force_borough_codes()
    counts: dict[str, tuple[str, int]] = {}
    for name, count in borough_counts:
        code = codes.get(name_normalise(name))
        if code in inside:
            before = counts.get(code, (name, 0))[1]
            counts[code] = (name, before + count)
    recorded, note = _recorded(start, end) if with_share else (None, "")
    london_count = sum(c for _, c in counts.values())
    london_female = sum(female.get(code, 0) for code in inside)
    london_rate = rate_per_1000(london_count, london_female)

    def area(name: str, count: int, residents: int | None, crimes: int | None) -> AreaRate:
        rate = rate_per_1000(count, residents)
        times = rate / london_rate if rate is not None and london_rate else None
        return AreaRate(name, count, residents, rate, times, crimes)

    force = force_area()
    london = area(
        f"{force.area_name} ({force.short_name}'s area)",
        london_count,
        london_female,
        sum(recorded.get(code, 0) for code in inside) if recorded is not None else None,
    )
    boroughs = [
        area(name, count, female.get(code), recorded.get(code) if recorded is not None else None)
        for code, (name, count) in counts.items()
    ]
    boroughs.sort(key=lambda a: (-(a.rate or 0.0), a.name))
    shown = [b for b in boroughs if only_borough is None or b.name == only_borough]
    columns = [
        Column("area", "Area"),
        Column("count", what, numeric=True),
        Column("female_residents", "Female residents (Census 2021)", numeric=True),
        Column("per_1000_female", "Per 1,000 female residents", numeric=True),
        Column("times_london_rate", "Against London's rate (London = 1.0)", numeric=True),
    ]
    if recorded is not None:
        columns += [
            Column("all_recorded_crime", "All crime recorded", numeric=True),
            Column("vawg_share_percent", "VAWG share of all crime (%)", numeric=True),
        ]
    rows = []
    for a in (london, *shown):
        row: tuple[Any, ...] = (
            a.name,
            a.count,
            a.female if a.female else ("", "not known"),
            _text(a.rate),
            _text(a.times_london),
        )
        if recorded is not None:
            row += (a.recorded or 0, _text(a.share_percent))
        rows.append(row)
    period = f"{month_label(start)} to {month_label(end)}"
    table = Table(
        name="rates",
        caption=f"{what} per 1,000 female residents, {period}",
        columns=tuple(columns),
        rows=tuple(rows),
        csv_href=csv_href,
    )
    return Rates(
        london=london,
        boroughs=tuple(boroughs),
        period_months=len(months_between(start, end)),
        recorded_note=note,
        table=table,
        force_boroughs=len(inside),
        selected=shown[0] if only_borough is not None and shown else None,
    )
