"""Disclosure control: known answers on tables small enough to check by hand, and properties.

The properties are those of ``docs/disclosure.md`` (What is guaranteed) and issue 6: no published
figure below the threshold, every published figure within ±2 of the truth, and no suppressed entry
recoverable from what is published: not by subtraction along any published margin, and not by any
combination of margins. The last is checked by linear programming against an attacker who knows
the *unrounded* published values (which is stronger than anyone can), on tables with and without
zeros: every suppressed count from 1 to 9 keeps a feasible interval at least the threshold wide
(the protection interval of docs/disclosure.md), and no other non-zero suppressed entry is pinned.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from vawg.disclosure import (
    PRIMARY,
    PUBLISHED,
    RULE_NAME,
    SECONDARY,
    THRESHOLD,
    DisclosedTable,
    count_round,
    counts_disclose,
    table_disclose,
)

# --- known answers ----------------------------------------------------------------------------


def test_rounding_to_five_is_within_two() -> None:
    assert [count_round(v) for v in range(10, 21)] == [
        10, 10, 10, 15, 15, 15, 15, 15, 20, 20, 20,
    ]  # fmt: skip


def test_a_table_with_no_small_counts_is_only_rounded() -> None:
    t = table_disclose([[10, 12], [13, 44]])
    assert t.cells == ((10, 10), (15, 45))
    assert t.row_totals == (20, 55)  # 22 -> 20, 57 -> 55: true totals rounded, not summed
    assert t.col_totals == (25, 55)  # 23 -> 25, 56 -> 55
    assert t.grand_total == 80  # 79 -> 80
    assert t.suppressed == 0
    assert t.rule == RULE_NAME == "ONS 10-5 rule with secondary suppression"


def test_one_small_cell_takes_a_rectangle_with_it() -> None:
    # 3 is suppressed; its row and column each need a second suppression (14 and 25), and 41
    # closes the rectangle so that no row or column is left with one unknown.
    t = table_disclose([[3, 20, 14], [25, 30, 41]])
    assert t.status == (
        (PRIMARY, PUBLISHED, SECONDARY),
        (SECONDARY, PUBLISHED, SECONDARY),
    )
    assert t.cells == ((None, 20, None), (None, 30, None))
    assert t.row_totals == (35, 95)
    assert t.col_totals == (30, 50, 55)


def test_a_small_total_is_suppressed_with_a_partner() -> None:
    # Row 0 sums to 7: all its cells and its total are below 10. The row totals line then has
    # one suppressed entry, so the next smallest row total goes too.
    t = table_disclose([[2, 5], [30, 40], [50, 60]])
    assert t.row_total_status == (PRIMARY, SECONDARY, PUBLISHED)
    assert t.row_totals == (None, None, 110)
    assert t.grand_total == 185


def test_a_one_way_list_with_its_total() -> None:
    t = counts_disclose([4, 12, 30, 56])
    assert [row[0] for row in t.cells] == [None, None, 30, 55]
    assert t.grand_total == 100
    assert t.row_totals is None


def test_without_margins_only_primary_suppression_applies() -> None:
    t = table_disclose([[3, 20], [25, 30]], row_totals=False, col_totals=False)
    assert t.cells == ((None, 20), (25, 30))
    assert t.grand_total is None


def test_everything_small_is_all_suppressed() -> None:
    t = table_disclose([[1, 2], [3, 4]])
    assert all(v is None for row in t.cells for v in row)
    assert t.grand_total == 10


def test_zero_counts_are_suppressed_too() -> None:
    t = counts_disclose([0, 40, 50])
    assert t.status[0][0] == PRIMARY


def test_results_are_frozen_and_inputs_unchanged() -> None:
    counts = [[3, 20], [25, 30]]
    t = table_disclose(counts)
    assert counts == [[3, 20], [25, 30]]
    with pytest.raises(AttributeError):
        t.rule = "none"  # type: ignore[misc]


@pytest.mark.parametrize("bad", [[], [[]], [[1, 2], [3]], [[-1]], [[1.5]], [[True]]], ids=str)
def test_bad_tables_are_refused(bad: list[list[int]]) -> None:
    with pytest.raises(ValueError, match=r"table|counts"):
        table_disclose(bad)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------------

small_or_large = st.one_of(st.integers(0, 12), st.integers(0, 200))
tables = st.integers(1, 5).flatmap(
    lambda n_cols: st.lists(
        st.lists(small_or_large, min_size=n_cols, max_size=n_cols), min_size=1, max_size=5
    )
)


def _extended(t: DisclosedTable, counts: list[list[int]]) -> list[tuple[int, int | None, int]]:
    """(true, published, entry id) for every entry: cells, then row totals, col totals, grand."""
    out: list[tuple[int, int | None, int]] = []
    for r, row in enumerate(counts):
        out += [(v, t.cells[r][c], 0) for c, v in enumerate(row)]
    if t.row_totals is not None:
        out += [(sum(row), t.row_totals[r], 1) for r, row in enumerate(counts)]
    if t.col_totals is not None:
        out += [(sum(col), t.col_totals[c], 2) for c, col in enumerate(zip(*counts, strict=True))]
    if t.grand_total_status is not None:
        out.append((sum(map(sum, counts)), t.grand_total, 3))
    return out


@settings(max_examples=300, deadline=None)
@given(counts=tables, row_totals=st.booleans(), col_totals=st.booleans())
def test_no_published_figure_is_below_the_threshold(
    counts: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    t = table_disclose(counts, row_totals=row_totals, col_totals=col_totals)
    for truth, shown, _ in _extended(t, counts):
        if shown is not None:
            assert truth >= 10
            assert shown >= 10
            assert shown % 5 == 0
            assert abs(shown - truth) <= 2


def _lines(counts: list[list[int]], t: DisclosedTable) -> list[list[int | None]]:
    """Published lines as lists whose last element is the line's total."""
    n_rows, n_cols = len(counts), len(counts[0])
    lines: list[list[int | None]] = []
    if t.row_totals is not None:
        lines += [[*t.cells[r], t.row_totals[r]] for r in range(n_rows)]
        lines.append([*t.row_totals, t.grand_total])
    if t.col_totals is not None:
        lines += [[*(t.cells[r][c] for r in range(n_rows)), t.col_totals[c]] for c in range(n_cols)]
        lines.append([*t.col_totals, t.grand_total])
    return lines


