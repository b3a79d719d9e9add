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

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from vawg.ingest.common import Rejection, SkippedFile
from vawg.ingest.force import ForceExtract, force_read
from vawg.ingest.mps_vawg import mps_vawg_read
from vawg.ingest.police_uk import police_uk_read
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read
from vawg.paths import data_dir_default
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

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``CONTRACT.md`` section 1 (plus ``skipped`` and ``notices``)."""
        return {
            "read": self.read,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejections": [r.as_dict() for r in self.rejections],
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "notices": list(self.notices),
        }


@dataclass(frozen=True)
class _Target:
    """How staged rows reach one table: staging columns with portable SQL types, the target's
    columns with the SELECT expression for each, joins, and the identity columns."""

    table: str
    stage: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    joins: str = ""


def _vendor() -> str:
    return connection.vendor


def _stage_name(table: str) -> str:
    return f"vawg_stage_{table}"


def _dates_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Date columns as ISO text, which both databases parse."""
    return frame.with_columns(
        pl.col(name).dt.strftime("%Y-%m-%d")
        for name, dtype in frame.schema.items()
        if dtype == pl.Date
    )


def _rows(frame: pl.DataFrame) -> Iterable[tuple[Any, ...]]:
    """Rows as tuples of plain values, dates as ISO text."""
    return _dates_as_text(frame).iter_rows()


def _upsert(target: _Target, frame: pl.DataFrame, *, progress: Progress | None) -> int:
    """Stage ``frame`` (columns in ``target.stage`` order) and upsert it; returns the rows
    inserted or changed."""
    stage = _stage_name(target.table)
    vendor = _vendor()
    names = [name for name, _ in target.stage]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        columns_sql = ", ".join(f"{name} {sql_type}" for name, sql_type in target.stage)
        cursor.execute(f"CREATE TEMPORARY TABLE {stage} ({columns_sql})")
        frame = frame.select(names)
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
                marks = ", ".join(["%s"] * len(names))
                insert = f"INSERT INTO {stage} VALUES ({marks})"  # noqa: S608 - our names
                cursor.executemany(insert, list(_rows(batch)))
            if progress is not None:
                progress(batch.height)
        distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
        updates = [c for c, _ in target.columns if c not in target.key]
        set_sql = ", ".join(f"{c} = excluded.{c}" for c in updates)
        changed_sql = " OR ".join(f"{target.table}.{c} {distinct} excluded.{c}" for c in updates)
        insert_columns = ", ".join(c for c, _ in target.columns)
        select_sql = ", ".join(expr for _, expr in target.columns)
        # Every name in this statement is a constant of this module; none comes from input.
        upsert = (
            f"INSERT INTO {target.table} ({insert_columns}) "  # noqa: S608
            f"SELECT {select_sql} FROM {stage} s {target.joins} WHERE true "
            f"ON CONFLICT ({', '.join(target.key)}) DO UPDATE SET {set_sql} WHERE {changed_sql}"
        )
        cursor.execute(upsert)
        changed = max(int(cursor.rowcount), 0)
        cursor.execute(f"DROP TABLE {stage}")
    return changed


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - table names are ours
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _tune_sqlite() -> None:
    """Per-connection settings that speed bulk loads on SQLite (nothing is stored by them).
    SQLite refuses to change them inside a transaction, so they wait for the next load there."""
    if _vendor() == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB of page cache


def _record(
    *,
    source: str,
    files: Sequence[str],
    read: int,
    loaded: int,
    duplicates: int,
    rejections: Sequence[Rejection],
) -> IngestRun:
    run = IngestRun.objects.create(
        source=source,
        files=list(files),
        read=read,
        loaded=loaded,
        duplicates=duplicates,
        rejected=len(rejections),
        finished_at=timezone.now(),
    )
    RejectionRow.objects.bulk_create(
        (
            RejectionRow(run=run, file=r.file[:512], line=r.line, reason=r.reason[:255], raw=r.raw)
            for r in rejections
        ),
        batch_size=5000,
    )
    return run


STREET_CRIME = _Target(
    table="opendata_streetcrime",
    stage=(
        ("crime_key", "varchar(80)"),
        ("month", "date"),
        ("crime_id", "varchar(80)"),
        ("category", "varchar(48)"),
        ("reported_by", "varchar(64)"),
        ("falls_within", "varchar(64)"),
        ("longitude", "double precision"),
        ("latitude", "double precision"),
        ("location", "varchar(255)"),
        ("lsoa_code", "varchar(12)"),
        ("lsoa_name", "varchar(96)"),
        ("last_outcome", "varchar(128)"),
        ("context", "text"),
        ("location_type", "varchar(8)"),
        ("source", "varchar(8)"),
    ),
    columns=tuple(
        (name, f"s.{name}")
        for name in (
            "crime_key",
            "month",
            "crime_id",
            "category",
            "reported_by",
            "falls_within",
            "longitude",
            "latitude",
            "location",
            "lsoa_code",
            "lsoa_name",
            "last_outcome",
            "context",
            "location_type",
            "source",
        )
    ),
    key=("crime_key", "month"),
)


