"""Plausibility: one checker, from the declarations of :mod:`vawg.schemas`, that every reader
applies to its normalised rows before anything is stored.

A row is rejected (with its line and the first rule it breaks) when a value of a column of its
normalised table is

* a date or month before :data:`vawg.periods.EARLIEST_PLAUSIBLE`, or after today (plus the column's
  ``days_ahead``): a month 0001-01 or 9999-12 would otherwise stretch every public month list
  and range over millennia;
* a whole number outside the column's ``value_range``, else outside the 32-bit range both
  databases store (:data:`vawg.schemas.STORED_INT_RANGE`);
* a real number that is not finite, or outside the column's ``value_range``;
* text longer than the column's ``max_chars`` (PostgreSQL refuses it, SQLite would keep it), or
  text holding a control character (NUL, which PostgreSQL cannot store, or another C0 control
  other than tab, line feed and carriage return).

Because the check is made on the rows, not by the database, SQLite and PostgreSQL load exactly
the same rows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import polars as pl

from vawg.periods import EARLIEST_PLAUSIBLE
from vawg.schemas import STORED_INT_RANGE, Column, Schema

CONTROL_CHARACTERS = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
"""A regular expression for the control characters refused in text (tab, LF and CR are not)."""

Rule = tuple[pl.Expr, pl.Expr]


def _latest(column: Column, today: date) -> date:
    return today + timedelta(days=column.days_ahead)


def _column_rules(column: Column, today: date) -> list[Rule]:
    value = pl.col(column.name)
    dtype = column.dtype
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        day = value.dt.date() if isinstance(dtype, pl.Datetime) else value
        latest = _latest(column, today)
        return [
            (
                ~day.is_between(EARLIEST_PLAUSIBLE, latest),
                pl.format(
                    f"{column.name} {{}} is outside {EARLIEST_PLAUSIBLE}..{latest}",
                    day.dt.strftime("%Y-%m-%d"),
                ),
            )
        ]
    if dtype.is_integer():
        low, high = column.value_range or STORED_INT_RANGE
        return [
            (
                ~value.is_between(int(low), int(high)),
                pl.format(f"{column.name} {{}} is outside {int(low)}..{int(high)}", value),
            )
        ]
    if dtype.is_float():
        rules: list[Rule] = [
            (~value.is_finite(), pl.format(f"{column.name} {{}} is not a finite number", value))
        ]
        if column.value_range is not None:
            low, high = column.value_range
            rules.append(
                (
                    ~value.is_between(low, high),
                    pl.format(f"{column.name} {{}} is outside {low}..{high}", value),
                )
            )
        return rules
    if dtype == pl.String or dtype == pl.Categorical:
        text = value.cast(pl.String)
        rules = [
            (
                text.str.contains(CONTROL_CHARACTERS),
                pl.lit(f"{column.name} holds a control character (e.g. NUL)"),
            )
        ]
        if column.max_chars is not None:
            rules.append(
                (
                    text.str.len_chars() > column.max_chars,
                    pl.format(
                        f"{column.name} is {{}} characters long, longer than the "
                        f"{column.max_chars} stored",
                        text.str.len_chars(),
                    ),
                )
            )
        return rules
    return []


def plausibility_rules(
    schema: Schema, columns: Collection[str], *, today: date | None = None
) -> list[Rule]:
    """The rules (condition, reason) for those of ``schema``'s columns that are in ``columns``
    (a frame's columns, named as in the normalised table), with ``today`` the last day a date
    may take (default: today's date).

    >>> from vawg.schemas import VAWG_COUNT
    >>> frame = pl.DataFrame({"count": [3, -1, 2**40], "month": [date(2024, 1, 1)] * 3})
    >>> rules = plausibility_rules(VAWG_COUNT, frame.columns, today=date(2025, 1, 1))
    >>> frame.select(first_reason(rules)).to_series().to_list()
    [None, 'count -1 is outside 0..1000000', 'count 1099511627776 is outside 0..1000000']
    """
    day = today or date.today()
    return [
        rule
        for column in schema.columns
        if column.name in columns
        for rule in _column_rules(column, day)
    ]


def first_reason(rules: list[Rule]) -> pl.Expr:
    """The reason of the first rule a row breaks (null when none), as ``_reason``."""
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for condition, message in reversed(rules):
        reason = pl.when(condition.fill_null(False)).then(message).otherwise(reason)
    return reason.alias("_reason")
