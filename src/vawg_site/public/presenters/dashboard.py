"""The dashboard's figures for one validated choice: the Met's published VAWG offence and victim
counts, as published, month by month, by area, by offence group and by victim age and ethnic
group.

Each breakdown comes from its own sheet and no sheet is ever added to another: the location sheet
(areas and months), the classification sheet (offence groups, all London), the victims' age-group
sheet and the victims' ethnic-group sheet each count the same crimes or victims a different way.
Every chart is drawn from a :class:`~vawg_site.public.presenters.tables.Table` that is also
shown and offered as CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from vawg.periods import (
    month_key,
    month_label,
    period_crosses_change,
    recording_system,
    year_earlier,
    year_later,
)
from vawg_site.common.geography import borough_codes_by_name, name_normalise
from vawg_site.opendata.selectors.met import MonthCount, Sheet, vawg_month_series, vawg_totals_by
from vawg_site.public.forms import DashboardFilter
from vawg_site.public.presenters.chart import BarChart, LineChart, bar_chart, line_chart
from vawg_site.public.presenters.rates import (
    OutsideVawg,
    Rates,
    group_meaning,
    is_other_flagged,
    outside_vawg,
    rates_build,
)
from vawg_site.public.presenters.tables import Column, Table

TABLE_NAMES = ("trend", "areas", "rates", "groups", "age", "ethnicity")


@dataclass(frozen=True)
class Section:
    """A chart with the table it is drawn from."""

    table: Table
    chart: LineChart | BarChart | None


@dataclass(frozen=True)
class Dashboard:
    selection: DashboardFilter
    total: int
    compare_total: int | None
    trend: Section
    areas: Section | None
    groups: Section | None
    age: Section
    ethnicity: Section
    crosses_change: bool
    rates: Rates | None = None
    """Rates per 1,000 female residents and London's, by borough (None without population)."""
    outside: OutsideVawg | None = None
    """The "other flagged offences outside of VAWG" part of the classification table's total,
    over the period (None when the groups are not shown)."""

    @property
    def period_label(self) -> str:
        return f"{month_label(self.selection.start)} to {month_label(self.selection.end)}"

    @property
    def change_percent(self) -> float | None:
        if not self.compare_total:
            return None
        return (self.total - self.compare_total) / self.compare_total * 100.0

    @property
    def change_text(self) -> str:
        change = self.change_percent
        if change is None:
            return ""
        if abs(change) < 0.05:
            return "the same"
        return f"{abs(change):.1f}% {'higher' if change > 0 else 'lower'}"

    def table(self, name: str) -> Table | None:
        section = getattr(self, name, None) if name in TABLE_NAMES else None
        return section.table if isinstance(section, Section | Rates) else None


def query_of(selection: DashboardFilter) -> dict[str, str]:
    """The GET parameters that reproduce ``selection``."""
    return {
        "measure": selection.measure,
        "borough": selection.borough or "",
        "ward": selection.ward_code or "",
        "group": selection.offence_group or "",
        "start": month_key(selection.start),
        "end": month_key(selection.end),
        "compare": "year" if selection.compare else "none",
    }


def get_data_build(selection: DashboardFilter) -> dict[str, Any]:
    """The "Get this data" block: the month-by-month CSV and the matching API call."""
    query: dict[str, str] = {"measure": selection.measure}
    if selection.ward_code:
        query.update(level="ward", area=selection.ward_code)
    elif selection.borough:
        code = borough_codes_by_name().get(name_normalise(selection.borough))
        if code:
            query["area"] = code
    query.update(month_from=month_key(selection.start), month_to=month_key(selection.end))
    location = reverse("api:vawg_location") + "?" + urlencode(query)
    calls = [(f"The same {selection.measure} by area and month", location)]
    if selection.measure == "offences" and selection.borough is None:
        groups = {"month_from": query["month_from"], "month_to": query["month_to"]}
        calls.append(
            (
                "Offences by offence group",
                reverse("api:vawg_offence_groups") + "?" + urlencode(groups),
            )
        )
    return {
        "csv_href": _csv_href(selection, "trend"),
        "csv_what": "the month-by-month figures",
        "api_calls": calls,
    }


