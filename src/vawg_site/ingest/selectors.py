"""What pages read about loaded data: the Met's VAWG series by borough, and what is loaded.

Selectors only read. Counts from the Met's extracts are aggregates as published; the borough
series uses the *location* sheet only (the other sheets break the same crimes down other ways and
are never added to it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Sum

from vawg_site.ingest.models import IngestRun, Rejection
from vawg_site.opendata.models import StreetCrime, VawgCount
from vawg_site.records.models import Crime, Involvement, Order, Person

NOT_BOROUGHS = ("", "Other", "Unknown")
"""Values of the Met's borough column that are not London boroughs."""


@dataclass(frozen=True)
class BoroughMonth:
    """A month's count for one borough (``count`` summed over wards and committed months)."""

    borough: str
    month: dt.date
    count: int


def vawg_borough_month_list(
    *, measure: str = "offences", borough: str | None = None
) -> list[BoroughMonth]:
    """Monthly totals by borough from the location sheet, ordered by borough then month.

    ``measure`` is ``"offences"`` or ``"victims"``; ``borough`` limits to one borough. Rows the
    Met puts under ``Other``/``Unknown`` are included (they are part of London's total).
    """
    rows = VawgCount.objects.filter(measure=measure, sheet=VawgCount.Sheet.LOCATION)
    if borough is not None:
        rows = rows.filter(borough=borough)
    totals = (
        rows.values("borough", "month").annotate(total=Sum("count")).order_by("borough", "month")
    )
    return [BoroughMonth(r["borough"], r["month"], int(r["total"])) for r in totals]


def vawg_borough_names() -> list[str]:
    """The London boroughs named in the loaded VAWG counts, sorted (not ``Other``/``Unknown``)."""
    names = (
        VawgCount.objects.filter(sheet=VawgCount.Sheet.LOCATION)
        .exclude(borough__in=NOT_BOROUGHS)
        .values_list("borough", flat=True)
        .distinct()
        .order_by("borough")
    )
    return list(names)


@dataclass(frozen=True)
class SourceStatus:
    """What is loaded from one source: rows stored, latest month, and the last load."""

    source: str
    rows: int
    latest: dt.date | None
    last_loaded: dt.datetime | None


@dataclass(frozen=True)
class DataStatus:
    """What is loaded, for the demo's banner."""

    street_crimes: SourceStatus
    vawg_offences: SourceStatus
    vawg_victims: SourceStatus
    force_crimes: SourceStatus
    force_people: int
    force_involvements: int
    force_orders: int
    quarantined: int

    @property
    def empty(self) -> bool:
        return not (self.street_crimes.rows or self.vawg_offences.rows or self.force_crimes.rows)


def _last_run(source: str) -> dt.datetime | None:
    run = IngestRun.objects.filter(source=source).order_by("-started_at").first()
    return run.finished_at if run else None


def data_status() -> DataStatus:
    """Counts per source and the latest month of each (a handful of aggregate queries)."""
    street = StreetCrime.objects.aggregate(rows=Count("id"), latest=Max("month"))
    vawg_latest: dict[str, dt.date | None] = {
        r["measure"]: r["latest"]
        for r in VawgCount.objects.filter(sheet=VawgCount.Sheet.LOCATION)
        .values("measure")
        .annotate(latest=Max("month"))
    }
    vawg_rows = {
        r["measure"]: r["rows"]
        for r in VawgCount.objects.values("measure").annotate(rows=Count("id"))
    }
    crimes = Crime.objects.aggregate(rows=Count("id"), latest=Max("recorded_date"))
    vawg_last = _last_run("mps-vawg")
    return DataStatus(
        street_crimes=SourceStatus(
            "police-uk", street["rows"], street["latest"], _last_run("police-uk")
        ),
        vawg_offences=SourceStatus(
            "mps-vawg",
            vawg_rows.get("offences", 0),
            vawg_latest.get("offences"),
            vawg_last,
        ),
        vawg_victims=SourceStatus(
            "mps-vawg",
            vawg_rows.get("victims", 0),
            vawg_latest.get("victims"),
            vawg_last,
        ),
        force_crimes=SourceStatus("force", crimes["rows"], crimes["latest"], _last_run("force")),
        force_people=Person.objects.count(),
        force_involvements=Involvement.objects.count(),
        force_orders=Order.objects.count(),
        quarantined=Rejection.objects.count(),
    )


def rejection_list(*, run_id: int | None = None, limit: int | None = None) -> list[Rejection]:
    """Quarantined rows, newest load first (one load's with ``run_id``)."""
    rows = Rejection.objects.select_related("run").order_by("-run_id", "file", "line")
    if run_id is not None:
        rows = rows.filter(run_id=run_id)
    return list(rows[:limit] if limit is not None else rows)
