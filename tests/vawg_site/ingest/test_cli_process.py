"""Through the real ``vawg`` command in a subprocess, for what only a process shows: the installed
entry point's exit code 2 with one line on stderr, and a load killed with SIGKILL half-way leaving
the database exactly as it was. The rest of ``vawg ingest`` is tested in this process
(``test_cli.py``).

The kill runs on SQLite (a scratch file database) and, when ``DATABASE_URL`` names a PostgreSQL
server, on a scratch PostgreSQL database too, named uniquely so that parallel runs (xdist workers,
other checkouts) never share one.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
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


def _user_env(home: Path) -> dict[str, str]:
    """This environment as a user's shell has it: working folder ``home``, and the settings the
    command chooses itself (pytest-django exports the suite's test settings to children)."""
    env = {**os.environ, "VAWG_HOME": str(home)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


class Database:
    """A scratch database that subprocesses and this test can both open."""

    def __init__(self, home: Path, url: str | None) -> None:
        self.home = home
        self.url = url
        self.env = _user_env(home)
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
    # Created and dropped from the server's maintenance database, so that DATABASE_URL's own
    # database need not exist (pytest-django tests on a copy of it) and is never touched.
    server = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0]
    admin_url = f"{server}/postgres"
    name = f"vawg_ingest_cli_{uuid.uuid4().hex[:8]}"
    if request.param == "postgresql":
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = f"{server}/{name}"
    db = Database(home, url)
    migrated = db.run("manage", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    yield db
    if url:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_installed_command_exits_2_with_one_line_on_a_users_mistake(tmp_path: Path) -> None:
    """Exit code 2 (docs/interfaces.md, "Exit codes") as the shell sees it. (Exit codes 0 and 1
    of the installed command: ``tests/vawg_site/config/test_settings_modules.py``.)"""
    missing = tmp_path / "2023-01-city-of-london-street.csv"
    done = subprocess.run(
        [VAWG, "ingest", "police-uk", str(missing), "--json"],
        env=_user_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("vawg: ")
    assert "no such file" in done.stderr
    assert "Traceback" not in done.stderr


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
