"""A database that has never been migrated, through the real ``vawg`` command in a process.

``vawg ingest`` creates the schema itself (one line on standard error says so) and loads, for
each source, on a fresh SQLite file and on a fresh PostgreSQL database; ``vawg serve`` refuses
such a database with exit code 2 and one line saying what to run, and leaves it as it was.

The PostgreSQL cases create a throwaway database on the server named by
``VAWG_TEST_POSTGRES_URL`` (else ``DATABASE_URL`` when it is PostgreSQL, else
``postgres://root@127.0.0.1:5432/postgres``) and drop it afterwards; they skip with the reason
when no server answers, and fail instead when ``VAWG_REQUIRE_POSTGRES=1``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

pytestmark = pytest.mark.slow

POSTGRES_DEFAULT = "postgres://root@127.0.0.1:5432/postgres"
COLP = "City of London Police,City of London Police"


def _postgres_admin_url() -> str:
    named = os.environ.get("VAWG_TEST_POSTGRES_URL", "")
    if named:
        return named
    url = os.environ.get("DATABASE_URL", "")
    # The server's maintenance database: the configured one need not exist (the suite runs on
    # copies of it), and a database cannot be created from a connection to itself being dropped.
    return url.rsplit("/", 1)[0] + "/postgres" if url.startswith("postgres") else POSTGRES_DEFAULT


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a ``vawg`` process whose database has never been set up: a
    ``VAWG_HOME`` that does not exist yet, and for PostgreSQL a database just created, empty."""
    env = {**os.environ, "VAWG_HOME": str(tmp_path / "home"), "VAWG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    if request.param == "sqlite":
        yield env
        return
    import psycopg

    admin_url = _postgres_admin_url()
    name = f"vawg_never_migrated_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = f"no PostgreSQL server answers at {admin_url.rsplit('@', 1)[-1]} ({error})"
        if os.environ.get("VAWG_REQUIRE_POSTGRES", "").strip() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} (VAWG_REQUIRE_POSTGRES=1 makes this required)", pytrace=False)
        pytest.skip(reason)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {**env, "DATABASE_URL": admin_url.rsplit("/", 1)[0] + f"/{name}"}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _vawg(
    env: dict[str, str], *args: str, timeout_s: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vawg.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def _serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``vawg serve`` on any free port; it must refuse within seconds (a server that started
    would be stopped by the timeout, failing the test)."""
    return _vawg(env, "serve", "--port", "0", "--workers", "1", timeout_s=60)


def _street_file(folder: Path, make_street_csv: Any) -> str:
    path = folder / "2023-03-city-of-london-street.csv"
    path.write_bytes(
        make_street_csv(
            [
                f"id1,2023-03,{COLP},-0.09,51.51,On or near A,E01000001,City 001A,Drugs,,",
                f"id2,2023-03,{COLP},-0.09,51.51,On or near B,E01000001,City 001A,Robbery,,",
                f"id3,2023-3x,{COLP},-0.09,51.51,On or near B,E01000001,City 001A,Robbery,,",
            ]
        )
    )
    return str(path)


def _street(folder: Path, request: Any) -> list[str]:
    return [_street_file(folder, request.getfixturevalue("make_street_csv"))]


def _vawg_counts(folder: Path, request: Any) -> list[str]:
    path = folder / "vawg-offences.parquet"
    pl.DataFrame(
        {
            "sheet": ["Offence count location", "Offence count classification"],
            "recorded_date_months": [datetime(2024, 1, 1)] * 2,
            "count": [5, 3],
            "borough_name": ["Camden", "Camden"],
        }
    ).write_parquet(path)
    return [str(path)]


def _recorded(folder: Path, request: Any) -> list[str]:
    path = folder / "recorded-crime-borough.parquet"
    pl.DataFrame(
        {"majortext": ["Theft"], "minortext": ["Shoplifting"], "boroughname": ["Camden"]}
    ).with_columns(pl.lit(4).alias("202401"), pl.lit(6).alias("202402")).write_parquet(path)
    return [str(path)]


def _force(folder: Path, request: Any) -> list[str]:
    return [str(request.getfixturevalue("force_dir"))]


Inputs = Callable[[Path, Any], list[str]]
SOURCES: dict[str, tuple[Inputs, tuple[int, int, int, int]]] = {
    # source -> (its input files, (read, loaded, duplicates, rejected) on a first load)
    "police-uk": (_street, (3, 2, 0, 1)),
    "mps-vawg": (_vawg_counts, (2, 2, 0, 0)),
    "mps-recorded": (_recorded, (2, 2, 0, 0)),
    "force": (_force, (20, 8, 2, 10)),
}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_ingest_creates_the_schema_of_a_database_never_migrated_and_loads(
    fresh_database: dict[str, str], tmp_path: Path, request: Any, source: str
) -> None:
    make_inputs, expected = SOURCES[source]
    paths = make_inputs(tmp_path, request)
    done = _vawg(fresh_database, "ingest", source, *paths, "--json")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("vawg: created the schema of ")
    assert done.stderr.count("\n") == 1
    payload = json.loads(done.stdout)
    figures = (payload["read"], payload["loaded"], payload["duplicates"], payload["rejected"])
    assert figures == expected
    again = _vawg(fresh_database, "ingest", source, *paths, "--json")
    assert again.returncode == 0, again.stderr
    assert again.stderr == ""  # the schema is up to date now: nothing to say
    assert json.loads(again.stdout)["loaded"] == 0


def test_serve_refuses_a_database_never_migrated_and_leaves_it_alone(
    fresh_database: dict[str, str], tmp_path: Path
) -> None:
    refused = _serve(fresh_database)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.count("\n") == 1
    assert "has never been set up" in refused.stderr
    assert "vawg manage migrate" in refused.stderr
    assert "Traceback" not in refused.stderr
    if "DATABASE_URL" not in fresh_database:
        assert not (Path(fresh_database["VAWG_HOME"]) / "vawg.sqlite3").exists()
    # Still never migrated: a load then creates the whole schema (here of a file that turns
    # out not to be Parquet, refused once the schema is made; a path that does not exist is
    # refused before anything is created).
    not_parquet = tmp_path / "recorded-crime.parquet"
    not_parquet.write_bytes(b"not a parquet file\n")
    load = _vawg(fresh_database, "ingest", "mps-recorded", str(not_parquet))
    assert load.returncode == 2
    assert "Traceback" not in load.stderr
    assert load.stderr.splitlines()[0].startswith("vawg: created the schema of ")


def test_a_database_behind_is_upgraded_by_a_load_and_refused_by_the_server(
    tmp_path: Path, make_street_csv: Any
) -> None:
    env = {**os.environ, "VAWG_HOME": str(tmp_path / "home"), "VAWG_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    assert _vawg(env, "manage", "migrate", "opendata", "0001", "-v0").returncode == 0
    refused = _serve(env)
    assert refused.returncode == 2
    assert "migrations behind" in refused.stderr
    assert refused.stderr.count("\n") == 1
    done = _vawg(env, "ingest", "police-uk", _street_file(tmp_path, make_street_csv), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("vawg: upgraded the schema of ")
    assert json.loads(done.stdout)["loaded"] == 2


def test_a_postgresql_database_that_does_not_exist_is_one_line_exit_2(tmp_path: Path) -> None:
    url = _postgres_admin_url().rsplit("/", 1)[0] + f"/vawg_missing_{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "VAWG_HOME": str(tmp_path / "home"), "DATABASE_URL": url}
    street = tmp_path / "2023-01-city-of-london-street.csv"
    street.write_text("Crime ID,Month\n", encoding="utf-8")
    done = _vawg(env, "ingest", "police-uk", str(street), "--json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("vawg: cannot open the database (PostgreSQL database vawg_m")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr
