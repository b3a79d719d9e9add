"""The queue's writes: enqueue, claim, heartbeat, finish, fail and reap (docs/jobs.md).

Every change of a job's state is one conditional ``UPDATE`` (``... WHERE id = ? AND status = ?``
and, for a running job, ``AND worker = ?``), so that of two workers racing for the same row
exactly one changes it, on SQLite as on PostgreSQL, with no row locks (SQLite has none:
``select_for_update`` is ignored there). ``now`` is a parameter of each, for tests and for the
schedules; it defaults to the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from vawg_site.jobs.models import Job

Status = Job.Status

RETRY_DELAY = dt.timedelta(seconds=60)
"""The wait before a failed attempt's retry, doubled after each further attempt."""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def job_enqueue(
    *,
    name: str,
    key: str,
    args: dict[str, Any] | None = None,
    run_after: dt.datetime | None = None,
    max_attempts: int = 3,
    now: dt.datetime | None = None,
) -> tuple[Job, bool]:
    """Queue a job under ``key``, or do nothing if a job with that key exists (in any state);
    returns the job and whether it was added. Safe when two processes enqueue the same key at
    once: the loser's insert breaks the unique key inside a savepoint and it reads the winner's
    row (``get_or_create``)."""
    at = _now(now)
    defaults = {
        "name": name, "args": args or {}, "status": Status.QUEUED, "max_attempts": max_attempts,
        "run_after": run_after or at, "created_at": at,
    }  # fmt: skip
    return Job.objects.get_or_create(key=key, defaults=defaults)


def job_claim(*, worker: str, lease: dt.timedelta, now: dt.datetime | None = None) -> Job | None:
    """Take the oldest job that is due, for ``worker``, leased until ``now + lease``; ``None``
    when none is due. A row another worker took first is skipped (its ``UPDATE`` matched no
    row)."""
    at = _now(now)
    due = Job.objects.filter(status=Status.QUEUED, run_after__lte=at).order_by("run_after", "id")
    for job_id in due.values_list("id", flat=True)[:20]:
        taken = Job.objects.filter(id=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, worker=worker, lease_until=at + lease, started_at=at,
            attempts=F("attempts") + 1, progress="", finished_at=None,
        )  # fmt: skip
        if taken:
            return Job.objects.get(id=job_id)
    return None


def _held(job: Job, worker: str) -> Any:
    return Job.objects.filter(id=job.pk, status=Status.RUNNING, worker=worker)


def job_heartbeat(
    *, job: Job, worker: str, lease: dt.timedelta, progress: str | None = None,
    now: dt.datetime | None = None,
) -> bool:  # fmt: skip
    """Extend the lease of ``worker``'s running job (and write its progress); ``False`` when
    the job is no longer this worker's (its lease ran out and another took it)."""
    fields: dict[str, Any] = {"lease_until": _now(now) + lease}
    if progress is not None:
        fields["progress"] = progress
    return bool(_held(job, worker).update(**fields))


def job_finish(
    *, job: Job, worker: str, result: dict[str, Any] | None, now: dt.datetime | None = None
) -> bool:
    """Mark ``worker``'s job done with its result; ``False`` (and nothing written) when the job
    is no longer this worker's. The reason an earlier attempt failed or was lost stays in
    ``error``."""
    return bool(
        _held(job, worker).update(
            status=Status.DONE, result=result, finished_at=_now(now), lease_until=None
        )
    )


def job_fail(
    *, job: Job, worker: str, error: str, now: dt.datetime | None = None
) -> Job.Status | None:
    """Record a failed attempt of ``worker``'s job: back in the queue after a delay (60 s,
    doubled for each further attempt) while attempts remain, else failed for good. Returns the
    new status, or ``None`` when the job is no longer this worker's."""
    at = _now(now)
    job.refresh_from_db(fields=["attempts", "max_attempts"])
    if job.attempts >= job.max_attempts:
        fields: dict[str, Any] = {"status": Status.FAILED, "finished_at": at}
    else:
        delay = RETRY_DELAY * 2 ** max(job.attempts - 1, 0)
        fields = {"status": Status.QUEUED, "run_after": at + delay, "worker": ""}
    changed = _held(job, worker).update(error=error[-4000:], lease_until=None, **fields)
    return Status(fields["status"]) if changed else None


def jobs_reap(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Return to the queue each running job whose lease has run out (its worker stopped without
    finishing it: killed, or its machine lost), or fail it once it has used its attempts; returns
    (requeued, failed). Each row changes only if it is still the expired lease seen, so a worker
    that renews its lease at the same moment keeps its job."""
    at = _now(now)
    requeued = failed = 0
    expired = Job.objects.filter(status=Status.RUNNING, lease_until__lt=at)
    for job_id, worker, lease_until, attempts, max_attempts in expired.values_list(
        "id", "worker", "lease_until", "attempts", "max_attempts"
    ):
        reason = (
            f"attempt {attempts} lost: worker {worker} stopped renewing its lease "
            f"(expired {lease_until}) without finishing"
        )
        still = Job.objects.filter(
            id=job_id, status=Status.RUNNING, worker=worker, lease_until=lease_until
        )
        if attempts >= max_attempts:
            failed += still.update(
                status=Status.FAILED, error=reason, finished_at=at, lease_until=None
            )
        else:
            requeued += still.update(
                status=Status.QUEUED, error=reason, worker="", lease_until=None, run_after=at
            )
    return requeued, failed
