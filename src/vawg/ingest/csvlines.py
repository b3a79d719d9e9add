"""Physical lines into CSV records, bounded: a line too long, and a quote that never closes, each
cost one rejected line and nothing more.

Python's CSV reader, given a field that opens a quote and never closes it, reads on to the end of
the file and returns everything after the quote as one field: one stray quote folds every later
row into a single rejection. Here lines are put together into records first: a record is a line
with an even number of quote characters, or a run of lines that together have one (a quoted field
that spans lines, as RFC 4180 allows), at most :data:`~vawg.ingest.limits.MAX_RECORD_LINES`
long. When a quote is still open after that many lines, or at the end of the file, or when a
line between the first and the last is a complete row on its own (the header's number of fields,
quotes balanced: the quote was closed by another stray quote further down), the first line alone
is rejected (whole, as read) and the lines after it are read again as records of their own.
Every physical line is thus a row read: loaded, a duplicate, or rejected (a field that truly
spans lines makes one row of its lines).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vawg.ingest.limits import MAX_LINE_BYTES, MAX_RECORD_LINES


class OverlongLine(str):
    """A line longer than :data:`~vawg.ingest.limits.MAX_LINE_BYTES`: its beginning only (the
    rest was read past, not kept), with its full length in bytes as ``size``."""

    size: int = 0

    @classmethod
    def of(cls, text: str, size: int) -> OverlongLine:
        line = cls(text)
        line.size = size
        return line


UNCLOSED_QUOTE = (
    "a quote that is never closed (the line is rejected alone; reading resumes after it)"
)


@dataclass(frozen=True)
class Record:
    """A CSV record: its first physical line's number, how many lines it spans, its fields."""

    line: int
    lines: int
    fields: list[str]
    text: str


@dataclass(frozen=True)
class BadLine:
    """A physical line that is no record: why, and the line as read (line end dropped)."""

    line: int
    reason: str
    text: str


class Records:
    """The records of CSV ``lines`` (each with its line end, as :func:`text_lines` gives them).

    Iterating gives :class:`Record` and :class:`BadLine` objects in line order. ``width``, once
    set (after the header), is the number of fields of a row: a record spanning several lines
    with a row of that width between its first and last lines is a stray quote.

    >>> rows = Records(["a,b\\n", '1,"2\\n', "3,4\\n", '"5",6\\n'])
    >>> rows.width = 2
    >>> [(r.line, getattr(r, "fields", None)) for r in rows]
    [(1, ['a', 'b']), (2, None), (3, ['3', '4']), (4, ['5', '6'])]
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._source = enumerate(lines, start=1)
        self._backlog: deque[tuple[int, str]] = deque()
        self.width: int | None = None

    def _next(self) -> tuple[int, str] | None:
        if self._backlog:
            return self._backlog.popleft()
        return next(self._source, None)

    def __iter__(self) -> Iterator[Record | BadLine]:
        while (item := self._next()) is not None:
            number, line = item
            if isinstance(line, OverlongLine):
                yield BadLine(
                    number,
                    f"a line of {line.size:,} bytes, longer than the {MAX_LINE_BYTES:,} allowed",
                    str(line),
                )
                continue
            if line in ("\n", "\r\n"):
                continue  # a blank line is no row (and a file of them should be quick)
            if line.count('"') % 2 == 0:
                yield self._parse(number, [line])
                continue
            parts = [line]
            quotes = line.count('"')
            while len(parts) < MAX_RECORD_LINES and quotes % 2:
                following = self._next()
                if following is None:
                    break
                if isinstance(following[1], OverlongLine):
                    self._backlog.appendleft(following)
                    break
                parts.append(following[1])
                quotes += following[1].count('"')
            record = self._parse(number, parts) if quotes % 2 == 0 else None
            if isinstance(record, Record) and not self._rows_inside(record, parts):
                yield record
                continue
            if isinstance(record, BadLine) and len(parts) == 1:
                yield record
                continue
            # A stray quote: the first line alone is rejected, the others are read again.
            self._backlog.extendleft(
                reversed([(number + k, text) for k, text in enumerate(parts[1:], start=1)])
            )
            yield BadLine(number, UNCLOSED_QUOTE, line.rstrip("\r\n"))

    def _rows_inside(self, record: Record, parts: list[str]) -> bool:
        """Whether a record of several lines holds, between its first and last lines, a line
        that is a row of its own (the header's width, quotes balanced): then the first line's
        quote was a stray one, closed by another stray quote further down, and not a field
        spanning lines."""
        if self.width is None:
            return False
        for middle in parts[1:-1]:
            if middle.count('"') % 2 == 0:
                alone = self._parse(0, [middle])
                if isinstance(alone, Record) and len(alone.fields) == self.width:
                    return True
        return False

    @staticmethod
    def _parse(number: int, parts: list[str]) -> Record | BadLine:
        text = parts[0] if len(parts) == 1 else "".join(parts)
        body = text.rstrip("\r\n")
        if '"' not in body and "\r" not in body and "\n" not in body:
            # No quote and no stray line end: splitting at commas is what the CSV reader does
            # (and several times quicker than a call into it for each line).
            return Record(number, len(parts), body.split(","), text)
        try:
            fields = next(csv.reader((text,)), [])
        except csv.Error as error:
            # e.g. a bare carriage return inside an unquoted field
            return BadLine(number, f"cannot parse this CSV row ({error})", body)
        return Record(number, len(parts), fields, text)
