"""A worker killed with SIGKILL in the middle of a job: the job is run again by the next worker
once the lease has run out, and completes exactly once, on whichever engine the suite runs on
(SQLite, or PostgreSQL with ``DATABASE_URL``). The workers are real ``vawg worker`` processes
(``killable.py``) sharing the test database: on PostgreSQL the test database itself, on SQLite a
file copy of the in-memory test database, since the workers are other processes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from vawg_site.jobs.services import job_enqueue

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

KILLABLE = Path(__file__).with_name("killable.py")
ROOT = Path(__file__).resolve().parents[3]
LEASE = 1.5
"""Seconds: short, so that the test waits little for a killed worker's lease to run out."""


class Workers:
    """Starts ``vawg worker`` processes on the test's database and reads the job table as they
    leave it (on SQLite from the file copy, with ``sqlite3``; on PostgreSQL through the test's
    own connection, which sees what the workers commit)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {**os.environ, "VAWG_HOME": str(folder / "home")}
        self.sqlite: Path | None = None
        self.started: list[subprocess.Popen[str]] = []

    def share(self) -> None:
        """Make what the test wrote so far visible to the workers."""
        if connection.vendor == "sqlite":
            self.sqlite = self.folder / "jobs.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite)
            connection.connection.backup(target)
            target.close()
            self.env["DATABASE_URL"] = f"sqlite:///{self.sqlite}"
        else:
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            port = f":{s['PORT']}" if s["PORT"] else ""
            self.env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}{port}/{s['NAME']}"

    def start(self, *options: str) -> subprocess.Popen[str]:
        argv = [sys.executable, str(KILLABLE), "--no-schedule", "--lease", str(LEASE), *options]
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.started.append(process)
        return process

    def drain(self) -> subprocess.CompletedProcess[str]:
        """A ``--once`` worker run to its end."""
        process = self.start("--once", "--poll", "0.2")
        out, err = process.communicate(timeout=120)
        return subprocess.CompletedProcess(process.args, process.returncode, out, err)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.sqlite is not None:
            with sqlite3.connect(self.sqlite, timeout=30) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def job(self, key: str) -> dict[str, Any]:
        fields = ("status", "attempts", "worker", "lease_until", "error", "result", "progress")
        rows = self.query(f"SELECT {', '.join(fields)} FROM jobs_job WHERE key = %s", key)
        return dict(zip(fields, rows[0], strict=True))

    def effects(self) -> int:
        return self.query("SELECT COUNT(*) FROM auth_group WHERE name LIKE %s", "effect-%")[0][0]

    def wait_started(self, process: subprocess.Popen[str], timeout: float = 60) -> None:
        marker = self.folder / f"started-{process.pid}"
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if process.poll() is not None:
                pytest.fail(f"worker exited {process.returncode}: {process.stderr.read()}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                pytest.fail("the worker never started the job")
            time.sleep(0.05)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    yield pool
    for process in pool.started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _lease_seconds_left(job: dict[str, Any]) -> float:
    until = job["lease_until"]
    if isinstance(until, str):  # sqlite3 hands back the stored text
        until = dt.datetime.fromisoformat(until)
    if until.tzinfo is None:
        until = until.replace(tzinfo=dt.UTC)
    return (until - dt.datetime.now(dt.UTC)).total_seconds()


@pytest.mark.parametrize("name", ["test_in_transaction", "test_idempotent"])
def test_a_job_whose_worker_is_killed_completes_exactly_once(workers: Workers, name: str) -> None:
    job_enqueue(name=name, key="kill-me", args={"dir": str(workers.folder), "effect": "k"})
    workers.share()
    first = workers.start("--poll", "0.2")
    workers.wait_started(first)
    if name == "test_idempotent":
        # Alive, the worker keeps its job: its lease is renewed past the first one's end, and a
        # second worker finds nothing to take.
        time.sleep(2 * LEASE)
        held = workers.job("kill-me")
        assert held["status"] == "running"
        assert _lease_seconds_left(held) > 0
        assert held["progress"] == "row written; waiting for go"
        assert workers.drain().returncode == 0
        assert workers.job("kill-me")["worker"] == held["worker"]

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed = workers.job("kill-me")
    assert (killed["status"], killed["attempts"]) == ("running", 1)
    (workers.folder / "go").touch()
    time.sleep(max(_lease_seconds_left(killed), 0) + 0.2)

    second = workers.drain()
    assert second.returncode == 0, second.stderr
    assert "stopped after 1 jobs (1 done, 0 failed, 0 lost)" in second.stderr
    done = workers.job("kill-me")
    assert (done["status"], done["attempts"]) == ("done", 2)
    assert done["worker"] != killed["worker"]
    assert "attempt 1 lost" in done["error"]
    # Exactly one effect: the killed attempt's row was rolled back (in_transaction) or was
    # found again and not written twice (idempotent).
    assert workers.effects() == 1
    # And it stays done: another worker runs nothing.
    assert "stopped after 0 jobs" in workers.drain().stderr


def test_sigterm_stops_the_worker_after_the_job_under_way(workers: Workers) -> None:
    job_enqueue(
        name="test_idempotent", key="finish-me", args={"dir": str(workers.folder), "effect": "t"}
    )
    workers.share()
    worker = workers.start("--poll", "0.2")
    workers.wait_started(worker)
    worker.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert worker.poll() is None  # still finishing the job
    (workers.folder / "go").touch()
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    assert "stopped after 1 jobs (1 done, 0 failed, 0 lost)" in err
    done = workers.job("finish-me")
    assert (done["status"], done["attempts"], done["error"]) == ("done", 1, "")