def borough_context(
    *, borough: str | None, start: date, end: date, csv_href: str
) -> dict[str, Any]:
    """The borough page's context for its count: the borough's rate beside London's, its share of
    all recorded crime, how much of London's published total is "other flagged offences outside
    of VAWG" over the same months, and the "Get this data" block."""
    rates = rates_build(
        borough_counts=vawg_totals_by(
            measure="offences", sheet=Sheet.LOCATION, field="borough", start=start, end=end
        ),
        start=start,
        end=end,
        what="Offences",
        only_borough=borough,
        csv_href="",
        with_share=True,
    )
    groups = vawg_totals_by(
        measure="offences", sheet=Sheet.CLASSIFICATION, field="offence_group", start=start, end=end
    )
    query = {"measure": "offences", "month_from": month_key(start), "month_to": month_key(end)}
    code = borough_codes_by_name().get(name_normalise(borough)) if borough else None
    if code:
        query["area"] = code
    return {
        "rates": rates,
        "outside": outside_vawg(groups) if groups else None,
        "get_data": {
            "csv_href": csv_href,
            "csv_what": "these figures",
            "api_calls": [
                (
                    "The same offences by borough and month",
                    reverse("api:vawg_location") + "?" + urlencode(query),
                )
            ],
        },
    }


def _csv_href(selection: DashboardFilter, name: str) -> str:
    return "?" + urlencode({**query_of(selection), "format": "csv", "table": name})


def _trend(sel: DashboardFilter, *, first_month: date) -> tuple[Section, int, int | None]:
    counts = vawg_month_series(
        measure=sel.measure,
        start=sel.start,
        end=sel.end,
        borough=sel.borough,
        ward_code=sel.ward_code,
        offence_group=sel.offence_group,
    )
    compare: list[MonthCount] = []
    if sel.compare and year_earlier(sel.end) >= first_month:
        compare = vawg_month_series(
            measure=sel.measure,
            start=max(year_earlier(sel.start), first_month),
            end=year_earlier(sel.end),
            borough=sel.borough,
            ward_code=sel.ward_code,
            offence_group=sel.offence_group,
        )
    earlier = {year_later(c.month): c.offences for c in compare}
    columns = [
        Column("month", "Month"),
        Column(sel.measure, sel.measure.capitalize(), numeric=True),
        Column("recording_system", "Recording system"),
    ]
    if sel.compare:
        columns += [
            Column(f"{sel.measure}_a_year_earlier", "A year earlier", numeric=True),
            Column("recording_system_a_year_earlier", "Recording system a year earlier"),
        ]
    rows: list[tuple[Any, ...]] = []
    for c in counts:
        row: tuple[Any, ...] = (
            (month_key(c.month), month_label(c.month)),
            c.offences,
            recording_system(c.month),
        )
        if sel.compare:
            before = earlier.get(c.month)
            row += (
                before if before is not None else ("", "–"),
                recording_system(year_earlier(c.month)) if before is not None else "",
            )
        rows.append(row)
    table = Table(
        name="trend",
        caption=f"{sel.what} per month, {sel.area}",
        columns=tuple(columns),
        rows=tuple(rows),
        csv_href=_csv_href(sel, "trend"),
    )
    chart = line_chart(counts=counts, area=sel.area, what=sel.what, compare=compare)
    total = sum(c.offences for c in counts)
    matched = [earlier[c.month] for c in counts if c.month in earlier]
    compare_total = sum(matched) if sel.compare and len(matched) == len(counts) else None
    return Section(table=table, chart=chart), total, compare_total


def _bars(
    *,
    sel: DashboardFilter,
    name: str,
    caption: str,
    label: str,
    items: list[tuple[str, int]],
    column: str,
    links: tuple[str, ...] = (),
    highlight: str | None = None,
    measure: str | None = None,
) -> Section:
    counted = measure or sel.measure
    table = Table(
        name=name,
        caption=caption,
        columns=(Column(column, label), Column(counted, counted.capitalize(), True)),
        rows=tuple((k, v) for k, v in items),
        links=links,
        total=("Total", sum(v for _, v in items)),
        csv_href=_csv_href(sel, name),
    )
    chart = bar_chart(items=items, title=caption, what=caption, highlight=highlight)
    return Section(table=table, chart=chart)


def _groups(sel: DashboardFilter, items: list[tuple[str, int]], period: str) -> Section:
    """The VAWG offence groups with what each covers; "other flagged offences outside of VAWG"
    is left out (the page shows it apart)."""
    table = Table(
        name="groups",
        caption=f"VAWG offences by offence group, all London, {period}",
        columns=(
            Column("offence_group", "Offence group"),
            Column("covers", "What it covers"),
            Column("offences", "Offences", numeric=True),
        ),
        rows=tuple((g, group_meaning(g), v) for g, v in items),
        total=("Total, VAWG groups", "", sum(v for _, v in items)),
        csv_href=_csv_href(sel, "groups"),
    )
    chart = bar_chart(
        items=items, title=table.caption, what=table.caption, highlight=sel.offence_group
    )
    return Section(table=table, chart=chart)


