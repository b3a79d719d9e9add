"""Progress measures for the commitment pages, from the force extract and the published data.

Force-extract measures are computed by :mod:`vawg.measures` over the VAWG crimes (classified by
:mod:`vawg.taxonomy`) recorded in the 12 months to the extract's last recorded day, and every
count goes through :mod:`vawg.disclosure` before it reaches a page; rates are worked out from the
published (rounded) counts, never from the true ones, so they reveal nothing the counts do not.
Nothing here returns a person, a reference or a location.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db.models import Max

from vawg import measures
from vawg.disclosure import RULE_NAME, THRESHOLD, counts_disclose
from vawg_site.public.forms import months_back
from vawg_site.public.maps import _Cache
from vawg_site.records.models import Crime, Involvement, Order

PERIOD_DAYS = 365
_cache = _Cache(4)


@dataclass(frozen=True)
class Figure:
    """A published figure: its label, the value shown (None when suppressed) and its unit."""

    label: str
    value: int | None
    share: float | None = None

    @property
    def percent(self) -> str:
        return "" if self.share is None else f"{self.share * 100:.0f}%"


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _figures(labels: list[str], counts: list[int]) -> tuple[list[Figure], int | None]:
    """Counts disclosed together with their total, as figures with shares of the total."""
    table = counts_disclose(counts, total=True)
    total = table.grand_total
    figures = [
        Figure(label=label, value=row[0], share=_share(row[0], total))
        for label, row in zip(labels, table.cells, strict=True)
    ]
    return figures, total


@dataclass(frozen=True)
class ForceMeasures:
    """Everything the commitment pages show from the force extract."""

    as_of: date
    start: date
    crimes_recorded: int | None
    charge: list[Figure]
    outcomes_assigned: int | None
    charge_rate: float | None
    outcome_mix: list[Figure]
    victim_withdrew_share: float | None
    time_to_outcome: measures.TimeToOutcome | None
    time_to_charge: measures.TimeToOutcome | None
    time_counts: list[Figure]
    orders_in_place: list[Figure]
    orders_in_place_total: int | None
    breach: list[Figure]
    orders_in_force: int | None
    breach_rate: float | None
    repeat: list[Figure]
    victims: int | None
    repeat_rate: float | None
    list_eligible: int | None
    list_size: int | None
    rule: str = RULE_NAME
    threshold: int = THRESHOLD


def force_version() -> str | None:
    """Changes when the force extract is loaded again; None when none is loaded."""
    last = Crime.objects.aggregate(last=Max("id"), day=Max("recorded_date"))
    if last["last"] is None:
        return None
    return f"{last['last']}:{last['day']}:{Order.objects.aggregate(m=Max('id'))['m']}"


def _frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from vawg.taxonomy import crimes_classify, taxonomy_load

    crimes = pl.DataFrame(
        list(
            Crime.objects.values_list(
                "id",
                "recorded_date",
                "offence_code",
                "offence_description",
                "domestic_abuse",
                "outcome_code",
                "outcome_date",
            ).iterator(chunk_size=5000)
        ),
        schema={
            "crime_id": pl.Int64,
            "recorded_date": pl.Date,
            "offence_code": pl.String,
            "offence_description": pl.String,
            "domestic_abuse": pl.Boolean,
            "outcome_code": pl.String,
            "outcome_date": pl.Date,
        },
        orient="row",
    )
    involvements = pl.DataFrame(
        list(
            Involvement.objects.values_list(
                "crime_id", "person_id", "role", "person__sex"
            ).iterator(chunk_size=5000)
        ),
        schema={"crime_id": pl.Int64, "person_id": pl.Int64, "role": pl.String, "sex": pl.String},
        orient="row",
    )
    victims = involvements.filter(pl.col("role") == Involvement.Role.VICTIM)
    female = victims.filter(pl.col("sex") == "F").select("crime_id").unique()
    crimes = crimes.with_columns(
        pl.col("crime_id").is_in(female["crime_id"].implode()).alias("female_victim")
    )
    classified = crimes_classify(crimes.lazy(), taxonomy=taxonomy_load()).collect()
    vawg = classified.filter(pl.col("is_vawg"))
    victimisations = victims.join(
        vawg.select("crime_id", "recorded_date", "vawg_group"), on="crime_id"
    ).select(victim_ref=pl.col("person_id"), recorded_date="recorded_date", vawg_group="vawg_group")
    allegations = (
        involvements.filter(pl.col("role").is_in(["suspect", "offender"]))
        .join(vawg.select("crime_id", "recorded_date"), on="crime_id")
        .select(person_ref=pl.col("person_id"), recorded_date="recorded_date")
    )
    orders = pl.DataFrame(
        [
            (t, s, e, [date.fromisoformat(str(d)[:10]) for d in (b or [])])
            for t, s, e, b in Order.objects.values_list(
                "order_type", "start_date", "end_date", "breach_dates"
            )
        ],
        schema={
            "order_type": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "breach_dates": pl.List(pl.Date),
        },
        orient="row",
    )
    return vawg, victimisations, allegations, orders


def _compute() -> ForceMeasures | None:
    vawg, victimisations, allegations, orders = _frames()
    if vawg.is_empty():
        return None
    as_of: date = vawg["recorded_date"].max()  # type: ignore[assignment]
    start = as_of - timedelta(days=PERIOD_DAYS - 1)

    rate = measures.charge_rate(crimes=vawg, start=start, end=as_of)
    charge, assigned = _figures(
        ["Charged or summonsed", "Other outcomes"],
        [rate.charged, rate.outcomes_assigned - rate.charged],
    )
    mix = measures.outcome_mix(crimes=vawg, start=start, end=as_of)
    mix_figures, recorded = _figures(mix["outcome"].to_list(), mix["crimes"].to_list())
    withdrew = next(
        (
            f.share
            for f, code in zip(mix_figures, mix["outcome_code"].to_list(), strict=True)
            if code == measures.VICTIM_WITHDREW_CODE
        ),
        None,
    )

    tto = measures.time_to_outcome(crimes=vawg, start=start, end=as_of, as_of=as_of)
    ttc = measures.time_to_outcome(
        crimes=vawg, start=start, end=as_of, as_of=as_of, codes=measures.CHARGED_CODES
    )
    time_counts, _ = _figures(
        ["Outcome assigned by the data's last day", "Still open (right-censored)"],
        [tto.outcomes, tto.censored],
    )
    # A median is shown only when it rests on at least THRESHOLD outcomes.
    tto_shown = tto if tto.outcomes >= THRESHOLD else None
    ttc_shown = ttc if ttc.outcomes >= THRESHOLD else None

    in_place = measures.orders_in_place(orders=orders, as_of=as_of)
    order_labels = {k: str(v) for k, v in Order.OrderType.choices}
    place_figures, place_total = _figures(
        [f"{order_labels.get(t, t)} ({t})" for t in in_place["order_type"].to_list()],
        in_place["orders"].to_list(),
    )
    breach = measures.order_breach_rate(orders=orders, start=start, end=as_of)
    breach_figures, in_force = _figures(
        ["Breached at least once in the period", "Not breached in the period"],
        [breach.breached, breach.orders - breach.breached],
    )
    repeat = measures.repeat_victimisation(victimisations=victimisations, start=start, end=as_of)
    repeat_figures, victims = _figures(
        ["Victimised again within 12 months", "No earlier VAWG crime within 12 months"],
        [repeat.repeat_victims, repeat.victims - repeat.repeat_victims],
    )
    eligible_n = measures.list_eligible(allegations=allegations, as_of=as_of)
    eligible = counts_disclose([eligible_n], total=False).cells[0][0]
    return ForceMeasures(
        as_of=as_of,
        start=start,
        crimes_recorded=recorded,
        charge=charge,
        outcomes_assigned=assigned,
        charge_rate=_share(charge[0].value, assigned),
        outcome_mix=mix_figures,
        victim_withdrew_share=withdrew,
        time_to_outcome=tto_shown,
        time_to_charge=ttc_shown,
        time_counts=time_counts,
        orders_in_place=place_figures,
        orders_in_place_total=place_total,
        breach=breach_figures,
        orders_in_force=in_force,
        breach_rate=_share(breach_figures[0].value, in_force),
        repeat=repeat_figures,
        victims=victims,
        repeat_rate=_share(repeat_figures[0].value, victims),
        list_eligible=eligible,
        list_size=None if eligible is None else min(measures.LIST_SIZE, eligible),
    )


def force_measures() -> ForceMeasures | None:
    """The force measures (cached per load of the extract); None when no extract is loaded."""
    version = force_version()
    if version is None:
        return None
    result: Any = _cache.get(("force", version), _compute)
    return result  # type: ignore[no-any-return]


def cache_clear() -> None:
    _cache.clear()


# --- published data summaries ------------------------------------------------------------------


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
    from vawg_site.public.chart import RECORDING_SYSTEM_CHANGE
    from vawg_site.public.selectors import offence_month_span, vawg_month_series

    span = offence_month_span()
    if span is None:
        return None
    first, last = span
    start = max(first, months_back(last, 11))
    latest = sum(c.offences for c in vawg_month_series(measure="offences", start=start, end=last))
    previous = None
    before_start, before_end = months_back(last, 23), months_back(last, 12)
    if before_start >= first:
        previous = sum(
            c.offences
            for c in vawg_month_series(measure="offences", start=before_start, end=before_end)
        )
    change = RECORDING_SYSTEM_CHANGE.replace(day=1)
    return PublishedSummary(
        start=start,
        end=last,
        latest=latest,
        previous=previous,
        crosses_change=previous is not None and before_start <= change <= last,
    )


@dataclass(frozen=True)
class VictimsSummary:
    start: date
    end: date
    age: list[Figure]
    ethnicity: list[Figure]


def victims_summary() -> VictimsSummary | None:
    from vawg_site.opendata.models import VawgCount
    from vawg_site.public.selectors import offence_month_span, vawg_totals_by

    span = offence_month_span()
    if span is None:
        return None
    start = max(span[0], months_back(span[1], 11))

    def shares(sheet: str, field: str, missing: str) -> list[Figure]:
        items = vawg_totals_by(
            measure="victims", sheet=sheet, field=field, start=start, end=span[1]
        )
        total = sum(v for _, v in items)
        return [Figure(label=k or missing, value=v, share=_share(v, total)) for k, v in items]

    return VictimsSummary(
        start=start,
        end=span[1],
        age=shares(VawgCount.Sheet.AGE, "age_group", "Age not recorded"),
        ethnicity=shares(VawgCount.Sheet.ETHNICITY, "ethnic_group", "Not recorded"),
    )


@dataclass(frozen=True)
class HotspotSummary:
    start: date
    end: date
    wards: int
    hot: int
    cold: int
    top: list[tuple[str, str, int]]


def hotspot_summary() -> HotspotSummary | None:
    from vawg_site.public.maps import geo_available, ward_hotspots
    from vawg_site.public.selectors import (
        offence_month_span,
        published_data_version,
        ward_period_counts,
    )

    span = offence_month_span()
    if span is None or not geo_available():
        return None
    start = max(span[0], months_back(span[1], 11))
    result = ward_hotspots(
        start=start,
        end=span[1],
        version=published_data_version(),
        counts=ward_period_counts(start=start, end=span[1]),
    )
    hot = [r for r in result.rows if r.hotspot.startswith("hot")]
    top = sorted(hot, key=lambda r: -(r.z or 0.0))[:5]
    return HotspotSummary(
        start=start,
        end=span[1],
        wards=len(result.rows),
        hot=len(hot),
        cold=sum(1 for r in result.rows if r.hotspot.startswith("cold")),
        top=[(r.name, r.borough, r.offences) for r in top],
    )


# --- open-data measures (commitments 1 and 10) --------------------------------------------------


def open_data_measures(*, wanted: frozenset[str] | set[str]) -> dict[str, Any]:
    """The open-data summaries a commitment page asks for, by template name; a measure not
    wanted is None, as is one whose data is not loaded (the page then says how to load it)."""
    from vawg.commitments import BOROUGH_CHANGES, STOP_SEARCH_WOMEN, STREET_PLACES
    from vawg_site.public import commitment_selectors as open_data

    return {
        "stop_search": open_data.stop_search_women() if STOP_SEARCH_WOMEN in wanted else None,
        "boroughs": open_data.borough_changes() if BOROUGH_CHANGES in wanted else None,
        "places": open_data.street_places() if STREET_PLACES in wanted else None,
    }
