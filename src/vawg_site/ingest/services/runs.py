"""What a load reports and records: the :class:`LoadResult` of ``--json`` (``CONTRACT.md``
section 1: ``read == loaded + duplicates + rejected``), the :class:`IngestRun` of each load with a
quarantined :class:`~vawg_site.ingest.models.Rejection` per rejected row, and the load of a
published count table read whole, which the London Datastore sources share.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from vawg.ingest.common import ReadResult, Rejection, SkippedFile
from vawg_site.ingest.models import IngestRun
from vawg_site.ingest.models import Rejection as RejectionRow
from vawg_site.ingest.services.bulk import (
    Progress,
    Target,
    bulk_load,
    rows_store,
    sqlite_tune,
)


@dataclass(frozen=True)
class LoadResult:
    """What a load did. ``read == loaded + duplicates + rejected`` always holds.

    ``loaded`` counts rows inserted or changed (``updated`` of them changed an existing row);
    ``duplicates`` counts rows identical to what was already stored or repeated within the input
    (the last one read is kept); ``rejected`` counts rows quarantined with a reason.
    """

    read: int
    loaded: int
    duplicates: int
    rejected: int
    rejections: tuple[Rejection, ...]
    updated: int = 0
    run_id: int | None = None
    seconds: float = 0.0
    skipped: tuple[SkippedFile, ...] = ()
    notices: tuple[str, ...] = field(default=())
    unchanged: int = 0
    """Of ``duplicates``: rows identical to a row already stored (the rest repeat a row of the
    same input)."""
    details: dict[str, Any] = field(default_factory=dict)
    """Source-specific facts added to ``--json`` (e.g. ``by_kind``, ``unmatched_wards``)."""

    @property
    def inserted(self) -> int:
        return self.loaded - self.updated

    @property
    def repeated(self) -> int:
        return self.duplicates - self.unchanged

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object of ``CONTRACT.md`` section 1, plus ``inserted``/``updated`` (the
        two parts of ``loaded``), ``unchanged``/``repeated`` (the two parts of ``duplicates``),
        ``skipped``, ``notices``, ``run_id`` and the source's ``details``."""
        return {
            "read": self.read,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejections": [r.as_dict() for r in self.rejections],
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "repeated": self.repeated,
            "skipped": [{"file": s.file, "reason": s.reason} for s in self.skipped],
            "notices": list(self.notices),
            "run_id": self.run_id,
            **self.details,
        }


def run_record(
    *,
    source: str,
    files: Sequence[str],
    read: int,
    loaded: int,
    duplicates: int,
    rejections: Sequence[Rejection],
    details: dict[str, Any] | None = None,
) -> IngestRun:
    """Record a load: its :class:`IngestRun` (files, the four figures, ``details``) and a
    :class:`~vawg_site.ingest.models.Rejection` per rejected row, with its raw text."""
    run = IngestRun.objects.create(
        source=source,
        files=list(files),
        read=read,
        loaded=loaded,
        duplicates=duplicates,
        rejected=len(rejections),
        finished_at=timezone.now(),
        details=details or {},
    )
    RejectionRow.objects.bulk_create(
        (
            RejectionRow(run=run, file=r.file[:512], line=r.line, reason=r.reason[:255], raw=r.raw)
            for r in rejections
        ),
        batch_size=5000,
    )
    return run


def counts_load(
    target: Target,
    result: ReadResult,
    *,
    source: str,
    paths: Sequence[Path],
    progress: Progress | None,
    started: float,
    details: dict[str, Any],
) -> LoadResult:
    """Store a published count table read whole (upsert by its identity) in one transaction and
    record the run: the shared part of the London Datastore loads."""
    sqlite_tune(rows=result.rows.height)
    with transaction.atomic():
        with bulk_load(target) as bulk:
            inserted, updated = rows_store(target, result.rows, progress=progress, bulk=bulk)
        changed = inserted + updated
        duplicates = result.duplicates + result.rows.height - changed
        run = run_record(
            source=source,
            files=[str(p) for p in paths],
            read=result.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=result.rejections,
            details={**details, "notices": list(result.notices)},
        )
    return LoadResult(
        read=result.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(result.rejections),
        rejections=result.rejections,
        updated=updated,
        unchanged=result.rows.height - changed,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=result.notices,
        details=details,
    )