def _victims(
    *,
    sel: DashboardFilter,
    name: str,
    sheet: str,
    field: str,
    caption: str,
    label: str,
    missing: str,
) -> Section:
    """Victims across London over the period by one victims' sheet (age, ethnic group). Age
    groups are shown youngest first ("Aged ..." labels sort so), anything else after them."""
    items = [
        (k or missing, v)
        for k, v in vawg_totals_by(
            measure="victims", sheet=sheet, field=field, start=sel.start, end=sel.end
        )
    ]
    if field == "age_group":
        items.sort(key=lambda kv: (not kv[0].startswith("Aged"), kv[0]))
    return _bars(
        sel=sel,
        name=name,
        caption=caption,
        label=label,
        items=items,
        column=field,
        measure="victims",
    )


def dashboard_build(
    *, selection: DashboardFilter, first_month: date, ward_names: dict[str, str]
) -> Dashboard:
    """Every figure the dashboard shows for ``selection`` (a few aggregate queries)."""
    sel = selection
    trend, total, compare_total = _trend(sel, first_month=first_month)
    period = f"{month_label(sel.start)} to {month_label(sel.end)}"
    location = Sheet.LOCATION
    areas: Section | None = None
    if sel.offence_group is None:
        if sel.borough is None:
            items = vawg_totals_by(
                measure=sel.measure, sheet=location, field="borough", start=sel.start, end=sel.end
            )
            items = [(b or "Not recorded", v) for b, v in items]
            base = query_of(sel)
            links = tuple(
                "?" + urlencode({**base, "borough": b, "ward": ""})
                if b not in ("Other", "Unknown", "Not recorded")
                else ""
                for b, _ in items
            )
            areas = _bars(
                sel=sel,
                name="areas",
                caption=f"{sel.what} by borough, {period}",
                label="Borough",
                items=items,
                column="borough",
                links=links,
            )
        else:
            raw = vawg_totals_by(
                measure=sel.measure,
                sheet=location,
                field="ward_code",
                start=sel.start,
                end=sel.end,
                borough=sel.borough,
            )
            items = [
                (
                    ward_names.get(code, "Ward not matched to a 2024 ward")
                    if code
                    else "Ward not matched to a 2024 ward",
                    v,
                )
                for code, v in raw
            ]
            merged: dict[str, int] = {}
            for k, v in items:
                merged[k] = merged.get(k, 0) + v
            items = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
            areas = _bars(
                sel=sel,
                name="areas",
                caption=f"{sel.what} by ward, {sel.borough}, {period}",
                label="Ward",
                items=items,
                column="ward",
                highlight=sel.ward_name,
            )
    groups: Section | None = None
    outside: OutsideVawg | None = None
    if sel.measure == "offences" and sel.borough is None:
        items = vawg_totals_by(
            measure="offences",
            sheet=Sheet.CLASSIFICATION,
            field="offence_group",
            start=sel.start,
            end=sel.end,
        )
        named = [(g or "Not recorded", v) for g, v in items]
        outside = outside_vawg(named)
        groups = _groups(sel, [(g, v) for g, v in named if not is_other_flagged(g)], period)
    rates = rates_build(
        borough_counts=vawg_totals_by(
            measure=sel.measure, sheet=location, field="borough", start=sel.start, end=sel.end
        ),
        start=sel.start,
        end=sel.end,
        what=sel.measure.capitalize(),
        only_borough=sel.borough,
        csv_href=_csv_href(sel, "rates"),
        with_share=sel.measure == "offences",
    )
    age = _victims(
        sel=sel,
        name="age",
        sheet=Sheet.AGE,
        field="age_group",
        caption=f"Victims by age group, all London, {period}",
        label="Age group",
        missing="Age not recorded",
    )
    ethnicity = _victims(
        sel=sel,
        name="ethnicity",
        sheet=Sheet.ETHNICITY,
        field="ethnic_group",
        caption=f"Victims by ethnic group (as recorded by officers), all London, {period}",
        label="Ethnic group",
        missing="Not recorded",
    )
    crosses = period_crosses_change(sel.start, sel.end) or (
        sel.compare and period_crosses_change(year_earlier(sel.start), year_earlier(sel.end))
    )
    return Dashboard(
        selection=sel,
        total=total,
        compare_total=compare_total,
        trend=trend,
        areas=areas,
        groups=groups,
        age=age,
        ethnicity=ethnicity,
        crosses_change=bool(crosses),
        rates=rates if sel.offence_group is None else None,
        outside=outside,
    )
