"""A load into an empty table never locks out the site's readers: on PostgreSQL the indexes stay
(no ``ACCESS EXCLUSIVE`` lock is taken), and what is stored, and every figure the load reports,
are exactly those of the path that drops the indexes. SQLite keeps that faster path, its readers
unblocked in WAL mode."""

from __future__ import annotations

import gzip
import json
import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Model

from vawg_site.ingest.models import IngestRun, Rejection
from vawg_site.ingest.services import bulk, force_load, police_uk, police_uk_load
from vawg_site.opendata.models import StopSearch, StreetCrime, StreetOutcome
from vawg_site.records.models import Crime, Involvement, Order, Person

pytestmark = pytest.mark.django_db

COLP = "City of London Police,City of London Police"
OPEN_TABLES = (StreetCrime, StreetOutcome, StopSearch)
FORCE_TABLES = (Order, Involvement, Crime, Person)
LINKS = {
    Involvement: {"crime": "crime__crime_ref", "person": "person__person_ref"},
    Order: {"subject": "subject__person_ref", "protected": "protected__person_ref"},
}


def _stored(models: tuple[type[Model], ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of ``models`` but its id, links as the references they link, sorted."""
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for model in models:
        links = LINKS.get(model, {})
        names = [
            links.get(f.name, f.attname) for f in model._meta.concrete_fields if f.name != "id"
        ]
        rows = model.objects.values_list(*names)
        stored[model.__name__] = sorted((tuple(r) for r in rows), key=repr)
    return stored


def _figures(result: Any) -> dict[str, Any]:
    payload = result.as_json()
    payload.pop("run_id")
    return payload


def _empty(models: tuple[type[Model], ...]) -> None:
    for model in models:
        model.objects.all().delete()
    Rejection.objects.all().delete()
    IngestRun.objects.all().delete()


def _police_uk_files(tmp_path: Path, make_street_csv: Any, street_rows: list[str]) -> list[Path]:
    """Two street months (the later repeating and changing a record of the earlier) and an API
    month, so that a later file's version wins and rows repeat within a file."""
    march = tmp_path / "2023-03-city-of-london-street.csv"
    march.write_bytes(make_street_csv(street_rows))
    april = tmp_path / "2023-04-city-of-london-street.csv"
    moved = [r.replace("2023-03", "2023-04") for r in street_rows[:3]]
    april.write_bytes(make_street_csv([*moved, f"id1,2023-03,{COLP},,,No Location,,,Drugs,,"]))
    record = {
        "category": "violent-crime",
        "location_type": "Force",
        "location": {"latitude": "51.5", "street": {"id": 1, "name": "X"}, "longitude": "-0.1"},
        "context": "",
        "outcome_status": None,
        "persistent_id": "",
        "id": 1,
        "month": "2017-01",
    }
    api = tmp_path / "api.json.gz"
    api.write_bytes(gzip.compress(json.dumps([record, {**record, "id": 2}, record]).encode()))
    return [march, april, api]


@pytest.mark.parametrize("chunk_rows", [250_000, 2])
def test_police_uk_into_an_empty_table_stores_what_dropping_the_indexes_stores(
    tmp_path: Path,
    make_street_csv: Any,
    street_rows: list[str],
    monkeypatch: pytest.MonkeyPatch,
    chunk_rows: int,
) -> None:
    """With chunks of 2 rows a record repeats across chunks: the indexed path upserts from then
    on, the other removes the earlier rows; both store and count the same."""
    monkeypatch.setattr(
        police_uk,
        "police_uk_read_file",
        partial(police_uk.police_uk_read_file, chunk_rows=chunk_rows),
    )
    paths = _police_uk_files(tmp_path, make_street_csv, street_rows)
    outcomes = {}
    for drop in (True, False):
        monkeypatch.setitem(bulk.EMPTY_TABLE_INDEXES_DROP, connection.vendor, drop)
        _empty(OPEN_TABLES)
        result = police_uk_load(paths=paths)
        outcomes[drop] = (_figures(result), _stored(OPEN_TABLES))
    assert outcomes[True][1]["StreetCrime"]  # something was stored
    assert outcomes[True] == outcomes[False]


def test_a_force_extract_into_empty_tables_stores_what_dropping_the_indexes_stores(
    force_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes = {}
    for drop in (True, False):
        monkeypatch.setitem(bulk.EMPTY_TABLE_INDEXES_DROP, connection.vendor, drop)
        _empty(FORCE_TABLES)
        result = force_load(path=force_dir)
        outcomes[drop] = (_figures(result), _stored(FORCE_TABLES))
    assert outcomes[True][1]["Involvement"]
    assert outcomes[True] == outcomes[False]


def _exclusive_locks() -> list[str]:
    """Tables this connection holds ``ACCESS EXCLUSIVE`` locks on (temporary tables aside)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE l.pid = pg_backend_pid() AND l.mode = 'AccessExclusiveLock' "
            "AND c.relpersistence <> 't'"
        )
        return sorted(name for (name,) in cursor.fetchall())


@pytest.mark.parametrize("drop", [False, True])
def test_on_postgresql_a_load_into_an_empty_table_takes_no_lock_readers_wait_for(
    tmp_path: Path,
    make_street_csv: Any,
    street_rows: list[str],
    monkeypatch: pytest.MonkeyPatch,
    drop: bool,
) -> None:
    """Looked at from inside the load's transaction, as each batch is stored. With the
    indexes dropped (the path PostgreSQL no longer takes) the locks are there, as they were."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "checks PostgreSQL's table locks; on SQLite readers in WAL mode are never blocked "
            "(test_the_site_reads_sqlite_in_wal_mode), and CI's PostgreSQL pass runs this"
        )
    monkeypatch.setitem(bulk.EMPTY_TABLE_INDEXES_DROP, "postgresql", drop)
    paths = _police_uk_files(tmp_path, make_street_csv, street_rows)
    seen: list[str] = []
    police_uk_load(paths=paths, progress=lambda rows: seen.extend(_exclusive_locks()))
    if drop:
        assert "opendata_streetcrime" in seen
    else:
        assert seen == []


def test_the_site_reads_sqlite_in_wal_mode(tmp_path: Path) -> None:
    """The settings' pragmas put a SQLite database in WAL mode, where readers see the last
    committed data while a load writes, and never wait for it."""
    if connection.vendor != "sqlite":
        pytest.skip("checks the SQLite settings' WAL mode; this run is on PostgreSQL")
    init = settings.DATABASES["default"]["OPTIONS"]["init_command"]
    path = tmp_path / "site.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.executescript(init)
    assert writer.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    writer.execute("CREATE TABLE t (x INTEGER)")
    writer.execute("CREATE INDEX t_x ON t (x)")
    writer.execute("INSERT INTO t VALUES (1)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DROP INDEX t_x")  # what a bulk load does inside its transaction
    writer.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(50_000)])
    reader = sqlite3.connect(path, timeout=0)
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (1,)
    writer.execute("COMMIT")
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone() == (50_001,)
    reader.close()
    writer.close()
