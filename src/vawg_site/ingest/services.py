"""Loads: read files with the pure readers of :mod:`vawg.ingest`, then store them in one
transaction, recording an :class:`IngestRun` and a quarantine of every rejected row.

Each load upserts by the source's identity, so loading the same files again adds nothing:

* police.uk street records by (``crime_key``, ``month``) (see :mod:`vawg.ingest.police_uk`);
* the Met's VAWG counts by ``natural_key``, the SHA-1 of the full natural key;
* force records by their references (``crime_ref``, ``person_ref``, ``order_ref``; an involvement
  by crime, person and role).

Rows go to the database in bulk, never through per-row ``save()``: they are staged into a temporary
table (``executemany`` on SQLite, ``COPY`` on PostgreSQL) and moved with one
``INSERT ... SELECT ... ON CONFLICT (identity) DO UPDATE ... WHERE <a column differs>``. The
statement's row count is what was inserted or changed: that is ``loaded``; the rest of what was
kept (identical to what is stored, or repeated within the input) is ``duplicates``.

``progress``, when given, is called as ``progress(rows)`` with the number of rows just stored, once
per batch, like tqdm's ``update`` (the demo passes ``bar.update``); reading the files comes first
and does not call it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any, TypeVar

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from vawg.ingest.common import ReadResult, Rejection, SkippedFile, SourceFile
from vawg.ingest.force import ForceExtract, force_read
from vawg.ingest.mps_recorded import mps_recorded_read
from vawg.ingest.mps_vawg import mps_vawg_read
from vawg.ingest.police_uk import (
    OUTCOME,
    STOP_SEARCH,
    STREET,
    PoliceUkBatch,
    police_uk_files,
    police_uk_read_file,
)
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read
from vawg.paths import data_dir_default
from vawg.schemas import (
    CRIME,
    INVOLVEMENT,
    ORDER,
    PERSON,
    RECORDED_CRIME_COUNT,
    STREET_CRIME,
    STREET_OUTCOME,
    VAWG_COUNT,
    Column,
    Schema,
)
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE
from vawg_site.ingest.models import IngestRun
from vawg_site.ingest.models import Rejection as RejectionRow
from vawg_site.records.models import Crime, Person

Progress = Callable[[int], object]
"""``progress(rows)``: called with the rows just stored, per batch (e.g. ``tqdm(...).update``)."""

BATCH_ROWS = 50_000
"""Rows sent to the database per batch (and per progress call)."""


@dataclass(frozen=True)
class LoadResult:
    """What a load did. ``read == loaded + duplicates + rejected`` always holds.

    ``loaded`` counts rows inserted or changed (``updated`` of them changed an existing row);
    ``duplicates`` counts rows identical to what was already stored or repeated within the input
    (the last one read is kept); ``rejected`` counts rows quarantined with a reason.
    """

    read: int
    loaded: int
    duplicates: int
    rejected: int
    rejections: tuple[Rejection, ...]
    updated: int = 0
    run_id: int | None = None
    seconds: float = 0.0
    skipped: tuple[SkippedFile, ...] = ()
    notices: tuple[str, ...] = field(default=())
    unchanged: int = 0
    """Of ``duplicates``: rows identical to a row already stored (the rest repeat a row of the
    same input)."""
    details: dict[str, Any] = field(default_factory=dict)
    """Source-specific facts added to ``--json`` (e.g. ``by_kind``, ``unmatched_wards``)."""

    @property
    def inserted(self) -> int:
        return self.loaded - self.updated

    @property
    def repeated(self) -> int:
        return self.duplicates - self.unchanged

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``CONTRACT.md`` section 1, plus ``inserted``/``updated`` (the
        two parts of ``loaded``), ``unchanged``/``repeated`` (the two parts of ``duplicates``),
        ``skipped``, ``notices``, ``run_id`` and the source's ``details``."""
        return {
            "read": self.read,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejections": [r.as_dict() for r in self.rejections],
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repeated": self.repeated,
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "notices": list(self.notices),
            "run_id": self.run_id,
            **self.details,
        }


