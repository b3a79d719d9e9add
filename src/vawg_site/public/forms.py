"""Forms for the public pages. Every choice is checked against an allow-list built from the data
(fixed choice lists), so nothing a visitor types reaches a query as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms

from vawg.periods import month_key, month_label

ALL_LONDON = ""
ALL_LONDON_LABEL = "All London"


@dataclass(frozen=True)
class BoroughFilter:
    """What a visitor asked to see: ``borough`` None means all London."""

    borough: str | None
    start: date
    end: date

    @property
    def area(self) -> str:
        return self.borough or ALL_LONDON_LABEL


class BoroughFilterForm(forms.Form):
    """Choose an area and a period of months for the borough data page."""

    borough = forms.ChoiceField(label="Area", required=False)
    start = forms.ChoiceField(label="From")
    end = forms.ChoiceField(label="To")

    def __init__(self, *args: Any, boroughs: list[str], months: list[date], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.months = {month_key(m): m for m in months}
        month_choices = [(month_key(m), month_label(m)) for m in months]
        area_choices = [(ALL_LONDON, ALL_LONDON_LABEL), *((name, name) for name in boroughs)]
        for name, choices in (
            ("borough", area_choices),
            ("start", month_choices),
            ("end", month_choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        self.fields["start"].error_messages["invalid_choice"] = "Choose a month from the list"
        self.fields["end"].error_messages["invalid_choice"] = "Choose a month from the list"
        self.fields["borough"].error_messages["invalid_choice"] = "Choose an area from the list"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and self.months[start] > self.months[end]:
            self.add_error("end", "The ‘to’ month must be the same as or after the ‘from’ month")
        return cleaned

    def selection(self) -> BoroughFilter:
        """The validated choice; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return BoroughFilter(
            borough=data["borough"] or None,
            start=self.months[data["start"]],
            end=self.months[data["end"]],
        )


MEASURES = (("offences", "Offences"), ("victims", "Victims"))
COMPARE_CHOICES = (("year", "The same months a year earlier"), ("none", "Nothing"))
ALL_WARDS = ""
ALL_GROUPS = ""


@dataclass(frozen=True)
class DashboardFilter:
    """A validated dashboard choice. None means "all" for borough, ward and offence group."""

    measure: str
    borough: str | None
    ward_code: str | None
    ward_name: str | None
    offence_group: str | None
    start: date
    end: date
    compare: bool

    @property
    def area(self) -> str:
        if self.ward_name:
            return f"{self.ward_name} ward, {self.borough}"
        return self.borough or ALL_LONDON_LABEL

    @property
    def what_in_sentence(self) -> str:
        what = self.what
        return what[0].lower() + what[1:] if what.startswith("Victims") else what

    @property
    def what(self) -> str:
        noun = "VAWG offences" if self.measure == "offences" else "Victims of VAWG offences"
        if self.offence_group:
            return f"{noun} ({self.offence_group})"
        return noun


class DashboardFilterForm(forms.Form):
    """The dashboard's filters: what to count, where, which offence group, which months."""

    measure = forms.ChoiceField(label="Count", choices=MEASURES)
    borough = forms.ChoiceField(label="Borough", required=False)
    ward = forms.ChoiceField(label="Ward", required=False)
    group = forms.ChoiceField(label="Offence group", required=False)
    start = forms.ChoiceField(label="From")
    end = forms.ChoiceField(label="To")
    compare = forms.ChoiceField(label="Compare with", choices=COMPARE_CHOICES)

    def __init__(
        self,
        *args: Any,
        boroughs: list[str],
        wards: list[tuple[str, str]],
        groups: list[str],
        months: list[date],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.months = {month_key(m): m for m in months}
        self.ward_names = dict(wards)
        month_choices = [(month_key(m), month_label(m)) for m in months]
        for name, choices in (
            ("borough", [(ALL_LONDON, ALL_LONDON_LABEL), *((b, b) for b in boroughs)]),
            ("ward", [(ALL_WARDS, "All wards"), *wards]),
            ("group", [(ALL_GROUPS, "All offence groups"), *((g, g) for g in groups)]),
            ("start", month_choices),
            ("end", month_choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        messages = {
            "measure": "Choose offences or victims",
            "borough": "Choose a borough from the list",
            "ward": "Choose a ward in the borough chosen",
            "group": "Choose an offence group from the list",
            "start": "Choose a month from the list",
            "end": "Choose a month from the list",
            "compare": "Choose what to compare with",
        }
        for name, message in messages.items():
            self.fields[name].error_messages["invalid_choice"] = message

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and self.months[start] > self.months[end]:
            self.add_error("end", "The ‘to’ month must be the same as or after the ‘from’ month")
        if cleaned.get("group"):
            if cleaned.get("measure") == "victims":
                self.add_error(
                    "group",
                    "The Met publishes victims by area, age group and ethnic group, not by "
                    "offence group: choose All offence groups or count offences",
                )
            elif cleaned.get("borough"):
                self.add_error(
                    "group",
                    "The Met publishes offence groups for all of London only: choose All "
                    "offence groups or All London",
                )
        return cleaned

    def selection(self) -> DashboardFilter:
        """The validated choice; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        ward = data["ward"] or None
        return DashboardFilter(
            measure=data["measure"],
            borough=data["borough"] or None,
            ward_code=ward,
            ward_name=self.ward_names.get(ward) if ward else None,
            offence_group=data["group"] or None,
            start=self.months[data["start"]],
            end=self.months[data["end"]],
            compare=data["compare"] == "year",
        )


class MapFilterForm(forms.Form):
    """The hotspot tables' filters: months, and which rows to show in what order."""

    start = forms.ChoiceField(label="From")
    end = forms.ChoiceField(label="To")
    borough = forms.ChoiceField(label="Borough", required=False)
    hotspot = forms.ChoiceField(label="Show", required=False)
    order = forms.ChoiceField(label="Order by")

    def __init__(
        self,
        *args: Any,
        months: list[date],
        boroughs: list[str],
        orders: list[tuple[str, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.months = {month_key(m): m for m in months}
        month_choices = [(month_key(m), month_label(m)) for m in months]
        for name, choices in (
            ("start", month_choices),
            ("end", month_choices),
            ("borough", [(ALL_LONDON, ALL_LONDON_LABEL), *((b, b) for b in boroughs)]),
            (
                "hotspot",
                [
                    ("", "All areas"),
                    ("hot", "More offences than expected only"),
                    ("cold", "Fewer offences than expected only"),
                    ("not-significant", "About as expected only"),
                ],
            ),
            ("order", orders),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
            field.error_messages["invalid_choice"] = "Choose an option from the list"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and self.months[start] > self.months[end]:
            self.add_error("end", "The ‘to’ month must be the same as or after the ‘from’ month")
        return cleaned


class AreaSearchForm(forms.Form):
    """ "Find your area": a borough, ward, place name or postcode, as typed. The text is only
    compared with names and postcodes in memory or by exact key (never stored or logged)."""

    q = forms.CharField(
        label="Borough, ward, place or postcode",
        max_length=100,
        strip=True,
        error_messages={
            "required": "Enter a borough, ward, place or postcode",
            "max_length": "Enter 100 characters or fewer",
        },
    )
