"""What each published source loaded here covers: its months, and which boroughs of the force area
it holds records for, year by year.

A borough counts as covered in a year when the source holds at least
:data:`COVERED_SHARE_OF_MEDIAN` of the median force-area borough's records for that year (a
borough with none counts as 0 in the median). A source that holds only the odd record at a
borough's edge (a query by ward polygons that left the borough out, as the 2017 API extracts did)
then reads as not covering it, while boroughs with fewer crimes than most (the Met's quietest
borough had about half the median in 2017) still read as covered. Only the force area is counted
(:func:`vawg_site.common.geography.force_borough_codes`), as every public figure is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Count, Q, Sum

from vawg.periods import month_label, plausible_window
from vawg_site.common.caching import cached
from vawg_site.common.geography import (
    borough_codes_by_name,
    force_area,
    force_borough_codes,
    force_boroughs,
    name_normalise,
)
from vawg_site.opendata.models import RecordedCrimeCount, StopSearch, StreetOutcome, VawgCount
from vawg_site.opendata.selectors import met, police_uk

COVERED_SHARE_OF_MEDIAN = 0.25
"""A borough is covered in a year when it holds at least this share of the median borough's
records (see the module's docstring)."""

POLICE_UK_URL = "https://data.police.uk/data/"
DATASTORE_VAWG_URL = "https://data.london.gov.uk/dataset/mps-monthly-crime-dashboard-data"
DATASTORE_RECORDED_URL = "https://data.london.gov.uk/dataset/recorded_crime_summary"


@dataclass(frozen=True)
class YearCoverage:
    """One calendar year of a source: its months loaded and the force-area boroughs covered."""

    year: int
    months: int
    covered: tuple[str, ...]
    """Names of the force-area boroughs covered, by name."""
    missing: tuple[str, ...]
    """Names of the force-area boroughs not covered, by name."""


@dataclass(frozen=True)
class SourceCoverage:
    """One source as loaded."""

    key: str
    name: str
    publisher: str
    url: str
    ingest_source: str
    """The ``vawg ingest`` source that loads it (its loads give the last-updated time)."""
    first: date | None
    last: date | None
    months: int
    """Months with records in the force area, between first and last."""
    years: tuple[YearCoverage, ...]
    boroughs: int = 0
    """Boroughs in the force area."""
    not_counted: int = 0
    """Records loaded but not counted: other forces' or outside the force area."""

    @property
    def url_text(self) -> str:
        """The source's address without its scheme, to be read rather than followed."""
        return self.url.removeprefix("https://").removeprefix("http://").rstrip("/")

    @property
    def covered(self) -> tuple[str, ...]:
        """Force-area boroughs covered in at least one year."""
        return tuple(sorted({b for y in self.years for b in y.covered}))

    @property
    def year_lines(self) -> tuple[str, ...]:
        """One line per year, runs of years with every borough covered told once: "2014 to
        2025: all 32 boroughs", "2017: 25 of 32 boroughs; not covered: Bexley, ..."."""
        lines: list[str] = []
        run: list[int] = []
        total = self.boroughs

        def flush() -> None:
            if run:
                years = str(run[0]) if len(run) == 1 else f"{run[0]} to {run[-1]}"
                lines.append(f"{years}: {_of(total, total)}")
                run.clear()

        for y in self.years:
            if not y.missing:
                if run and run[-1] != y.year - 1:
                    flush()
                run.append(y.year)
                continue
            flush()
            lines.append(
                f"{y.year}: {_of(len(y.covered), total)}; not covered: {', '.join(y.missing)}"
            )
        flush()
        return tuple(lines)

    @property
    def period(self) -> str:
        """ "January 2017 to December 2017", or "" when nothing is loaded."""
        if self.first is None or self.last is None:
            return ""
        return f"{month_label(self.first)} to {month_label(self.last)}"


@dataclass(frozen=True)
class Coverage:
    """Every source, and the force area they are measured against."""

    area_name: str
    boroughs: int
    """Boroughs in the force area (32 for the Met)."""
    sources: tuple[SourceCoverage, ...]

    def source(self, key: str) -> SourceCoverage | None:
        return next((s for s in self.sources if s.key == key), None)

    @property
    def last(self) -> date | None:
        """The latest month any source has records for."""
        months = [s.last for s in self.sources if s.last is not None]
        return max(months) if months else None

    @property
    def street_note(self) -> str:
        """How much of the force area each year of street-level data covers, e.g.
        "street-level data for 2017 covers 24 of 32 boroughs"; "" when none is loaded."""
        street = self.source("police-uk-street")
        if street is None or not street.years:
            return ""
        parts = [f"{y.year} covers {_of(len(y.covered), self.boroughs)}" for y in street.years]
        return "street-level data for " + ", ".join(parts)

    @property
    def note(self) -> str:
        """One line for beside a figure: "Data to August 2025; street-level data for 2017 covers
        24 of 32 boroughs"."""
        parts = []
        if self.last is not None:
            parts.append(f"Data to {month_label(self.last)}")
        if self.street_note:
            parts.append(self.street_note)
        return "; ".join(parts)

    @property
    def street_not_counted(self) -> int:
        street = self.source("police-uk-street")
        return street.not_counted if street is not None else 0


def _of(n: int, of: int) -> str:
    return f"all {of} boroughs" if n == of and of else f"{n} of {of} boroughs"


def _years(counts: Iterable[tuple[str, date, int]]) -> tuple[YearCoverage, ...]:
    """Years of (borough code, month, records) with the force-area boroughs each covers."""
    boroughs = {b.code: b.name for b in force_boroughs()}
    by_year: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    months: dict[int, set[date]] = defaultdict(set)
    for code, month, n in counts:
        if code in boroughs and n > 0:
            by_year[month.year][code] += n
            months[month.year].add(month)
    out = []
    for year in sorted(by_year):
        totals = by_year[year]
        typical = median([totals.get(code, 0) for code in boroughs]) if boroughs else 0
        covered = {c for c, n in totals.items() if n >= COVERED_SHARE_OF_MEDIAN * typical}
        out.append(
            YearCoverage(
                year=year,
                months=len(months[year]),
                covered=tuple(sorted(boroughs[c] for c in covered)),
                missing=tuple(sorted(boroughs[c] for c in boroughs if c not in covered)),
            )
        )
    return tuple(out)


def _source(
    key: str,
    name: str,
    publisher: str,
    url: str,
    ingest_source: str,
    counts: list[tuple[str, date, int]],
    not_counted: int = 0,
) -> SourceCoverage:
    inside = force_borough_codes()
    months = sorted({m for code, m, n in counts if code in inside and n > 0})
    first, last = (months[0], months[-1]) if months else (None, None)
    return SourceCoverage(
        key=key,
        name=name,
        publisher=publisher,
        url=url,
        ingest_source=ingest_source,
        first=first,
        last=last,
        months=len(months),
        years=_years(counts),
        boroughs=len(inside),
        not_counted=not_counted,
    )


def _by_name(rows: Iterable[tuple[str, date, int]]) -> list[tuple[str, date, int]]:
    """(borough name, month, n) as (borough code, month, n); names matched without case or
    ``&``; names of no shipped borough ("Other", "Unknown") left out."""
    codes = borough_codes_by_name()
    out = []
    for name, month, n in rows:
        code = codes.get(name_normalise(name or ""), "")
        if code:
            out.append((code, month, int(n or 0)))
    return out


def _vawg(measure: str) -> list[tuple[str, date, int]]:
    rows = (
        VawgCount.objects.filter(
            month__range=plausible_window(), measure=measure, sheet=VawgCount.Sheet.LOCATION
        )
        .exclude(ward_name__iexact=met.OUTSIDE_FORCE_WARD)
        .values("borough", "month")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return _by_name((r["borough"], r["month"], r["n"]) for r in rows)


def _recorded() -> list[tuple[str, date, int]]:
    rows = (
        RecordedCrimeCount.objects.filter(month__range=plausible_window(), level="borough")
        .values("area_name", "month")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return _by_name((r["area_name"], r["month"], r["n"]) for r in rows)


def _outcomes() -> list[tuple[str, date, int]]:
    rows = (
        StreetOutcome.objects.filter(
            Q(falls_within__in=("", force_area().name)), month__range=plausible_window()
        )
        .values("borough_code", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["borough_code"], r["month"], int(r["n"])) for r in rows]


def _searches() -> list[tuple[str, date, int]]:
    rows = (
        StopSearch.objects.filter(
            month__range=plausible_window(), force=force_area().police_uk_slug
        )
        .values("borough_code", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [(r["borough_code"], r["month"], int(r["n"])) for r in rows]


@cached
def coverage() -> Coverage:
    """Each source's months and force-area boroughs covered, year by year."""
    met = "Metropolitan Police Service (London Datastore)"
    police = "data.police.uk (Home Office and police forces)"
    outside_outcomes = StreetOutcome.objects.exclude(
        Q(falls_within__in=("", force_area().name))
        & Q(borough_code__in=sorted(force_borough_codes()))
    ).count()
    sources = (
        _source(
            "met-vawg-offences",
            "The Met's VAWG offences",
            met,
            DATASTORE_VAWG_URL,
            "mps-vawg",
            _vawg(VawgCount.Measure.OFFENCES),
        ),
        _source(
            "met-vawg-victims",
            "The Met's VAWG victims",
            met,
            DATASTORE_VAWG_URL,
            "mps-vawg",
            _vawg(VawgCount.Measure.VICTIMS),
        ),
        _source(
            "met-recorded-crime",
            "The Met's recorded crime (all crime)",
            met,
            DATASTORE_RECORDED_URL,
            "mps-recorded",
            _recorded(),
        ),
        _source(
            "police-uk-street",
            "Street-level crime",
            police,
            POLICE_UK_URL,
            "police-uk",
            police_uk.street_borough_months(),
            not_counted=police_uk.street_outside_count(),
        ),
        _source(
            "police-uk-outcomes",
            "Outcomes of street-level crimes",
            police,
            POLICE_UK_URL,
            "police-uk",
            _outcomes(),
            not_counted=outside_outcomes,
        ),
        _source(
            "police-uk-stop-search",
            "Stop and search",
            police,
            POLICE_UK_URL,
            "police-uk",
            _searches(),
        ),
    )
    return Coverage(
        area_name=force_area().area_name,
        boroughs=len(force_borough_codes()),
        sources=sources,
    )
