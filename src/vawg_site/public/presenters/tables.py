"""One table model for every figure on the public pages: the HTML table and its CSV download are
both written from the same :class:`Table`, so the CSV always holds exactly the figures shown.

A cell keeps its raw value (what the CSV holds: integers without separators, ``YYYY-MM`` months,
blank for a suppressed figure) and its text (what the page shows: ``1,234``, ``March 2024``,
``[c]`` for a suppressed figure, as ONS marks confidential cells).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse

from vawg_site.common.http import csv_attachment, csv_filename

SUPPRESSED_TEXT = "[c]"
"""How a suppressed figure is shown (ONS's marker for a confidential cell)."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    raw: str
    text: str
    numeric: bool = False
    href: str = ""


def cell_of(value: Any, *, column: Column, href: str = "") -> Cell:
    """A cell for ``value``: ints get thousands separators, floats one decimal, None is ``[c]``."""
    if value is None:
        return Cell(raw="", text=SUPPRESSED_TEXT, numeric=column.numeric)
    if isinstance(value, bool):
        return Cell(raw="yes" if value else "no", text="Yes" if value else "No")
    if isinstance(value, int):
        return Cell(raw=str(value), text=f"{value:,}", numeric=column.numeric, href=href)
    if isinstance(value, float):
        return Cell(raw=f"{value:.2f}", text=f"{value:,.1f}", numeric=column.numeric, href=href)
    if isinstance(value, tuple):  # (raw, text): e.g. a month key and its label
        return Cell(raw=str(value[0]), text=str(value[1]), numeric=column.numeric, href=href)
    return Cell(raw=str(value), text=str(value), numeric=column.numeric, href=href)


@dataclass(frozen=True)
class Table:
    """A captioned table. ``rows`` hold values as given to :func:`cell_of`; ``links`` an optional
    link for each row's first cell; ``total`` an optional footer row (shown, not in the CSV)."""

    name: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    links: tuple[str, ...] = ()
    total: tuple[Any, ...] = ()
    csv_href: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def html_rows(self) -> list[list[Cell]]:
        out = []
        for i, row in enumerate(self.rows):
            link = self.links[i] if i < len(self.links) else ""
            out.append(
                [
                    cell_of(v, column=c, href=link if j == 0 else "")
                    for j, (v, c) in enumerate(zip(row, self.columns, strict=True))
                ]
            )
        return out

    @property
    def total_row(self) -> list[Cell]:
        if not self.total:
            return []
        return [cell_of(v, column=c) for v, c in zip(self.total, self.columns, strict=True)]

    def csv_rows(self) -> list[list[str]]:
        """Header and body rows, as the CSV holds them."""
        header = [c.key for c in self.columns]
        return [header, *([cell.raw for cell in row] for row in self.html_rows)]


def csv_response(*, table: Table, filename_parts: Sequence[str]) -> HttpResponse:
    """The table as a CSV attachment (UTF-8, one header row): exactly the figures shown."""
    header, *rows = table.csv_rows()
    return csv_attachment(filename=csv_filename(filename_parts), header=header, rows=rows)
