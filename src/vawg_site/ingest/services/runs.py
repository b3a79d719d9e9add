"""What a load reports and records: the :class:`LoadResult` of ``--json`` (``docs/interfaces.md``:
``read == loaded + duplicates + rejected``), the :class:`IngestRun` of each load with a
quarantined :class:`~vawg_site.ingest.models.Rejection` per rejected row, and the load of a
published count table read whole, which the London Datastore sources share.
"""

from __future__ import annotations

import hashlib
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
        """The ``--json`` object of ``docs/interfaces.md``, plus ``inserted``/``updated`` (the
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
    :class:`~vawg_site.ingest.models.Rejection` per rejected row, with its whole raw text.

    A rejection already in the quarantine (the same fingerprint: an earlier load of the same
    file rejected the same row for the same reason) is not stored again; ``details`` records
    ``quarantine_stored`` (rows this load added) and ``quarantine_already_stored`` (rows an
    earlier load holds), which add up to ``rejected``.
    """
    rows: dict[str, RejectionRow] = {}
    for r in rejections:
        row = RejectionRow(file=r.file[:512], line=r.line, reason=r.reason[:255], raw=r.raw)
        row.fingerprint = rejection_fingerprint(
            source=source, file=row.file, line=row.line, reason=row.reason, raw=row.raw
        )
        rows.setdefault(row.fingerprint, row)
    known = _fingerprints_stored(list(rows))
    fresh = [row for fingerprint, row in rows.items() if fingerprint not in known]
    run = IngestRun.objects.create(
        source=source,
        files=list(files),
        read=read,
        loaded=loaded,
        duplicates=duplicates,
        rejected=len(rejections),
        finished_at=timezone.now(),
        details={
            **(details or {}),
            "quarantine_stored": len(fresh),
            "quarantine_already_stored": len(rejections) - len(fresh),
        },
    )
    for row in fresh:
        row.run = run
    # A load running at the same time may store the same rejection first: that one stays.
    RejectionRow.objects.bulk_create(fresh, batch_size=2000, ignore_conflicts=True)
    return run


def rejection_fingerprint(*, source: str, file: str, line: int, reason: str, raw: str) -> str:
    """A rejection's identity in the quarantine: the SHA-256 (hex) of the source, file, line,
    reason and raw text, each length-prefixed so that no two different rejections share one."""
    digest = hashlib.sha256()
    for part in (source, file, str(line), reason, raw):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def _fingerprints_stored(fingerprints: list[str]) -> set[str]:
    """Those of ``fingerprints`` already in the quarantine (asked in batches the databases'
    bound-parameter limits allow)."""
    known: set[str] = set()
    for start in range(0, len(fingerprints), 500):
        batch = fingerprints[start : start + 500]
        known.update(
            RejectionRow.objects.filter(fingerprint__in=batch).values_list("fingerprint", flat=True)
        )
    return known


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
