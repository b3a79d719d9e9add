"""The orders register's quarterly KPIs (known answers) and their disclosure control."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from vawg.order_kpis import order_kpis, quarter_bounds

Q1 = quarter_bounds(2026, 1)


def _orders(
    prefix: str,
    n: int,
    *,
    order_type: str,
    borough: str,
    applied: date | None,
    decision: str | None,
    decided: date | None,
    start: date | None,
    end: date | None,
) -> list[dict[str, object]]:
    return [
        {
            "order_ref": f"{prefix}{i}",
            "order_type": order_type,
            "borough_code": borough,
            "applied_date": applied,
            "decision": decision,
            "decision_date": decided,
            "start_date": start,
            "end_date": end,
        }
        for i in range(n)
    ]


def _register(*groups: list[dict[str, object]]) -> pl.DataFrame:
    rows = [row for group in groups for row in group]
    return pl.DataFrame(
        rows,
        schema={
            "order_ref": pl.String,
            "order_type": pl.String,
            "borough_code": pl.String,
            "applied_date": pl.Date,
            "decision": pl.String,
            "decision_date": pl.Date,
            "start_date": pl.Date,
            "end_date": pl.Date,
        },
    )


def _breaches(refs: list[str], day: date, charged: list[bool]) -> pl.DataFrame:
    return pl.DataFrame({"order_ref": refs, "breach_date": [day] * len(refs), "charged": charged})


A, B = "E09000001", "E09000002"
JAN5, JAN10, JAN11 = date(2026, 1, 5), date(2026, 1, 10), date(2026, 1, 11)


def _base() -> tuple[pl.DataFrame, pl.DataFrame]:
    register = _register(
        # 20 DAPOs granted on 11 January, in force from then: 80 days each in the quarter.
        _orders(
            "G",
            20,
            order_type="DAPO",
            borough=A,
            applied=JAN10,
            decision="granted",
            decided=JAN11,
            start=JAN11,
            end=None,
        ),
        _orders(
            "R",
            10,
            order_type="DAPO",
            borough=A,
            applied=JAN10,
            decision="refused",
            decided=JAN11,
            start=None,
            end=None,
        ),
        # 12 SPOs from 5 January: 86 days each.
        _orders(
            "S",
            12,
            order_type="SPO",
            borough=A,
            applied=JAN5,
            decision="granted",
            decided=JAN5,
            start=JAN5,
            end=None,
        ),
        # Applied and ended last year: in no count of the quarter.
        _orders(
            "X",
            5,
            order_type="SPO",
            borough=A,
            applied=date(2025, 1, 5),
            decision="granted",
            decided=date(2025, 1, 9),
            start=date(2025, 1, 9),
            end=date(2025, 12, 31),
        ),
    )
    breaches = pl.concat(
        [
            _breaches([f"G{i}" for i in range(15)], date(2026, 2, 2), [True] * 10 + [False] * 5),
            _breaches([f"S{i}" for i in range(10)], date(2026, 3, 3), [True] * 10),
            _breaches(["G0", "G1"], date(2026, 4, 1), [True, True]),  # next quarter
        ]
    )
    return register, breaches


def _cell(table: pl.DataFrame, order_type: str, borough: str) -> dict[str, object]:
    return table.filter(pl.col("order_type") == order_type, pl.col("borough_code") == borough).row(
        0, named=True
    )


def test_the_quarter_known_answers() -> None:
    register, breaches = _base()
    kpis = order_kpis(register=register, breaches=breaches, start=Q1[0], end=Q1[1])
    dapo = _cell(kpis.table, "DAPO", A)
    assert (dapo["applied"], dapo["decided"], dapo["granted"]) == (30, 30, 20)
    assert dapo["granted_pct"] == pytest.approx(66.7)
    assert dapo["in_force"] == 20
    assert (dapo["breaches"], dapo["charged"]) == (15, 10)
    assert dapo["charged_pct"] == pytest.approx(66.7)
    # 15 breaches over 20 x 80 order-days = 52.57 order-months
    assert dapo["breaches_per_100_order_months"] == pytest.approx(28.5)
    spo = _cell(kpis.table, "SPO", A)
    assert (spo["applied"], spo["granted"], spo["in_force"], spo["breaches"]) == (10, 10, 10, 10)
    # 10 over 12 x 86 = 33.9 order-months (the true time in force, not the rounded count)
    assert spo["breaches_per_100_order_months"] == pytest.approx(29.5)
    everything = _cell(kpis.table, "all", "all")
    assert everything["applied"] == 40  # 42, rounded
    assert everything["granted_pct"] == pytest.approx(75.0)  # 30 of 40, as published
    assert kpis.rule.startswith("ONS 10-5")


def test_a_small_cell_is_suppressed_and_cannot_be_found_from_the_margins() -> None:
    register, breaches = _base()
    register = pl.concat(
        [
            register,
            _register(
                _orders(
                    "B",
                    3,
                    order_type="DAPO",
                    borough=B,
                    applied=JAN10,
                    decision="granted",
                    decided=JAN11,
                    start=JAN11,
                    end=None,
                )
            ),
        ]
    )
    kpis = order_kpis(register=register, breaches=breaches, start=Q1[0], end=Q1[1])
    small = _cell(kpis.table, "DAPO", B)
    assert small["applied"] is None
    assert small["granted_pct"] is None
    assert small["breaches_per_100_order_months"] is None  # 3 orders: too few for a rate
    applied = kpis.counts["applied"]
    row = [applied.status[0][j] for j in range(2)] + [applied.row_total_status[0]]
    assert sum(status != "published" for status in row) >= 2


def test_quarter_bounds() -> None:
    assert quarter_bounds(2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    with pytest.raises(ValueError, match="1-4"):
        quarter_bounds(2026, 5)
