"""Erasing quarantined personal data once its retention period is over, with a record of each
erasure.

The rows a force-extract load rejects are personal data held only so that the force's data team
can correct them and load them again (DPA 2018 s.39: kept no longer than that purpose needs).
They are kept ``VAWG_QUARANTINE_RETENTION_DAYS`` days after the load that stored them, then
erased by :func:`quarantine_erase` (``vawg manage quarantine_erase``, run daily by a scheduler).
Each erasure leaves a :class:`~vawg_site.ingest.models.QuarantineErasure`: which load, how many
rows, when and why, and nothing of the rows themselves (the ICO's guidance on erasure logs: the
metadata, never the content). Rejections of open-data loads are published data, and are kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from vawg_site.audit.services import Action, Reason, access_record
from vawg_site.ingest.models import IngestRun, QuarantineErasure, Rejection

PERSONAL_SOURCES = ("force",)
"""The sources whose rejected rows are personal data, erased after the retention period."""


@dataclass(frozen=True)
class ErasureDue:
    """A load whose quarantined rows are due for erasure (or were erased)."""

    run_id: int
    source: str
    loaded_at: dt.datetime
    rows: int


def quarantine_erase(
    *, now: dt.datetime | None = None, retention_days: int | None = None, dry_run: bool = False
) -> list[ErasureDue]:
    """Erase the quarantined rows of every personal-data load that finished more than
    ``retention_days`` (default ``VAWG_QUARANTINE_RETENTION_DAYS``) before ``now`` (default the
    present), one transaction per load, each with its :class:`QuarantineErasure`; returns what
    was (with ``dry_run``, what would be) erased, oldest load first."""
    days = settings.VAWG_QUARANTINE_RETENTION_DAYS if retention_days is None else retention_days
    if days < 0:
        raise ValueError(f"the retention period cannot be negative: {days} days")
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    due = (
        IngestRun.objects.filter(
            source__in=PERSONAL_SOURCES, finished_at__lt=cutoff, rejections__isnull=False
        )
        .annotate(held=Count("rejections"))
        .order_by("finished_at", "id")
    )
    erased = [
        ErasureDue(run_id=run.pk, source=run.source, loaded_at=run.finished_at, rows=run.held)
        for run in due
        if run.finished_at is not None
    ]
    if dry_run:
        return erased
    reason = f"retention period over: {days} days after the load (VAWG_QUARANTINE_RETENTION_DAYS)"
    done: list[ErasureDue] = []
    for item in erased:
        with transaction.atomic():
            rows, _ = Rejection.objects.filter(run_id=item.run_id).delete()
            if rows == 0:  # erased meanwhile by another run of this command
                continue
            QuarantineErasure.objects.create(
                run_id_erased=item.run_id,
                source=item.source,
                loaded_at=item.loaded_at,
                rows=rows,
                reason=reason,
            )
            access_record(
                action=Action.ERASE,
                object_type="ingest.rejection",
                object_ref=f"run:{item.run_id}",
                object_count=rows,
                reason_code=Reason.CASE_REVIEW,
                reason_text=reason,
            )
        done.append(ErasureDue(item.run_id, item.source, item.loaded_at, rows))
    return done
