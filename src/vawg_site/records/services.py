"""Writes to the force's records other than the loads (``vawg_site.ingest.services.force``):
assigning a person or a crime to a staff account, sealing records into the
professional-standards compartment, marking a person high-profile, and the decisions of a
retention review (keep, or erase with a second account's approval: ``docs/retention.md``).

Sealing and the high-profile mark change who may see a record and how its reads are reviewed, so
each writes an "alter" row to the access log in its transaction (the record's reference, never
its content).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from vawg_site.audit.services import Action, Reason, access_record, access_record_many
from vawg_site.records.casework import people_visible
from vawg_site.records.models import Assignment, Crime, Involvement, Order, Person, RetentionReview
from vawg_site.records.retention import may_review


class RecordNotFoundError(LookupError):
    """No crime or person with that reference."""


def _person(ref: str) -> Person:
    person = Person.objects.filter(person_ref=ref).first()
    if person is None:
        raise RecordNotFoundError(f"no person {ref!r}")
    return person


def _crime(ref: str) -> Crime:
    crime = Crime.objects.filter(crime_ref=ref).first()
    if crime is None:
        raise RecordNotFoundError(f"no crime {ref!r}")
    return crime


def assignment_open(
    *, user: Any, assigned_by: Any = None, person_ref: str | None = None,
    crime_ref: str | None = None,
) -> Assignment:  # fmt: skip
    """Assign a person or a crime (exactly one) to ``user``: it may open it wherever it is, as
    far as its role opens such records. An open assignment of the same record is kept."""
    if (person_ref is None) == (crime_ref is None):
        raise ValueError("assign a person or a crime, one of the two")
    target = (
        {"person": _person(person_ref)}
        if person_ref is not None
        else {"crime": _crime(crime_ref or "")}
    )
    with transaction.atomic():
        existing = Assignment.objects.filter(user=user, ended_at__isnull=True, **target).first()
        if existing is not None:
            return existing
        assignment = Assignment.objects.create(user=user, assigned_by=assigned_by, **target)
        _assignment_log(assignment, f"assigned to {user.get_username()}")
        return assignment


def _assignment_log(assignment: Assignment, what: str) -> None:
    """An assignment changes who may open the record: an "alter" row on the record (its
    reference; the account in the words, never the record's content)."""
    if assignment.person is not None:
        object_type, ref = "records.person", assignment.person.person_ref
    else:
        assert assignment.crime is not None
        object_type, ref = "records.crime", assignment.crime.crime_ref
    access_record(
        action=Action.ALTER, object_type=object_type, object_ref=ref,
        reason_code=Reason.OFFENDER_MANAGEMENT, reason_text=what[:500],
    )  # fmt: skip


def assignment_end(*, assignment_id: int) -> None:
    """End an assignment: the account no longer reaches the record through it."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_related("user", "person", "crime")
            .filter(pk=assignment_id, ended_at__isnull=True)
            .first()
        )
        if assignment is None:
            return
        assignment.ended_at = timezone.now()
        assignment.save(update_fields=["ended_at"])
        _assignment_log(assignment, f"assignment to {assignment.user.get_username()} ended")


def person_seal(*, person_ref: str, reason_text: str) -> int:
    """Seal a person into the professional-standards compartment with every crime they are a
    suspect or offender in (and so the other people of those crimes are reached only through
    crimes outside the compartment). Returns the crimes sealed."""
    with transaction.atomic():
        person = _person(person_ref)
        crime_ids = list(
            Involvement.objects.filter(person=person, role__in=["suspect", "offender"]).values_list(
                "crime_id", flat=True
            )
        )
        Person.objects.filter(pk=person.pk).update(sealed=True)
        sealed = Crime.objects.filter(pk__in=crime_ids).update(sealed=True)
        access_record(
            action=Action.ALTER, object_type="records.person", object_ref=person.person_ref,
            reason_code=Reason.AUDIT, reason_text=f"sealed: {reason_text}"[:500],
        )  # fmt: skip
    return sealed


def person_high_profile_set(*, person_ref: str, high_profile: bool, reason_text: str) -> None:
    """Mark (or unmark) a person high-profile: the nightly review flags every read of them."""
    with transaction.atomic():
        person = _person(person_ref)
        Person.objects.filter(pk=person.pk).update(high_profile=high_profile)
        access_record(
            action=Action.ALTER, object_type="records.person", object_ref=person.person_ref,
            reason_code=Reason.AUDIT,
            reason_text=f"high profile {'set' if high_profile else 'cleared'}: {reason_text}"[:500],
        )  # fmt: skip


# --- retention reviews (docs/retention.md) -------------------------------------------------------


class RetentionError(ValueError):
    """A retention decision that cannot be made as asked (the message says why, for the page)."""


def _reviewable(user: Any, person_ref: str) -> Person:
    """The person ``person_ref`` if ``user`` may review them, else :class:`RetentionError`
    (an unknown reference and one out of reach read the same)."""
    if not may_review(user):
        raise RetentionError("retention decisions need the public-protection role")
    person = people_visible(user).filter(person_ref=person_ref).first()
    if person is None:
        raise RetentionError(f"no person {person_ref!r} you may open")
    return person


def retention_keep(
    *, user: Any, person_ref: str, next_review_date: date, reason_text: str
) -> RetentionReview:
    """Record a decision to keep the person's record until ``next_review_date`` (after today),
    and set their next review to it; an "alter" row in the access log."""
    text = reason_text.strip()
    if not text:
        raise RetentionError("say why the record is kept")
    if next_review_date <= timezone.localdate():
        raise RetentionError("the next review must be after today")
    with transaction.atomic():
        person = _reviewable(user, person_ref)
        if RetentionReview.objects.filter(
            person=person, status=RetentionReview.Status.PENDING
        ).exists():
            raise RetentionError("an erasure of this record is awaiting approval")
        review = RetentionReview.objects.create(
            person=person, person_ref=person.person_ref, decided_by=user,
            decision=RetentionReview.Decision.KEEP, status=RetentionReview.Status.RECORDED,
            reason_text=text[:500], next_review_date=next_review_date,
        )  # fmt: skip
        Person.objects.filter(pk=person.pk).update(next_review_date=next_review_date)
        access_record(
            action=Action.ALTER, object_type="records.person", object_ref=person.person_ref,
            reason_code=Reason.CASE_REVIEW,
            reason_text=f"retention review {review.pk}: kept, next review {next_review_date}",
        )  # fmt: skip
    return review


def retention_erasure_request(*, user: Any, person_ref: str, reason_text: str) -> RetentionReview:
    """Ask for the person's record to be erased: pending until a different account with the
    same role, who may also open the person, approves or refuses it."""
    text = reason_text.strip()
    if not text:
        raise RetentionError("say why the record should be erased")
    with transaction.atomic():
        person = _reviewable(user, person_ref)
        if RetentionReview.objects.filter(
            person=person, status=RetentionReview.Status.PENDING
        ).exists():
            raise RetentionError("an erasure of this record is already awaiting approval")
        review = RetentionReview.objects.create(
            person=person, person_ref=person.person_ref, decided_by=user,
            decision=RetentionReview.Decision.ERASE, status=RetentionReview.Status.PENDING,
            reason_text=text[:500],
        )  # fmt: skip
        access_record(
            action=Action.CONSULT, object_type="records.person", object_ref=person.person_ref,
            reason_code=Reason.CASE_REVIEW,
            reason_text=f"retention review {review.pk}: erasure requested",
        )  # fmt: skip
    return review


def _pending_for(user: Any, review_id: int) -> tuple[RetentionReview, Person]:
    review = (
        RetentionReview.objects.select_for_update()
        .filter(pk=review_id, status=RetentionReview.Status.PENDING, person__isnull=False)
        .first()
    )
    if review is None:
        raise RetentionError("no erasure awaiting approval with that number")
    if review.decided_by_id == getattr(user, "pk", None):
        raise RetentionError("an erasure must be approved by another account than its requester")
    return review, _reviewable(user, review.person_ref)


def retention_erasure_approve(
    *, user: Any, review_id: int, approval_text: str = ""
) -> dict[str, int]:
    """Approve another account's erasure request and erase: the person, their involvements,
    the orders of which they are the subject and their assignments are deleted; orders that
    protected them lose the link; crimes stay, even with no one left involved. The review row
    keeps the reference, who, when, why and the counts; the access log gets an "erase" row for
    the person (and one for each order erased, an "alter" for each unlinked), references and
    counts only. Returns the counts."""
    with transaction.atomic():
        review, person = _pending_for(user, review_id)
        erased_orders = list(
            Order.objects.filter(subject=person)
            .order_by("order_ref")
            .values_list("order_ref", flat=True)
        )
        unlinked_orders = list(
            Order.objects.filter(protected=person)
            .exclude(subject=person)
            .order_by("order_ref")
            .values_list("order_ref", flat=True)
        )
        counts = {
            "people": 1,
            "involvements": Involvement.objects.filter(person=person).count(),
            "orders": len(erased_orders),
            "orders_unlinked": len(unlinked_orders),
            "assignments": Assignment.objects.filter(person=person).count(),
        }
        Order.objects.filter(protected=person).exclude(subject=person).update(protected=None)
        RetentionReview.objects.filter(person=person).update(person=None)
        Person.objects.filter(pk=person.pk).delete()
        review.status = RetentionReview.Status.ERASED
        review.approved_by = user
        review.approved_at = timezone.now()
        review.approval_text = approval_text.strip()[:500]
        review.erased_counts = counts
        review.person = None
        review.save()
        summary = ", ".join(f"{n} {table}" for table, n in counts.items())
        access_record(
            action=Action.ERASE, object_type="records.person", object_ref=review.person_ref,
            object_count=1, reason_code=Reason.CASE_REVIEW,
            reason_text=f"retention review {review.pk}: erasure approved; erased {summary}",
        )  # fmt: skip
        for action, refs in ((Action.ERASE, erased_orders), (Action.ALTER, unlinked_orders)):
            if refs:
                access_record_many(
                    action=action, object_type="records.order", object_refs=refs,
                    reason_code=Reason.CASE_REVIEW,
                    reason_text=f"retention review {review.pk}: erasure of a person",
                )  # fmt: skip
    return counts


def retention_erasure_refuse(*, user: Any, review_id: int, approval_text: str) -> RetentionReview:
    """Refuse another account's erasure request: the record stays, still due for review."""
    text = approval_text.strip()
    if not text:
        raise RetentionError("say why the erasure is refused")
    with transaction.atomic():
        review, person = _pending_for(user, review_id)
        review.status = RetentionReview.Status.REFUSED
        review.approved_by = user
        review.approved_at = timezone.now()
        review.approval_text = text[:500]
        review.save()
        access_record(
            action=Action.CONSULT, object_type="records.person", object_ref=person.person_ref,
            reason_code=Reason.CASE_REVIEW,
            reason_text=f"retention review {review.pk}: erasure refused",
        )  # fmt: skip
    return review
