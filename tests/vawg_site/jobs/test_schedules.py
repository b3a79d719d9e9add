"""The schedules under a frozen clock (passed as ``now``): which period is due when, each period
enqueued once however often the workers look, and the nightly access-log review and the monthly
retention assessment run from the schedule by a worker, with the same effect when run again;
and the installed `vawg worker` under the machine's clock frozen (time-machine)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.vawg_site.records.test_access_review import day_of_reads  # noqa: F401 (a fixture)

from vawg_site.audit.models import ReviewAlert
from vawg_site.jobs import registry, selectors
from vawg_site.jobs.registry import Schedule, periods_due, schedules_enqueue
from vawg_site.jobs.worker import Worker
from vawg_site.records.models import Person


def _utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


NIGHTLY = Schedule(name="n", job="n", every="nightly", at=dt.time(1, 0), catch_up=3)
MONTHLY = Schedule(name="m", job="m", every="monthly", at=dt.time(2, 0), catch_up=2)


@pytest.mark.parametrize(
    ("now", "nightly", "monthly"),
    [
        (_utc(2026, 12, 3, 0, 59),
         ["2026-12-01", "2026-11-30", "2026-11-29"], ["2026-11", "2026-10"]),
        (_utc(2026, 12, 3, 1, 0),
         ["2026-12-02", "2026-12-01", "2026-11-30"], ["2026-11", "2026-10"]),
        (_utc(2027, 1, 1, 1, 59),
         ["2026-12-31", "2026-12-30", "2026-12-29"], ["2026-11", "2026-10"]),
        (_utc(2027, 1, 1, 2, 0),
         ["2026-12-31", "2026-12-30", "2026-12-29"], ["2026-12", "2026-11"]),
        # A clock in London summer time: periods are UTC days (00:30 BST is 23:30 UTC).
        (dt.datetime(2026, 7, 2, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
         ["2026-06-30", "2026-06-29", "2026-06-28"], ["2026-06", "2026-05"]),
    ],
)  # fmt: skip
def test_the_periods_due(now: dt.datetime, nightly: list[str], monthly: list[str]) -> None:
    assert [p for p, _, _ in periods_due(NIGHTLY, now=now)] == nightly
    assert [p for p, _, _ in periods_due(MONTHLY, now=now)] == monthly
    _, start, due = periods_due(MONTHLY, now=now)[0]
    assert (start.day, due.day, (due - start).days in {28, 29, 30, 31}) == (1, 1, True)


def test_the_registry_declares_every_scheduled_job() -> None:
    assert {s.job for s in registry.SCHEDULES} <= set(registry.JOBS)
    assert len({s.name for s in registry.SCHEDULES}) == len(registry.SCHEDULES)


@pytest.mark.django_db
def test_a_period_is_enqueued_once_however_often_the_workers_look() -> None:
    now = _utc(2026, 12, 3, 1, 30)
    first = schedules_enqueue(now=now)
    nightly = [f"audit_review:2026-12-0{d}" for d in (2, 1)] + [
        f"audit_review:2026-11-{d}" for d in (30, 29, 28, 27, 26)
    ]
    assert first == [*nightly, "retention_assess:2026-11"]
    assert schedules_enqueue(now=now) == []
    assert schedules_enqueue(now=now + dt.timedelta(hours=5)) == []
    assert schedules_enqueue(now=now + dt.timedelta(days=1)) == ["audit_review:2026-12-03"]
    job = selectors.job_by_key("retention_assess:2026-11")
    assert job is not None
    assert job.args == {"today": "2026-12-01"}
    assert selectors.job_by_key("audit_review:2026-12-02").args == {"day": "2026-12-02"}  # type: ignore[union-attr]


@pytest.mark.django_db
def test_the_nightly_review_runs_from_the_schedule_with_the_same_effect_again(
    day_of_reads: dict[str, Any],  # noqa: F811
) -> None:
    day = day_of_reads["day"]
    night = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(1, 30), dt.UTC)
    outcome = Worker(clock=lambda: night).run(once=True)
    key = f"audit_review:{day.isoformat()}"
    assert key in outcome.keys
    assert outcome.done == outcome.ran == 8  # 7 nights and the month
    review = selectors.job_by_key(key)
    assert review is not None
    assert (review.status, review.attempts) == ("done", 1)
    assert review.result == {"reads": review.result["reads"], "findings": 4, "alerts_added": 4}  # type: ignore[index]
    assert ReviewAlert.objects.count() == 4
    # The workers look again that night: nothing more is enqueued or run.
    assert Worker(clock=lambda: night).run(once=True).ran == 0
    # The job itself, run again for the same day (a retry after a lost attempt), adds nothing.
    again = registry.JOBS["audit_review"].run({"day": day.isoformat()}, lambda text: None)
    assert (again["findings"], again["alerts_added"]) == (4, 0)
    assert ReviewAlert.objects.count() == 4


@pytest.mark.django_db
def test_the_monthly_retention_assessment_is_the_same_when_run_again(
    day_of_reads: dict[str, Any],  # noqa: F811
) -> None:
    job = registry.JOBS["retention_assess"]
    first = job.run({"today": "2026-12-01"}, lambda text: None)
    stored = sorted(Person.objects.values_list("person_ref", "retention_group", "next_review_date"))
    assert first["people"] == Person.objects.count() > 0
    again = job.run({"today": "2026-12-01"}, lambda text: None)
    assert (again["people"], again["changed"], again["by_group"]) == (
        first["people"], 0, first["by_group"],
    )  # fmt: skip
    assert (
        sorted(Person.objects.values_list("person_ref", "retention_group", "next_review_date"))
        == stored
    )


@pytest.mark.django_db
def test_the_installed_worker_runs_the_nightly_review_under_a_frozen_clock(
    day_of_reads: dict[str, Any],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``vawg worker --once`` as installed, with the machine's clock itself frozen (not a clock
    passed in): at 01:30 UTC the night after the reads, the schedule enqueues that day's review
    and the worker runs it; an hour earlier (before 01:00) the day is not yet due."""
    import signal

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        _frozen_nights(day_of_reads["day"], capsys)
    finally:  # the command installs its own handlers: give this process back its own
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _frozen_nights(day: dt.date, capsys: pytest.CaptureFixture[str]) -> None:
    import time_machine

    from vawg.cli import main

    key = f"audit_review:{day.isoformat()}"
    early = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), dt.UTC)
    with time_machine.travel(early, tick=False):
        assert main(["worker", "--once"]) == 0
    assert selectors.job_by_key(key) is None
    night = early + dt.timedelta(hours=1)
    with time_machine.travel(night, tick=False):
        assert main(["worker", "--once"]) == 0
    review = selectors.job_by_key(key)
    assert review is not None
    assert review.status == "done"
    assert review.finished_at == night
    assert review.result["findings"] == 4  # type: ignore[index]
    assert ReviewAlert.objects.count() == 4
    assert "stopped after" in capsys.readouterr().err
