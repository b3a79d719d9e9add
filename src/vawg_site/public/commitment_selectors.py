"""Selectors for the open-data measures of commitments 1 and 10: read-only aggregates of data
already published by its owner (data.police.uk, the Met on the London Datastore).

These data are shown as published, with their source, and are not passed through disclosure
control (``docs/disclosure.md``): they hold no force records. Every measure covers the latest 12
months loaded (``PERIOD_MONTHS``), counted by the month the owner gives each row. Definitions follow
``../shared/DOMAIN.md`` section 8 in spirit: each states its numerator, its denominator and its
period on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Min, Q, Sum

from vawg_site.opendata.models import StopSearch, StreetCrime, VawgCount
from vawg_site.public.forms import months_back
from vawg_site.public.selectors import STREET_CATEGORY, cached_on_published_data

PERIOD_MONTHS = 12
MET_FORCE = "metropolitan"
"""data.police.uk's slug for the Metropolitan Police Service (stop-and-search file names)."""

FEMALE = "Female"
GIRL_AGE_RANGES = ("under 10", "10-17")
"""data.police.uk age ranges under 18."""

NO_FURTHER_ACTION = ("A no further action disposal", "Nothing found - no further action")
"""data.police.uk's wording for a search that ended with no further action (current, older)."""

NOT_A_BOROUGH = ("Other", "Unknown")
"""Values the Met uses for offences it could not place in a borough."""

TOP_PLACES = 10


def months_between(start: date, end: date) -> int:
    """How many months from ``start`` to ``end``, both included (first days of months)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- commitment 1: stop and search of women and girls ---------------------------------------------


@dataclass(frozen=True)
class StopSearchWomen:
    """The Met's stop and search of women and girls over 12 months (data.police.uk)."""

    start: date
    end: date
    months: int
    searches: int
    """All searches by the Met in the period, whatever the gender recorded."""
    gender_recorded: int
    """Searches with a gender recorded (Male, Female or Other)."""
    women_and_girls: int
    girls: int
    no_further_action: int
    """Searches of women and girls that ended with no further action."""
    outcome_recorded: int
    """Searches of women and girls with any outcome recorded."""
    more_than_outer_clothing: int
    """Searches of women and girls that removed more than outer clothing."""
    girls_more_than_outer_clothing: int

    @property
    def women_share(self) -> float | None:
        """Searches of women and girls over searches with a gender recorded."""
        return _share(self.women_and_girls, self.gender_recorded)

    @property
    def no_further_action_share(self) -> float | None:
        """No further action over searches of women and girls with an outcome recorded."""
        return _share(self.no_further_action, self.outcome_recorded)


@cached_on_published_data
def stop_search_women() -> StopSearchWomen | None:
    """Stop and search of women and girls by the Met in the latest 12 months loaded; None when
    no stop-and-search file of the Met is loaded."""
    met = StopSearch.objects.filter(force=MET_FORCE)
    span = met.aggregate(first=Min("month"), last=Max("month"))
    if span["last"] is None:
        return None
    end: date = span["last"]
    start = max(span["first"], months_back(end, PERIOD_MONTHS - 1))
    female = Q(gender=FEMALE)
    girl = female & Q(age_range__in=GIRL_AGE_RANGES)
    removed = Q(removal_of_clothing=True)
    figures = met.filter(month__gte=start, month__lte=end).aggregate(
        searches=Count("id"),
        gender_recorded=Count("id", filter=~Q(gender="")),
        women_and_girls=Count("id", filter=female),
        girls=Count("id", filter=girl),
        no_further_action=Count("id", filter=female & Q(outcome__in=NO_FURTHER_ACTION)),
        outcome_recorded=Count("id", filter=female & ~Q(outcome="")),
        more_than_outer_clothing=Count("id", filter=female & removed),
        girls_more_than_outer_clothing=Count("id", filter=girl & removed),
    )
    return StopSearchWomen(start=start, end=end, months=months_between(start, end), **figures)


# --- commitment 10: boroughs and places, for partners ---------------------------------------------


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


@cached_on_published_data
def borough_changes() -> BoroughChanges | None:
    """The Met's published VAWG offences by borough, latest 12 months against the 12 before
    (when loaded), largest first, with "Other" and "Unknown" last; None when none are loaded."""
    from vawg_site.public.chart import RECORDING_SYSTEM_CHANGE

    offences = VawgCount.objects.filter(
        measure=VawgCount.Measure.OFFENCES, sheet=VawgCount.Sheet.LOCATION
    )
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
    change = RECORDING_SYSTEM_CHANGE.replace(day=1)
    return BoroughChanges(
        start=start,
        end=end,
        months=months_between(start, end),
        previous_start=previous_start if has_previous else None,
        previous_end=previous_end if has_previous else None,
        rows=rows,
        crosses_change=has_previous and previous_start <= change <= end,
    )


@dataclass(frozen=True)
class Place:
    """A place on data.police.uk's map: a map point label ("On or near ...") in one area (the
    local authority in its LSOA's name), with the violence and sexual offences mapped to every
    point of that label in that area (a long street has several) in the period."""

    label: str
    area: str
    crimes: int


@dataclass(frozen=True)
class StreetPlaces:
    start: date
    end: date
    months: int
    crimes: int
    """Violence and sexual offences in the period, with a map point or not."""
    places: list[Place]


def area_of(lsoa_name: str) -> str:
    """The local authority in an LSOA's name ("Westminster 018A" -> "Westminster").

    >>> area_of("Westminster 018A"), area_of("City of London 001F"), area_of("")
    ('Westminster', 'City of London', '')
    """
    head, _, code = lsoa_name.rpartition(" ")
    return head if head and code[:3].isdigit() else lsoa_name


@cached_on_published_data
def street_places() -> StreetPlaces | None:
    """The places (label and area) with the most data.police.uk violence and sexual offences in
    the latest 12 months loaded, most first (ties by label, then area); None when none are
    loaded."""
    crimes = StreetCrime.objects.filter(category=STREET_CATEGORY)
    span = crimes.aggregate(first=Min("month"), last=Max("month"))
    if span["last"] is None:
        return None
    end: date = span["last"]
    start = max(span["first"], months_back(end, PERIOD_MONTHS - 1))
    period = crimes.filter(month__gte=start, month__lte=end)
    by_place: dict[tuple[str, str], int] = {}
    groups = (
        period.exclude(location="")
        .values("location", "lsoa_name")
        .annotate(crimes=Count("id"))
        .values_list("location", "lsoa_name", "crimes")
    )
    for label, lsoa_name, count in groups.iterator(chunk_size=5000):
        key = (label, area_of(lsoa_name))
        by_place[key] = by_place.get(key, 0) + count
    top = sorted(by_place.items(), key=lambda item: (-item[1], item[0]))[:TOP_PLACES]
    return StreetPlaces(
        start=start,
        end=end,
        months=months_between(start, end),
        crimes=period.count(),
        places=[Place(label=label, area=area, crimes=n) for (label, area), n in top],
    )