@settings(max_examples=300, deadline=None)
@given(counts=tables, row_totals=st.booleans(), col_totals=st.booleans())
def test_no_line_has_exactly_one_unknown(
    counts: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    """Subtraction along any published margin never isolates one suppressed entry."""
    t = table_disclose(counts, row_totals=row_totals, col_totals=col_totals)
    for line in _lines(counts, t):
        assert sum(v is None for v in line) != 1


def _bounds_of_suppressed(counts: list[list[int]], t: DisclosedTable) -> list[tuple[int, float]]:
    """For each suppressed cell, then each suppressed total, with a non-zero true value: (true
    value, max - min) over every non-negative table that agrees with the published entries taken
    at their *unrounded* values. Written apart from the module's own audit, so that it checks it."""
    n_rows, n_cols = len(counts), len(counts[0])
    # Unknowns: every cell; equalities: published cells and published totals at their true value.
    n = n_rows * n_cols
    a_eq: list[np.ndarray] = []
    b_eq: list[float] = []

    def cell(r: int, c: int) -> int:
        return r * n_cols + c

    for r in range(n_rows):
        for c in range(n_cols):
            if t.cells[r][c] is not None:
                row = np.zeros(n)
                row[cell(r, c)] = 1
                a_eq.append(row)
                b_eq.append(counts[r][c])
    if t.row_totals is not None:
        for r in range(n_rows):
            if t.row_totals[r] is not None:
                row = np.zeros(n)
                row[[cell(r, c) for c in range(n_cols)]] = 1
                a_eq.append(row)
                b_eq.append(sum(counts[r]))
    if t.col_totals is not None:
        for c in range(n_cols):
            if t.col_totals[c] is not None:
                row = np.zeros(n)
                row[[cell(r, c) for r in range(n_rows)]] = 1
                a_eq.append(row)
                b_eq.append(sum(counts[r][c] for r in range(n_rows)))
    if t.grand_total is not None:
        a_eq.append(np.ones(n))
        b_eq.append(sum(map(sum, counts)))
    # Objectives: every suppressed non-zero cell, then every suppressed non-zero total.
    objectives: list[tuple[int, list[int]]] = [
        (counts[r][c], [cell(r, c)])
        for r in range(n_rows)
        for c in range(n_cols)
        if t.cells[r][c] is None and counts[r][c] > 0
    ]
    if t.row_totals is not None:
        objectives += [
            (sum(counts[r]), [cell(r, c) for c in range(n_cols)])
            for r in range(n_rows)
            if t.row_totals[r] is None and sum(counts[r]) > 0
        ]
    if t.col_totals is not None:
        objectives += [
            (sum(counts[r][c] for r in range(n_rows)), [cell(r, c) for r in range(n_rows)])
            for c in range(n_cols)
            if t.col_totals[c] is None and any(counts[r][c] for r in range(n_rows))
        ]
    if t.grand_total_status is not None and t.grand_total is None and sum(map(sum, counts)):
        objectives.append((sum(map(sum, counts)), list(range(n))))
    out = []
    for truth, members in objectives:
        objective = np.zeros(n)
        objective[members] = 1
        kwargs = {"bounds": [(0, None)] * n, "method": "highs"}
        if a_eq:
            kwargs |= {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq)}
        low = linprog(objective, **kwargs)
        high = linprog(-objective, **kwargs)
        assert low.status == 0
        width = np.inf if high.status == 3 else (-high.fun - low.fun)
        out.append((truth, width))
    return out