def police_uk_load(*, paths: Sequence[Path], progress: Progress | None = None) -> LoadResult:
    """Load data.police.uk street-level CSV and API JSON files (files, folders, ``.zip``)."""
    started = time.perf_counter()
    result = police_uk_read(paths)
    _tune_sqlite()
    with transaction.atomic():
        before = _count(STREET_CRIME.table)
        changed = _upsert(STREET_CRIME, result.rows, progress=progress)
        inserted = _count(STREET_CRIME.table) - before
        duplicates = result.duplicates + result.rows.height - changed
        run = _record(
            source="police-uk",
            files=[str(p) for p in paths],
            read=result.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=result.rejections,
        )
    return LoadResult(
        read=result.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(result.rejections),
        rejections=result.rejections,
        updated=changed - inserted,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        skipped=result.skipped,
        notices=tuple(f"skipped {s.file}: {s.reason}" for s in result.skipped),
    )


_VAWG_COLUMNS = (
    ("natural_key", "varchar(40)"),
    ("measure", "varchar(8)"),
    ("sheet", "varchar(16)"),
    ("month", "date"),
    ("committed_month", "date"),
    ("bcu", "varchar(48)"),
    ("borough", "varchar(48)"),
    ("ward_name", "varchar(96)"),
    ("offence_group", "varchar(96)"),
    ("offence", "varchar(128)"),
    ("offence_detail", "varchar(255)"),
    ("vawg_offence", "varchar(128)"),
    ("age_group", "varchar(32)"),
    ("ethnic_group", "varchar(48)"),
    ("ward_code", "varchar(9)"),
    ("count", "integer"),
)
VAWG_COUNT = _Target(
    table="opendata_vawgcount",
    stage=_VAWG_COLUMNS,
    columns=tuple((name, f"s.{name}") for name, _ in _VAWG_COLUMNS),
    key=("natural_key",),
)


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
    _tune_sqlite()
    with transaction.atomic():
        before = _count(VAWG_COUNT.table)
        changed = _upsert(VAWG_COUNT, result.rows, progress=progress)
        inserted = _count(VAWG_COUNT.table) - before
        duplicates = result.duplicates + result.rows.height - changed
        run = _record(
            source="mps-vawg",
            files=[str(p) for p in paths],
            read=result.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=result.rejections,
        )
    return LoadResult(
        read=result.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(result.rejections),
        rejections=result.rejections,
        updated=changed - inserted,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=result.notices,
    )


_CRIME = _Target(
    table="records_crime",
    stage=(
        ("crime_ref", "varchar(64)"),
        ("recorded_date", "date"),
        ("committed_date", "date"),
        ("offence_code", "varchar(16)"),
        ("offence_description", "varchar(255)"),
        ("domestic_abuse", "boolean"),
        ("easting", "double precision"),
        ("northing", "double precision"),
        ("outcome_code", "varchar(8)"),
        ("outcome_date", "date"),
    ),
    columns=tuple(
        (name, f"s.{name}")
        for name in (
            "crime_ref",
            "recorded_date",
            "committed_date",
            "offence_code",
            "offence_description",
            "domestic_abuse",
            "easting",
            "northing",
            "outcome_code",
            "outcome_date",
        )
    ),
    key=("crime_ref",),
)
_PERSON = _Target(
    table="records_person",
    stage=(
        ("person_ref", "varchar(64)"),
        ("sex", "varchar(1)"),
        ("birth_year", "integer"),
        ("ethnicity", "varchar(16)"),
    ),
    columns=(
        ("person_ref", "s.person_ref"),
        ("sex", "s.sex"),
        ("birth_year", "s.birth_year"),
        ("ethnicity", "s.ethnicity"),
    ),
    key=("person_ref",),
)
_INVOLVEMENT = _Target(
    table="records_involvement",
    stage=(
        ("crime_ref", "varchar(64)"),
        ("person_ref", "varchar(64)"),
        ("role", "varchar(16)"),
        ("relationship", "varchar(16)"),
    ),
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
        stage=(
            ("order_ref", "varchar(64)"),
            ("order_type", "varchar(8)"),
            ("subject_ref", "varchar(64)"),
            ("protected_ref", "varchar(64)"),
            ("start_date", "date"),
            ("end_date", "date"),
            ("breach_dates", "text"),
        ),
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
    _tune_sqlite()
    with transaction.atomic():
        for target, table in (
            (_CRIME, extract.crimes),
            (_PERSON, extract.people),
            (_INVOLVEMENT, extract.involvements),
            (_order_target(), extract.orders),
        ):
            before = _count(target.table)
            changed += _upsert(target, table.rows, progress=progress)
            inserted += _count(target.table) - before
        duplicates = extract.duplicates + kept - changed
        rejections = extract.rejections
        run = _record(
            source="force",
            files=[str(path)],
            read=extract.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=rejections,
        )
    return LoadResult(
        read=extract.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(rejections),
        rejections=rejections,
        updated=changed - inserted,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
    )
