"""What a commitment page shows: the summaries of the published data and the force measures its
commitment asks for, each worked out only when the page shows it.

Published data (the Met's counts, data.police.uk) is shown as published, with its source. Force
figures come from :func:`vawg_site.records.selectors.force_measures`, already through disclosure
control. Each measure has its own template include (``public/measures/<name>.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from vawg import commitments
from vawg.commitments import (
    BOROUGH_CHANGES,
    COMMITMENTS,
    FORCE_MEASURES,
    STOP_SEARCH_WOMEN,
    STREET_PLACES,
    Commitment,
)
from vawg.disclosure import Figure
from vawg.measures import OUTCOME_TYPES
from vawg.periods import months_back, period_crosses_change
from vawg_site.common.geography import geo_available
from vawg_site.opendata.selectors import met, police_uk
from vawg_site.opendata.selectors.hotspots import ward_hotspots
from vawg_site.records.selectors import force_loaded, force_measures

PERIOD_MONTHS = 12
"""The summaries cover the latest 12 months of published data."""

PUBLISHED_ORDER = (
    commitments.PUBLISHED_TREND,
    commitments.PUBLISHED_VICTIMS,
    commitments.WARD_HOTSPOTS,
    commitments.STOP_SEARCH_WOMEN,
    commitments.BOROUGH_CHANGES,
    commitments.STREET_PLACES,
)
FORCE_ORDER = (
    commitments.CHARGE_RATE,
    commitments.OUTCOME_MIX,
    commitments.TIME_TO_OUTCOME,
    commitments.ORDERS,
    commitments.REPEAT_VICTIMISATION,
    commitments.LIST_SIZE,
)
"""The order a commitment page shows its measures in: published data first, then the force's."""


def _includes(order: tuple[str, ...], wanted: set[str]) -> list[str]:
    return [f"public/measures/{name}.html" for name in order if name in wanted]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class PublishedSummary:
    """London's published VAWG offences in the latest 12 months and the 12 before."""

    start: date
    end: date
    latest: int
    previous: int | None
    crosses_change: bool

    @property
    def change_percent(self) -> float | None:
        if not self.previous:
            return None
        return (self.latest - self.previous) / self.previous * 100.0


def published_summary() -> PublishedSummary | None:
    span = met.offence_month_span()
    if span is None:
        return None
    first, last = span

    def total(start: date, end: date) -> int:
        return sum(
            c.offences for c in met.vawg_month_series(measure="offences", start=start, end=end)
        )

    start = max(first, months_back(last, PERIOD_MONTHS - 1))
    previous = None
    before_start, before_end = months_back(last, 2 * PERIOD_MONTHS - 1), months_back(last, 12)
    if before_start >= first:
        previous = total(before_start, before_end)
    return PublishedSummary(
        start=start,
        end=last,
        latest=total(start, last),
        previous=previous,
        crosses_change=previous is not None and period_crosses_change(before_start, last),
    )


@dataclass(frozen=True)
class VictimsSummary:
    start: date
    end: date
    age: list[Figure]
    ethnicity: list[Figure]


def victims_summary() -> VictimsSummary | None:
    span = met.offence_month_span()
    if span is None:
        return None
    start = max(span[0], months_back(span[1], PERIOD_MONTHS - 1))

    def shares(sheet: str, field: str, missing: str) -> list[Figure]:
        items = met.vawg_totals_by(
            measure="victims", sheet=sheet, field=field, start=start, end=span[1]
        )
        total = sum(v for _, v in items)
        return [Figure(label=k or missing, value=v, share=_share(v, total)) for k, v in items]

    return VictimsSummary(
        start=start,
        end=span[1],
        age=shares(met.Sheet.AGE, "age_group", "Age not recorded"),
        ethnicity=shares(met.Sheet.ETHNICITY, "ethnic_group", "Not recorded"),
    )