def _protected(truth: int, width: float) -> bool:
    """The protection interval docs/disclosure.md promises: at least THRESHOLD wide for a
    suppressed count of 1 to 9, never a single value for any other non-zero suppressed entry."""
    return width >= (THRESHOLD if truth < THRESHOLD else 1) - 1e-6


positive_tables = st.integers(1, 5).flatmap(
    lambda n_cols: st.lists(
        st.lists(st.integers(1, 200), min_size=n_cols, max_size=n_cols), min_size=1, max_size=5
    )
)
# Mostly zeros, with a few small and large counts: the tables where cycles through zero cells
# could pin a count (issue 6).
sparse_counts = st.one_of(st.just(0), st.just(0), st.just(0), st.integers(1, 12), small_or_large)
sparse_tables = st.integers(1, 6).flatmap(
    lambda n_cols: st.lists(
        st.lists(sparse_counts, min_size=n_cols, max_size=n_cols), min_size=1, max_size=6
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=positive_tables)
def test_no_suppressed_cell_is_recoverable_by_any_combination_of_margins(
    counts: list[list[int]],
) -> None:
    t = table_disclose(counts)
    for truth, width in _bounds_of_suppressed(counts, t):
        assert width > 0.5, f"a suppressed cell of {truth} is determined by the margins"
        assert _protected(truth, width), f"a suppressed {truth} lies in a range {width} wide"


@pytest.mark.slow  # 300 tables, each attacked by linear programming: 5-8 s
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=sparse_tables, row_totals=st.booleans(), col_totals=st.booleans())
def test_every_suppressed_entry_keeps_its_protection_interval_among_zeros(
    counts: list[list[int]], row_totals: bool, col_totals: bool
) -> None:
    """Tables full of zeros, with and without each margin: every suppressed non-zero cell and
    total keeps its protection interval against the linear-programming attacker."""
    t = table_disclose(counts, row_totals=row_totals, col_totals=col_totals)
    for truth, width in _bounds_of_suppressed(counts, t):
        assert _protected(truth, width), f"a suppressed {truth} lies in a range {width} wide"


def test_zero_cells_can_no_longer_pin_a_small_count() -> None:
    """Hypothesis's counter-example to the rule before the audit: the zero column totals were
    pinned at 0 by the published grand total, which pinned the 2 through its row."""
    counts = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 2, 10, 0], [0, 8, 0, 0]]
    t = table_disclose(counts)
    bounds = _bounds_of_suppressed(counts, t)
    assert [truth for truth, _ in bounds][:3] == [2, 10, 8]
    assert all(_protected(truth, width) for truth, width in bounds), bounds
    assert t.grand_total == 20  # still published: the audit did not give up on the table


def test_a_rectangle_too_thin_for_its_small_counts_is_widened() -> None:
    """[[3, 8], [2, 12], [30, 15]]: lines and bridges alone suppress the rectangle 3, 8, 2, 12,
    where the published margins (row 0 = 11, row 1 = 14, column 0 = 35) hold the 3 between 0 and
    5, a range narrower than the threshold. The audit adds row 2, whose total 45 lets the 3 range
    from 0 to 11 (its row total)."""
    counts = [[3, 8], [2, 12], [30, 15]]
    t = table_disclose(counts)
    bounds = _bounds_of_suppressed(counts, t)
    assert bounds[0] == (3, pytest.approx(11.0))
    assert all(_protected(truth, width) for truth, width in bounds), bounds
    assert t.cells == ((None, None), (None, None), (None, None))
    assert t.status[2] == (SECONDARY, SECONDARY)
    assert t.row_totals == (10, 15, 45)  # 11, 14, 45: rounded
    assert t.col_totals == (35, 35)
    assert t.grand_total == 70


def test_the_linear_programming_check_catches_a_lone_suppression() -> None:
    """The checker itself: a table with one suppressed cell and all margins is recoverable."""
    naive = DisclosedTable(
        cells=((None, 20), (25, 30)),
        status=((PRIMARY, PUBLISHED), (PUBLISHED, PUBLISHED)),
        row_totals=(23, 55),
        row_total_status=(PUBLISHED, PUBLISHED),
        col_totals=(28, 50),
        col_total_status=(PUBLISHED, PUBLISHED),
        grand_total=78,
        grand_total_status=PUBLISHED,
    )
    assert _bounds_of_suppressed([[3, 20], [25, 30]], naive) == [(3, 0.0)]
