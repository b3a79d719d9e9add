"""The bulk machinery every load uses: how staged rows reach a table, in bulk, never through
per-row ``save()``.

A :class:`Target` says how rows of a normalised table (a :class:`vawg.schemas.Schema`) reach one
stored table. :func:`rows_store` upserts them: on PostgreSQL ``COPY`` into a temporary staging
table and one ``INSERT ... SELECT ... ON CONFLICT (identity) DO UPDATE ... WHERE <a column
differs>``; on SQLite ``executemany`` of that ``INSERT ... ON CONFLICT`` straight into the table
(tables with references to resolve are staged as on PostgreSQL). The statement's row count is
what was inserted or changed. Into an empty table on SQLite, :func:`bulk_load` drops the indexes
inside the load's transaction, the rows are appended, and the indexes are rebuilt before the
commit, which is several times faster than inserting into them row by row. On PostgreSQL an empty
table keeps its indexes and the rows go by ``COPY`` into it: dropping an index there takes an
``ACCESS EXCLUSIVE`` lock held to the commit, which stops every page that reads the table for the
whole load (SQLite in WAL mode lets readers go on reading the last committed data whatever the
writer holds).

``progress``, when given, is called as ``progress(rows)`` with the number of rows just stored,
once per batch, like tqdm's ``update``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection

from vawg.schemas import Column, Schema

Progress = Callable[[int], object]
"""``progress(rows)``: called with the rows just stored, per batch (e.g. ``tqdm(...).update``)."""


BATCH_ROWS = 50_000
"""Rows sent to the database per batch (and per progress call)."""


@dataclass(frozen=True)
class Target:
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


def target_plain(schema: Schema) -> Target:
    """A target that stores a normalised table as it is: the table the schema names, a column
    per schema column, upserted on the schema's identity."""
    return Target(
        table=schema.name,
        schema=schema,
        columns=tuple((name, f"s.{name}") for name in schema.names),
        key=schema.identity,
    )


def database_vendor() -> str:
    """The database in use: ``sqlite`` or ``postgresql``."""
    return connection.vendor


def _sql_type(column: Column) -> str:
    """A portable SQL type for a staging column: text of at most ``max_chars`` characters
    (unlimited when None), a date, a double, a boolean, a 32-bit integer (what the stored count
    and number columns are) or a UTC date-time."""
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime):
        return "timestamptz" if database_vendor() == "postgresql" else "datetime"
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
    suffix = "+00:00" if database_vendor() == "postgresql" else ""
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


def _upsert(target: Target, frame: pl.DataFrame, *, progress: Progress | None) -> int:
    """Upsert ``frame`` (``target.stage`` columns); returns the rows inserted or changed.

    PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT ... SELECT ... ON
    CONFLICT``. SQLite: tables without joins take ``executemany`` of the ``INSERT ... ON
    CONFLICT`` straight into the table (a staging copy costs more than it saves there, since SQLite
    runs in-process); tables with joins (references to resolve) are staged like PostgreSQL.
    """
    vendor = database_vendor()
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


def rows_store(
    target: Target, frame: pl.DataFrame, *, progress: Progress | None, bulk: Bulk | None = None
) -> tuple[int, int]:
    """Store ``frame``; returns (rows inserted, rows updated). Inside :func:`bulk_load` (an
    empty table) the rows are appended, until a repeat is possible on a table that kept its
    indexes; otherwise upserted."""
    if frame.height == 0:
        return 0, 0
    if bulk is not None and bulk.active and not (bulk.indexed and bulk.repeats):
        _append(target, frame, progress=progress)
        _test_checkpoint()
        return frame.height, 0
    before = table_count(target.table)
    changed = _upsert(target, frame, progress=progress)
    inserted = table_count(target.table) - before
    _test_checkpoint()
    return inserted, changed - inserted


@dataclass
class Bulk:
    """State of a bulk load into an empty table (see :func:`bulk_load`)."""

    active: bool = False
    indexed: bool = False
    """The table keeps its indexes (PostgreSQL): rows are appended by ``COPY`` into the indexed
    table, and once ``repeats`` is set the rest are upserted instead."""
    repeats: bool = False
    """Set when the rows to come may repeat an identity already appended: with the indexes
    dropped, the repeats are removed (last kept) before the unique index is rebuilt; with them
    kept, the rows are upserted from then on (the later row's values win)."""


