"""The one place where the background jobs and their schedules are declared (docs/jobs.md).

A job type is a name, a function of the job's arguments (and a ``progress`` callback) that
returns a JSON-able result, and whether its database writes are to commit in one transaction
with the job's "done" mark (``atomic``). A schedule names a job type, a period (``nightly``:
a UTC day, ``monthly``: a calendar month) and the UTC time after the period's end at which it
becomes due; each period is enqueued under the key ``<schedule>:<period>``, so however often
the workers look, a period is enqueued once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vawg_site.jobs.services import job_enqueue

Progress = Callable[[str], None]
Handler = Callable[[dict[str, Any], Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobType:
    name: str
    run: Handler
    title: str
    atomic: bool = True
    """Run the handler and the "done" mark in one transaction, so that a worker killed mid-job
    leaves none of the job's writes behind. A long job that mostly reads can set it off (on
    SQLite a write transaction holds the whole database's write lock) and must then be
    idempotent itself."""
    max_attempts: int = 3


@dataclass(frozen=True)
class Schedule:
    name: str
    job: str
    every: Literal["nightly", "monthly"]
    at: dt.time
    """UTC time of day, after the period's end, from which the period is due."""
    catch_up: int = 1
    """Periods back (the latest due included) enqueued if missing: a worker down for a few
    nights catches up on its return."""
    args: Callable[[dt.date, dt.date], dict[str, Any]] = lambda start, due: {}
    """The job's arguments for the period starting ``start``, due on ``due``."""
    enabled: Callable[[], bool] = lambda: True
    """Whether the schedule runs here (the monthly model fit needs an extract folder)."""


