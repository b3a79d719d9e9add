"""The Met's published VAWG offence and victim counts (:class:`~vawg_site.opendata.models.
VawgCount`), as published, one sheet at a time.

A borough's figure for a month is the sum of ``count`` over its wards and over the month the
offence was committed in, for the month it was recorded in. The location sheet is the only one
summed by area; the classification sheet (offence groups), the victims' age-group sheet and the
victims' ethnic-group sheet break the same offences or victims down other ways and are never added
to it. Offences the Met could not place in a borough are under ``Other`` or ``Unknown``: they are in
London's total but in no borough's. Offences the Met recorded that happened outside its area
(ward ``Non MET police force``) and rows of a borough it does not police are in no figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min, QuerySet, Sum

from vawg.periods import month_count, months_back, period_crosses_change, plausible_window
from vawg_site.common.caching import cached
from vawg_site.common.geography import (
    borough_codes_by_name,
    borough_list,
    force_borough_codes,
    name_normalise,
    ward_list,
)
from vawg_site.opendata.models import VawgCount

Sheet = VawgCount.Sheet
"""The Met's sheets: ``location``, ``classification``, ``age``, ``ethnicity``."""
Measure = VawgCount.Measure
"""What a sheet counts: ``offences`` or ``victims``."""

NOT_A_BOROUGH = ("Other", "Unknown")
"""Values the Met uses for offences it could not place in a borough."""

OUTSIDE_FORCE_WARD = "Non MET police force"
"""The Met's ward name for offences it recorded that happened outside its area (1,459 offences
since 2024 on the location sheet): left out of every figure about the force area."""

PERIOD_MONTHS = 12
"""The period of the summaries for local partners: the latest 12 months loaded."""

SHEET_FIELD = {
    VawgCount.Sheet.CLASSIFICATION: "offence_group",
    VawgCount.Sheet.AGE: "age_group",
    VawgCount.Sheet.ETHNICITY: "ethnic_group",
}
"""The breakdown column of each sheet other than location."""

BREAKDOWNS = ("borough", "ward_code", "offence_group", "age_group", "ethnic_group")


@dataclass(frozen=True)
class MonthCount:
    """Offences (or victims) recorded in one calendar month (``month`` is its first day)."""

    month: date
    offences: int


@dataclass(frozen=True)
class CountRow:
    """One published figure: a count for an area or group in a month."""

    month: date
    count: int
    area_code: str = ""
    area_name: str = ""
    borough_name: str = ""
    group: str = ""


def _vawg_counts() -> QuerySet[VawgCount]:
    """The stored counts whose month is plausible (:func:`vawg.periods.plausible_window`): a
    month 0001-01 stored by hand must not give every page twenty centuries of months. Rows that
    name a shipped borough the force does not police (the City of London for the Met), or one of
    its wards, are left out of every figure (the Met's extracts hold none today), and so are
    the offences the Met marks as outside its area (:data:`OUTSIDE_FORCE_WARD`)."""
    rows = VawgCount.objects.filter(month__range=plausible_window()).exclude(
        ward_name__iexact=OUTSIDE_FORCE_WARD
    )
    outside = _outside_force()
    if outside[0]:
        rows = rows.exclude(borough__in=outside[0]).exclude(ward_code__in=outside[1])
    return rows


def _outside_force() -> tuple[list[str], list[str]]:
    """Names (as shipped, and with "&") of the shipped boroughs outside the force area, and the
    codes of their 2024 wards."""
    inside = force_borough_codes()
    names = [b.name for b in borough_list() if b.code not in inside]
    wards = [w.code for w in ward_list() if w.borough_code and w.borough_code not in inside]
    return sorted({*names, *(n.replace(" and ", " & ") for n in names)}), wards


def _published_offences() -> QuerySet[VawgCount]:
    """Offence counts on the location sheet: the only sheet summed by area."""
    return _vawg_counts().filter(measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION)


