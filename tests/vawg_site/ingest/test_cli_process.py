"""Through the real ``vawg`` command in a subprocess: unreadable files exit 2 with one line, the
JSON reconciles, and a load killed with SIGKILL half-way leaves the database exactly as it was.

Runs on SQLite (a scratch file database) and, when ``DATABASE_URL`` names a PostgreSQL server, on
a scratch PostgreSQL database too.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vawg.schemas import POLICE_UK_STREET_FILE

VAWG = str(Path(sys.executable).parent / "vawg")
HEADER = ",".join(POLICE_UK_STREET_FILE.names)
COLP = "City of London Police,City of London Police"
TABLES = (
    "opendata_streetcrime",
    "opendata_streetoutcome",
    "opendata_stopsearch",
    "ingest_ingestrun",
    "ingest_rejection",
)


def _street(month: str, rows: int, *, outcome: str = "") -> bytes:
    lines = [HEADER] + [
        f"{month}-{n:06d},{month},{COLP},-0.09,51.51,On or near A,E01000001,A,Drugs,{outcome},"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


class Database:
    """A scratch database that subprocesses and this test can both open."""

    def __init__(self, home: Path, url: str | None) -> None:
        self.home = home
        self.url = url
        self.env = {**os.environ, "VAWG_HOME": str(home)}
        if url:
            self.env["DATABASE_URL"] = url
        else:
            self.env.pop("DATABASE_URL", None)

    def run(
        self, *args: str, extra: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [VAWG, *args],
            env={**self.env, **(extra or {})},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def snapshot(self) -> dict[str, str]:
        """A digest of every row of the ingest tables (and their counts)."""
        digests = {}
        if self.url:
            import psycopg

            connection: Any = psycopg.connect(self.url)
        else:
            import sqlite3

            connection = sqlite3.connect(self.home / "vawg.sqlite3")
        try:
            cursor = connection.cursor()
            for table in TABLES:
                cursor.execute(f"SELECT * FROM {table} ORDER BY id")
                rows = cursor.fetchall()
                digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
                digests[table] = f"{len(rows)}:{digest}"
        finally:
            connection.close()
        return digests


def _databases() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    return ["sqlite", "postgresql"] if url.startswith("postgres") else ["sqlite"]


@pytest.fixture(scope="module", params=_databases())
def database(request: Any, tmp_path_factory: Any) -> Iterator[Database]:
    home = tmp_path_factory.mktemp(f"home-{request.param}")
    url = None
    admin_url = os.environ.get("DATABASE_URL", "")
    name = f"vawg_ingest_cli_{uuid.uuid4().hex[:8]}"
    if request.param == "postgresql":
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    db = Database(home, url)
    migrated = db.run("manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    yield db
    if url:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _truncated_gzip() -> bytes:
    data = gzip.compress(_street("2023-01", 300))
    return data[: len(data) // 2]


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2023-01/notes.txt", "no CSV here")
    return buffer.getvalue()


UNREADABLE = {
    "truncated.csv.gz": (_truncated_gzip, "truncated"),
    "nothing.zip": (_empty_zip, "holds no file"),
    "empty.csv": (lambda: b"", "empty"),
    "renamed.csv": (lambda: _street("2023-01", 3).replace(b"Crime type", b"Type"), "Crime type"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_exits_2_with_one_line_and_stores_nothing(
    database: Database, tmp_path: Path, name: str
) -> None:
    make, message = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(make())
    good = tmp_path / "good.csv"
    good.write_bytes(_street("2023-02", 5))
    before = database.snapshot()
    done = database.run("ingest", "police-uk", str(good), str(path), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("vawg: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert database.snapshot() == before  # the good file in the same load is not stored either


def test_json_reconciles_and_the_quarantine_keeps_every_rejection(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    rows = [
        f"m-1,2023-04,{COLP},-0.09,51.51,A,E01000001,A,Drugs,,",
        f"m-1,2023-04,{COLP},-0.09,51.51,A,E01000001,A,Drugs,Closed,",
        f"m-2,2023-04,{COLP},nan,51.51,A,E01000001,A,Drugs,,",
        f"m-3,2023-04,{COLP},-3.7,40.4,A,E01000001,A,Drugs,,",
        f"m-4,2023-4,{COLP},-0.09,51.51,A,E01000001,A,Drugs,,",
        "m-5,2023-04,too,few",
    ]
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("latin-1"))
    done = database.run("ingest", "police-uk", str(path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["read"] == payload["loaded"] + payload["duplicates"] + payload["rejected"]
    assert (payload["read"], payload["loaded"], payload["duplicates"], payload["rejected"]) == (
        6,
        1,
        1,
        4,
    )
    assert [(r["line"], r["file"]) for r in payload["rejections"]] == [
        (n, str(path)) for n in (4, 5, 6, 7)
    ]
    assert all(r["reason"] for r in payload["rejections"])
    counts = database.snapshot()
    assert int(counts["ingest_rejection"].split(":")[0]) >= 4
    again = json.loads(database.run("ingest", "police-uk", str(path), "--json").stdout)
    assert (again["loaded"], again["inserted"], again["unchanged"]) == (0, 0, 1)


@pytest.mark.slow
def test_a_load_killed_half_way_leaves_the_database_as_it_was(
    database: Database, tmp_path: Path
) -> None:
    first = tmp_path / "2023-05.csv"
    first.write_bytes(_street("2023-05", 2_000))
    assert database.run("ingest", "police-uk", str(first)).returncode == 0
    folder = tmp_path / "big"
    folder.mkdir()
    for month in ("2023-06", "2023-07", "2023-08"):
        (folder / f"{month}.csv").write_bytes(_street(month, 20_000))
    (folder / "2023-05.csv").write_bytes(_street("2023-05", 2_000, outcome="Closed"))
    before = database.snapshot()
    marker = tmp_path / "writing"
    process = subprocess.Popen(
        [VAWG, "ingest", "police-uk", str(folder), "--json"],
        env={**database.env, "VAWG_INGEST_TEST_MARKER": str(marker)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # half-way: rows written, transaction open
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert database.snapshot() == before
    rerun = database.run("ingest", "police-uk", str(folder), "--json")
    assert rerun.returncode == 0, rerun.stderr
    payload = json.loads(rerun.stdout)
    assert (payload["read"], payload["inserted"], payload["updated"]) == (62_000, 60_000, 2_000)
    stored_before = int(before["opendata_streetcrime"].split(":")[0])
    assert database.snapshot()["opendata_streetcrime"].startswith(f"{stored_before + 60_000}:")
    assert (
        json.loads(database.run("ingest", "police-uk", str(folder), "--json").stdout)["loaded"] == 0
    )
