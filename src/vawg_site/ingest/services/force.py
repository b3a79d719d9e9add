"""Loading a force extract folder (``docs/extract.md``) into the ``records`` tables:
crimes, people, involvements (linked to their crime and person) and protective orders (linked to
their subject and protected person), upserted by their references (:mod:`vawg.ingest.force`).

References to records already stored are accepted, so a later extract may name earlier crimes
and people. Each load ends by placing the crimes in their boroughs and assessing every person's
retention (:func:`vawg_site.records.retention.retention_assess`), in its transaction. Offence
codes the taxonomy does not know are loaded, flagged, and listed.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.db import transaction

from vawg.ingest.force import ForceExtract, force_read
from vawg.schemas import CRIME, INVOLVEMENT, ORDER, PERSON
from vawg_site.audit.services import WHOLE_TABLE, Action, Reason, access_record
from vawg_site.ingest.services.bulk import (
    Progress,
    Target,
    bulk_load,
    database_vendor,
    rows_store,
    sqlite_tune,
    tables_analyze,
    target_plain,
)
from vawg_site.ingest.services.runs import LoadResult, run_record
from vawg_site.records.models import Crime, Person
from vawg_site.records.retention import retention_assess

CRIME_TARGET = target_plain(CRIME)
PERSON_TARGET = target_plain(PERSON)
INVOLVEMENT_TARGET = Target(
    table="records_involvement",
    schema=INVOLVEMENT,
    columns=(
        ("crime_id", "c.id"),
        ("person_id", "p.id"),
        ("role", "s.role"),
        ("relationship", "s.relationship"),
    ),
    key=("crime_id", "person_id", "role"),
    joins="JOIN records_crime c ON c.crime_ref = s.crime_ref "
    "JOIN records_person p ON p.person_ref = s.person_ref",
)


def order_target() -> Target:
    """The orders' target: linked to their people; the breach dates as JSON (``jsonb`` on
    PostgreSQL)."""
    breach = (
        "CAST(s.breach_dates AS jsonb)" if database_vendor() == "postgresql" else "s.breach_dates"
    )
    return Target(
        table="records_order",
        schema=ORDER,
        columns=(
            ("order_ref", "s.order_ref"),
            ("order_type", "s.order_type"),
            ("subject_id", "p.id"),
            ("protected_id", "q.id"),
            ("start_date", "s.start_date"),
            ("end_date", "s.end_date"),
            ("breach_dates", breach),
        ),
        key=("order_ref",),
        joins="JOIN records_person p ON p.person_ref = s.subject_ref "
        "LEFT JOIN records_person q ON q.person_ref = s.protected_ref",
    )


def crimes_place(*, batch: int = 5000) -> int:
    """Set each crime's ``borough_code`` from its location and the shipped borough boundaries
    (blank without a location or outside every borough); returns how many crimes changed.

    Every located crime is placed again, so a corrected location moves its crime (and with it
    the team that may open it). Without the boundary files nothing changes: the crimes keep the
    borough they had, or none."""
    import numpy as np

    from vawg.spatial.areal import area_index
    from vawg_site.common.geography import borough_areas, geo_available

    if not geo_available():
        return 0
    rows = list(
        Crime.objects.filter(easting__isnull=False, northing__isnull=False).values_list(
            "id", "easting", "northing", "borough_code"
        )
    )
    if not rows:
        return 0
    areas = borough_areas()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    x = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    y = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    index = area_index(areas=areas, x=x, y=y)
    codes = np.array([*areas.codes, ""], dtype=object)[index]  # -1 picks the blank
    moved: dict[str, list[int]] = {}
    for crime_id, code, (_, _, _, stored) in zip(ids.tolist(), codes.tolist(), rows, strict=True):
        if code != stored:
            moved.setdefault(code, []).append(crime_id)
    for code, crime_ids in moved.items():
        for start in range(0, len(crime_ids), batch):
            Crime.objects.filter(id__in=crime_ids[start : start + batch]).update(borough_code=code)
    return sum(len(v) for v in moved.values())


def force_load(*, path: Path, progress: Progress | None = None) -> LoadResult:
    """Load a force extract folder (``docs/extract.md``)."""
    started = time.perf_counter()
    known_crimes = set(Crime.objects.values_list("crime_ref", flat=True))
    known_people = set(Person.objects.values_list("person_ref", flat=True))
    extract: ForceExtract = force_read(
        path,
        known_crime_refs=known_crimes,
        known_person_refs=known_people,
    )
    kept = sum(t.rows.height for t in extract.tables)
    changed = 0
    inserted = 0
    unknown = [{"offence_code": code, "crimes": n} for code, n in extract.unknown_offence_codes]
    notices: list[str] = []
    if unknown:
        shown = ", ".join(f"{u['offence_code']} ({u['crimes']})" for u in unknown[:20])
        flagged = sum(n for _, n in extract.unknown_offence_codes)
        notices.append(
            f"{flagged:,} crimes carry {len(unknown)} offence code(s) not in the taxonomy: "
            f"loaded and flagged (offence_code_known false): {shown}"
        )
    sqlite_tune()
    with transaction.atomic():
        for target, table, object_type in (
            (CRIME_TARGET, extract.crimes, "records.crime"),
            (PERSON_TARGET, extract.people, "records.person"),
            (INVOLVEMENT_TARGET, extract.involvements, "records.involvement"),
            (order_target(), extract.orders, "records.order"),
        ):
            with bulk_load(target) as bulk:
                added, updated = rows_store(target, table.rows, progress=progress, bulk=bulk)
            changed += added + updated
            inserted += added
            # The access log (s.62): the collection and the alteration, in the load's
            # transaction, one event per table with the number of records.
            for action, count in ((Action.COLLECT, added), (Action.ALTER, updated)):
                if count:
                    access_record(
                        action=action,
                        object_type=object_type,
                        object_ref=WHOLE_TABLE,
                        object_count=count,
                        reason_code=Reason.DATA_LOAD,
                        reason_text=f"force extract {path.name}",
                    )
        placed = crimes_place()
        if placed:
            notices.append(f"{placed:,} crimes placed in (or moved to) a borough by location")
        # Every person's MoPI group and next review from what is now stored (docs/retention.md).
        assessed = retention_assess()
        if assessed.changed:
            notices.append(
                f"{assessed.changed:,} people given a new retention group or review date"
            )
        duplicates = extract.duplicates + kept - changed
        rejections = extract.rejections
        run = run_record(
            source="force",
            files=[str(path)],
            read=extract.read,
            loaded=changed,
            duplicates=duplicates,
            rejections=rejections,
            details={"unknown_offence_codes": unknown, "notices": notices},
        )
    if changed:
        tables_analyze(["records_crime", "records_person", "records_involvement", "records_order"])
    return LoadResult(
        read=extract.read,
        loaded=changed,
        duplicates=duplicates,
        rejected=len(rejections),
        rejections=rejections,
        updated=changed - inserted,
        unchanged=kept - changed,
        run_id=run.pk,
        seconds=time.perf_counter() - started,
        notices=tuple(notices),
        details={"unknown_offence_codes": unknown},
    )