@dataclass(frozen=True)
class _Target:
    """How staged rows reach one table: the staged columns (a :class:`vawg.schemas.Schema`: the
    readers' normalised table), the target's columns with the SELECT expression for each, joins,
    and the identity columns."""

    table: str
    schema: Schema
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    joins: str = ""

    @property
    def stage(self) -> tuple[str, ...]:
        """The staged columns, in order."""
        return self.schema.names


def _plain(schema: Schema) -> _Target:
    """A target that stores a normalised table as it is: the table the schema names, a column
    per schema column, upserted on the schema's identity."""
    return _Target(
        table=schema.name,
        schema=schema,
        columns=tuple((name, f"s.{name}") for name in schema.names),
        key=schema.identity,
    )


def _vendor() -> str:
    return connection.vendor


def _sql_type(column: Column) -> str:
    """A portable SQL type for a staging column: text of at most ``max_chars`` characters
    (unlimited when None), a date, a double, a boolean, a 32-bit integer (what the stored count
    and number columns are) or a UTC date-time."""
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime):
        return "timestamptz" if _vendor() == "postgresql" else "datetime"
    if dtype.is_integer():
        return "integer"
    types: dict[type[pl.DataType], str] = {
        pl.Date: "date",
        pl.Float64: "double precision",
        pl.Boolean: "boolean",
    }
    if type(dtype) in types:
        return types[type(dtype)]
    return "text" if column.max_chars is None else f"varchar({column.max_chars})"


def _stage_name(table: str) -> str:
    return f"vawg_stage_{table}"


