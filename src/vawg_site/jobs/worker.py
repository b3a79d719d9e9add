"""The worker behind ``vawg worker``: enqueue the schedules' due periods, return expired leases
to the queue, claim a job, run it under a lease that a heartbeat thread keeps renewing, record
the outcome; until stopped (SIGTERM or SIGINT: the job under way is finished first) or, with
``once``, until no job is due (docs/jobs.md)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.utils import timezone

from vawg_site.jobs import registry, services
from vawg_site.jobs.models import Job

log = logging.getLogger("vawg.jobs")

LEASE = dt.timedelta(seconds=60)
"""How long a claimed job stays a worker's without a heartbeat; renewed every third of it."""
POLL = 5.0
"""Seconds an idle worker waits before it looks for work again."""


class LeaseLostError(Exception):
    """The job was no longer this worker's when it came to record the outcome."""


@dataclass
class Outcome:
    ran: int = 0
    done: int = 0
    failed: int = 0
    lost: int = 0
    keys: list[str] = field(default_factory=list)


def worker_name() -> str:
    """This process's name as a lease holder: host, process id and a random suffix (process ids
    are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Heartbeat(threading.Thread):
    """Renews the lease of one running job every third of the lease, on its own database
    connection, and writes the job's latest progress line with it. A renewal that fails (on
    SQLite, while the job's own transaction holds the write lock) is tried again at the next
    beat; one that finds the job gone (another worker reclaimed it) stops."""

    def __init__(
        self, *, job: Job, worker: str, lease: dt.timedelta, clock: Callable[[], dt.datetime]
    ) -> None:
        super().__init__(name=f"heartbeat-{job.pk}", daemon=True)
        self.job, self.worker, self.lease, self.clock = job, worker, lease, clock
        self.stopped = threading.Event()
        self.progress: str | None = None
        self.lost = False

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.lease.total_seconds() / 3):
                try:
                    held = services.job_heartbeat(
                        job=self.job, worker=self.worker, lease=self.lease,
                        progress=self.progress, now=self.clock(),
                    )  # fmt: skip
                except DatabaseError as error:
                    log.info("job %s: lease not renewed this beat (%s)", self.job.key, error)
                    continue
                if not held and not self.stopped.is_set():  # not the job's own finish
                    self.lost = True
                    log.warning("job %s: lease lost to another worker", self.job.key)
                    return
        finally:
            connections.close_all()


def job_run(
    job: Job,
    *,
    worker: str,
    lease: dt.timedelta,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> str:
    """Run one claimed job to its end and record the outcome: ``done``, ``queued`` (a retry is
    due later), ``failed``, or ``lost`` (the lease was taken over: nothing recorded, and an
    atomic job's writes rolled back)."""
    kind = registry.JOBS.get(job.name)
    beat = _Heartbeat(job=job, worker=worker, lease=lease, clock=clock)

    def progress(text: str) -> None:
        beat.progress = text[:2000]

    beat.start()
    try:
        if kind is None:
            raise LookupError(f"no job type {job.name!r} in the registry")
        if kind.atomic:
            with transaction.atomic():
                result = kind.run(dict(job.args), progress)
                _finish(job, worker, result, clock())
        else:
            result = kind.run(dict(job.args), progress)
            _finish(job, worker, result, clock())
    except LeaseLostError:
        return "lost"
    except Exception:
        error = traceback.format_exc()
        log.error("job %s failed (attempt %s):\n%s", job.key, job.attempts, error)
        status = services.job_fail(job=job, worker=worker, error=error, now=clock())
        return "lost" if status is None else str(status)
    finally:
        beat.stopped.set()
        beat.join()
    return "done"


def _finish(job: Job, worker: str, result: dict[str, Any], now: dt.datetime) -> None:
    if not services.job_finish(job=job, worker=worker, result=result, now=now):
        raise LeaseLostError(job.key)


class Worker:
    """A worker loop; ``stop()`` (or SIGTERM/SIGINT once :meth:`signals_install` has run) ends
    it after the job under way."""

    def __init__(
        self,
        *,
        lease: dt.timedelta = LEASE,
        poll: float = POLL,
        schedules: bool = True,
        clock: Callable[[], dt.datetime] = timezone.now,
    ) -> None:
        self.name = worker_name()
        self.lease, self.poll, self.schedules, self.clock = lease, poll, schedules, clock
        self.stopping = threading.Event()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        if signum is not None:
            log.warning("worker %s: signal %s, stopping after the job under way", self.name, signum)
        self.stopping.set()

    def signals_install(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def step(self) -> Job | None:
        """Enqueue due periods, reap expired leases, claim a job: the claimed job, or ``None``."""
        now = self.clock()
        if self.schedules:
            for key in registry.schedules_enqueue(now=now):
                log.info("scheduled %s", key)
        requeued, failed = services.jobs_reap(now=now)
        if requeued or failed:
            log.warning("expired leases: %s jobs back in the queue, %s failed", requeued, failed)
        return services.job_claim(worker=self.name, lease=self.lease, now=now)

    def run(self, *, once: bool = False) -> Outcome:
        """Work until stopped, or with ``once`` until no job is due."""
        outcome = Outcome()
        while not self.stopping.is_set():
            if not transaction.get_connection().in_atomic_block:  # a caller's (tests') own
                close_old_connections()  # a connection broken or past its age is renewed
            try:
                job = self.step()
            except DatabaseError as error:
                # SQLite answers "database is locked" while another process holds its write
                # lock for longer than the busy timeout (a long load): wait and look again.
                # A ``once`` run, used by tests and scripts, stops at the error instead.
                if once:
                    raise
                log.warning("worker %s: database error (%s); trying again", self.name, error)
                self.stopping.wait(self.poll)
                continue
            if job is None:
                if once:
                    break
                self.stopping.wait(self.poll)
                continue
            log.info("job %s: attempt %s by %s", job.key, job.attempts, self.name)
            status = job_run(job, worker=self.name, lease=self.lease, clock=self.clock)
            outcome.ran += 1
            outcome.keys.append(job.key)
            outcome.done += status == "done"
            outcome.failed += status == "failed"
            outcome.lost += status == "lost"
            log.info("job %s: %s", job.key, status)
        return outcome
