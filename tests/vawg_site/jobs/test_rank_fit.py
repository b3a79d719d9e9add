"""The monthly fit of the learned ranking model from the schedule (VAWG_RANK_EXTRACT)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from vawg.rank import ranking_run
from vawg.synth.simple import simple_write
from vawg_site.jobs import selectors
from vawg_site.jobs.registry import schedules_enqueue
from vawg_site.jobs.worker import Worker


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    folder = tmp_path / "force"
    simple_write(out=folder, seed=4, years=4, end_date=dt.date(2024, 12, 31), men=400)
    return folder


@pytest.mark.django_db
def test_no_extract_no_monthly_fit(settings: Any) -> None:
    settings.VAWG_RANK_EXTRACT = ""
    added = schedules_enqueue(now=dt.datetime(2025, 1, 1, 4, 0, tzinfo=dt.UTC))
    assert not [key for key in added if key.startswith("rank_fit:")]


@pytest.mark.django_db
def test_the_month_model_is_fitted_by_the_worker_and_read_by_the_lists(
    settings: Any, extract: Path
) -> None:
    settings.VAWG_RANK_EXTRACT = str(extract)
    first_of_january = dt.datetime(2025, 1, 1, 3, 30, tzinfo=dt.UTC)
    outcome = Worker(clock=lambda: first_of_january).run(once=True)
    assert "rank_fit:2024-12" in outcome.keys
    job = selectors.job_by_key("rank_fit:2024-12")
    assert job is not None
    assert job.status == "done"
    assert job.args == {"folder": str(extract), "as_of": "2024-12-31"}
    model = Path(job.result["model"])  # type: ignore[index]
    assert model.name.startswith("learned-2024-12-31-")
    written = model.read_bytes()
    # A list of that month reads it instead of fitting (no note), and gives the fitted list.
    listed = ranking_run(folder=extract, as_of=dt.date(2024, 12, 31), method="learned", cache=True)
    assert listed.notes == ()
    fresh = ranking_run(folder=extract, as_of=dt.date(2024, 12, 31), method="learned")
    assert listed.table.equals(fresh.table)
    # Run again (a retry after a lost attempt): the same file.
    Worker(clock=lambda: first_of_january).run(once=True)
    from vawg_site.jobs.registry import JOBS

    JOBS["rank_fit"].run(dict(job.args), lambda text: None)
    assert model.read_bytes() == written