def _dates_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Date columns as ISO text and date-times as UTC text, which both databases parse (Django
    keeps SQLite date-times as naive UTC text)."""
    suffix = "+00:00" if _vendor() == "postgresql" else ""
    return frame.with_columns(
        *[
            pl.col(name).dt.strftime("%Y-%m-%d")
            for name, dtype in frame.schema.items()
            if dtype == pl.Date
        ],
        *[
            pl.col(name).dt.convert_time_zone("UTC").dt.strftime(f"%Y-%m-%d %H:%M:%S{suffix}")
            for name, dtype in frame.schema.items()
            if isinstance(dtype, pl.Datetime)
        ],
    )


def _sqlite_batch(frame: pl.DataFrame) -> tuple[str, list[tuple[Any, ...]]]:
    """The ``VALUES`` list of an ``INSERT`` and the rows to bind, for ``executemany`` of
    ``frame`` on SQLite.

    A text column that holds one value throughout the batch (an API batch's blank reported-by,
    falls-within, LSOA code and name, context and vintage, and its source ``api``: 7 columns of
    16) is written once into the statement as a literal instead of being converted to Python and
    bound for every row; converting and binding is most of SQLite's insert time (a quarter less
    CPU for API batches). What is stored is the same text either way. The bound rows are tuples
    of plain values, dates as ISO text (columns zipped: faster than ``iter_rows``).
    """
    frame = _dates_as_text(frame)
    values: list[str] = []
    bound: list[str] = []
    for name in frame.columns:
        literal = _sqlite_literal(frame.get_column(name))
        values.append("%s" if literal is None else literal)
        if literal is None:
            bound.append(name)
    if not bound:  # executemany needs a bound value in each row
        values[0], bound = "%s", [frame.columns[0]]
    rows = list(zip(*(frame.get_column(name).to_list() for name in bound), strict=True))
    return ", ".join(values), rows


def _sqlite_literal(column: pl.Series) -> str | None:
    """``column``'s single value as an SQLite literal (``NULL`` or quoted text), or None when
    the column holds more than one value (or not text). Django's cursor reads ``%`` as a
    placeholder mark, hence ``%%``; a NUL character is never inlined."""
    if column.len() < 2:
        return None
    if column.null_count() == column.len():
        return "NULL"
    if column.dtype != pl.String or column.null_count():
        return None
    first = str(column[0])
    if "\x00" in first or not (column == first).all():
        return None
    return "'" + first.replace("'", "''").replace("%", "%%") + "'"


def _upsert(target: _Target, frame: pl.DataFrame, *, progress: Progress | None) -> int:
    """Upsert ``frame`` (``target.stage`` columns); returns the rows inserted or changed.

    PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT ... SELECT ... ON
    CONFLICT``. SQLite: tables without joins take ``executemany`` of the ``INSERT ... ON
    CONFLICT`` straight into the table (a staging copy costs more than it saves there, since SQLite
    runs in-process); tables with joins (references to resolve) are staged like PostgreSQL.
    """
    vendor = _vendor()
    names = list(target.stage)
    frame = frame.select(names)
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    updates = [c for c, _ in target.columns if c not in target.key]
    set_sql = ", ".join(f"{c} = excluded.{c}" for c in updates)
    changed_sql = " OR ".join(f"{target.table}.{c} {distinct} excluded.{c}" for c in updates)
    conflict = f"ON CONFLICT ({', '.join(target.key)}) DO UPDATE SET {set_sql} WHERE {changed_sql}"
    insert_columns = ", ".join(c for c, _ in target.columns)
    if vendor == "sqlite" and not target.joins and [c for c, _ in target.columns] == names:
        changed = 0
        with connection.cursor() as cursor:
            for start in range(0, frame.height, BATCH_ROWS):
                batch = frame.slice(start, BATCH_ROWS)
                values, rows = _sqlite_batch(batch)
                # Names are constants of this module; literals come from _sqlite_literal.
                sql = f"INSERT INTO {target.table} ({insert_columns}) VALUES ({values}) {conflict}"  # noqa: S608
                cursor.executemany(sql, rows)
                changed += max(int(cursor.rowcount), 0)
                if progress is not None:
                    progress(batch.height)
        return changed
    stage = _stage_name(target.table)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        columns_sql = ", ".join(f"{c.name} {_sql_type(c)}" for c in target.schema.columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({columns_sql})")
        for start in range(0, frame.height, BATCH_ROWS):
            batch = frame.slice(start, BATCH_ROWS)
            if vendor == "postgresql":
                # CSV written by Polars: a null is an unquoted empty field, "" an empty string.
                text = _dates_as_text(batch).write_csv(
                    include_header=False, quote_style="non_numeric"
                )
                raw = cursor.cursor
                copy_sql = f"COPY {stage} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)"
                with raw.copy(copy_sql) as copy:
                    copy.write(text.encode("utf-8"))
            else:
                values, rows = _sqlite_batch(batch)
                insert = f"INSERT INTO {stage} VALUES ({values})"  # noqa: S608 - see _sqlite_batch
                cursor.executemany(insert, rows)
            if progress is not None:
                progress(batch.height)
        select_sql = ", ".join(expr for _, expr in target.columns)
        # Every name in this statement is a constant of this module; none comes from input.
        upsert = (
            f"INSERT INTO {target.table} ({insert_columns}) "  # noqa: S608
            f"SELECT {select_sql} FROM {stage} s {target.joins} WHERE true {conflict}"
        )
        cursor.execute(upsert)
        changed = max(int(cursor.rowcount), 0)
        cursor.execute(f"DROP TABLE {stage}")
    return changed


def _upsert_counted(
    target: _Target, frame: pl.DataFrame, *, progress: Progress | None, bulk: _Bulk | None = None
) -> tuple[int, int]:
    """Store ``frame``; returns (rows inserted, rows updated). Inside :func:`_bulk_load` (an
    empty table, its indexes dropped) the rows are appended; otherwise upserted."""
    if frame.height == 0:
        return 0, 0
    if bulk is not None and bulk.active:
        _append(target, frame, progress=progress)
        _test_checkpoint()
        return frame.height, 0
    before = _count(target.table)
    changed = _upsert(target, frame, progress=progress)
    inserted = _count(target.table) - before
    _test_checkpoint()
    return inserted, changed - inserted


@dataclass
class _Bulk:
    """State of a bulk load into an empty table (see :func:`_bulk_load`)."""

    active: bool = False
    repeats: bool = False
    """Set when the appended rows may repeat an identity: removed, last kept, before the unique
    index is rebuilt."""


@contextmanager
def _bulk_load(target: _Target) -> Iterator[_Bulk]:
    """Inside a transaction: when ``target``'s table is empty and its rows need no joins, drop
    its indexes (unique ones too), let the load append rows, and rebuild the indexes at the end.

    Building an index once over sorted keys is several times faster than inserting a million
    random SHA-1 keys into it one by one (on SQLite 2.8 s + 1.2 s against 8 s). The index drop
    is part of the load's transaction, so a crash restores the indexes with everything else.
    The identity goes too: a unique constraint on PostgreSQL, a separate unique index on SQLite
    for the ``opendata`` tables (an inline ``UNIQUE``, as the ``records`` tables still have,
    cannot be dropped and stays); rebuilding it checks that the appended rows are unique, so a
    repeat that slipped through stops the load. On PostgreSQL the table is locked for the load
    (it was empty).
    """
    bulk = _Bulk()
    if target.joins or _count(target.table) > 0:
        yield bulk
        return
    rebuild = _indexes_drop(target.table)
    bulk.active = True
    yield bulk
    if bulk.repeats:
        key = ", ".join(target.key)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {target.table} WHERE id NOT IN "  # noqa: S608 - our names
                f"(SELECT MAX(id) FROM {target.table} GROUP BY {key})"
            )
    with connection.cursor() as cursor:
        for sql in rebuild:
            cursor.execute(sql)


def _indexes_drop(table: str) -> list[str]:
    """Drop ``table``'s indexes and unique constraints (not its primary key); returns the SQL
    that rebuilds them."""
    rebuild: list[str] = []
    with connection.cursor() as cursor:
        if _vendor() == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'p')",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            indexes = cursor.fetchall()
            owned = {name for name, _, _ in constraints}
            for name, definition, kind in constraints:
                if kind == "u":
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                if name not in owned:
                    cursor.execute(f'DROP INDEX "{name}"')
                    rebuild.append(definition)
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                rebuild.append(sql)
    return rebuild


def _append(target: _Target, frame: pl.DataFrame, *, progress: Progress | None) -> None:
    """Append ``frame`` to ``target``'s table: ``COPY`` on PostgreSQL, ``executemany`` of a
    plain ``INSERT`` on SQLite."""
    names = list(target.stage)
    frame = frame.select(names)
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        for start in range(0, frame.height, BATCH_ROWS):
            batch = frame.slice(start, BATCH_ROWS)
            if _vendor() == "postgresql":
                text = _dates_as_text(batch).write_csv(
                    include_header=False, quote_style="non_numeric"
                )
                copy_sql = f"COPY {target.table} ({columns}) FROM STDIN WITH (FORMAT csv)"
                with cursor.cursor.copy(copy_sql) as copy:
                    copy.write(text.encode("utf-8"))
            else:
                values, rows = _sqlite_batch(batch)
                sql = f"INSERT INTO {target.table} ({columns}) VALUES ({values})"  # noqa: S608
                cursor.executemany(sql, rows)
            if progress is not None:
                progress(batch.height)


TEST_MARKER_ENV = "VAWG_INGEST_TEST_MARKER"
"""Test-only hook (the atomicity test): when this environment variable names a file, a load
creates that file after it has written its first rows (inside its transaction) and then waits up
to ``VAWG_INGEST_TEST_WAIT`` seconds (default 60) so that the test can kill it there."""


def _test_checkpoint() -> None:
    marker = os.environ.get(TEST_MARKER_ENV)
    if not marker or Path(marker).exists():
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(float(os.environ.get("VAWG_INGEST_TEST_WAIT", "60")))


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - table names are ours
        row = cursor.fetchone()
    return int(row[0]) if row else 0


TEMP_IN_MEMORY_MAX_ROWS = 2_000_000
"""Up to this many rows a SQLite load sorts its index builds in memory; more (the Met's six
million recorded-crime cells) sort in temporary files, which keeps the load under 1 GB."""


def _tune_sqlite(*, rows: int = 0) -> None:
    """Per-connection settings that speed bulk loads on SQLite (nothing is stored by them).
    SQLite refuses to change them inside a transaction, so they wait for the next load there."""
    if _vendor() == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            temp = "MEMORY" if rows <= TEMP_IN_MEMORY_MAX_ROWS else "FILE"
            cursor.execute(f"PRAGMA temp_store = {temp}")
            # KiB: 16 MiB of page cache. A bulk load appends at the table's end and builds its
            # indexes at the end, so it needs little cache; 128 MiB cost 100 MB of peak memory
            # and saved no time (nor did it speed a re-load's unique-index probes measurably).
            cursor.execute("PRAGMA cache_size = -16384")


def _record(
    *,
    source: str,
    files: Sequence[str],
    read: int,
    loaded: int,
    duplicates: int,
    rejections: Sequence[Rejection],
    details: dict[str, Any] | None = None,
) -> IngestRun:
    run = IngestRun.objects.create(
        source=source,
        files=list(files),
        read=read,
        loaded=loaded,
        duplicates=duplicates,
        rejected=len(rejections),
        finished_at=timezone.now(),
        details=details or {},
    )
    RejectionRow.objects.bulk_create(
        (
            RejectionRow(run=run, file=r.file[:512], line=r.line, reason=r.reason[:255], raw=r.raw)
            for r in rejections
        ),
        batch_size=5000,
    )
    return run


STREET_CRIME_TARGET = _plain(STREET_CRIME)
STREET_OUTCOME_TARGET = _plain(STREET_OUTCOME)
STOP_SEARCH_TARGET = _plain(STOP_SEARCH_TABLE)


@dataclass
class _Tally:
    """Running counts of one kind of police.uk record during a load."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return self.inserted + self.updated

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "loaded": self.loaded,
            "inserted": self.inserted,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


