"""Statistical disclosure control for tables derived from a force extract: the only road to
publication for figures that the force has not itself published.

The rule is the ONS "10-5 rule" with secondary suppression (ONS, *Comparison of post-tabular
statistical disclosure control methods*; Hundepool et al. 2012, *Statistical Disclosure Control*,
Wiley, ch. 4 and 5):

1. **Primary suppression.** Every count below ``threshold`` (default 10), zero included, is
   suppressed: cells and published totals alike.
2. **Secondary suppression.** A table is published with margins (row totals, column totals and
   their grand total). A suppressed entry that is alone in a line whose other entries and total
   are published could be found by subtraction, so for every line (a row with its total, a column
   with its total, the row totals with the grand total, the column totals with the grand total)
   that has exactly one suppressed entry, the smallest published entry of that line is suppressed
   too (a non-zero cell in preference to a zero, a cell in preference to a total). With both
   margins, a suppressed cell can also be found by combining rows and columns: it can exactly
   when it is a *bridge* of the graph whose nodes are the lines and whose edges are the
   suppressed entries (the feasible changes to the suppressed entries are the cycles of that
   graph). Each bridge gets a further suppression beside it. Both steps repeat to a fixed point.
3. **Audit: the protection interval.** Counts cannot be negative, so a cycle of suppressed
   entries that runs through zeros (or through a count smaller than the one it protects) can
   still pin a cell or hold it in a narrow range. Every suppressed entry's *feasible interval*
   (its smallest and largest value over all non-negative tables that agree with every published
   figure taken at its *unrounded* value) is measured exactly, as a maximum flow in the table's
   circulation network (Ford and Fulkerson 1956), which gives the same bounds as the linear
   programme of an audit of a suppression pattern (Hundepool et al. 2012, ch. 4). The guarantee
   (:data:`PROTECTION`) is that the interval of every suppressed count from 1 to
   ``threshold - 1`` (cell or total) is at least ``threshold`` wide, and that of every other
   non-zero suppressed entry is not a single value. While an entry falls short, the smallest
   published entry of one of its lines (a cell in preference to a total) is suppressed too, and
   steps 2 and 3 run again. Zeros are suppressed by step 1, so that a suppressed cell does not
   read as "1 to 9", but get no interval of their own: a zero identifies no one.
4. **Rounding.** Every entry left is rounded to the nearest multiple of ``base`` (default 5), so
   it is within ``base // 2`` (2) of the truth.
5. **Totals** are the true totals of the unrounded counts, rounded independently (not the sums of
   the rounded published cells), so published cells need not add up to published totals.

Results are frozen :class:`DisclosedTable` objects that carry the rule's name (``RULE_NAME``),
to be shown beside every figure. There are no points: callers aggregate to grid cells or areas
before calling. Data already published by its owner (the Met's ward counts, police.uk) is *not*
passed through here; it is shown as published, with its source.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RULE_NAME = "ONS 10-5 rule with secondary suppression"
"""The name shown beside every figure that went through this module."""

THRESHOLD = 10
"""Counts below this are suppressed."""

BASE = 5
"""Published counts are rounded to the nearest multiple of this."""

TOTALS_METHOD = "true totals rounded independently"
"""How published totals are computed (see the module docstring, step 5)."""

PROTECTION = (
    "every suppressed count from 1 to 9 lies in a feasible interval at least 10 wide; "
    "no other non-zero suppressed entry can be found exactly"
)
"""The protection interval the audit (step 3) guarantees, with the default threshold of 10."""

PUBLISHED = "published"
PRIMARY = "primary"
SECONDARY = "secondary"

Entry = tuple[int, int]


@dataclass(frozen=True)
class DisclosedTable:
    """A table of counts after the 10-5 rule with secondary suppression.

    Attributes
    ----------
    cells : tuple of tuple of (int or None), shape (R, C)
        Published counts, rounded to ``base``; None where suppressed.
    status : tuple of tuple of str, shape (R, C)
        ``"published"``, ``"primary"`` (below the threshold) or ``"secondary"`` (suppressed to
        protect another entry) for each cell.
    row_totals, row_total_status : tuple, length R, or None
        Published row totals and their status; None when the table has no row margin.
    col_totals, col_total_status : tuple, length C, or None
        Published column totals and their status; None when the table has no column margin.
    grand_total : int or None
        The published grand total (None when suppressed or when the table has no margin).
    grand_total_status : str or None
    rule : str
        :data:`RULE_NAME`, to be shown beside the figures.
    threshold, base : int
        The rule's parameters.
    totals : str
        :data:`TOTALS_METHOD`.
    """

    cells: tuple[tuple[int | None, ...], ...]
    status: tuple[tuple[str, ...], ...]
    row_totals: tuple[int | None, ...] | None
    row_total_status: tuple[str, ...] | None
    col_totals: tuple[int | None, ...] | None
    col_total_status: tuple[str, ...] | None
    grand_total: int | None
    grand_total_status: str | None
    rule: str = RULE_NAME
    threshold: int = THRESHOLD
    base: int = BASE
    totals: str = TOTALS_METHOD

    @property
    def suppressed(self) -> int:
        """Number of suppressed cells (totals not counted)."""
        return sum(s != PUBLISHED for row in self.status for s in row)


def count_round(value: int, *, base: int = BASE) -> int:
    """Round a count to the nearest multiple of ``base`` (halves, for odd ``base`` never, up).

    Parameters
    ----------
    value : int
        A non-negative count.
    base : int
        Rounding base.

    Returns
    -------
    int
        Within ``base // 2`` of ``value``.

    Examples
    --------
    >>> [count_round(v) for v in (10, 12, 13, 17, 18, 100)]
    [10, 10, 15, 15, 20, 100]
    """
    return ((value + base // 2) // base) * base


def _check_counts(counts: Sequence[Sequence[int]]) -> tuple[int, int]:
    n_rows = len(counts)
    if n_rows == 0:
        raise ValueError("a table needs at least one row")
    n_cols = len(counts[0])
    if n_cols == 0:
        raise ValueError("a table needs at least one column")
    for row in counts:
        if len(row) != n_cols:
            raise ValueError("every row of a table must have the same number of cells")
        for value in row:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"counts must be non-negative integers, not {value!r}")
    return n_rows, n_cols


def _lines(n_rows: int, n_cols: int, *, rows: bool, cols: bool) -> list[list[Entry]]:
    """Each published additive relation, as the entries of the extended table it ties together.

    The extended table has the cells at ``[r][c]``, row totals at ``[r][n_cols]``, column totals
    at ``[n_rows][c]`` and the grand total at ``[n_rows][n_cols]``.
    """
    lines: list[list[Entry]] = []
    if rows:
        lines += [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows)]
        lines.append([(r, n_cols) for r in range(n_rows + 1)])
    if cols:
        lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols)]
        lines.append([(n_rows, c) for c in range(n_cols + 1)])
    return lines


def _bridges(suppressed: set[Entry], n_rows: int, n_cols: int) -> list[Entry]:
    """Suppressed entries that are bridges of the row-line/column-line graph (recoverable)."""
    adjacency: dict[tuple[str, int], list[tuple[tuple[str, int], Entry]]] = {}
    for r, c in suppressed:
        a, b = ("r", r), ("c", c)
        adjacency.setdefault(a, []).append((b, (r, c)))
        adjacency.setdefault(b, []).append((a, (r, c)))
    bridges: list[Entry] = []
    for entry in sorted(suppressed):
        start, goal = ("r", entry[0]), ("c", entry[1])
        seen = {start}
        stack = [start]
        found = False
        while stack and not found:
            node = stack.pop()
            for other, via in adjacency.get(node, []):
                if via == entry or other in seen:
                    continue
                if other == goal:
                    found = True
                    break
                seen.add(other)
                stack.append(other)
        if not found:
            bridges.append(entry)
    return bridges


def _protection(value: int, *, threshold: int) -> int:
    """How wide an attacker's interval for a suppressed entry of ``value`` must be: the
    threshold for a small non-zero count, 1 (not a single value) for any other non-zero entry."""
    return threshold if value < threshold else 1


Node = tuple[str, int]
_SOURCE: Node = ("S", 0)
_SINK: Node = ("T", 0)


def _arc(entry: Entry, n_rows: int, n_cols: int) -> tuple[Node, Node]:
    """The entry as an arc of the table's circulation: a cell flows from its row to its column,
    a row total from the source into its row, a column total from its column into the sink and
    the grand total from the sink back to the source, so every node balances."""
    r, c = entry
    if r < n_rows and c < n_cols:
        return ("r", r), ("c", c)
    if c == n_cols and r < n_rows:
        return _SOURCE, ("r", r)
    if r == n_rows and c < n_cols:
        return ("c", c), _SINK
    return _SINK, _SOURCE


class _Residual:
    """The residual network of the true table as a circulation whose published arcs are fixed.

    An unknown arc (a suppressed entry, or a total the table does not publish) with true value
    ``x`` can carry more flow without limit and less by at most ``x``. The tables an attacker
    cannot tell apart from the truth are exactly the non-negative circulations that agree on
    the published arcs, so the most an entry can rise (fall) is a maximum flow from its head to
    its tail (tail to head) around the other unknown arcs (Ford and Fulkerson 1956); with
    integer counts the answer is an integer, and the same as the linear programme's.
    """

    def __init__(self, unknown: dict[Entry, int], n_rows: int, n_cols: int) -> None:
        self.capacity: dict[tuple[Node, Node], float] = {}
        self.neighbours: dict[Node, set[Node]] = {}
        self.arcs = {e: _arc(e, n_rows, n_cols) for e in unknown}
        for entry, value in unknown.items():
            tail, head = self.arcs[entry]
            self.capacity[(tail, head)] = math.inf
            self.capacity[(head, tail)] = float(value)
            self.neighbours.setdefault(tail, set()).add(head)
            self.neighbours.setdefault(head, set()).add(tail)

    def _flow(self, start: Node, goal: Node, *, without: Entry, limit: int) -> int:
        """Maximum flow from ``start`` to ``goal`` not using ``without``, stopping at ``limit``
        (Edmonds and Karp 1972: shortest augmenting paths, each adding at least 1)."""
        tail, head = self.arcs[without]
        capacity = dict(self.capacity)
        capacity[(tail, head)] = capacity[(head, tail)] = 0.0
        flow = 0
        while flow < limit:
            previous: dict[Node, Node] = {start: start}
            queue = [start]
            for node in queue:
                if goal in previous:
                    break
                for other in sorted(self.neighbours.get(node, ())):
                    if other not in previous and capacity[(node, other)] > 0:
                        previous[other] = node
                        queue.append(other)
            if goal not in previous:
                break
            path = []
            node = goal
            while node != start:
                path.append((previous[node], node))
                node = previous[node]
            push = min(limit - flow, min(capacity[a] for a in path))
            for a, b in path:
                capacity[(a, b)] -= push
                capacity[(b, a)] += push
            flow += int(push)
        return flow

    def width(self, entry: Entry, *, value: int, needed: int) -> int:
        """How far apart the smallest and largest values of ``entry`` are, counted up to
        ``needed`` (a result of ``needed`` means "at least that")."""
        tail, head = self.arcs[entry]
        rise = self._flow(head, tail, without=entry, limit=needed)
        if rise >= needed:
            return rise
        return rise + self._flow(tail, head, without=entry, limit=min(value, needed - rise))


def _one_way_widths(
    entries: Sequence[Entry], *, values: dict[Entry, int], unknown: dict[Entry, int], size: Entry
) -> dict[Entry, float]:
    """:meth:`_Residual.width` in closed form for a list with its total (one published line):
    with the total published, every suppressed cell ranges from 0 to the sum of the suppressed
    cells (when there are two or more); with it suppressed, without bound."""
    n_rows, n_cols = size
    cells = [e for e in unknown if e[0] < n_rows and e[1] < n_cols]
    spread: float = 0 if len(cells) < 2 else sum(values[e] for e in cells)
    if (n_rows, n_cols) in unknown:
        spread = math.inf
    cell_set = set(cells)
    return {e: spread if e in cell_set else math.inf for e in entries}


def _preference(value: int, entry: Entry, n_rows: int, n_cols: int) -> tuple[int, int, int, Entry]:
    is_total = int(entry[0] == n_rows or entry[1] == n_cols)
    return (int(value == 0), is_total, value, entry)


def table_disclose(
    counts: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    threshold: int = THRESHOLD,
    base: int = BASE,
) -> DisclosedTable:
    """Apply the 10-5 rule with secondary suppression to a two-way table of counts.

    Parameters
    ----------
    counts : sequence of sequences of int, shape (R, C)
        True counts (events or people per area, grid cell, month or group); never points.
    row_totals, col_totals : bool
        Whether row totals and column totals (and so the grand total) are published.
    threshold : int
        Counts below this are suppressed (ONS: 10).
    base : int
        Published counts are rounded to a multiple of this (ONS: 5).

    Returns
    -------
    DisclosedTable
        New and frozen; ``counts`` is not changed.

    Notes
    -----
    Method: see the module docstring. Whatever the margins, and zeros included, someone who knew
    the unrounded published values (more than anyone gets) could place each suppressed count
    from 1 to ``threshold - 1`` only somewhere in a range at least ``threshold`` wide, and could
    not find any other non-zero suppressed entry exactly (:data:`PROTECTION`).

    Examples
    --------
    >>> t = table_disclose([[3, 20, 14], [25, 30, 41]])
    >>> t.cells
    ((None, 20, None), (None, 30, None))
    >>> t.status[0]
    ('primary', 'published', 'secondary')
    >>> t.row_totals, t.col_totals, t.grand_total
    ((35, 95), (30, 50, 55), 135)
    >>> t.rule
    'ONS 10-5 rule with secondary suppression'

    Zeros cannot pin a small count: here the zero columns would have held the 2 at exactly 2
    (the grand total leaves them no room), so the audit suppresses more, and only the grand
    total is left.

    >>> t = table_disclose([[0, 0, 0, 0], [0, 0, 0, 0], [0, 2, 10, 0], [0, 8, 0, 0]])
    >>> t.suppressed, t.grand_total
    (16, 20)
    """
    n_rows, n_cols = _check_counts(counts)
    values: dict[Entry, int] = {(r, c): counts[r][c] for r in range(n_rows) for c in range(n_cols)}
    for r in range(n_rows):
        values[(r, n_cols)] = sum(counts[r])
    for c in range(n_cols):
        values[(n_rows, c)] = sum(counts[r][c] for r in range(n_rows))
    values[(n_rows, n_cols)] = sum(values[(r, n_cols)] for r in range(n_rows))

    published_entries: set[Entry] = {(r, c) for r in range(n_rows) for c in range(n_cols)}
    if row_totals:
        published_entries |= {(r, n_cols) for r in range(n_rows)}
    if col_totals:
        published_entries |= {(n_rows, c) for c in range(n_cols)}
    if row_totals or col_totals:
        published_entries.add((n_rows, n_cols))

    primary = {e for e in published_entries if values[e] < threshold}
    suppressed = set(primary)
    lines = _lines(n_rows, n_cols, rows=row_totals, cols=col_totals)

    def suppress_beside(line: list[Entry]) -> bool:
        candidates = [e for e in line if e in published_entries and e not in suppressed]
        if not candidates:
            return False
        suppressed.add(min(candidates, key=lambda e: _preference(values[e], e, n_rows, n_cols)))
        return True

    def close() -> None:
        changed = True
        while changed:
            changed = False
            for line in lines:
                if sum(e in suppressed for e in line) == 1 and suppress_beside(line):
                    changed = True
            if changed or not (row_totals and col_totals):
                continue
            for r, c in _bridges(suppressed, n_rows, n_cols):
                # Another suppression on the bridge's row (else its column) starts a cycle
                # through it.
                row_line = [(r, cc) for cc in range(n_cols + 1) if cc != c]
                col_line = [(rr, c) for rr in range(n_rows + 1) if rr != r]
                if suppress_beside(row_line) or suppress_beside(col_line):
                    changed = True
                    break

    close()
    if lines:
        # Step 3, the audit: counts cannot be negative, so a cycle of suppressed entries that
        # runs through zeros can still pin a cell. Measure every suppressed entry's interval
        # and widen the pattern until each meets its protection level. Suppressing more only
        # enlarges the set of tables an attacker must consider, so an entry that passes once
        # passes for good and only the failing ones are measured again.
        one_way = (n_cols == 1 and not row_totals) or (n_rows == 1 and not col_totals)
        passed: set[Entry] = set()
        while True:
            to_check = sorted(e for e in suppressed if values[e] > 0 and e not in passed)
            unknown = {
                e: v for e, v in values.items() if e in suppressed or e not in published_entries
            }
            widths: dict[Entry, float]
            if one_way:
                widths = _one_way_widths(
                    to_check, values=values, unknown=unknown, size=(n_rows, n_cols)
                )
            else:
                network = _Residual(unknown, n_rows, n_cols)
                widths = {
                    e: network.width(
                        e, value=values[e], needed=_protection(values[e], threshold=threshold)
                    )
                    for e in to_check
                }
            failing = [
                e for e in to_check if widths[e] < _protection(values[e], threshold=threshold)
            ]
            passed.update(e for e in to_check if e not in failing)
            if not failing:
                break
            worst = min(failing, key=lambda e: (widths[e], e))
            near = [e for line in lines if worst in line for e in line]
            if not (suppress_beside(near) or suppress_beside(sorted(published_entries))):
                # Unreachable: with nothing published every interval is unbounded.
                raise RuntimeError("disclosure audit could not protect the table")
            close()

    def status_of(entry: Entry) -> str:
        if entry in primary:
            return PRIMARY
        return SECONDARY if entry in suppressed else PUBLISHED

    def shown(entry: Entry) -> int | None:
        return None if entry in suppressed else count_round(values[entry], base=base)

    cells = tuple(tuple(shown((r, c)) for c in range(n_cols)) for r in range(n_rows))
    status = tuple(tuple(status_of((r, c)) for c in range(n_cols)) for r in range(n_rows))
    has_grand = row_totals or col_totals
    return DisclosedTable(
        cells=cells,
        status=status,
        row_totals=tuple(shown((r, n_cols)) for r in range(n_rows)) if row_totals else None,
        row_total_status=(
            tuple(status_of((r, n_cols)) for r in range(n_rows)) if row_totals else None
        ),
        col_totals=tuple(shown((n_rows, c)) for c in range(n_cols)) if col_totals else None,
        col_total_status=(
            tuple(status_of((n_rows, c)) for c in range(n_cols)) if col_totals else None
        ),
        grand_total=shown((n_rows, n_cols)) if has_grand else None,
        grand_total_status=status_of((n_rows, n_cols)) if has_grand else None,
        threshold=threshold,
        base=base,
    )


def counts_disclose(
    counts: Sequence[int],
    *,
    total: bool = True,
    threshold: int = THRESHOLD,
    base: int = BASE,
) -> DisclosedTable:
    """Apply the rule to a one-way list of counts (grid cells or areas), with its total.

    Parameters
    ----------
    counts : sequence of int, length n
        True counts per grid cell or area.
    total : bool
        Whether the total of all ``n`` is published (it is the one margin).
    threshold, base : int
        As for :func:`table_disclose`.

    Returns
    -------
    DisclosedTable
        With ``n`` rows of one cell; the published total is ``grand_total``.

    Examples
    --------
    >>> t = counts_disclose([4, 12, 30, 56])
    >>> [row[0] for row in t.cells], t.grand_total
    ([None, None, 30, 55], 100)
    >>> [row[0] for row in t.status]
    ['primary', 'secondary', 'published', 'published']
    """
    return table_disclose(
        [[int(v)] for v in counts],
        row_totals=False,
        col_totals=total,
        threshold=threshold,
        base=base,
    )


@dataclass(frozen=True)
class Figure:
    """A published figure: its label, the value shown (None when suppressed) and its share of
    the published total (None when either is suppressed or the total is zero)."""

    label: str
    value: int | None
    share: float | None = None

    @property
    def percent(self) -> str:
        """The share as a whole percentage (``"42%"``), or ``""`` when there is none."""
        return "" if self.share is None else f"{self.share * 100:.0f}%"


def figures_disclose(
    labels: Sequence[str], counts: Sequence[int]
) -> tuple[list[Figure], int | None]:
    """Counts disclosed together with their total (:func:`counts_disclose`), as labelled
    figures with shares worked out from the published (rounded) values, so that a share reveals
    nothing the figures do not.

    Examples
    --------
    >>> figures, total = figures_disclose(["a", "b", "c"], [4, 12, 84])
    >>> [(f.label, f.value, f.percent) for f in figures], total
    ([('a', None, ''), ('b', None, ''), ('c', 85, '85%')], 100)

    Nothing to count (a force extract with no orders) publishes no figure and a suppressed
    total, as a zero count would be:

    >>> figures_disclose([], [])
    ([], None)
    """
    if not counts:
        return [], None
    table = counts_disclose(counts, total=True)
    total = table.grand_total
    figures = [
        Figure(
            label=label,
            value=row[0],
            share=None if row[0] is None or not total else row[0] / total,
        )
        for label, row in zip(labels, table.cells, strict=True)
    ]
    return figures, total
