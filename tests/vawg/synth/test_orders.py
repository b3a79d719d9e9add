"""Protective orders: what each order type follows from, and the contract's columns."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from vawg.schemas import FORCE_ORDERS_FILE, frame_check
from vawg.synth.orders import orders_draw


def _orders(*, outcome: str, group: str, offence: str, domestic: bool) -> pl.DataFrame:
    """Orders for 2,000 named crimes of one kind, each its own suspect and victim."""
    n = 2_000
    return orders_draw(
        rng=np.random.default_rng(3),
        n_days=365,
        is_named=np.ones(n, dtype=bool),
        domestic=np.full(n, domestic),
        is_precursor=np.zeros(n, dtype=bool),
        groups=np.full(n, group, dtype=object),
        offence_names=np.full(n, offence, dtype=object),
        recorded=np.full(n, 10, dtype=np.int64),
        outcome=np.full(n, outcome, dtype=object),
        outcome_day=np.full(n, 40, dtype=np.int64),
        suspect=np.arange(n, dtype=np.int64),
        victim=np.arange(n, 2 * n, dtype=np.int64),
        person_ref=np.array([f"P{i}" for i in range(2 * n)], dtype=object),
        start_date=date(2024, 1, 1),
    )


def test_domestic_crimes_not_charged_get_notices_and_orders_that_follow_them() -> None:
    orders = _orders(outcome="16", group="Violence with Injury", offence="Assault", domestic=True)
    assert frame_check(frame=orders, schema=FORCE_ORDERS_FILE) == []
    assert set(orders["order_type"]) == {"DVPN", "DVPO", "NMO"}  # no charge: no SHPO or RO
    notices = orders.filter(pl.col("order_type") == "DVPN")
    assert (notices["start_date"] == date(2024, 1, 11)).all()  # recorded on day 10
    assert (notices["end_date"] == date(2024, 1, 13)).all()  # 48 hours
    dvpo = orders.filter(pl.col("order_type") == "DVPO")
    assert set(dvpo["subject_ref"]) <= set(notices["subject_ref"])  # a DVPO follows a DVPN
    assert (dvpo["start_date"] == date(2024, 1, 13)).all()
    assert set((dvpo["end_date"] - dvpo["start_date"]).to_list()) == {
        timedelta(days=14),
        timedelta(days=28),
    }
    assert orders["protected_ref"].null_count() == 0
    for start, end, breaches in orders.select("start_date", "end_date", "breach_dates").rows():
        for day in breaches.split(";") if breaches else []:
            assert start < date.fromisoformat(day) <= end


def test_a_charged_sexual_offence_can_bring_a_sexual_harm_prevention_order() -> None:
    orders = _orders(
        outcome="1", group="Rape", offence="Rape of a Female aged 16 and over", domestic=False
    )
    assert set(orders["order_type"]) == {"SHPO"}
    assert orders["protected_ref"].null_count() == orders.height  # an SHPO protects no one named
    assert (orders["start_date"] >= date(2024, 3, 11)).all()  # 30 days or more after day 40