EMPTY_TABLE_INDEXES_DROP = {"sqlite": True, "postgresql": False}
"""Per database: whether a load into an empty table drops its indexes (:func:`bulk_load`).

Not on PostgreSQL: ``DROP INDEX`` and ``ALTER TABLE ... DROP CONSTRAINT`` take an ``ACCESS
EXCLUSIVE`` lock, held until the load commits, and every query that reads the table waits behind
it (the site's pages stalled for the load's whole length: p95 12.4 s). Writing into the indexed
table (``COPY``, ``INSERT``) takes only ``ROW EXCLUSIVE``, which readers never wait for; they read
the data committed before the load until it commits. SQLite readers in WAL mode (the site's
setting) are not blocked by a writer, whatever it holds, so the faster path stays there."""


@contextmanager
def bulk_load(target: Target) -> Iterator[Bulk]:
    """Inside a transaction: when ``target``'s table is empty and its rows need no joins, let
    the load append rows (``COPY`` on PostgreSQL). Where the database allows it
    (:data:`EMPTY_TABLE_INDEXES_DROP`: SQLite), drop the table's indexes (unique ones too) first
    and rebuild them at the end; on PostgreSQL they stay, and the rows go by ``COPY`` into the
    indexed table (742,346 API records in 19.6-22.2 s, against 17.1-18.0 s with the indexes
    dropped and 29.8-30.4 s upserted through a staging table; docs/PERFORMANCE.md), with no lock
    that a reader waits for.

    Building an index once over sorted keys is several times faster than inserting a million
    random SHA-1 keys into it one by one (on SQLite 2.8 s + 1.2 s against 8 s). The index drop
    is part of the load's transaction, so a crash restores the indexes with everything else.
    The identity goes too: a unique constraint on PostgreSQL, a separate unique index on SQLite
    for the ``opendata`` tables (an inline ``UNIQUE``, as the ``records`` tables still have,
    cannot be dropped and stays); rebuilding it checks that the appended rows are unique, so a
    repeat that slipped through stops the load.
    """
    bulk = Bulk()
    if target.joins or table_count(target.table) > 0:
        yield bulk
        return
    bulk.active = True
    if not EMPTY_TABLE_INDEXES_DROP.get(database_vendor(), False):
        bulk.indexed = True
        yield bulk
        return
    rebuild = _indexes_drop(target.table)
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
        if database_vendor() == "postgresql":
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


def _append(target: Target, frame: pl.DataFrame, *, progress: Progress | None) -> None:
    """Append ``frame`` to ``target``'s table: ``COPY`` on PostgreSQL, ``executemany`` of a
    plain ``INSERT`` on SQLite."""
    names = list(target.stage)
    frame = frame.select(names)
    columns = ", ".join(names)
    with connection.cursor() as cursor:
        for start in range(0, frame.height, BATCH_ROWS):
            batch = frame.slice(start, BATCH_ROWS)
            if database_vendor() == "postgresql":
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


def table_count(table: str) -> int:
    """The rows stored in ``table`` (one of this package's target tables)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - table names are ours
        row = cursor.fetchone()
    return int(row[0]) if row else 0


TEMP_IN_MEMORY_MAX_ROWS = 2_000_000
"""Up to this many rows a SQLite load sorts its index builds in memory; more (the Met's six
million recorded-crime cells) sort in temporary files, which keeps the load under 1 GB."""


def tables_analyze(tables: Sequence[str]) -> None:
    """Refresh the planner's statistics of ``tables`` after a load (PostgreSQL's ``ANALYZE``;
    SQLite's ``PRAGMA optimize``, which analyses what needs it). Without it PostgreSQL plans the
    next queries on a freshly filled table as if it were empty until autovacuum comes round:
    a person's involvements took 165-180 ms instead of 0.4 ms after a London-size load."""
    with connection.cursor() as cursor:
        if database_vendor() == "postgresql":
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        elif not connection.in_atomic_block:
            cursor.execute("PRAGMA optimize")


def sqlite_tune(*, rows: int = 0) -> None:
    """Per-connection settings that speed bulk loads on SQLite (nothing is stored by them).
    SQLite refuses to change them inside a transaction, so they wait for the next load there."""
    if database_vendor() == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            temp = "MEMORY" if rows <= TEMP_IN_MEMORY_MAX_ROWS else "FILE"
            cursor.execute(f"PRAGMA temp_store = {temp}")
            # KiB: 16 MiB of page cache. A bulk load appends at the table's end and builds its
            # indexes at the end, so it needs little cache; 128 MiB cost 100 MB of peak memory
            # and saved no time (nor did it speed a re-load's unique-index probes measurably).
            cursor.execute("PRAGMA cache_size = -16384")