@dataclass(frozen=True)
class HotspotWard:
    """A ward with more VAWG offences than expected, as the "strongest" list shows it."""

    name: str
    borough: str
    offences: int
    expected: float
    ratio: float
    """Offences / expected: also the ward's rate over London's."""
    rate: float | None
    """Offences per 1,000 female residents over the period."""
    few_lsoas: bool = False
    """The ward's population is a best fit of few small areas: its ratio is least reliable."""


@dataclass(frozen=True)
class HotspotSummary:
    """The force area's wards against the London rate over the latest 12 months."""

    start: date
    end: date
    wards: int
    hot: int
    """Wards with more offences than expected (exact Poisson, BH FDR)."""
    cold: int
    """Wards with fewer offences than expected."""
    top: list[HotspotWard]
    """The wards most above expected (highest offences / expected), at most :data:`TOP_WARDS`."""
    london_rate: float | None
    """Offences per 1,000 female residents over the force area's wards."""
    high_clusters: int
    """Wards in a Gi* high cluster (shown apart, as clusters)."""
    alpha_percent: int


TOP_WARDS = 5


def hotspot_summary() -> HotspotSummary | None:
    """The ward summary of commitments 5 and 9: hotspots are wards with more offences than
    expected for their female residents at the London rate, ordered by how far above it."""
    span = met.offence_month_span()
    if span is None or not geo_available():
        return None
    start = max(span[0], months_back(span[1], PERIOD_MONTHS - 1))
    result = ward_hotspots(start=start, end=span[1])
    hot = [r for r in result.rows if r.excess == "more"]
    top = sorted(hot, key=lambda r: (-(r.ratio or 0.0), -r.offences, r.name))[:TOP_WARDS]
    return HotspotSummary(
        start=start,
        end=span[1],
        wards=len(result.rows),
        hot=len(hot),
        cold=sum(1 for r in result.rows if r.excess == "fewer"),
        top=[
            HotspotWard(
                name=r.name,
                borough=r.borough,
                offences=r.offences,
                expected=r.expected or 0.0,
                ratio=r.ratio or 0.0,
                rate=r.rate,
                few_lsoas=r.few_lsoas,
            )
            for r in top
        ],
        london_rate=result.rate_per_1000,
        high_clusters=sum(1 for r in result.rows if r.hotspot.startswith("hot")),
        alpha_percent=round(result.alpha * 100),
    )


def commitment_find(number: int) -> Commitment | None:
    """The commitment with a progress page numbered ``number``, or None."""
    found = next((c for c in COMMITMENTS if c.number == number), None)
    return found if found is not None and found.has_progress_page else None


def commitment_context(commitment: Commitment) -> dict[str, Any]:
    """The template context of a commitment's page: only the measures it asks for."""
    wanted = set(commitment.measures)
    uses_force = bool(wanted & FORCE_MEASURES)
    number = commitment.number
    return {
        "commitment": commitment,
        "wanted": wanted,
        "shows_force_data": uses_force,
        "force": force_measures() if uses_force else None,
        "force_loaded": uses_force and force_loaded(),
        "published": published_summary() if commitments.PUBLISHED_TREND in wanted else None,
        "victims": victims_summary() if commitments.PUBLISHED_VICTIMS in wanted else None,
        "hotspots": hotspot_summary() if commitments.WARD_HOTSPOTS in wanted else None,
        "open_data": {
            "stop_search": police_uk.stop_search_women() if STOP_SEARCH_WOMEN in wanted else None,
            "boroughs": met.borough_changes() if BOROUGH_CHANGES in wanted else None,
            "places": police_uk.street_places() if STREET_PLACES in wanted else None,
        },
        "published_measures": _includes(PUBLISHED_ORDER, wanted),
        "force_measures": _includes(FORCE_ORDER, wanted),
        "outcome_types": OUTCOME_TYPES,
        "previous": next((c for c in COMMITMENTS if c.number == number - 1), None),
        "next": next((c for c in COMMITMENTS if c.number == number + 1), None),
    }