def _audit_review(args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from vawg_site.records.access_review import access_review_run

    day = dt.date.fromisoformat(args["day"])
    progress(f"reviewing the access log of {day.isoformat()} (UTC)")
    run = access_review_run(day=day)
    return {"reads": run.reads, "findings": run.findings, "alerts_added": run.alerts_added}


def _retention_assess(args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from vawg_site.records.retention import retention_assess

    today = dt.date.fromisoformat(args["today"])
    progress(f"assessing every person's retention group as of {today.isoformat()}")
    done = retention_assess(today=today)
    by_group = {str(group): n for group, n in sorted(done.by_group.items())}
    return {"people": done.people, "changed": done.changed, "by_group": by_group}


def _rank_fit(args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    # The month's learned model, fitted and kept where `vawg rank` looks for it (the same file
    # whoever fits it, so a retry after a lost attempt writes it again unchanged).
    from vawg.harm import harm_table_default
    from vawg.rank.model_store import fit_date, model_keep
    from vawg.taxonomy import taxonomy_load

    folder = Path(args["folder"])
    fitted_as_of = fit_date(dt.date.fromisoformat(args["as_of"]))
    progress(f"fitting the learned model of {folder} on the records up to {fitted_as_of}")
    stored, path = model_keep(
        folder=folder,
        fitted_as_of=fitted_as_of,
        harm=harm_table_default(),
        taxonomy=taxonomy_load(),
    )
    return {"model": str(path), "rows": stored.model.rows, "origins": len(stored.model.origins)}


INGEST_SOURCES = ("police-uk", "mps-vawg", "mps-recorded", "force")
"""The loads that can run as a job (``vawg ingest SOURCE PATH... --queue``)."""


def _ingest_load(args: dict[str, Any], progress: Progress) -> dict[str, Any]:
    # A load is one transaction of its own that loads nothing new when run again on the same
    # files, so the job is not atomic: a worker killed mid-load leaves nothing behind, and one
    # killed after the load's commit but before the job's "done" mark runs it again to the same
    # effect (every row a duplicate). Counts only in the result: no row of the load.
    from vawg_site.ingest import services as ingest

    source = str(args["source"])
    paths = [Path(p) for p in args["paths"]]
    stored = 0

    def rows(n: int) -> None:
        nonlocal stored
        stored += n
        progress(f"{source}: stored {stored:,} rows")

    progress(f"{source}: reading {len(paths)} path(s)")
    if source == "force":
        if len(paths) != 1:
            raise ValueError("a force load takes one extract folder")
        result = ingest.force_load(path=paths[0], progress=rows)
    elif source == "police-uk":
        result = ingest.police_uk_load(paths=paths, progress=rows)
    elif source == "mps-vawg":
        result = ingest.mps_vawg_load(paths=paths, progress=rows)
    elif source == "mps-recorded":
        result = ingest.mps_recorded_load(paths=paths, progress=rows)
    else:
        raise ValueError(f"no load for source {source!r}; one of {', '.join(INGEST_SOURCES)}")
    return {
        "source": source, "run_id": result.run_id, "read": result.read,
        "loaded": result.loaded, "duplicates": result.duplicates, "rejected": result.rejected,
        "seconds": round(result.seconds, 1),
    }  # fmt: skip


def ingest_key(source: str, paths: list[Path]) -> str:
    """The queue key of a load: the source and each path with its size and modification time
    (a folder's files included), so the same files queued twice are one job, and a changed
    file is a new one."""
    import hashlib

    digest = hashlib.sha256(source.encode())
    for path in sorted(p.resolve() for p in paths):
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        for f in files:
            if ".vawg-cache" in f.parts:
                continue
            stat = f.stat()
            digest.update(f"{f}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return f"ingest:{source}:{digest.hexdigest()[:20]}"


def _rank_extract() -> str:
    from django.conf import settings

    return str(getattr(settings, "VAWG_RANK_EXTRACT", "") or "").strip()


JOBS: dict[str, JobType] = {
    job.name: job
    for job in (
        JobType(
            name="audit_review",
            run=_audit_review,
            title="Review one UTC day of the access log (vawg manage audit_review)",
        ),
        JobType(
            name="retention_assess",
            run=_retention_assess,
            title="Assess every person's MoPI retention group (vawg manage retention_assess)",
        ),
        JobType(
            name="ingest_load",
            run=_ingest_load,
            title="Load data files into the database (vawg ingest ... --queue)",
            atomic=False,  # the load is its own transaction, and loads nothing new again
        ),
        JobType(
            name="rank_fit",
            run=_rank_fit,
            title="Fit the month's learned ranking model (vawg rank fit)",
            atomic=False,  # writes a file, not the database: the same file when run again
        ),
    )
}

SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        name="audit_review",
        job="audit_review",
        every="nightly",
        at=dt.time(1, 0),
        catch_up=7,
        args=lambda start, due: {"day": start.isoformat()},
    ),
    Schedule(
        name="retention_assess",
        job="retention_assess",
        every="monthly",
        at=dt.time(2, 0),
        args=lambda start, due: {"today": due.isoformat()},
    ),
    Schedule(
        name="rank_fit",
        job="rank_fit",
        every="monthly",
        at=dt.time(3, 0),
        args=lambda start, due: {
            "folder": _rank_extract(),
            "as_of": (due - dt.timedelta(days=1)).isoformat(),
        },
        enabled=lambda: bool(_rank_extract()),
    ),
)


def job_register(job: JobType) -> None:
    """Add a job type (tests and extensions; the site's own are declared above)."""
    JOBS[job.name] = job


def _month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_due(schedule: Schedule, *, now: dt.datetime) -> list[tuple[str, dt.date, dt.date]]:
    """The periods of ``schedule`` due at ``now`` (aware), latest first, at most ``catch_up``:
    each as (period label, first day, day it became due). A nightly period is a UTC day, due on
    the next day at ``at``; a monthly one a calendar month, due on the next month's first day.

    >>> s = Schedule(name="n", job="n", every="nightly", at=dt.time(1), catch_up=2)
    >>> [p for p, _, _ in periods_due(s, now=dt.datetime(2026, 12, 3, 0, 59, tzinfo=dt.UTC))]
    ['2026-12-01', '2026-11-30']
    >>> [p for p, _, _ in periods_due(s, now=dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC))]
    ['2026-12-02', '2026-12-01']
    """
    utc = now.astimezone(dt.UTC)
    passed = utc.time() >= schedule.at
    if schedule.every == "nightly":
        latest_due = utc.date() if passed else utc.date() - dt.timedelta(days=1)
        starts = [latest_due - dt.timedelta(days=1 + n) for n in range(schedule.catch_up)]
        return [(d.isoformat(), d, d + dt.timedelta(days=1)) for d in starts]
    this_month = _month_start(utc.date())
    latest_due = this_month if (utc.date() > this_month or passed) else _month_start(utc.date(), 1)
    out = []
    for n in range(schedule.catch_up):
        due = _month_start(latest_due, n)
        start = _month_start(due, 1)
        out.append((start.strftime("%Y-%m"), start, due))
    return out


def schedules_enqueue(*, now: dt.datetime) -> list[str]:
    """Enqueue every scheduled period due at ``now`` that has no job yet; returns the keys
    added. Run by each worker before it looks for work, so any number of workers may run it."""
    added = []
    for schedule in SCHEDULES:
        if not schedule.enabled():
            continue
        job = JOBS[schedule.job]
        for period, start, due in periods_due(schedule, now=now):
            key = f"{schedule.name}:{period}"
            _, created = job_enqueue(
                name=job.name, key=key, args=schedule.args(start, due),
                max_attempts=job.max_attempts, now=now,
            )  # fmt: skip
            if created:
                added.append(key)
    return added
