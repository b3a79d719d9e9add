"""The queue's reads, for the worker's callers and a workspace page: the recent jobs, the
failures, the jobs under way and one job by key (docs/jobs.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from vawg_site.jobs.models import Job


@dataclass(frozen=True)
class JobView:
    key: str
    name: str
    status: str
    attempts: int
    max_attempts: int
    args: dict[str, Any]
    progress: str
    error: str
    result: dict[str, Any] | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    worker: str
    lease_until: dt.datetime | None
    lease_expired: bool
    """Running with a lease that has run out: its worker stopped, and the next worker's reaper
    will put it back in the queue."""


def _view(job: Job, now: dt.datetime) -> JobView:
    return JobView(
        key=job.key, name=job.name, status=job.status, attempts=job.attempts,
        max_attempts=job.max_attempts, args=dict(job.args), progress=job.progress,
        error=job.error, result=job.result, created_at=job.created_at,
        started_at=job.started_at, finished_at=job.finished_at, worker=job.worker,
        lease_until=job.lease_until,
        lease_expired=job.status == Job.Status.RUNNING
        and job.lease_until is not None and job.lease_until < now,
    )  # fmt: skip


def jobs_recent(*, limit: int = 50, now: dt.datetime | None = None) -> list[JobView]:
    """The latest ``limit`` jobs enqueued, newest first."""
    at = now or timezone.now()
    return [_view(j, at) for j in Job.objects.order_by("-created_at", "-id")[:limit]]


def jobs_failed(
    *, since: dt.datetime | None = None, limit: int = 50, now: dt.datetime | None = None
) -> list[JobView]:
    """Jobs that failed for good (every attempt used), latest first; only those finished at
    or after ``since`` when given."""
    at = now or timezone.now()
    failed = Job.objects.filter(status=Job.Status.FAILED)
    if since is not None:
        failed = failed.filter(finished_at__gte=since)
    return [_view(j, at) for j in failed.order_by("-finished_at", "-id")[:limit]]


def jobs_running(*, now: dt.datetime | None = None) -> list[JobView]:
    """Jobs a worker holds now, oldest start first, each saying whether its lease ran out."""
    at = now or timezone.now()
    running = Job.objects.filter(status=Job.Status.RUNNING).order_by("started_at", "id")
    return [_view(j, at) for j in running]


def job_by_key(key: str, *, now: dt.datetime | None = None) -> JobView | None:
    job = Job.objects.filter(key=key).first()
    return None if job is None else _view(job, now or timezone.now())


def jobs_counts() -> dict[str, int]:
    """Jobs in each status (every status present, zero when none)."""
    counts = dict.fromkeys(Job.Status.values, 0)
    rows = Job.objects.order_by().values_list("status").annotate(n=Count("id"))
    for status, n in rows:
        counts[status] = n
    return counts
