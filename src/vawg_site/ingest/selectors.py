"""Reads of the ingest app's own tables: the record of each load (:class:`IngestRun`) and the
quarantine of rejected rows (:class:`Rejection`).

What was loaded is read through the app that owns it (:mod:`vawg_site.opendata.selectors`,
:mod:`vawg_site.records.selectors`); this module knows only the loads themselves.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from vawg_site.common.caching import cached
from vawg_site.ingest.models import IngestRun, Rejection


@cached
def load_finished_last() -> dt.datetime | None:
    """When the latest load finished (the ``Last-Modified`` of the data), or None."""
    finished: dt.datetime | None = IngestRun.objects.aggregate(last=Max("finished_at"))["last"]
    return finished


def rejection_list(*, run_id: int | None = None, limit: int | None = None) -> list[Rejection]:
    """Quarantined rows, newest load first (one load's with ``run_id``)."""
    rows = Rejection.objects.select_related("run").order_by("-run_id", "file", "line")
    if run_id is not None:
        rows = rows.filter(run_id=run_id)
    return list(rows[:limit] if limit is not None else rows)


@cached
def load_finished_by_source() -> dict[str, dt.datetime]:
    """When the latest load of each source (``police-uk``, ``mps-vawg``...) finished."""
    rows = (
        IngestRun.objects.filter(finished_at__isnull=False)
        .values("source")
        .annotate(last=Max("finished_at"))
        .order_by()
    )
    return {r["source"]: r["last"] for r in rows}