def police_uk_load(*, paths: Sequence[Path], progress: Progress | None = None) -> LoadResult:
    """Load data.police.uk files (files, folders, ``.zip``): street-level CSV and API JSON into
    ``StreetCrime``, outcomes CSV into ``StreetOutcome``, stop-and-search CSV into ``StopSearch``.

    Files stream one at a time (a large CSV in chunks), each batch upserted before the next is
    read, all in one transaction: a file found unreadable part-way stops the load and nothing is
    stored.
    """
    started = time.perf_counter()
    files = police_uk_files(paths)  # every path checked before the transaction opens
    targets = {
        STREET: STREET_CRIME_TARGET,
        OUTCOME: STREET_OUTCOME_TARGET,
        STOP_SEARCH: STOP_SEARCH_TARGET,
    }
    tallies = {kind: _Tally() for kind in targets}
    rejections: list[Rejection] = []
    vintages: dict[str, str] = {}
    months: set[str] = set()
    # Identities written by later files of this load (Polars string columns, about 80 bytes a
    # row, compared in Rust): files are read last first, so that the last version of a record
    # wins without writing the earlier versions at all.
    written: dict[str, list[pl.Series]] = {kind: [] for kind in targets}
    _tune_sqlite()
    with transaction.atomic(), ExitStack() as stack:
        bulks = {kind: stack.enter_context(_bulk_load(t)) for kind, t in targets.items()}
        current = None
        in_file: dict[str, list[pl.Series]] = {kind: [] for kind in targets}
        for source, batch in _prefetch(_batches_last_first(files)):
            if source != current:
                for kind, keys_of_file in in_file.items():
                    written[kind].extend(keys_of_file)
                in_file = {kind: [] for kind in targets}
                current = source
            if batch is None:
                continue
            kind = batch.kind
            keys = _batch_keys(batch)
            rows, kept = batch.rows, keys
            if written[kind]:
                fresh = ~keys.is_in(pl.concat(written[kind]).implode())
                rows, kept = rows.filter(fresh), keys.filter(fresh)
            superseded = batch.rows.height - rows.height
            if in_file[kind] and kept.is_in(pl.concat(in_file[kind]).implode()).any():
                bulks[kind].repeats = True  # a large file repeats a record across chunks
            in_file[kind].append(kept)
            tally = tallies[kind]
            inserted, updated = _upsert_counted(
                targets[kind], rows, progress=progress, bulk=bulks[kind]
            )
            tally.read += batch.read
            tally.inserted += inserted
            tally.updated += updated
            tally.unchanged += rows.height - inserted - updated
            tally.duplicates += batch.duplicates + superseded + rows.height - inserted - updated
            tally.rejected += len(batch.rejections)
            rejections.extend(batch.rejections)
            _note_vintage(batch, vintages)
            if kind == OUTCOME and rows.height:
                months.update(rows["month"].dt.strftime("%Y-%m-%d").unique().to_list())
        stack.close()  # rebuild the indexes (inside the transaction) before counting links
        for kind, bulk in bulks.items():
            if bulk.active and bulk.repeats:  # rows removed as repeats: recount the inserted
                tallies[kind].inserted = _count(targets[kind].table)
                tallies[kind].duplicates = (
                    tallies[kind].read - tallies[kind].inserted - tallies[kind].rejected
                )
        order = {source.name: n for n, source in enumerate(files)}
        rejections.sort(key=lambda r: (order.get(r.file, 0), r.line))
        total = _Tally(
            **{
                name: sum(getattr(t, name) for t in tallies.values())
                for name in ("read", "inserted", "updated", "duplicates", "rejected")
            }
        )
        unchanged = sum(t.unchanged for t in tallies.values())
        details: dict[str, Any] = {
            "by_kind": {kind: t.as_dict() for kind, t in tallies.items()},
            "lsoa_vintages": vintages,
        }
        notices = _vintage_notices(vintages) + _outcome_link_notices(sorted(months))
        run = _record(
            source="police-uk",
            files=[str(p) for p in paths],
            read=total.read,
            loaded=total.loaded,
            duplicates=total.duplicates,
            rejections=rejections,
            details={**details, "notices": notices},
        )
    return LoadResult(
        read=total.read,
        loaded=total.loaded,
        duplicates=total.duplicates,
        rejected=total.rejected,
        rejections=tuple(rejections),
        updated=total.updated,
        unchanged=unchanged,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=tuple(notices),
        details=details,
    )


