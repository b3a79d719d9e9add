"""The protective orders' quarterly KPIs (commitment 7), by order type and borough, through
disclosure control.

For a quarter, from the orders register (each order's application, decision and time in force)
and its breaches:

* ``applied``: applications made in the quarter;
* ``decided`` and ``granted``: applications decided in it, and granted; ``granted_pct`` is
  granted over decided;
* ``in_force``: orders in force on the quarter's last day;
* ``order_months``: the time orders were in force during the quarter, in months of 365.25 / 12
  days; ``breaches`` recorded in the quarter against those orders, and
  ``breaches_per_100_order_months``;
* ``charged``: of those breaches, the ones that led to a charge; ``charged_pct``.

Every count table (types by boroughs, with both margins) goes through the ONS 10-5 rule with
secondary suppression (:func:`vawg.disclosure.table_disclose`). A percentage is worked out from
the *published* (rounded) counts, and only where both are published, so that it reveals nothing
the counts do not; the breach rate is published only where the breaches are, and where at least
:data:`vawg.disclosure.THRESHOLD` orders were in force in the quarter (the time in force of
fewer orders could point to them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from vawg.disclosure import RULE_NAME, THRESHOLD, DisclosedTable, table_disclose

MONTH_DAYS = 365.25 / 12
"""Days in an order-month."""

COUNTS = ("applied", "decided", "granted", "in_force", "live", "breaches", "charged")
"""The counts disclosed (``live``: orders in force at some time in the quarter)."""

ALL = "all"
"""The row or column label of a margin (every type, every borough)."""

REGISTER_COLUMNS = (
    "order_ref",
    "order_type",
    "borough_code",
    "applied_date",
    "decision",
    "decision_date",
    "start_date",
    "end_date",
)
"""The register's columns read (``decision``: ``granted``, ``refused`` or null; ``start_date``
null for an order never in force; ``end_date`` null for no end)."""

BREACH_COLUMNS = ("order_ref", "breach_date", "charged")
"""The breaches' columns read (``charged``: a boolean)."""


