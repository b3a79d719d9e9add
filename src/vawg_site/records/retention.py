"""Retention of the force's records of people (DPA 2018 s.39; MoPI, ``docs/retention.md``): the
assessment that gives every person a retention group and a next review date, and the reads of
the retention pages (the reviews due and the erasures awaiting approval).

:func:`retention_assess` runs at the end of every force load, inside its transaction, and as
``vawg manage retention_assess``. Its rule is :mod:`vawg.retention`'s; the periods are the
``VAWG_RETENTION_GROUP{1,2,3}_REVIEW_YEARS`` settings. It reads offence codes and dates and
writes the two retention fields; the access log gets one "alter" row for the people it changed.

The decisions (keep, erasure requested, approved, refused) are written by
:mod:`vawg_site.records.services`. The reads here list only the people the account may open
(:func:`vawg_site.records.casework.people_visible`) and log each one shown as consulted for a
case review, in the transaction of the read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from vawg.retention import crimes_retention_group, review_date_next
from vawg.taxonomy import crimes_classify, taxonomy_load
from vawg_site.accounts.rules import has_role
from vawg_site.audit.services import (
    WHOLE_TABLE,
    Action,
    Reason,
    access_record,
    access_record_many,
)
from vawg_site.records.casework import PERSON, people_visible
from vawg_site.records.models import Crime, Involvement, Order, Person, RetentionReview

UPDATE_BATCH = 2000
DUE_LIMIT = 200
"""The reviews due page lists at most this many people, longest overdue first."""

may_review = has_role("public_protection")
"""Who decides at a retention review, and who approves another's erasure: public-protection
officers, for the people they may open (``docs/retention.md``)."""


@dataclass(frozen=True)
class RetentionAssessment:
    people: int
    """People assessed."""
    changed: int
    """People whose group or next review date changed."""
    by_group: dict[int, int]
    """People in each group after the assessment."""


def _crime_groups() -> pl.DataFrame:
    """``crime_id``, ``retention_group`` and ``event_date`` (the recorded date) of every crime
    someone is involved in."""
    rows = list(
        Crime.objects.filter(involvements__isnull=False)
        .distinct()
        .values_list("id", "offence_code", "offence_description", "domestic_abuse", "recorded_date")
    )
    female = set(
        Involvement.objects.filter(role=Involvement.Role.VICTIM, person__sex="F").values_list(
            "crime_id", flat=True
        )
    )
    frame = pl.DataFrame(
        {
            "crime_id": [r[0] for r in rows],
            "offence_code": [r[1] for r in rows],
            "offence_description": [r[2] for r in rows],
            "domestic_abuse": [r[3] for r in rows],
            "event_date": [r[4] for r in rows],
            "female_victim": [r[0] in female for r in rows],
        },
        schema={
            "crime_id": pl.Int64,
            "offence_code": pl.String,
            "offence_description": pl.String,
            "domestic_abuse": pl.Boolean,
            "event_date": pl.Date,
            "female_victim": pl.Boolean,
        },
    )
    taxonomy = taxonomy_load()
    subgroups = taxonomy.code_map("ho_subgroup")
    classified = crimes_classify(frame.lazy(), taxonomy=taxonomy).with_columns(
        pl.col("offence_code")
        .replace_strict(subgroups, default=None, return_dtype=pl.String)
        .alias("ho_subgroup")
    )
    return (
        crimes_retention_group(classified).select("crime_id", "retention_group", "event_date")
    ).collect()


def _person_events() -> pl.DataFrame:
    """Per person with any involvement or order: their lowest group and latest event date.
    An order (every type the extract holds protects someone from domestic, sexual or stalking
    harm) counts as a group-1 event for its subject and its protected person, dated its end
    (or its start while it has none)."""
    crimes = _crime_groups()
    involvements = pl.DataFrame(
        list(Involvement.objects.values_list("person_id", "crime_id")),
        schema={"person_id": pl.Int64, "crime_id": pl.Int64},
        orient="row",
    )
    events = [
        involvements.join(crimes, on="crime_id", how="inner").select(
            "person_id", "retention_group", "event_date"
        )
    ]
    orders = list(Order.objects.values_list("subject_id", "protected_id", "start_date", "end_date"))
    for column in (0, 1):
        events.append(
            pl.DataFrame(
                {
                    "person_id": [o[column] for o in orders if o[column] is not None],
                    "retention_group": [1 for o in orders if o[column] is not None],
                    "event_date": [o[3] or o[2] for o in orders if o[column] is not None],
                },
                schema={"person_id": pl.Int64, "retention_group": pl.Int8, "event_date": pl.Date},
            )
        )
    return (
        pl.concat(events)
        .group_by("person_id")
        .agg(pl.col("retention_group").min(), pl.col("event_date").max())
    )


def _kept() -> dict[int, tuple[dt.date, dt.date]]:
    """Each person's latest decision to keep: (the day it was made, the review date it set)."""
    out: dict[int, tuple[dt.date, dt.date]] = {}
    for person_id, created_at, next_date in (
        RetentionReview.objects.filter(decision=RetentionReview.Decision.KEEP, person__isnull=False)
        .order_by("created_at", "id")
        .values_list("person_id", "created_at", "next_review_date")
    ):
        if next_date is not None:  # a decision to keep always sets one (a check constraint)
            out[person_id] = (timezone.localdate(created_at), next_date)
    return out