def _batches_last_first(
    files: Sequence[SourceFile],
) -> Iterator[tuple[str, PoliceUkBatch | None]]:
    """(file, batch) for every batch, files last first; a file without rows gives (file, None)."""
    for source in reversed(files):
        yield source.name, None
        for batch in police_uk_read_file(source):
            yield source.name, batch


_T = TypeVar("_T")


def _prefetch(items: Iterator[_T], *, depth: int = 2) -> Iterator[_T]:
    """Iterate ``items`` in a background thread, ``depth`` ahead: reading and parsing the next
    file (gzip, Polars and hashlib release the GIL) overlaps storing this one. Memory holds at
    most ``depth`` batches more. An error in the reader is raised here, in order."""
    queue: Queue[tuple[str, object]] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        queue.put(("item", item), timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("end", None))
        except BaseException as error:
            queue.put(("error", error))

    thread = threading.Thread(target=produce, name="vawg-ingest-read", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "end":
                return
            if kind == "error":
                assert isinstance(value, BaseException)
                raise value
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(timeout=0.1)


_KEYS = {
    STREET: STREET_CRIME.identity,
    OUTCOME: STREET_OUTCOME.identity,
    STOP_SEARCH: STOP_SEARCH_TABLE.identity,
}


def _batch_keys(batch: PoliceUkBatch) -> pl.Series:
    """Each row's identity as one string (a Polars column: no Python object per row)."""
    if batch.rows.height == 0:
        return pl.Series("key", [], dtype=pl.String)
    columns = [pl.col(c).cast(pl.String) for c in _KEYS[batch.kind]]
    return batch.rows.select(pl.concat_str(columns, separator="\x1f")).to_series()


def _note_vintage(batch: PoliceUkBatch, vintages: dict[str, str]) -> None:
    if batch.kind == STOP_SEARCH or batch.rows.height == 0:
        return
    vintage = str(batch.rows["lsoa_vintage"][0])
    if vintage:
        known = vintages.get(batch.file)
        vintages[batch.file] = vintage if known in (None, vintage) else "mixed"


def _vintage_notices(vintages: dict[str, str]) -> list[str]:
    counts: dict[str, int] = {}
    for vintage in vintages.values():
        counts[vintage] = counts.get(vintage, 0) + 1
    if not counts:
        return []
    parts = ", ".join(f"{vintage} in {n} file(s)" for vintage, n in sorted(counts.items()))
    return [
        f"LSOA codes stored as published; their vintage: {parts} "
        "('either' = codes valid in both 2011 and 2021; see lsoa_vintages)"
    ]


def _outcome_link_notices(months: list[str]) -> list[str]:
    """How many outcomes of the loaded months name a street crime that is loaded."""
    if not months:
        return []
    marks = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM opendata_streetcrime c "  # noqa: S608
            "WHERE c.crime_key = o.crime_id) THEN 1 ELSE 0 END) "
            f"FROM opendata_streetoutcome o WHERE o.month IN ({marks})",
            months,
        )
        row = cursor.fetchone()
    total, linked = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    return [
        f"{linked:,} of the {total:,} stored outcomes of {', '.join(m[:7] for m in months)} "
        "name a street crime that is loaded (the others' crimes are in months or forces not "
        "loaded)"
    ]