@dataclass(frozen=True)
class OrderKpis:
    """A quarter's KPIs.

    Attributes
    ----------
    start, end : date
        The quarter (both days included).
    table : pl.DataFrame
        One row per (order type, borough), with ``all`` rows and columns for the margins:
        ``order_type, borough_code`` and every count of :data:`COUNTS` (published, rounded;
        null where suppressed), ``granted_pct, breaches_per_100_order_months, charged_pct``
        (null where not published).
    counts : dict of str to DisclosedTable
        Each count's disclosed table (types are rows, boroughs columns).
    rule : str
    """

    start: date
    end: date
    table: pl.DataFrame
    counts: dict[str, DisclosedTable]
    rule: str = RULE_NAME


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of a calendar quarter.

    >>> quarter_bounds(2026, 1)
    (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    """
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1-4, not {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first, after - timedelta(days=1)


def _per_order(
    register: pl.DataFrame, breaches: pl.DataFrame, start: date, end: date
) -> pl.DataFrame:
    within = pl.col("_d").is_between(start, end)
    begin = pl.max_horizontal(pl.col("start_date"), pl.lit(start))
    stop = pl.min_horizontal(pl.col("end_date").fill_null(end), pl.lit(end))
    days = (
        pl.when(pl.col("start_date").is_not_null() & (stop >= begin))
        .then((stop - begin).dt.total_days() + 1)
        .otherwise(0)
    )
    orders = register.select(*REGISTER_COLUMNS).with_columns(
        pl.col("applied_date").is_between(start, end).fill_null(False).alias("applied"),
        (pl.col("decision").is_not_null() & pl.col("decision_date").is_between(start, end))
        .fill_null(False)
        .alias("decided"),
        ((pl.col("decision") == "granted") & pl.col("decision_date").is_between(start, end))
        .fill_null(False)
        .alias("granted"),
        (
            (pl.col("start_date") <= end)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= end))
        )
        .fill_null(False)
        .alias("in_force"),
        days.alias("_days"),
    )
    counted = (
        breaches.select(*BREACH_COLUMNS)
        .rename({"breach_date": "_d"})
        .filter(within)
        .group_by("order_ref")
        .agg(
            pl.len().alias("breaches"),
            pl.col("charged").fill_null(False).sum().alias("charged"),
        )
    )
    return orders.join(counted, on="order_ref", how="left").with_columns(
        pl.col("breaches").fill_null(0),
        pl.col("charged").fill_null(0),
        (pl.col("_days") > 0).alias("live"),
    )


def order_kpis(
    *, register: pl.DataFrame, breaches: pl.DataFrame, start: date, end: date
) -> OrderKpis:
    """The KPIs of the quarter ``[start, end]`` (see the module docstring).

    Examples
    --------
    >>> reg = pl.DataFrame({
    ...     "order_ref": [f"O{i}" for i in range(40)], "order_type": ["DAPO"] * 40,
    ...     "borough_code": ["E09000001"] * 40, "applied_date": [date(2026, 1, 5)] * 40,
    ...     "decision": ["granted"] * 30 + ["refused"] * 10,
    ...     "decision_date": [date(2026, 1, 7)] * 40,
    ...     "start_date": [date(2026, 1, 7)] * 30 + [None] * 10, "end_date": [None] * 40})
    >>> br = pl.DataFrame({"order_ref": [f"O{i}" for i in range(20)],
    ...     "breach_date": [date(2026, 2, 1)] * 20, "charged": [True] * 15 + [False] * 5})
    >>> k = order_kpis(register=reg, breaches=br, start=date(2026, 1, 1), end=date(2026, 3, 31))
    >>> row = k.table.filter(pl.col("order_type") == "all", pl.col("borough_code") == "all")
    >>> row.select("applied", "granted", "granted_pct", "breaches", "charged_pct").row(0)
    (40, 30, 75.0, 20, 75.0)
    """
    per_order = _per_order(register, breaches, start, end)
    types = sorted(per_order["order_type"].drop_nulls().unique().to_list())
    boroughs = sorted(per_order["borough_code"].drop_nulls().unique().to_list())
    sums = per_order.group_by("order_type", "borough_code").agg(
        *(pl.col(c).cast(pl.Int64).sum() for c in COUNTS), pl.col("_days").sum()
    )
    lookup = {(r["order_type"], r["borough_code"]): r for r in sums.iter_rows(named=True)}
    disclosed: dict[str, DisclosedTable] = {}
    for name in COUNTS:
        grid = [[int(lookup.get((t, b), {}).get(name, 0)) for b in boroughs] for t in types]
        disclosed[name] = table_disclose(grid) if types and boroughs else table_disclose([[0]])
    labels_t, labels_b = [*types, ALL], [*boroughs, ALL]

    def published(name: str, i: int, j: int) -> int | None:
        table = disclosed[name]
        if i < len(types) and j < len(boroughs):
            return table.cells[i][j]
        if i < len(types):
            return table.row_totals[i] if table.row_totals else None
        if j < len(boroughs):
            return table.col_totals[j] if table.col_totals else None
        return table.grand_total

    def true_days(i: int, j: int) -> tuple[int, int]:
        # (order-days, orders live) of a cell or margin, from the unrounded sums.
        wanted_t = types if i == len(types) else [types[i]]
        wanted_b = boroughs if j == len(boroughs) else [boroughs[j]]
        rows = [lookup[(t, b)] for t in wanted_t for b in wanted_b if (t, b) in lookup]
        return sum(int(r["_days"]) for r in rows), sum(int(r["live"]) for r in rows)

    def pct(top: int | None, bottom: int | None) -> float | None:
        if top is None or bottom is None or bottom < THRESHOLD:
            return None
        return round(100.0 * top / bottom, 1)

    rows = []
    for i, order_type in enumerate(labels_t):
        for j, borough in enumerate(labels_b):
            values = {name: published(name, i, j) for name in COUNTS}
            days, live = true_days(i, j)
            months = days / MONTH_DAYS
            rate = (
                round(100.0 * values["breaches"] / months, 1)
                if values["breaches"] is not None and live >= THRESHOLD and months > 0
                else None
            )
            rows.append(
                {
                    "order_type": order_type,
                    "borough_code": borough,
                    **values,
                    "granted_pct": pct(values["granted"], values["decided"]),
                    "breaches_per_100_order_months": rate,
                    "charged_pct": pct(values["charged"], values["breaches"]),
                }
            )
    schema = {
        "order_type": pl.String,
        "borough_code": pl.String,
        **dict.fromkeys(COUNTS, pl.Int64),
        "granted_pct": pl.Float64,
        "breaches_per_100_order_months": pl.Float64,
        "charged_pct": pl.Float64,
    }
    return OrderKpis(
        start=start, end=end, table=pl.DataFrame(rows, schema=schema), counts=disclosed
    )
