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

Every function here that reads crimes or people writes the access log
(:mod:`vawg_site.audit.services`) in the transaction of its read: :func:`force_frames` one
"combine" event per table it reads (crimes, people, involvements, orders), :func:`force_months`
and :func:`force_span` one "consult" event over the crimes, each with the number of records it
covered. The reason is the access context's (:mod:`vawg_site.common.access`), else
"statistics": what leaves these functions for a page is an aggregate. A read whose event cannot
be written fails with it. Cached results are read once, and logged once.

VAWG is decided by one classifier, :func:`vawg.taxonomy.crimes_classify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl
from django.db import transaction
from django.db.models import Count, Max, Min, QuerySet

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
from vawg.periods import month_key, plausible_window, years_published
from vawg.taxonomy import VAWG_GROUPS, crimes_classify, taxonomy_load
from vawg_site.audit.services import WHOLE_TABLE, Action, Reason, access_record
from vawg_site.common.access import current_access
from vawg_site.common.caching import cached
from vawg_site.common.geography import geo_available, london_area
from vawg_site.records.models import Crime, Involvement, Order

_CHUNK = 5000

# The object types of the access log's events about these tables.
CRIME = "records.crime"
PERSON = "records.person"
INVOLVEMENT = "records.involvement"
ORDER = "records.order"


def _log_table(action: str, object_type: str, count: int) -> None:
    """Log an access to ``count`` records of a table as a whole (nothing when none was read)."""
    if count:
        access_record(
            action=action,
            object_type=object_type,
            object_ref=WHOLE_TABLE,
            object_count=count,
            reason_code=current_access().reason_code or Reason.STATISTICS,
        )


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


def _crimes() -> QuerySet[Crime]:
    """The crimes recorded on a plausible day (:func:`vawg.periods.plausible_window`): one
    crime stored by hand as recorded on 9999-12-31 must not move every page to that year."""
    return Crime.objects.filter(recorded_date__range=plausible_window())


def force_frames() -> ForceFrames:
    """Every crime, involvement and order of the force, as frames; logged as a combination of
    each table read, in the transaction of the reads."""
    with transaction.atomic():
        frames = _force_frames_read()
        _log_table(Action.COMBINE, CRIME, frames.crimes.height)
        _log_table(Action.COMBINE, PERSON, frames.involvements["person_id"].n_unique())
        _log_table(Action.COMBINE, INVOLVEMENT, frames.involvements.height)
        _log_table(Action.COMBINE, ORDER, frames.orders.height)
    return frames


def _force_frames_read() -> ForceFrames:
    crimes = pl.DataFrame(
        list(
            _crimes()
            .values_list(
                "id",
                "recorded_date",
                "offence_code",
                "offence_description",
                "domestic_abuse",
                "outcome_code",
                "outcome_date",
                "easting",
                "northing",
            )
            .iterator(chunk_size=_CHUNK)
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
    with transaction.atomic():
        days = list(_crimes().values("recorded_date").annotate(n=Count("id")).order_by())
        _log_table(Action.CONSULT, CRIME, sum(int(d["n"]) for d in days))
    return sorted({d["recorded_date"].replace(day=1) for d in days})


@cached
def force_span() -> tuple[date, date] | None:
    """The first and last day a crime was recorded in the records, or None when none is."""
    with transaction.atomic():
        span = _crimes().aggregate(
            first=Min("recorded_date"), last=Max("recorded_date"), n=Count("id")
        )
        _log_table(Action.CONSULT, CRIME, int(span["n"]))
    if span["first"] is None or span["last"] is None:
        return None
    return span["first"], span["last"]


def force_years() -> list[int]:
    """The calendar years the force's tables are published for: those the records cover whole
    (:func:`vawg.periods.years_published`)."""
    span = force_span()
    return [] if span is None else years_published(first=span[0], last=span[1])


def force_loaded() -> bool:
    """Whether any force records are loaded. Not logged: it reads no record, only whether the
    table is empty."""
    return Crime.objects.exists()


def order_type_labels() -> dict[str, str]:
    """The label of each order type (``DVPO`` -> "Domestic Violence Protection Order" ...)."""
    return {k: str(v) for k, v in Order.OrderType.choices}


# --- disclosed tables (the API) ------------------------------------------------------------------
#
# Force figures are published for fixed periods only: whole calendar years, by calendar month,
# and one grid of 1 km squares. Tables for any other period or cell size could be subtracted from
# each other (a June-to-December table from a January-to-December one reveals January-to-May;
# 500 m squares nest in 1 km squares), pinning the suppressed counts that each table on its own
# protects. docs/disclosure.md gives the argument that fixed, disjoint tables need no joint audit.

FORCE_GRID_CELL_M = 1000
"""The one cell size of the force's grid table."""

STUDY_AREA_STEP_M = 10_000
"""Without boundaries, the grid covers the crimes' extent widened to multiples of 10 km."""


@dataclass(frozen=True)
class ForceTable:
    """A force-derived table after :func:`vawg.disclosure.table_disclose`: labels and result."""

    row_labels: list[str]
    col_labels: list[str]
    table: DisclosedTable | None


def _vawg_in_year(year: int) -> pl.DataFrame:
    """The VAWG crimes recorded in calendar ``year``: month, group, easting, northing."""
    crimes = force_vawg_crimes(force_frames()).filter(
        pl.col("recorded_date").is_between(date(year, 1, 1), date(year, 12, 31))
    )
    return crimes.select(
        month=pl.col("recorded_date").dt.truncate("1mo"),
        group=pl.col("vawg_group"),
        easting=pl.col("easting"),
        northing=pl.col("northing"),
    )


@cached
def force_group_month_table(*, year: int) -> ForceTable:
    """The force's VAWG crimes of calendar ``year`` by group (rows) and recorded month (the 12
    columns), disclosure controlled with row, column and grand totals. Empty (no table) for a
    year that is not published (:func:`force_years`)."""
    if year not in force_years():
        return ForceTable([], [], None)
    frame = _vawg_in_year(year)
    months = [date(year, m, 1) for m in range(1, 13)]
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


def _study_grid(located: pl.DataFrame) -> Any:
    """The fixed grid of the force's table: every 1 km square of Greater London when its
    boundaries are available, else of the crimes' extent widened to multiples of 10 km (so that
    the edge of the grid does not mark where the outermost crime is)."""
    from vawg.spatial.grid import grid_from_area, grid_from_bounds

    if geo_available():
        return grid_from_area(area=london_area(), cell_size_m=float(FORCE_GRID_CELL_M))
    step = STUDY_AREA_STEP_M
    e = located["easting"].to_numpy()
    n = located["northing"].to_numpy()
    low_x, low_y = (float(e.min()) // step) * step, (float(n.min()) // step) * step
    high_x, high_y = (float(e.max()) // step + 1) * step, (float(n.max()) // step + 1) * step
    return grid_from_bounds(
        x_min=low_x, y_min=low_y, x_max=high_x - 1, y_max=high_y - 1,
        cell_size_m=float(FORCE_GRID_CELL_M),
    )  # fmt: skip


@dataclass(frozen=True)
class ForceGridTable:
    """The force's VAWG crimes per square of the fixed grid, and those with no square."""

    cells: list[tuple[float, float] | None]
    """Each square's centre (EPSG:27700 metres), every square of the study area, empty ones
    included; None for the last row: crimes with no location or outside the study area."""
    table: DisclosedTable | None


@cached
def force_grid_table(*, year: int) -> ForceGridTable:
    """The force's VAWG crimes of calendar ``year`` per 1 km square, every square of the study
    area listed (a zero is suppressed like any small count, so an empty square cannot be told
    from a square with a few crimes), disclosure controlled with the total."""
    if year not in force_years():
        return ForceGridTable([], None)
    frame = _vawg_in_year(year)
    located = frame.filter(pl.col("easting").is_not_null() & pl.col("northing").is_not_null())
    if located.is_empty():
        return ForceGridTable([None], counts_disclose([frame.height]))
    grid = _study_grid(located)
    s = float(FORCE_GRID_CELL_M)
    col = np.floor((located["easting"].to_numpy() - grid.x_min) / s).astype(np.int64)
    row = np.floor((located["northing"].to_numpy() - grid.y_min) / s).astype(np.int64)
    inside = (row >= 0) & (row < grid.n_rows) & (col >= 0) & (col < grid.n_cols)
    inside[inside] = grid.in_area[row[inside], col[inside]]
    full = np.zeros(grid.shape, dtype=np.int64)
    np.add.at(full, (row[inside], col[inside]), 1)
    x, y = grid.centres()
    cells: list[tuple[float, float] | None] = [
        (float(a), float(b)) for a, b in zip(x[grid.in_area], y[grid.in_area], strict=True)
    ]
    counts = [int(v) for v in full[grid.in_area]]
    cells.append(None)
    counts.append(frame.height - int(inside.sum()))
    return ForceGridTable(cells, counts_disclose(counts))


# --- the commitment measures -------------------------------------------------------------------


@dataclass(frozen=True)
class ForceMeasures:
    """Everything the commitment pages show from the force extract, for one calendar year,
    disclosure controlled. The crime figures come from one disclosed table (crimes by outcome);
    the charge and time-to-outcome counts are worked out from its published figures, so that the
    pages show no two tables that could be combined."""

    year: int
    start: date
    end: date
    as_of: date
    """The records' last day: outcomes are counted up to it."""
    crimes_recorded: int | None
    outcome_mix: list[Figure]
    charge: list[Figure]
    outcomes_assigned: int | None
    charge_rate: float | None
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


def _less(whole: int | None, part: int | None) -> int | None:
    return None if whole is None or part is None else max(0, whole - part)


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


def _orders_figures(orders: pl.DataFrame, *, on: date) -> tuple[list[Figure], int | None]:
    """Orders in force on day ``on``, one row for every order type (zeros included)."""
    in_place = measures.orders_in_place(orders=orders, as_of=on)
    counted = dict(zip(in_place["order_type"], in_place["orders"], strict=True))
    labels = order_type_labels()
    return figures_disclose(
        [f"{label} ({code})" for code, label in labels.items()],
        [int(counted.get(code, 0)) for code in labels],
    )


@cached
def force_measures() -> ForceMeasures | None:
    """The commitment measures for the latest calendar year the records cover whole
    (:func:`force_years`), every count disclosure controlled and every rate worked out from the
    published (rounded) counts; None when no year is covered whole."""
    years = force_years()
    span = force_span()
    if not years or span is None:
        return None
    year, as_of = years[-1], span[1]
    start, end = date(year, 1, 1), date(year, 12, 31)
    frames = force_frames()
    vawg, victimisations, allegations = _measure_inputs(frames)

    outcomes = measures.outcome_table(crimes=vawg, start=start, end=end)
    mix, recorded = figures_disclose([label for _, label, _ in outcomes], [n for *_, n in outcomes])
    by_key = {key: f for (key, _, _), f in zip(outcomes, mix, strict=True)}
    charged = by_key["charged"].value
    still_open = by_key[measures.OPEN].value
    assigned = _less(recorded, still_open)
    charge = [
        Figure("Charged or summonsed", charged, _share(charged, assigned)),
        Figure(
            "Other outcomes", _less(assigned, charged), _share(_less(assigned, charged), assigned)
        ),
    ]
    time_counts = [
        Figure("Outcome assigned by the data's last day", assigned, _share(assigned, recorded)),
        Figure("Still open (right-censored)", still_open, _share(still_open, recorded)),
    ]
    tto = measures.time_to_outcome(crimes=vawg, start=start, end=end, as_of=as_of)
    ttc = measures.time_to_outcome(
        crimes=vawg, start=start, end=end, as_of=as_of, codes=measures.CHARGED_CODES
    )
    place_figures, place_total = _orders_figures(frames.orders, on=end)
    breach = measures.order_breach_rate(orders=frames.orders, start=start, end=end)
    breach_figures, in_force = figures_disclose(
        ["Breached at least once in the year", "Not breached in the year"],
        [breach.breached, breach.orders - breach.breached],
    )
    repeat = measures.repeat_victimisation(victimisations=victimisations, start=start, end=end)
    repeat_figures, victims = figures_disclose(
        ["Victimised again within 12 months", "No earlier VAWG crime within 12 months"],
        [repeat.repeat_victims, repeat.victims - repeat.repeat_victims],
    )
    eligible = counts_disclose(
        [
            measures.list_eligible(
                allegations=allegations, as_of=end, window_days=(end - start).days + 1
            )
        ],
        total=False,
    ).cells[0][0]
    return ForceMeasures(
        year=year,
        start=start,
        end=end,
        as_of=as_of,
        crimes_recorded=recorded,
        outcome_mix=mix,
        charge=charge,
        outcomes_assigned=assigned,
        charge_rate=_share(charged, assigned),
        victim_withdrew_share=by_key[measures.VICTIM_WITHDREW_CODE].share,
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