def _sheet_rows(*, measure: str, sheet: str, start: date, end: date) -> QuerySet[VawgCount]:
    return _vawg_counts().filter(measure=measure, sheet=sheet, month__gte=start, month__lte=end)


# --- what is loaded ---------------------------------------------------------------------------


@cached
def offence_month_span() -> tuple[date, date] | None:
    """The first and last month with published offence counts, or None when none are loaded."""
    span = _published_offences().aggregate(first=Min("month"), last=Max("month"))
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


@cached
def met_months(*, measure: str) -> list[date]:
    """The months with counts of ``measure`` (``offences`` or ``victims``) on the location
    sheet, oldest first."""
    return list(
        _vawg_counts()
        .filter(measure=measure, sheet=VawgCount.Sheet.LOCATION)
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )


@cached
def borough_names() -> list[str]:
    """Boroughs in the published offence counts, alphabetical, with "Other" and "Unknown"
    (offences the Met did not place in a borough) last."""
    names = set(
        _published_offences().exclude(borough="").values_list("borough", flat=True).distinct()
    )
    places = sorted(n for n in names if n not in NOT_A_BOROUGH)
    return places + [n for n in NOT_A_BOROUGH if n in names]


@cached
def ward_names_in(*, borough: str) -> list[tuple[str, str]]:
    """(2024 ward code, name) of the wards with published counts in ``borough``, by name."""
    rows = (
        _vawg_counts()
        .filter(sheet=VawgCount.Sheet.LOCATION, borough=borough)
        .exclude(ward_code="")
        .values("ward_code")
        .annotate(name=Max("ward_name"))
    )
    return sorted(((r["ward_code"], r["name"]) for r in rows), key=lambda pair: pair[1])


@cached
def offence_group_names() -> list[str]:
    """Offence groups on the classification sheet, alphabetical."""
    names = (
        _vawg_counts()
        .filter(sheet=VawgCount.Sheet.CLASSIFICATION)
        .exclude(offence_group="")
        .values_list("offence_group", flat=True)
        .distinct()
    )
    return sorted(set(names))


@cached
def category_values() -> dict[str, list[str]]:
    """The Met's offence groups, VAWG offences, victim age groups and ethnic groups."""

    def distinct(sheet: str, field: str) -> list[str]:
        return sorted(
            v
            for v in _vawg_counts()
            .filter(sheet=sheet)
            .values_list(field, flat=True)
            .distinct()
            .order_by()
            if v
        )

    return {
        "offence_groups": distinct(VawgCount.Sheet.CLASSIFICATION, "offence_group"),
        "vawg_offences": distinct(VawgCount.Sheet.CLASSIFICATION, "vawg_offence"),
        "age_groups": distinct(VawgCount.Sheet.AGE, "age_group"),
        "ethnic_groups": distinct(VawgCount.Sheet.ETHNICITY, "ethnic_group"),
    }


# --- series and totals for the pages -----------------------------------------------------------


@cached
def vawg_month_series(
    *,
    measure: str,
    start: date,
    end: date,
    borough: str | None = None,
    ward_code: str | None = None,
    offence_group: str | None = None,
) -> list[MonthCount]:
    """Monthly counts from one sheet: the classification sheet (all London) when
    ``offence_group`` is given, else the location sheet for London, a borough or a ward.

    ``start`` and ``end`` are inclusive first-of-month dates. Months with no published row are
    absent, not zero.
    """
    if offence_group is not None:
        rows = _sheet_rows(
            measure=measure, sheet=VawgCount.Sheet.CLASSIFICATION, start=start, end=end
        ).filter(offence_group=offence_group)
    else:
        rows = _sheet_rows(measure=measure, sheet=VawgCount.Sheet.LOCATION, start=start, end=end)
        if borough is not None:
            rows = rows.filter(borough=borough)
        if ward_code is not None:
            rows = rows.filter(ward_code=ward_code)
    totals = rows.values("month").annotate(total=Sum("count")).order_by("month")
    return [MonthCount(month=r["month"], offences=int(r["total"])) for r in totals]


