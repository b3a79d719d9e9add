"""The only road to the force's records (:mod:`vawg_site.records.models`): crimes, people,
involvements and orders. Law-enforcement personal data under the DPA 2018 Part 3.

Every read of these tables outside the loaders goes through a function here, so that there is one
place to check who reads what and to record it. Two kinds of function:

* **the door**: :func:`force_frames` reads the records as Polars frames for the analyses. What it
  returns is personal data: it never leaves the process, is never kept in the site's cache and
  never reaches a page;
* **published aggregates**: the force's VAWG crimes by group and month, by grid cell, and the
  measures of the commitment pages. Each is worked out from :func:`force_frames` and passed
  through :mod:`vawg.disclosure` before it is returned; only these are kept in the cache. Nothing
  here returns a person, a reference or a location finer than a grid cell.

VAWG is decided by one classifier, :func:`vawg.taxonomy.crimes_classify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from vawg import measures
from vawg.disclosure import (
    RULE_NAME,
    THRESHOLD,
    DisclosedTable,
    Figure,
    counts_disclose,
    figures_disclose,
    table_disclose,
)
from vawg.periods import month_after, month_key
from vawg.taxonomy import VAWG_GROUPS, crimes_classify, taxonomy_load
from vawg_site.common.caching import cached
from vawg_site.records.models import Crime, Involvement, Order

PERIOD_DAYS = 365
"""The period of the commitment measures: the 365 days to the extract's last recorded day."""

_CHUNK = 5000


# --- the door ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForceFrames:
    """The force's records as frames (personal data: keep them in this process only).

    ``crimes``: ``crime_id``, ``recorded_date``, ``offence_code``, ``offence_description``,
    ``domestic_abuse``, ``outcome_code``, ``outcome_date``, ``easting``, ``northing`` (EPSG:27700
    metres) and ``female_victim`` (a victim on the crime is female). ``involvements``:
    ``crime_id``, ``person_id``, ``role``, ``sex``. ``orders``: ``order_type``, ``start_date``,
    ``end_date``, ``breach_dates``.
    """

    crimes: pl.DataFrame
    involvements: pl.DataFrame
    orders: pl.DataFrame


