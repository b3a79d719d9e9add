"""Bounds on what a reader will take from a file, so that no input can hold more than a bounded
amount of memory or time: decompressed size and compression ratio, line length, header width,
JSON nesting depth, the size of files read whole, and Parquet column types.

A breach that concerns one row (a line too long) is a rejected row; a breach that concerns the
file (a bomb, a header too wide, nesting too deep, a list column) refuses the file with
:class:`~vawg.errors.UserInputError`, which the command reports in one line with exit code 2.
The bounds are far above what any real file needs (the largest real file, a Met month of API
JSON, is about 27 MB, and its longest line about 600 bytes) and far below what would take a
reader past 1 GB of memory (``docs/PERFORMANCE.md``, "Hostile inputs").
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import polars as pl

from vawg.errors import UserInputError

MAX_DECOMPRESSED_BYTES = 4 * 1024**3
"""Most bytes a compressed file (gzip, or a zip member) may decompress to (4 GiB): read as a
stream, so this bounds time, not memory."""

MAX_COMPRESSION_RATIO = 200
"""Most decompressed bytes per compressed byte once :data:`RATIO_GRACE_BYTES` are out: real CSV
and JSON compress 5 to 15 times; a bomb compresses 1,000 times."""

RATIO_GRACE_BYTES = 4 * 1024**2
"""Decompressed bytes (4 MiB) allowed before the ratio is checked (a small file of repeated
text may compress very well and still be harmless)."""

MAX_WHOLE_FILE_BYTES = 128 * 1024**2
"""Most bytes (128 MiB, decompressed) of a file that is read whole rather than streamed: API
JSON and Parquet, whose readers need the whole file."""

MAX_PARQUET_CELLS = 20_000_000
"""Most cells (rows times columns) of a Parquet file, from its metadata before it is read: a
Parquet file compresses repeated values so well that its size on disk says little."""

MAX_LINE_BYTES = 1024**2
"""Longest line (1 MiB) of a text file; a longer line is rejected as one row, whole lines after
it are read as usual."""

MAX_RECORD_LINES = 50
"""Most physical lines one quoted CSV field may span; a quote still open after that many lines
is a stray quote: its line is rejected and reading resumes on the next line."""

MAX_FIELDS = 1000
"""Most columns of a header (CSV or Parquet); the widest real file has about 40."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of JSON arrays and objects; a police.uk API record nests four deep."""


_STEP_BYTES = 1024**2


class BoundedStream(io.RawIOBase):
    """A decompressing stream that stops with UserInputError once it has given more than
    :data:`MAX_DECOMPRESSED_BYTES`, or more than :data:`MAX_COMPRESSION_RATIO` times the
    compressed bytes consumed (``consumed()``) after :data:`RATIO_GRACE_BYTES`."""

    def __init__(self, inner: Any, *, name: str, consumed: Callable[[], int]) -> None:
        super().__init__()
        self._inner = inner
        self._name = name
        self._consumed = consumed
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        # A bounded step, so that the check below runs before a bomb has been decompressed
        # into a caller's large buffer.
        data = self._inner.read(min(len(buffer), _STEP_BYTES))
        size = len(data)
        buffer[:size] = data
        self.given += size
        self._check()
        return size

    def _check(self) -> None:
        if self.given > MAX_DECOMPRESSED_BYTES:
            raise UserInputError(
                f"{self._name}: decompresses to more than {MAX_DECOMPRESSED_BYTES:,} bytes "
                "(refused as a compression bomb)"
            )
        ratio_exceeded = self.given > MAX_COMPRESSION_RATIO * max(self._consumed(), 1)
        if self.given > RATIO_GRACE_BYTES and ratio_exceeded:
            raise UserInputError(
                f"{self._name}: decompresses more than {MAX_COMPRESSION_RATIO} times its "
                "compressed size (refused as a compression bomb)"
            )


def read_capped(stream: Any, *, name: str, limit: int = MAX_WHOLE_FILE_BYTES) -> bytes:
    """All of ``stream``, read a step at a time, refused with UserInputError as soon as it is
    longer than ``limit`` bytes."""
    data = bytearray()
    while step := stream.read(_STEP_BYTES):
        data += step
        if len(data) > limit:
            raise UserInputError(
                f"{name}: longer than {limit:,} bytes, the most a file read whole may be"
            )
    return bytes(data)


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON ``data`` (strings ignored).

    >>> json_depth(b'[{"a": {"b": "[[[["}}]'), json_depth(b"1")
    (3, 0)
    """
    brackets = _NOT_BRACKET.sub(b"", _JSON_STRING.sub(b"", data))
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def json_depth_check(data: bytes, *, name: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH` with UserInputError."""
    if json_depth(data) > MAX_JSON_DEPTH:
        raise UserInputError(
            f"{name}: JSON nested deeper than {MAX_JSON_DEPTH} levels (not an API answer)"
        )


def _flat(dtype: pl.DataType) -> bool:
    return not isinstance(dtype, pl.List | pl.Array | pl.Struct | pl.Object | pl.Binary)


def parquet_read(data: bytes, *, name: str) -> pl.DataFrame:
    """A Parquet file's table, refused with UserInputError when it cannot be read, has more
    than :data:`MAX_FIELDS` columns or :data:`MAX_PARQUET_CELLS` cells, or a column that is not
    flat (a list, array, struct, binary or object column: the extracts are flat tables)."""
    try:
        lazy = pl.scan_parquet(io.BytesIO(data))
        schema = lazy.collect_schema()
        if len(schema) > MAX_FIELDS:
            raise UserInputError(f"{name}: {len(schema):,} columns, more than {MAX_FIELDS}")
        nested = [column for column, dtype in schema.items() if not _flat(dtype)]
        if nested:
            raise UserInputError(
                f"{name}: column {nested[0]} is {schema[nested[0]]}, not a flat value "
                "(list, struct and binary columns are refused)"
            )
        rows = lazy.select(pl.len()).collect().item()
        if rows * max(len(schema), 1) > MAX_PARQUET_CELLS:
            raise UserInputError(
                f"{name}: {rows:,} rows of {len(schema)} columns, more than "
                f"{MAX_PARQUET_CELLS:,} cells"
            )
        return pl.read_parquet(io.BytesIO(data))
    except UserInputError:
        raise
    except Exception as error:  # polars raises several error types for a bad file
        raise UserInputError(f"cannot read {name} as Parquet: {_one_line(error)}") from error


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]