@cached
def vawg_totals_by(
    *,
    measure: str,
    sheet: str,
    field: str,
    start: date,
    end: date,
    borough: str | None = None,
) -> list[tuple[str, int]]:
    """Totals over the period by one column of one sheet (``borough``, ``ward_code``,
    ``offence_group``, ``age_group`` or ``ethnic_group``), largest first. Never mixes sheets."""
    if field not in BREAKDOWNS:
        raise ValueError(f"not a breakdown column: {field}")
    rows = _sheet_rows(measure=measure, sheet=sheet, start=start, end=end)
    if borough is not None:
        rows = rows.filter(borough=borough)
    totals = rows.values(field).annotate(total=Sum("count")).order_by("-total", field)
    return [(r[field] or "", int(r["total"])) for r in totals]


@cached
def unmatched_ward_offences(*, start: date, end: date) -> int:
    """Offences over the period whose ward has no 2024 code (abolished wards, "N/K")."""
    total = (
        _sheet_rows(
            measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION, start=start, end=end
        )
        .filter(ward_code="")
        .aggregate(total=Sum("count"))["total"]
    )
    return int(total or 0)


def ward_month_counts(*, start: date, end: date) -> list[tuple[str, date, int]]:
    """(2024 ward code, month, offences) over the period, location sheet, matched wards only:
    the input of the ward hotspots (not kept on its own)."""
    rows = (
        _sheet_rows(
            measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION, start=start, end=end
        )
        .exclude(ward_code="")
        .values("ward_code", "month")
        .annotate(total=Sum("count"))
    )
    return [(r["ward_code"], r["month"], int(r["total"])) for r in rows]


# --- tables for the API ------------------------------------------------------------------------


def _met_names_for(borough_code: str) -> list[str]:
    """The spellings of a borough's name in the Met's counts (matched without case or ``&``)."""
    names = {b.code: b.name for b in borough_list()}
    name = names.get(borough_code, "")
    found = [
        b
        for b in _vawg_counts()
        .filter(sheet=VawgCount.Sheet.LOCATION)
        .values_list("borough", flat=True)
        .distinct()
        .order_by()
        if name_normalise(b) == name_normalise(name)
    ]
    return found or [name]


@cached
def location_counts(
    *,
    measure: str,
    level: str,
    area_code: str | None,
    start: date | None,
    end: date | None,
) -> list[CountRow]:
    """Counts from the location sheet by borough or ward and month (recorded month), as published.

    ``level`` is ``borough`` or ``ward``; ``area_code`` limits to one borough (all its wards at
    ward level) or one ward. A figure is the sum over committed months and, for boroughs, wards.
    Rows the Met puts under ``Other``/``Unknown`` have no area code and are left out of ward and
    borough rows (they are in London's total).
    """
    rows = _vawg_counts().filter(measure=measure, sheet=VawgCount.Sheet.LOCATION)
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    if level == "borough":
        codes = borough_codes_by_name()
        names = {b.code: b.name for b in borough_list()}
        if area_code is not None:
            rows = rows.filter(borough__in=_met_names_for(area_code))
        out = [
            CountRow(
                month=r["month"],
                count=int(r["total"]),
                area_code=codes.get(name_normalise(r["borough"]), ""),
                area_name=names.get(codes.get(name_normalise(r["borough"]), ""), r["borough"]),
                borough_name=r["borough"],
            )
            for r in rows.exclude(borough__in=("", *NOT_A_BOROUGH))
            .values("borough", "month")
            .annotate(total=Sum("count"))
            .order_by("borough", "month")
        ]
        return sorted(out, key=lambda r: (r.area_name, r.month))
    rows = rows.exclude(ward_code="")
    if area_code is not None:
        if area_code.startswith("E09"):
            rows = rows.filter(borough__in=_met_names_for(area_code))
        else:
            rows = rows.filter(ward_code=area_code)
    ward_names = {w.code: w for w in ward_list()}
    out = []
    for r in (
        rows.values("ward_code", "borough", "month")
        .annotate(total=Sum("count"))
        .order_by("ward_code", "month")
    ):
        ward = ward_names.get(r["ward_code"])
        out.append(
            CountRow(
                month=r["month"],
                count=int(r["total"]),
                area_code=r["ward_code"],
                area_name=ward.name if ward else "",
                borough_name=r["borough"],
            )
        )
    return sorted(out, key=lambda r: (r.borough_name, r.area_name, r.area_code, r.month))


