"""Commitment measures on tables small enough to check by hand (exact answers)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from vawg import measures

D = date


def _crimes() -> pl.DataFrame:
    # Five crimes recorded in January 2024 and one in 2023 (outside the period).
    return pl.DataFrame(
        {
            "recorded_date": [D(2024, 1, 1)] * 5 + [D(2023, 6, 1)],
            "outcome_code": ["1", "16", None, "1A", "", "1"],
            "outcome_date": [
                D(2024, 1, 11),
                D(2024, 1, 21),
                None,
                D(2024, 3, 1),
                None,
                D(2023, 7, 1),
            ],
        }
    )


def test_charge_rate_uses_crimes_with_an_outcome_as_denominator() -> None:
    r = measures.charge_rate(crimes=_crimes(), start=D(2024, 1, 1), end=D(2024, 1, 31))
    assert (r.recorded, r.outcomes_assigned, r.charged) == (5, 3, 2)
    assert r.rate == pytest.approx(2 / 3)


def test_charge_rate_without_outcomes_is_none() -> None:
    r = measures.charge_rate(crimes=_crimes(), start=D(2025, 1, 1), end=D(2025, 1, 31))
    assert r.rate is None


def test_outcome_mix_counts_open_crimes_and_shares_sum_to_one() -> None:
    mix = measures.outcome_mix(crimes=_crimes(), start=D(2024, 1, 1), end=D(2024, 1, 31))
    assert dict(zip(mix["outcome_code"], mix["crimes"], strict=True)) == {
        "1": 1,
        "1A": 1,
        "16": 1,
        "open": 2,
    }
    assert mix["share"].sum() == pytest.approx(1.0)
    assert mix["outcome_code"].to_list()[-1] == "open"


def test_time_to_outcome_keeps_open_cases_censored() -> None:
    # Outcomes after 10, 20 and 60 days; two open crimes censored at 59 days (as of 29 Feb).
    t = measures.time_to_outcome(
        crimes=_crimes(), start=D(2024, 1, 1), end=D(2024, 1, 31), as_of=D(2024, 2, 29)
    )
    # The 1A outcome on 1 March is after as_of, so that crime is still open on the day.
    assert (t.crimes, t.outcomes, t.censored) == (5, 2, 3)
    # KM: S(10)=4/5, S(20)=3/5; never reaches 0.5 within follow-up -> no median.
    assert t.median_days is None
    assert t.quartile_1_days == 20.0
    assert t.max_days == 59


def test_time_to_outcome_median_with_censoring_by_hand() -> None:
    days = np.array([10, 20, 30, 40, 50])
    event = np.array([True, True, False, True, False])
    # S(10)=0.8, S(20)=0.6, (30 censored), S(40)=0.6*(1-1/2)=0.3 -> median 40.
    assert measures.kaplan_meier_quantile(days=days, event=event, probability=0.5) == 40.0
    # Dropping the open cases instead would give 20: the censored estimate is longer.
    assert (
        measures.kaplan_meier_quantile(days=days[event], event=event[event], probability=0.5)
        == 20.0
    )


def test_time_to_charge_censors_other_outcomes() -> None:
    t = measures.time_to_outcome(
        crimes=_crimes(),
        start=D(2024, 1, 1),
        end=D(2024, 1, 31),
        as_of=D(2024, 6, 1),
        codes=measures.CHARGED_CODES,
    )
    assert t.outcomes == 2  # 1 and 1A; the 16 is censored at 20 days


def test_orders_in_place_and_breach_rate() -> None:
    orders = pl.DataFrame(
        {
            "order_type": ["DVPO", "DVPO", "SPO", "SHPO"],
            "start_date": [D(2024, 1, 1), D(2024, 3, 1), D(2023, 1, 1), D(2024, 5, 1)],
            "end_date": [None, D(2024, 3, 28), D(2023, 12, 31), None],
            "breach_dates": [[D(2024, 2, 1)], [], [D(2023, 5, 1)], [D(2024, 5, 2), D(2024, 6, 1)]],
        },
        schema_overrides={"breach_dates": pl.List(pl.Date)},
    )
    assert measures.orders_in_place(orders=orders, as_of=D(2024, 6, 1)).rows() == [
        ("DVPO", 1),
        ("SHPO", 1),
    ]
    b = measures.order_breach_rate(orders=orders, start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert (b.orders, b.breached) == (3, 2)
    assert b.rate == pytest.approx(2 / 3)


def test_repeat_victimisation_rolling_window_same_group() -> None:
    v = pl.DataFrame(
        {
            "victim_ref": ["A", "A", "B", "C", "C", "D", "D"],
            "recorded_date": [
                D(2023, 3, 1),
                D(2024, 1, 5),
                D(2024, 2, 1),
                D(2022, 1, 1),
                D(2024, 3, 1),
                D(2024, 4, 1),
                D(2024, 4, 2),
            ],
            "vawg_group": ["stalking", "stalking", "rape", "rape", "rape", "da", "stalking"],
        }
    )
    r = measures.repeat_victimisation(victimisations=v, start=D(2024, 1, 1), end=D(2024, 12, 31))
    # A: repeat (within 365 days, same group). C: over a year apart. D: different groups.
    assert (r.victims, r.repeat_victims) == (4, 1)
    assert r.rate == pytest.approx(0.25)


def test_list_eligible_counts_distinct_people_in_window() -> None:
    a = pl.DataFrame(
        {
            "person_ref": ["P", "P", "Q", "R"],
            "recorded_date": [D(2024, 5, 1), D(2024, 6, 1), D(2023, 1, 1), D(2024, 12, 31)],
        }
    )
    assert measures.list_eligible(allegations=a, as_of=D(2024, 12, 31)) == 2


def test_inputs_are_not_changed() -> None:
    crimes = _crimes()
    before = crimes.clone()
    measures.time_to_outcome(
        crimes=crimes, start=D(2024, 1, 1), end=D(2024, 1, 31), as_of=D(2024, 2, 1)
    )
    assert crimes.equals(before)
