"""The differencing attack on the force's tables: ask the API for every month range and every
cell size, then solve a linear programme as an attacker would, for the smallest and largest value
each suppressed count can take given every figure the API gave. No suppressed count from 1 to 9
may be pinned to an interval narrower than the threshold.

The attacker here is stronger than a real one: every published figure is taken at its true,
unrounded value. A check of the checker runs the same attack on what the API used to answer
(a table for any month range) and finds counts it pins.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import numpy as np
import pytest
from django.test import Client
from scipy.optimize import linprog

from vawg.disclosure import THRESHOLD, table_disclose
from vawg.periods import month_key, months_between
from vawg_site.records.models import Crime, Involvement, Person

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

GROUPS = {"rape": "19C", "stalking": "8Q", "harassment": "8L", "other_sexual": "17A"}
YEARS = (2023, 2024)
MONTHS = [dt.date(y, m, 1) for y in YEARS for m in range(1, 13)]


Cell = tuple[str, dt.date]
"""A variable of the attack: (group, month), or (square, year's first day) for the grid."""

GRID: dict[Cell, int] = {}
"""The true count of each square and year, filled by the fixture."""


@pytest.fixture
def small_counts_force(db: None) -> dict[Cell, int]:
    """Two whole years of VAWG crimes in four groups, mostly 1 to 9 a month, in six squares."""
    rng = np.random.default_rng(7)
    woman = Person.objects.create(person_ref="v", sex="F")
    truth: dict[Cell, int] = {}
    GRID.clear()
    crimes = []
    for group, code in GROUPS.items():
        for month in MONTHS:
            n = int(rng.poisson(5 if group != "rape" else 9))
            truth[(group, month)] = n
            for k in range(n):
                east = 529_000 + 1000 * int(rng.integers(0, 3))
                north = 181_000 + 1000 * int(rng.integers(0, 2))
                square = (f"{east + 500}:{north + 500}", dt.date(month.year, 1, 1))
                GRID[square] = GRID.get(square, 0) + 1
                crimes.append(
                    Crime(
                        crime_ref=f"{group}-{month_key(month)}-{k}",
                        recorded_date=month + dt.timedelta(days=int(rng.integers(0, 28))),
                        offence_code=code,
                        easting=east + 10.0,
                        northing=north + 10.0,
                    )
                )
    for ref, day in (("first", dt.date(2023, 1, 1)), ("last", dt.date(2024, 12, 31))):
        crimes.append(Crime(crime_ref=ref, recorded_date=day, offence_code="28E"))  # not VAWG
    Crime.objects.bulk_create(crimes)
    Involvement.objects.bulk_create(
        Involvement(crime=c, person=woman, role="victim") for c in Crime.objects.all()
    )
    return truth


def _queries() -> list[str]:
    """Every month range from December 2022 to January 2025, and every year asked for plainly."""
    keys = [month_key(m) for m in months_between(dt.date(2022, 12, 1), dt.date(2025, 1, 1))]
    pairs = itertools.combinations_with_replacement(keys, 2)
    return [
        *(f"month_from={a}&month_to={b}" for a, b in pairs),
        "",
        *(f"year={y}" for y in (2022, *YEARS, 2025)),
    ]


def _answers(client: Client, path: str, extra: str = "") -> list[dict[str, object]]:
    """Every answer of one force table over every period of :func:`_queries`."""
    answers = []
    for query in _queries():
        response = client.get(f"/api/v1/force/vawg-crimes/{path}?{query}{extra}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
        if response.status_code == 200:
            answers.append(response.json())
    return answers


def _narrowest(
    published: list[list[Cell]],
    suppressed: set[Cell],
    truth: dict[Cell, int],
    links: list[tuple[list[Cell], list[Cell]]] = (),  # type: ignore[assignment]
) -> dict[Cell, float]:
    """The width of the feasible interval of every suppressed count from 1 to 9: its smallest
    and largest value over every non-negative table that agrees with each published sum (taken
    at its true value), and with ``links`` (two sets of cells that count the same crimes)."""
    variables = sorted(truth)
    index = {v: i for i, v in enumerate(variables)}
    rows, rhs = [], []
    for entries in published:
        row = np.zeros(len(variables))
        row[[index[e] for e in entries]] = 1
        rows.append(row)
        rhs.append(float(sum(truth[e] for e in entries)))
    for left, right in links:
        row = np.zeros(len(variables))
        row[[index[e] for e in left]] = 1
        row[[index[e] for e in right]] -= 1
        rows.append(row)
        rhs.append(0.0)
    a_eq, b_eq = np.array(rows), np.array(rhs)
    alone = {e[0] for e in published if len(e) == 1}
    widths = {}
    for cell in sorted(suppressed - alone):
        if not 1 <= truth[cell] < THRESHOLD:
            continue
        c = np.zeros(len(variables))
        c[index[cell]] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0
        assert high.status in (0, 3)
        widths[cell] = float("inf") if high.status == 3 else -high.fun - low.fun
    return widths


def _table_constraints(
    groups: list[str], months: list[dt.date], status: dict[str, object]
) -> tuple[list[list[Cell]], set[Cell]]:
    """The published sums of a group-by-month table, and its suppressed cells."""
    published: list[list[Cell]] = []
    suppressed: set[Cell] = set()
    cells = status["cells"]
    for i, g in enumerate(groups):
        for j, m in enumerate(months):
            if cells[i][j] == "published":  # type: ignore[index]
                published.append([(g, m)])
            else:
                suppressed.add((g, m))
        if status["rows"][i] == "published":  # type: ignore[index]
            published.append([(g, m) for m in months])
    for j, m in enumerate(months):
        if status["cols"][j] == "published":  # type: ignore[index]
            published.append([(g, m) for g in groups])
    if status["grand"] == "published":
        published.append([(g, m) for g in groups for m in months])
    return published, suppressed


def _status_of_answer(
    body: dict[str, object],
) -> tuple[list[str], list[dt.date], dict[str, object]]:
    rows = body["rows"]
    groups = [r["group"] for r in rows]  # type: ignore[index,union-attr]
    months = [dt.date.fromisoformat(f"{m}-01") for m in body["months"]]  # type: ignore[union-attr]
    status = {
        "cells": [r["status"] for r in rows],  # type: ignore[index,union-attr]
        "rows": [r["total_status"] for r in rows],  # type: ignore[index,union-attr]
        "cols": body["month_total_status"],
        "grand": body["grand_total_status"],
    }
    return groups, months, status


def test_no_suppressed_count_survives_every_range_and_cell_size_the_api_answers(
    client: Client, small_counts_force: dict[Cell, int]
) -> None:
    tables = _answers(client, "by-group-month")
    assert len(tables) == 2 + 2 + 1  # 2023 and 2024 by range and by year, and the default
    grids = {size: _answers(client, "grid", f"&cell_size_m={size}&limit=1000")
             for size in range(250, 2001, 250)}  # fmt: skip
    assert {size for size, found in grids.items() if found} == {1000}  # one size only
    truth: dict[Cell, int] = {}
    published: list[list[Cell]] = []
    suppressed: set[Cell] = set()
    for body in tables:
        groups, months, status = _status_of_answer(body)
        for g in groups:
            for m in months:
                truth[(g, m)] = small_counts_force.get((g, m), 0)
        more, hidden = _table_constraints(groups, months, status)
        published += more
        suppressed |= hidden
    links = []
    for body in grids[1000]:
        year = int(body["year"])  # type: ignore[call-overload]
        squares = []
        for r in body["results"]:  # type: ignore[union-attr]
            key = "none" if r["x_min"] is None else f"{r['x_min'] + 500:.0f}:{r['y_min'] + 500:.0f}"
            squares.append((key, r))
        cells = [(key, dt.date(year, 1, 1)) for key, _ in squares]
        for cell, (_, r) in zip(cells, squares, strict=True):
            truth[cell] = GRID.get(cell, 0)
            if r["status"] == "published":
                published.append([cell])
            else:
                suppressed.add(cell)
        if body["total_status"] == "published":
            published.append(cells)
        links.append((cells, [c for c in truth if c[0] in GROUPS and c[1].year == year]))
    widths = _narrowest(published, suppressed, truth, links)
    assert len(widths) > 20  # plenty of small counts to attack
    narrow = {cell: w for cell, w in widths.items() if w < THRESHOLD}
    assert narrow == {}


def test_the_attack_pins_counts_when_any_month_range_is_published(
    small_counts_force: dict[Cell, int],
) -> None:
    """A check of the checker: tables for arbitrary month ranges (what the API used to answer),
    each protected on its own, pin suppressed counts when combined."""
    groups = list(GROUPS)
    published: list[list[Cell]] = []
    suppressed: set[Cell] = set()
    for a, b in itertools.combinations(range(len(MONTHS)), 2):
        months = MONTHS[a : b + 1]
        t = table_disclose([[small_counts_force[(g, m)] for m in months] for g in groups])
        assert t.row_total_status is not None
        assert t.col_total_status is not None
        status = {
            "cells": [list(r) for r in t.status],
            "rows": list(t.row_total_status),
            "cols": list(t.col_total_status),
            "grand": t.grand_total_status,
        }
        more, hidden = _table_constraints(groups, months, status)
        published += more
        suppressed |= hidden
    widths = _narrowest(published, suppressed, small_counts_force)
    narrow = [cell for cell, w in widths.items() if w < THRESHOLD]
    assert len(narrow) > len(widths) / 2, "the attack would not catch a leak"


def test_the_grid_and_the_group_table_agree_on_the_one_figure_they_share(
    client: Client, small_counts_force: dict[Cell, int]
) -> None:
    """Both tables of a year publish its grand total; it is the only entry they share, so the
    attacker learns nothing more by combining them (docs/disclosure.md)."""
    totals = defaultdict(int)
    for (_, month), n in small_counts_force.items():
        totals[month.year] += n
    for year in YEARS:
        table = client.get(f"/api/v1/force/vawg-crimes/by-group-month?year={year}").json()
        grid = client.get(f"/api/v1/force/vawg-crimes/grid?year={year}&limit=1000").json()
        assert table["grand_total"] == grid["total"]
        assert abs(table["grand_total"] - totals[year]) <= 2
        assert grid["total_status"] == table["grand_total_status"] == "published"
