"""Reading data.police.uk files: which files a user's paths name, what kind each is, and the
batches they are read into, streaming.

Files are read one at a time, in load order (folders and archives in sorted path order), CSV files
in chunks of :data:`CHUNK_ROWS` rows; each chunk is yielded as a
:class:`~vawg.ingest.police_uk.rules.PoliceUkBatch` for the caller to store before the next is
read. A CSV file's kind (street, outcomes, stop-and-search) is told by its header; a JSON file is
the API's ``crimes-street`` answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import polars as pl

from vawg.errors import UserInputError
from vawg.ingest.common import (
    ReadResult,
    Rejection,
    SkippedFile,
    SourceFile,
    csv_chunks,
    source_files,
    text_lines,
)
from vawg.ingest.police_uk.outcomes import outcomes_csv
from vawg.ingest.police_uk.rules import (
    CSV_COLUMNS,
    OUTCOME,
    OUTCOME_CSV_COLUMNS,
    STOP_SEARCH,
    STOP_SEARCH_CSV_COLUMNS,
    STREET,
    PoliceUkBatch,
)
from vawg.ingest.police_uk.stop_search import stop_search_csv
from vawg.ingest.police_uk.street import api_read, street_csv
from vawg.schemas import STREET_CRIME

_T = TypeVar("_T")

CHUNK_ROWS = 250_000
"""Rows per chunk of a CSV file: more than any force publishes in a month (the Met's ~95,000),
so that a file's LSOA vintage is decided over the whole file, and small enough to bound memory."""

OUTCOMES_MARKERS = frozenset({"Crime ID", "Month", "Outcome type"})

STOP_AND_SEARCH_MARKERS = frozenset({"Type", "Date", "Object of search"})


def _accept(name: str) -> bool:
    return name.endswith((".csv", ".json"))


def police_uk_files(paths: Iterable[Path]) -> list[SourceFile]:
    """The CSV and JSON files named by ``paths`` (files, folders, ``.zip`` archives), in load order:
    folders and archives are taken in sorted path order."""
    return source_files(paths, accept=_accept)


def police_uk_batches(
    paths: Iterable[Path],
    *,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[PoliceUkBatch]:
    """Read ``paths`` one file (or chunk of ``chunk_rows`` CSV rows) at a time, streaming.

    Every path is checked before the first batch is yielded; a file that cannot be read (not
    gzip, truncated, empty, not JSON, an unknown CSV header) raises
    :class:`~vawg.errors.UserInputError` when reached. ``progress(files_done, files_total)`` is
    called after each file when given.
    """
    files = police_uk_files(paths)
    for done, source in enumerate(files, start=1):
        yield from police_uk_read_file(source, chunk_rows=chunk_rows)
        if progress is not None:
            progress(done, len(files))


def police_uk_read(
    paths: Iterable[Path], *, progress: Callable[[int, int], None] | None = None
) -> ReadResult:
    """Read and normalise the street-level records of ``paths`` into one table, with one row per
    identity (``crime_key``, ``month``), the last read kept. Outcomes and stop-and-search files
    are listed as skipped here (:func:`police_uk_batches` reads them). Holds every row in memory:
    the loader uses :func:`police_uk_batches`.
    """
    frames: list[pl.DataFrame] = []
    rejections: list[Rejection] = []
    skipped: list[SkippedFile] = []
    read = duplicates = 0
    for batch in police_uk_batches(paths, progress=progress):
        if batch.kind != STREET:
            if batch.file not in {s.file for s in skipped}:
                skipped.append(SkippedFile(batch.file, f"police.uk {batch.kind} file"))
            continue
        read += batch.read
        duplicates += batch.duplicates
        rejections.extend(batch.rejections)
        if batch.rows.height:
            frames.append(batch.rows)
    rows = pl.concat(frames, how="vertical") if frames else STREET_CRIME.empty()
    before = rows.height
    rows = rows.unique(subset=["crime_key", "month"], keep="last", maintain_order=True)
    duplicates += before - rows.height
    return ReadResult(rows, read, duplicates, tuple(rejections), tuple(skipped))


def police_uk_read_file(
    source: SourceFile, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[PoliceUkBatch]:
    """Read one CSV or JSON file (see :func:`police_uk_batches`)."""
    if source.inner_name.endswith(".json"):
        yield api_read(source.read_bytes(), source.name)
        return
    lines = text_lines(source)  # a generator: closed at once when the file is JSON
    first = next(lines, None)
    if first is None or not first.strip():
        raise UserInputError(f"{source.name}: the file is empty (no header row)")
    if first.lstrip()[:1] in ("[", "{"):
        lines.close()
        yield api_read(source.read_bytes(), source.name)
        return
    chunks = csv_chunks(_chain(first, lines), file=source.name, chunk_rows=chunk_rows)
    head = next(chunks)
    kind = _csv_kind(head.header, source.name)
    counter: dict[str, int] = {}
    for chunk in _chain(head, chunks):
        if kind == STREET:
            yield street_csv(chunk, source.name, counter)
        elif kind == OUTCOME:
            yield outcomes_csv(chunk, source.name, counter)
        else:
            yield stop_search_csv(chunk, source, counter)


def _chain(first: _T, rest: Iterator[_T]) -> Iterator[_T]:
    yield first
    yield from rest


def _csv_kind(header: tuple[str, ...], file: str) -> str:
    names = set(header)
    expected: tuple[str, ...]
    if set(CSV_COLUMNS) <= names:
        return STREET
    if set(OUTCOME_CSV_COLUMNS) <= names:
        return OUTCOME
    if set(STOP_SEARCH_CSV_COLUMNS) <= names:
        return STOP_SEARCH
    if names >= OUTCOMES_MARKERS and "Crime type" not in names:
        expected, what = OUTCOME_CSV_COLUMNS, "outcomes"
    elif len(STOP_AND_SEARCH_MARKERS & names) >= 2:
        expected, what = STOP_SEARCH_CSV_COLUMNS, "stop-and-search"
    else:
        expected, what = CSV_COLUMNS, "street-level"
    missing = [c for c in expected if c not in names]
    raise UserInputError(
        f"{file}: not a police.uk {what} CSV (missing columns: {', '.join(missing)})"
    )
