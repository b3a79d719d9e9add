"""A load as a job: ``vawg ingest force PATH --queue`` puts it on the queue (the same files
queued again are the same job; a changed file is a new one), a worker runs it, and running it
again after a lost attempt loads nothing new."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from vawg.cli import main
from vawg.synth.simple import simple_write
from vawg_site.jobs import selectors
from vawg_site.jobs.registry import JOBS, ingest_key
from vawg_site.jobs.worker import Worker
from vawg_site.records.selectors import force_frames


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    folder = tmp_path / "force"
    simple_write(out=folder, seed=2, years=1, end_date=dt.date(2024, 12, 31), men=60)
    return folder


def _queue(folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["ingest", "force", str(folder), "--queue", "--json"]) == 0
    answer: dict[str, object] = json.loads(capsys.readouterr().out)
    return answer


@pytest.mark.django_db(transaction=True)
def test_a_queued_load_runs_once_in_the_worker(
    extract: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _queue(extract, capsys)
    assert first["added"] is True
    assert first["status"] == "queued"
    assert first["key"] == ingest_key("force", [extract])
    # Queued again, the same files are the same job.
    again = _queue(extract, capsys)
    assert (again["job"], again["added"]) == (first["job"], False)
    assert force_frames().crimes.height == 0  # nothing loaded until a worker runs it

    outcome = Worker(schedules=False).run(once=True)
    assert outcome.keys == [first["key"]]
    job = selectors.job_by_key(str(first["key"]))
    assert job is not None
    assert job.status == "done"
    assert isinstance(job.result, dict)
    crimes = (extract / "crimes.csv").read_text().count("\n") - 1
    assert force_frames().crimes.height == crimes
    assert job.result["read"] >= crimes
    assert job.result["rejected"] == 0

    # A retry after a lost attempt (killed after the load's commit): nothing new, same rows.
    rerun = JOBS["ingest_load"].run(dict(job.args), lambda text: None)
    assert rerun["loaded"] == 0
    assert rerun["duplicates"] == rerun["read"]
    assert force_frames().crimes.height == crimes


def test_a_changed_file_is_a_new_load(extract: Path) -> None:
    key = ingest_key("force", [extract])
    with (extract / "crimes.csv").open("a") as f:
        f.write("")  # same size and content; a new modification time is enough
    stamp = (extract / "crimes.csv").stat().st_mtime_ns + 1_000_000_000
    os.utime(extract / "crimes.csv", ns=(stamp, stamp))
    assert ingest_key("force", [extract]) != key
    assert ingest_key("mps-vawg", [extract]) != key
