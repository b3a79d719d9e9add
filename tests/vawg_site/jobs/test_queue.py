"""The queue's writes and reads with an explicit clock: idempotent keys, one winner per claim,
leases renewed, lost and reaped, retries with a growing delay, failure after the last attempt,
and the selectors a workspace page will read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vawg_site.jobs import selectors, services
from vawg_site.jobs.registry import JobType, job_register
from vawg_site.jobs.worker import Worker, job_run

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=60)


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_enqueue_with_a_key_already_present_does_nothing() -> None:
    job, added = services.job_enqueue(name="a", key="k", args={"x": 1}, now=T0)
    again, added_again = services.job_enqueue(name="b", key="k", args={"x": 2}, now=_at(5))
    assert (added, added_again) == (True, False)
    assert again.pk == job.pk
    assert (again.name, again.args) == ("a", {"x": 1})
    # Even once done: a period is never run twice.
    claimed = services.job_claim(worker="w", lease=LEASE, now=T0)
    assert claimed is not None
    assert services.job_finish(job=claimed, worker="w", result={})
    assert services.job_enqueue(name="a", key="k", now=_at(100))[1] is False
    assert selectors.jobs_counts() == {"queued": 0, "running": 0, "done": 1, "failed": 0}


def test_one_claim_wins_and_run_after_is_respected() -> None:
    services.job_enqueue(name="a", key="later", run_after=_at(30), now=T0)
    services.job_enqueue(name="a", key="now", now=T0)
    first = services.job_claim(worker="w1", lease=LEASE, now=T0)
    assert first is not None
    assert first.key == "now"
    assert (first.status, first.attempts, first.worker) == ("running", 1, "w1")
    assert first.lease_until == _at(60)
    assert services.job_claim(worker="w2", lease=LEASE, now=T0) is None  # "later" not due
    second = services.job_claim(worker="w2", lease=LEASE, now=_at(30))
    assert second is not None
    assert second.key == "later"


def test_a_claim_that_loses_the_race_changes_nothing() -> None:
    job, _ = services.job_enqueue(name="a", key="k", now=T0)
    assert services.job_claim(worker="w1", lease=LEASE, now=T0) is not None
    # w2 saw the row queued a moment ago; its conditional UPDATE now matches no row.
    from vawg_site.jobs.models import Job

    assert Job.objects.filter(id=job.pk, status="queued").update(worker="w2") == 0
    assert selectors.job_by_key("k", now=T0).worker == "w1"  # type: ignore[union-attr]


def test_heartbeat_keeps_the_lease_and_the_reaper_takes_an_expired_one() -> None:
    services.job_enqueue(name="a", key="k", max_attempts=2, now=T0)
    job = services.job_claim(worker="w1", lease=LEASE, now=T0)
    assert job is not None
    assert services.job_heartbeat(job=job, worker="w1", lease=LEASE, progress="half", now=_at(50))
    assert services.jobs_reap(now=_at(100)) == (0, 0)  # renewed to 110 s
    view = selectors.job_by_key("k", now=_at(100))
    assert view is not None
    assert (view.progress, view.lease_expired) == ("half", False)
    assert selectors.jobs_running(now=_at(111))[0].lease_expired

    assert services.jobs_reap(now=_at(111)) == (1, 0)
    back = selectors.job_by_key("k", now=_at(111))
    assert back is not None
    assert (back.status, back.attempts, back.worker) == ("queued", 1, "")
    assert "attempt 1 lost: worker w1" in back.error
    # The killed worker's late calls change nothing: the job is no longer its.
    assert not services.job_heartbeat(job=job, worker="w1", lease=LEASE, now=_at(112))
    assert not services.job_finish(job=job, worker="w1", result={}, now=_at(112))

    again = services.job_claim(worker="w2", lease=LEASE, now=_at(111))
    assert again is not None
    assert again.attempts == 2
    assert services.jobs_reap(now=_at(200)) == (0, 1)  # second attempt lost: no more
    failed = selectors.jobs_failed()
    assert [j.key for j in failed] == ["k"]
    assert "attempt 2 lost: worker w2" in failed[0].error
    assert failed[0].finished_at == _at(200)


def test_a_failed_attempt_is_retried_later_then_failed_for_good() -> None:
    services.job_enqueue(name="a", key="k", max_attempts=3, now=T0)
    statuses, delays = [], []
    now = T0
    for _ in range(3):
        job = services.job_claim(worker="w", lease=LEASE, now=now)
        assert job is not None
        statuses.append(services.job_fail(job=job, worker="w", error="boom", now=now))
        view = selectors.job_by_key("k")
        assert view is not None
        if view.status == "queued":
            run_after = job.__class__.objects.get(pk=job.pk).run_after
            delays.append((run_after - now).total_seconds())
            now = run_after
    assert statuses == ["queued", "queued", "failed"]
    assert delays == [60.0, 120.0]
    assert selectors.jobs_failed(since=now)[0].error == "boom"
    assert selectors.jobs_failed(since=now + dt.timedelta(seconds=1)) == []


def _counting(args: dict[str, Any], progress: Any) -> dict[str, Any]:
    if args.get("fail"):
        raise ValueError("asked to fail")
    progress("counted")
    return {"n": args["n"] * 2}


def test_the_worker_runs_due_jobs_and_records_results_and_errors() -> None:
    job_register(JobType(name="test_counting", run=_counting, title="test"))
    services.job_enqueue(name="test_counting", key="ok", args={"n": 21}, now=T0)
    services.job_enqueue(name="test_counting", key="bad", args={"fail": True}, now=T0)
    services.job_enqueue(name="nobody_knows", key="unknown", max_attempts=1, now=T0)
    outcome = Worker(schedules=False, clock=lambda: _at(1)).run(once=True)
    assert (outcome.ran, outcome.done, outcome.failed) == (3, 1, 1)
    ok = selectors.job_by_key("ok")
    assert ok is not None
    assert (ok.status, ok.result) == ("done", {"n": 42})
    bad = selectors.job_by_key("bad")
    assert bad is not None
    assert bad.status == "queued"
    assert "ValueError: asked to fail" in bad.error
    unknown = selectors.job_by_key("unknown")
    assert unknown is not None
    assert unknown.status == "failed"
    assert "no job type 'nobody_knows'" in unknown.error
    assert [j.key for j in selectors.jobs_recent(limit=2)] == ["unknown", "bad"]


def test_a_job_whose_lease_was_taken_over_records_nothing() -> None:
    """A worker that finds its job reaped (its heartbeats did not reach the database in time)
    neither marks it done nor fails it: the job is the next worker's."""

    def loses_its_lease(args: dict[str, Any], progress: Any) -> dict[str, Any]:
        services.jobs_reap(now=_at(1000))  # meanwhile another worker reaped it
        return {"ran": True}

    job_register(JobType(name="test_loses", run=loses_its_lease, title="test", atomic=False))
    services.job_enqueue(name="test_loses", key="k", now=T0)
    job = services.job_claim(worker="w", lease=LEASE, now=T0)
    assert job is not None
    assert job_run(job, worker="w", lease=LEASE, clock=lambda: _at(1001)) == "lost"
    view = selectors.job_by_key("k")
    assert view is not None
    assert (view.status, view.attempts, view.result) == ("queued", 1, None)


def test_vawg_worker_refuses_a_lease_of_no_time(capsys: pytest.CaptureFixture[str]) -> None:
    from vawg.cli import main

    assert main(["worker", "--once", "--lease", "0"]) == 2
    assert "--lease and --poll want a number of seconds above 0" in capsys.readouterr().err