def retention_assess(
    *, today: dt.date | None = None, review_years: dict[int, int] | None = None
) -> RetentionAssessment:
    """Give every person their MoPI group and next review date (``docs/retention.md``): the
    lowest group of their involvements' crimes and their orders, and the review date from their
    latest one plus the group's period (``VAWG_RETENTION_GROUP{n}_REVIEW_YEARS`` unless
    ``review_years`` is given). A recorded decision to keep stands: only an event after it can
    move the review, and only later. Writes the people that changed and, when any did, one
    "alter" row to the access log; runs in one transaction (the caller's, if any)."""
    years = dict(review_years or settings.VAWG_RETENTION_REVIEW_YEARS)
    day = today or timezone.localdate()
    with transaction.atomic():
        events = {
            pid: (int(group), event)
            for pid, group, event in _person_events().iter_rows()
            if pid is not None
        }
        kept = _kept()
        changed: dict[tuple[int, dt.date], list[int]] = {}
        by_group: dict[int, int] = {1: 0, 2: 0, 3: 0}
        people = Person.objects.values_list("id", "retention_group", "next_review_date")
        assessed = 0
        for pid, stored_group, stored_date in people.iterator(chunk_size=UPDATE_BATCH):
            assessed += 1
            group, event = events.get(pid, (3, None))
            kept_on, kept_until = kept.get(pid, (None, None))
            next_date = review_date_next(
                group=group, latest_event=event, review_years=years,
                kept_on=kept_on, kept_until=kept_until, today=day,
            )  # fmt: skip
            by_group[group] += 1
            if (group, next_date) != (stored_group, stored_date):
                changed.setdefault((group, next_date), []).append(pid)
        # One UPDATE per (group, date) and batch: a few hundred statements for a force, where
        # a CASE per row (bulk_update) took 61 s for 146,740 people on SQLite, this 3.4 s.
        for (group, next_date), ids in changed.items():
            for start in range(0, len(ids), UPDATE_BATCH):
                Person.objects.filter(id__in=ids[start : start + UPDATE_BATCH]).update(
                    retention_group=group, next_review_date=next_date
                )
        n_changed = sum(len(ids) for ids in changed.values())
        if n_changed:
            access_record(
                action=Action.ALTER, object_type=PERSON, object_ref=WHOLE_TABLE,
                object_count=n_changed, reason_code=Reason.CASE_REVIEW,
                reason_text="retention assessed: MoPI group and next review date",
            )  # fmt: skip
    return RetentionAssessment(people=assessed, changed=n_changed, by_group=by_group)


# --- the reads of the retention pages ------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDue:
    person_ref: str
    retention_group: int | None
    next_review_date: dt.date | None
    """Never None here (the list is of dates that have come); typed as the field is."""
    involvements: int
    latest_recorded: dt.date | None
    erasure_pending: bool


def reviews_due(
    *, user: Any, today: dt.date | None = None, limit: int = DUE_LIMIT
) -> list[ReviewDue]:
    """The people ``user`` may open whose review date has come (on or before ``today``),
    longest overdue first, at most ``limit``; each shown is logged as consulted."""
    day = today or timezone.localdate()
    with transaction.atomic():
        rows = list(
            people_visible(user)
            .filter(next_review_date__lte=day)
            .annotate(
                n_involvements=Count("involvements", distinct=True),
                latest=Max("involvements__crime__recorded_date"),
            )
            .order_by("next_review_date", "person_ref")
            .values_list(
                "id", "person_ref", "retention_group", "next_review_date", "n_involvements",
                "latest",
            )[:limit]
        )  # fmt: skip
        pending = set(
            RetentionReview.objects.filter(
                status=RetentionReview.Status.PENDING, person_id__in=[r[0] for r in rows]
            ).values_list("person_id", flat=True)
        )
        if rows:
            access_record_many(
                action=Action.CONSULT, object_type=PERSON, object_refs=[r[1] for r in rows],
                reason_code=Reason.CASE_REVIEW, reason_text="retention reviews due",
            )  # fmt: skip
    return [
        ReviewDue(
            person_ref=ref,
            retention_group=group,
            next_review_date=due,
            involvements=n,
            latest_recorded=latest,
            erasure_pending=pid in pending,
        )
        for pid, ref, group, due, n, latest in rows
    ]


