"""Forms for the public pages. Every choice is checked against an allow-list built from the data
(SECURITY.md section 4: fixed choice lists), so nothing a visitor types reaches a query as is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms

from vawg_site.public.chart import month_label

ALL_LONDON = ""
ALL_LONDON_LABEL = "All London"


def month_key(month: date) -> str:
    """'2024-02' for February 2024: the value a month takes in URLs and the CSV."""
    return f"{month.year:04d}-{month.month:02d}"


def months_between(first: date, last: date) -> list[date]:
    """First days of every month from ``first`` to ``last`` inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


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