def force_frames() -> ForceFrames:
    """Every crime, involvement and order of the force, as frames."""
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
                "easting",
                "northing",
            ).iterator(chunk_size=_CHUNK)
        ),
        schema={
            "crime_id": pl.Int64,
            "recorded_date": pl.Date,
            "offence_code": pl.String,
            "offence_description": pl.String,
            "domestic_abuse": pl.Boolean,
            "outcome_code": pl.String,
            "outcome_date": pl.Date,
            "easting": pl.Float64,
            "northing": pl.Float64,
        },
        orient="row",
    )
    involvements = pl.DataFrame(
        list(
            Involvement.objects.values_list(
                "crime_id", "person_id", "role", "person__sex"
            ).iterator(chunk_size=_CHUNK)
        ),
        schema={"crime_id": pl.Int64, "person_id": pl.Int64, "role": pl.String, "sex": pl.String},
        orient="row",
    )
    female = involvements.filter(
        (pl.col("role") == Involvement.Role.VICTIM) & (pl.col("sex") == "F")
    ).select("crime_id")
    crimes = crimes.with_columns(
        pl.col("crime_id").is_in(female["crime_id"].unique().implode()).alias("female_victim")
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
    return ForceFrames(crimes=crimes, involvements=involvements, orders=orders)


def force_vawg_crimes(frames: ForceFrames) -> pl.DataFrame:
    """The VAWG crimes among ``frames.crimes``, with ``vawg_group`` and ``vawg_basis``."""
    classified = crimes_classify(frames.crimes.lazy(), taxonomy=taxonomy_load()).collect()
    return classified.filter(pl.col("is_vawg"))


@cached
def force_months() -> list[date]:
    """The months with crimes recorded in the force's records, oldest first (no counts)."""
    return sorted(
        {d.replace(day=1) for d in Crime.objects.values_list("recorded_date", flat=True).distinct()}
    )


def force_loaded() -> bool:
    """Whether any force records are loaded."""
    return Crime.objects.exists()


def order_type_labels() -> dict[str, str]:
    """The label of each order type (``DVPO`` -> "Domestic Violence Protection Order" ...)."""
    return {k: str(v) for k, v in Order.OrderType.choices}


# --- disclosed tables (the API) ------------------------------------------------------------------


@dataclass(frozen=True)
class ForceTable:
    """A force-derived table after :func:`vawg.disclosure.table_disclose`: labels and result."""

    row_labels: list[str]
    col_labels: list[str]
    table: DisclosedTable | None


def _vawg_in_period(*, start: date | None, end: date | None) -> pl.DataFrame:
    """The VAWG crimes recorded in ``start``..``end`` (first days of months, inclusive): month,
    group, easting, northing."""
    crimes = force_vawg_crimes(force_frames())
    if start is not None:
        crimes = crimes.filter(pl.col("recorded_date") >= start)
    if end is not None:
        crimes = crimes.filter(pl.col("recorded_date") < month_after(end))
    return crimes.select(
        month=pl.col("recorded_date").dt.truncate("1mo"),
        group=pl.col("vawg_group"),
        easting=pl.col("easting"),
        northing=pl.col("northing"),
    )


@cached
def force_group_month_table(*, start: date | None, end: date | None) -> ForceTable:
    """The force's VAWG crimes by group (rows) and recorded month (columns), disclosure
    controlled with row, column and grand totals."""
    frame = _vawg_in_period(start=start, end=end)
    if frame.is_empty():
        return ForceTable([], [], None)
    months = sorted(set(frame["month"].to_list()))
    col = {m: j for j, m in enumerate(months)}
    row = {g: i for i, g in enumerate(VAWG_GROUPS)}
    counts = [[0] * len(months) for _ in VAWG_GROUPS]
    for g, m, n in frame.group_by("group", "month").len().iter_rows():
        counts[row[g]][col[m]] += int(n)
    return ForceTable(
        row_labels=list(VAWG_GROUPS),
        col_labels=[month_key(m) for m in months],
        table=table_disclose(counts),
    )


@cached
def force_grid_table(
    *, start: date | None, end: date | None, cell_size_m: int
) -> tuple[list[tuple[float, float] | None], DisclosedTable | None]:
    """The force's VAWG crimes per grid cell (centres, EPSG:27700) over the period, disclosure
    controlled with the total; crimes without a location form one last row (cell None)."""
    frame = _vawg_in_period(start=start, end=end)
    if frame.is_empty():
        return [], None
    located = frame.filter(pl.col("easting").is_not_null() & pl.col("northing").is_not_null())
    s = float(cell_size_m)
    agg = (
        located.select(
            x=(pl.col("easting") / s).floor() * s + s / 2,
            y=(pl.col("northing") / s).floor() * s + s / 2,
        )
        .group_by("x", "y")
        .len()
        .sort("x", "y")
    )
    cells: list[tuple[float, float] | None] = [
        (float(a), float(b)) for a, b in agg.select("x", "y").iter_rows()
    ]
    counts = [int(n) for n in agg["len"].to_list()]
    unlocated = frame.height - located.height
    if unlocated:
        cells.append(None)
        counts.append(unlocated)
    return cells, counts_disclose(counts)


# --- the commitment measures -------------------------------------------------------------------


@dataclass(frozen=True)
class ForceMeasures:
    """Everything the commitment pages show from the force extract, disclosure controlled."""

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


def _share(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _measure_inputs(
    frames: ForceFrames,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The VAWG crimes, their victimisations and the allegations against suspects."""
    vawg = force_vawg_crimes(frames)
    involvements = frames.involvements
    victims = involvements.filter(pl.col("role") == Involvement.Role.VICTIM)
    victimisations = victims.join(
        vawg.select("crime_id", "recorded_date", "vawg_group"), on="crime_id"
    ).select(victim_ref=pl.col("person_id"), recorded_date="recorded_date", vawg_group="vawg_group")
    allegations = (
        involvements.filter(pl.col("role").is_in(["suspect", "offender"]))
        .join(vawg.select("crime_id", "recorded_date"), on="crime_id")
        .select(person_ref=pl.col("person_id"), recorded_date="recorded_date")
    )
    return vawg, victimisations, allegations


@cached
def force_measures() -> ForceMeasures | None:
    """The commitment measures over the 365 days to the last recorded day (``PERIOD_DAYS``),
    every count disclosure controlled and every rate worked out from the published (rounded)
    counts; None when no force records are loaded."""
    frames = force_frames()
    vawg, victimisations, allegations = _measure_inputs(frames)
    if vawg.is_empty():
        return None
    as_of: date = vawg["recorded_date"].max()  # type: ignore[assignment]
    start = as_of - timedelta(days=PERIOD_DAYS - 1)

    rate = measures.charge_rate(crimes=vawg, start=start, end=as_of)
    charge, assigned = figures_disclose(
        ["Charged or summonsed", "Other outcomes"],
        [rate.charged, rate.outcomes_assigned - rate.charged],
    )
    mix = measures.outcome_mix(crimes=vawg, start=start, end=as_of)
    mix_figures, recorded = figures_disclose(mix["outcome"].to_list(), mix["crimes"].to_list())
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
    time_counts, _ = figures_disclose(
        ["Outcome assigned by the data's last day", "Still open (right-censored)"],
        [tto.outcomes, tto.censored],
    )
    in_place = measures.orders_in_place(orders=frames.orders, as_of=as_of)
    labels = order_type_labels()
    place_figures, place_total = figures_disclose(
        [f"{labels.get(t, t)} ({t})" for t in in_place["order_type"].to_list()],
        in_place["orders"].to_list(),
    )
    breach = measures.order_breach_rate(orders=frames.orders, start=start, end=as_of)
    breach_figures, in_force = figures_disclose(
        ["Breached at least once in the period", "Not breached in the period"],
        [breach.breached, breach.orders - breach.breached],
    )
    repeat = measures.repeat_victimisation(victimisations=victimisations, start=start, end=as_of)
    repeat_figures, victims = figures_disclose(
        ["Victimised again within 12 months", "No earlier VAWG crime within 12 months"],
        [repeat.repeat_victims, repeat.victims - repeat.repeat_victims],
    )
    eligible = counts_disclose(
        [measures.list_eligible(allegations=allegations, as_of=as_of)], total=False
    ).cells[0][0]
    return ForceMeasures(
        as_of=as_of,
        start=start,
        crimes_recorded=recorded,
        charge=charge,
        outcomes_assigned=assigned,
        charge_rate=_share(charge[0].value, assigned),
        outcome_mix=mix_figures,
        victim_withdrew_share=withdrew,
        # A median is shown only when it rests on at least THRESHOLD outcomes.
        time_to_outcome=tto if tto.outcomes >= THRESHOLD else None,
        time_to_charge=ttc if ttc.outcomes >= THRESHOLD else None,
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