VAWG_COUNT_TARGET = _plain(VAWG_COUNT)


def mps_vawg_load(
    *,
    paths: Sequence[Path],
    ward_lookup: Path | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    """Load the Met's VAWG offence and victim extracts (``.parquet`` or ``.csv``).

    Ward names are matched to 2024 ward codes with ``ward_lookup`` (default: the lookup in the
    real data folder, when present; otherwise ward codes are left blank, with a notice).
    """
    started = time.perf_counter()
    lookup = ward_lookup or data_dir_default() / WARD_LOOKUP_RELATIVE
    wards = ward_lookup_read(lookup) if lookup.is_file() else None
    result = mps_vawg_read(paths, wards=wards)
    unmatched = [w.as_dict() for w in result.unmatched_wards]
    return _counts_load(
        VAWG_COUNT_TARGET,
        result,
        source="mps-vawg",
        paths=paths,
        progress=progress,
        started=started,
        details={"unmatched_wards": unmatched},
    )


RECORDED_COUNT_TARGET = _plain(RECORDED_CRIME_COUNT)


def mps_recorded_load(*, paths: Sequence[Path], progress: Progress | None = None) -> LoadResult:
    """Load the Met's recorded crime by borough, ward and LSOA (``recorded-crime*.parquet``,
    London Datastore), one stored row per published (area, category, month) count."""
    started = time.perf_counter()
    return _counts_load(
        RECORDED_COUNT_TARGET,
        mps_recorded_read(paths),
        source="mps-recorded",
        paths=paths,
        progress=progress,
        started=started,
        details={},
    )


def _counts_load(
    target: _Target,
    result: ReadResult,
    *,
    source: str,
    paths: Sequence[Path],
    progress: Progress | None,
    started: float,
    details: dict[str, Any],
) -> LoadResult:
    """Store a published count table read whole (upsert by its identity) in one transaction and
    record the run: the shared part of the London Datastore loads."""
    _tune_sqlite(rows=result.rows.height)
    with transaction.atomic():
        with _bulk_load(target) as bulk:
            inserted, updated = _upsert_counted(target, result.rows, progress=progress, bulk=bulk)
        changed = inserted + updated
        duplicates = result.duplicates + result.rows.height - changed
        run = _record(
            source=source,
            files=[str(p) for p in paths],
            read=result.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=result.rejections,
            details={**details, "notices": list(result.notices)},
        )
    return LoadResult(
        read=result.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(result.rejections),
        rejections=result.rejections,
        updated=updated,
        unchanged=result.rows.height - changed,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=result.notices,
        details=details,
    )


_CRIME = _plain(CRIME)
_PERSON = _plain(PERSON)
_INVOLVEMENT = _Target(
    table="records_involvement",
    schema=INVOLVEMENT,
    columns=(
        ("crime_id", "c.id"),
        ("person_id", "p.id"),
        ("role", "s.role"),
        ("relationship", "s.relationship"),
    ),
    key=("crime_id", "person_id", "role"),
    joins="JOIN records_crime c ON c.crime_ref = s.crime_ref "
    "JOIN records_person p ON p.person_ref = s.person_ref",
)


def _order_target() -> _Target:
    breach = "CAST(s.breach_dates AS jsonb)" if _vendor() == "postgresql" else "s.breach_dates"
    return _Target(
        table="records_order",
        schema=ORDER,
        columns=(
            ("order_ref", "s.order_ref"),
            ("order_type", "s.order_type"),
            ("subject_id", "p.id"),
            ("protected_id", "q.id"),
            ("start_date", "s.start_date"),
            ("end_date", "s.end_date"),
            ("breach_dates", breach),
        ),
        key=("order_ref",),
        joins="JOIN records_person p ON p.person_ref = s.subject_ref "
        "LEFT JOIN records_person q ON q.person_ref = s.protected_ref",
    )


def force_load(*, path: Path, progress: Progress | None = None) -> LoadResult:
    """Load a force extract folder (``CONTRACT.md`` section 2)."""
    started = time.perf_counter()
    known_crimes = set(Crime.objects.values_list("crime_ref", flat=True))
    known_people = set(Person.objects.values_list("person_ref", flat=True))
    extract: ForceExtract = force_read(
        path,
        known_crime_refs=known_crimes,
        known_person_refs=known_people,
    )
    kept = sum(t.rows.height for t in extract.tables)
    changed = 0
    inserted = 0
    unknown = [{"offence_code": code, "crimes": n} for code, n in extract.unknown_offence_codes]
    notices: list[str] = []
    if unknown:
        shown = ", ".join(f"{u['offence_code']} ({u['crimes']})" for u in unknown[:20])
        flagged = sum(n for _, n in extract.unknown_offence_codes)
        notices.append(
            f"{flagged:,} crimes carry {len(unknown)} offence code(s) not in the taxonomy: "
            f"loaded and flagged (offence_code_known false): {shown}"
        )
    _tune_sqlite()
    with transaction.atomic():
        for target, table in (
            (_CRIME, extract.crimes),
            (_PERSON, extract.people),
            (_INVOLVEMENT, extract.involvements),
            (_order_target(), extract.orders),
        ):
            with _bulk_load(target) as bulk:
                added, updated = _upsert_counted(target, table.rows, progress=progress, bulk=bulk)
            changed += added + updated
            inserted += added
        duplicates = extract.duplicates + kept - changed
        rejections = extract.rejections
        run = _record(
            source="force",
            files=[str(path)],
            read=extract.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=rejections,
            details={"unknown_offence_codes": unknown, "notices": notices},
        )
    return LoadResult(
        read=extract.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(rejections),
        rejections=rejections,
        updated=changed - inserted,
        unchanged=kept - changed,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=tuple(notices),
        details={"unknown_offence_codes": unknown},
    )
