"""Writes to the force's records other than the loads (``vawg_site.ingest.services.force``):
assigning a person or a crime to a staff account, sealing records into the
professional-standards compartment, and marking a person high-profile.

Sealing and the high-profile mark change who may see a record and how its reads are reviewed, so
each writes an "alter" row to the access log in its transaction (the record's reference, never
its content).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from vawg_site.audit.services import Action, Reason, access_record
from vawg_site.records.models import Assignment, Crime, Involvement, Person


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