@cached
def sheet_counts(
    *,
    measure: str,
    sheet: str,
    group: str | None,
    start: date | None,
    end: date | None,
) -> list[CountRow]:
    """London-wide counts by month from one sheet (classification by offence group; victims by
    age group; victims by ethnic group), as published. One sheet only: never summed across."""
    field = SHEET_FIELD[VawgCount.Sheet(sheet)]
    rows = _vawg_counts().filter(measure=measure, sheet=sheet)
    if group is not None:
        rows = rows.filter(**{field: group})
    if start is not None:
        rows = rows.filter(month__gte=start)
    if end is not None:
        rows = rows.filter(month__lte=end)
    return [
        CountRow(month=r["month"], count=int(r["total"]), group=r[field] or "not stated")
        for r in rows.values(field, "month").annotate(total=Sum("count")).order_by(field, "month")
    ]


# --- for local partners (commitment 10) ---------------------------------------------------------


@dataclass(frozen=True)
class BoroughChange:
    """One borough's published VAWG offences in the latest 12 months and the 12 before."""

    borough: str
    latest: int
    previous: int | None

    @property
    def change_percent(self) -> float | None:
        if not self.previous:
            return None
        return (self.latest - self.previous) / self.previous * 100.0


@dataclass(frozen=True)
class BoroughChanges:
    start: date
    end: date
    months: int
    previous_start: date | None
    previous_end: date | None
    rows: list[BoroughChange]
    crosses_change: bool
    """True when the two periods fall either side of the Met's change of recording system."""


@cached
def borough_changes() -> BoroughChanges | None:
    """The Met's published VAWG offences by borough, latest 12 months against the 12 before
    (when loaded), largest first, with "Other" and "Unknown" last; None when none are loaded."""
    offences = _published_offences()
    span = offences.aggregate(first=Min("month"), last=Max("month"))
    if span["last"] is None:
        return None
    first: date = span["first"]
    end: date = span["last"]
    start = max(first, months_back(end, PERIOD_MONTHS - 1))
    previous_start = months_back(end, 2 * PERIOD_MONTHS - 1)
    previous_end = months_back(end, PERIOD_MONTHS)
    has_previous = previous_start >= first

    def totals(a: date, b: date) -> dict[str, int]:
        rows = offences.filter(month__gte=a, month__lte=b).exclude(borough="")
        return {
            r["borough"]: int(r["total"])
            for r in rows.values("borough").annotate(total=Sum("count"))
        }

    latest = totals(start, end)
    previous = totals(previous_start, previous_end) if has_previous else {}
    rows = [
        BoroughChange(
            borough=name, latest=count, previous=previous.get(name, 0) if has_previous else None
        )
        for name, count in latest.items()
    ]
    rows.sort(key=lambda r: (r.borough in NOT_A_BOROUGH, -r.latest, r.borough))
    return BoroughChanges(
        start=start,
        end=end,
        months=month_count(start, end),
        previous_start=previous_start if has_previous else None,
        previous_end=previous_end if has_previous else None,
        rows=rows,
        crosses_change=has_previous and period_crosses_change(previous_start, end),
    )