@dataclass(frozen=True)
class Decision:
    review_id: int
    decision: str
    status: str
    decided_by: str
    created_at: dt.datetime
    reason_text: str
    next_review_date: dt.date | None
    approved_by: str
    approval_text: str


@dataclass(frozen=True)
class RetentionCase:
    person_ref: str
    retention_group: int | None
    next_review_date: dt.date | None
    birth_year: int | None
    involvements_by_role: list[tuple[str, int]]
    latest_recorded: dt.date | None
    orders: int
    decisions: list[Decision]
    """Earlier decisions on this person, newest first."""
    pending_id: int | None
    """The erasure awaiting approval, if one is."""


def _decisions(queryset: Any) -> list[Decision]:
    return [
        Decision(
            review_id=r.pk,
            decision=r.decision,
            status=r.get_status_display(),
            decided_by=r.decided_by.get_username(),
            created_at=r.created_at,
            reason_text=r.reason_text,
            next_review_date=r.next_review_date,
            approved_by=r.approved_by.get_username() if r.approved_by else "",
            approval_text=r.approval_text,
        )
        for r in queryset.select_related("decided_by", "approved_by").order_by("-created_at", "-id")
    ]


def retention_case_open(*, user: Any, person_ref: str) -> RetentionCase | None:
    """What the review form shows of ``person_ref``, or None when ``user`` may not open them
    (or there is none); logs the person as consulted for a case review."""
    with transaction.atomic():
        person = people_visible(user).filter(person_ref=person_ref).first()
        if person is None:
            return None
        roles = list(
            Involvement.objects.filter(person=person)
            .values("role")
            .annotate(n=Count("id"))
            .order_by("role")
            .values_list("role", "n")
        )
        latest = Involvement.objects.filter(person=person).aggregate(
            latest=Max("crime__recorded_date")
        )["latest"]
        orders = Order.objects.filter(subject=person).count()
        reviews = RetentionReview.objects.filter(person=person)
        pending = reviews.filter(status=RetentionReview.Status.PENDING).first()
        decisions = _decisions(reviews)
        access_record(
            action=Action.CONSULT, object_type=PERSON, object_ref=person.person_ref,
            reason_code=Reason.CASE_REVIEW, reason_text="retention review",
        )  # fmt: skip
    return RetentionCase(
        person_ref=person.person_ref,
        retention_group=person.retention_group,
        next_review_date=person.next_review_date,
        birth_year=person.birth_year,
        involvements_by_role=[(str(r), int(n)) for r, n in roles],
        latest_recorded=latest,
        orders=orders,
        decisions=decisions,
        pending_id=pending.pk if pending else None,
    )


@dataclass(frozen=True)
class ErasureRequest:
    review_id: int
    person_ref: str
    requested_by: str
    requested_at: dt.datetime
    reason_text: str
    own: bool
    """Requested by the reader, who may not approve it."""


def erasures_pending(*, user: Any, review_id: int | None = None) -> list[ErasureRequest]:
    """The erasures awaiting approval of people ``user`` may open (only ``review_id``'s when
    given), oldest first; each person shown is logged as consulted for a case review."""
    with transaction.atomic():
        pending = RetentionReview.objects.filter(
            status=RetentionReview.Status.PENDING, person__in=people_visible(user)
        )
        if review_id is not None:
            pending = pending.filter(pk=review_id)
        rows = list(pending.select_related("decided_by").order_by("created_at", "id"))
        if rows:
            access_record_many(
                action=Action.CONSULT, object_type=PERSON,
                object_refs=[r.person_ref for r in rows], reason_code=Reason.CASE_REVIEW,
                reason_text="retention: erasures awaiting approval",
            )  # fmt: skip
    return [
        ErasureRequest(
            review_id=r.pk,
            person_ref=r.person_ref,
            requested_by=r.decided_by.get_username(),
            requested_at=r.created_at,
            reason_text=r.reason_text,
            own=r.decided_by_id == getattr(user, "pk", None),
        )
        for r in rows
    ]
