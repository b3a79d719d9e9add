"""Retention (DPA 2018 s.39, MoPI; docs/retention.md): each person's group and next review
date, the decisions of a review, and erasure with a second account's approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from vawg.retention import years_after
from vawg_site.accounts.services import staff_role_set
from vawg_site.audit.models import AccessEvent
from vawg_site.records import services
from vawg_site.records.models import (
    Assignment,
    Crime,
    Involvement,
    Order,
    Person,
    RetentionReview,
)
from vawg_site.records.retention import erasures_pending, retention_assess, reviews_due

pytestmark = pytest.mark.django_db

CAMDEN, HACKNEY = "E09000007", "E09000012"  # in BCU CN; in BCU CE
YEARS = {1: 10, 2: 10, 3: 6}


def _crime(ref: str, code: str, day: dt.date, *, da: bool = False, borough: str = CAMDEN) -> Crime:
    return Crime.objects.create(
        crime_ref=ref, recorded_date=day, offence_code=code, domestic_abuse=da,
        borough_code=borough,
    )  # fmt: skip


def _person(ref: str, sex: str = "M", birth_year: int = 1981, ethnicity: str = "W9") -> Person:
    return Person.objects.create(
        person_ref=ref, sex=sex, birth_year=birth_year, ethnicity=ethnicity
    )


def _involve(crime: Crime, person: Person, role: str) -> None:
    Involvement.objects.create(crime=crime, person=person, role=role)


def _groups() -> dict[str, tuple[int | None, dt.date | None]]:
    return {
        ref: (group, due)
        for ref, group, due in Person.objects.values_list(
            "person_ref", "retention_group", "next_review_date"
        )
    }


def _officer(name: str, team: str = "CN") -> Any:
    user = get_user_model().objects.create_user(username=name, password="x" * 20)
    staff_role_set(user=user, role="public_protection", team=team)
    return user


# --- the group and the date ----------------------------------------------------------------------


def test_each_person_gets_the_group_of_their_most_serious_crime_in_any_role() -> None:
    rape = _crime("C-RAPE", "19C", dt.date(2020, 3, 1))
    abh = _crime("C-ABH", "8G", dt.date(2021, 6, 1))  # a woman the victim: VAWG, group 2
    da_abh = _crime("C-DA", "8G", dt.date(2019, 1, 10), da=True)  # domestic violence: group 1
    theft = _crime("C-THEFT", "46", dt.date(2018, 7, 1))
    suspect, victim, witness = _person("P-S"), _person("P-V", "F"), _person("P-W")
    _involve(rape, suspect, "suspect")
    _involve(rape, victim, "victim")
    _involve(rape, witness, "witness")
    abh_victim, abh_offender = _person("P-ABH-V", "F"), _person("P-ABH-O")
    _involve(abh, abh_victim, "victim")
    _involve(abh, abh_offender, "offender")
    da_suspect = _person("P-DA")
    _involve(da_abh, da_suspect, "suspect")
    thief = _person("P-T")
    _involve(theft, thief, "offender")
    _involve(theft, abh_offender, "offender")  # an older, lesser crime changes nothing
    _person("P-NONE")
    subject = _person("P-ORDER")
    Order.objects.create(
        order_ref="O-1", order_type="SPO", subject=subject, start_date=dt.date(2022, 5, 1),
        end_date=dt.date(2024, 5, 1),
    )  # fmt: skip
    today = dt.date(2026, 1, 15)

    done = retention_assess(today=today, review_years=YEARS)

    assert done.people == 9
    assert done.changed == 9
    assert _groups() == {
        "P-S": (1, dt.date(2030, 3, 1)),
        "P-V": (1, dt.date(2030, 3, 1)),
        "P-W": (1, dt.date(2030, 3, 1)),
        "P-ABH-V": (2, dt.date(2031, 6, 1)),
        "P-ABH-O": (2, dt.date(2031, 6, 1)),
        "P-DA": (1, dt.date(2029, 1, 10)),
        "P-T": (3, dt.date(2024, 7, 1)),  # 6 years after 2018-07-01: overdue
        "P-NONE": (3, today),  # nothing says why it is held: due now
        "P-ORDER": (1, dt.date(2034, 5, 1)),  # 10 years after the order ended
    }
    assert done.by_group == {1: 5, 2: 2, 3: 2}
    again = retention_assess(today=today, review_years=YEARS)
    assert again.changed == 0
    altered = AccessEvent.objects.filter(action="alter", object_type="records.person")
    assert list(altered.values_list("object_ref", "object_count", "reason_code")) == [
        ("*", 9, "case-review")
    ]


def test_the_periods_come_from_the_settings(settings: Any) -> None:
    theft = _crime("C-THEFT", "46", dt.date(2018, 7, 1))
    _involve(theft, _person("P-T"), "offender")
    settings.VAWG_RETENTION_REVIEW_YEARS = {1: 10, 2: 10, 3: 7}
    retention_assess(today=dt.date(2026, 1, 1))
    assert _groups()["P-T"] == (3, dt.date(2025, 7, 1))


def test_a_decision_to_keep_is_not_overwritten_by_the_next_assessment() -> None:
    officer = _officer("pp1")
    theft = _crime("C-THEFT", "46", dt.date(2018, 7, 1))
    thief = _person("P-T")
    _involve(theft, thief, "offender")
    retention_assess(review_years=YEARS)
    next_date = timezone.localdate() + dt.timedelta(days=400)
    services.retention_keep(
        user=officer, person_ref="P-T", next_review_date=next_date, reason_text="pending trial"
    )
    assert _groups()["P-T"] == (3, next_date)
    retention_assess(review_years=YEARS)
    assert _groups()["P-T"] == (3, next_date)
    later = _crime("C-LATER", "8G", timezone.localdate() + dt.timedelta(days=1))
    _involve(later, thief, "suspect")  # a crime after the decision: a later review
    retention_assess(review_years=YEARS)
    group, due = _groups()["P-T"]
    assert (group, due) == (2, years_after(timezone.localdate() + dt.timedelta(days=1), 10))


# --- the decisions -------------------------------------------------------------------------------


@pytest.fixture
def case() -> dict[str, Any]:
    """A suspect in Camden (BCU CN), due for review: a rape, an order over them, an order
    protecting them, an assignment; and a crime in Hackney (BCU CE) with its own suspect."""
    rape = _crime("C-RAPE-77", "19C", dt.date(2012, 3, 1))
    suspect = _person("P-77", sex="M", birth_year=1967, ethnicity="Q7")
    victim = _person("P-78", sex="F", birth_year=1990, ethnicity="W1")
    _involve(rape, suspect, "suspect")
    _involve(rape, victim, "victim")
    Order.objects.create(order_ref="O-77", order_type="SHPO", subject=suspect,
                         protected=victim, start_date=dt.date(2012, 9, 1),
                         end_date=dt.date(2014, 9, 1))  # fmt: skip
    Order.objects.create(order_ref="O-78", order_type="NMO", subject=victim,
                         protected=suspect, start_date=dt.date(2013, 1, 1),
                         end_date=dt.date(2013, 6, 1))  # fmt: skip
    elsewhere = _crime("C-HACKNEY", "46", dt.date(2015, 1, 1), borough=HACKNEY)
    _involve(elsewhere, _person("P-90"), "offender")
    requester, approver = _officer("pp-requester"), _officer("pp-approver")
    Assignment.objects.create(user=requester, person=suspect)
    retention_assess(review_years=YEARS)
    return {"suspect": suspect, "victim": victim, "rape": rape, "requester": requester,
            "approver": approver}  # fmt: skip


def test_the_reviews_due_are_the_overdue_people_the_officer_may_open(case: dict[str, Any]) -> None:
    # P-77 and P-78: 10 years after 2014-09-01; P-90 (6 years after 2015) is in another BCU.
    due = reviews_due(user=case["requester"])
    assert [d.person_ref for d in due] == ["P-77", "P-78"]
    assert due[0].retention_group == 1
    assert due[0].next_review_date == dt.date(2024, 9, 1)
    assert due[0].involvements == 1
    assert due[0].latest_recorded == dt.date(2012, 3, 1)
    consulted = AccessEvent.objects.filter(action="consult", object_type="records.person")
    assert sorted(consulted.values_list("object_ref", "reason_code", "user_id")) == [
        ("P-77", "case-review", None),
        ("P-78", "case-review", None),
    ]
    other_bcu = _officer("pp-ce", team="CE")
    assert [d.person_ref for d in reviews_due(user=other_bcu)] == ["P-90"]
    assert reviews_due(user=case["requester"], today=dt.date(2024, 8, 31)) == []


def test_only_public_protection_decides() -> None:
    user = get_user_model().objects.create_user(username="vc", password="x" * 20)
    staff_role_set(user=user, role="victim_care", team="CN")
    _involve(_crime("C1", "19C", dt.date(2010, 1, 1)), _person("P1", "F"), "victim")
    with pytest.raises(services.RetentionError, match="public-protection"):
        services.retention_erasure_request(user=user, person_ref="P1", reason_text="old")


def test_keep_needs_a_reason_and_a_later_date(case: dict[str, Any]) -> None:
    officer = case["requester"]
    later, today = dt.date(2040, 1, 1), timezone.localdate()
    for ref, day, why, refused in (
        ("P-77", later, " ", "why"),
        ("P-77", today, "risk", "after today"),
        ("P-90", later, "risk", "no person"),
    ):
        with pytest.raises(services.RetentionError, match=refused):
            services.retention_keep(
                user=officer, person_ref=ref, next_review_date=day, reason_text=why
            )
    review = services.retention_keep(
        user=officer, person_ref="P-77", next_review_date=dt.date(2034, 9, 1), reason_text="risk"
    )
    assert (review.decision, review.status) == ("keep", "recorded")
    assert Person.objects.get(person_ref="P-77").next_review_date == dt.date(2034, 9, 1)
    assert [d.person_ref for d in reviews_due(user=officer)] == ["P-78"]


def test_the_requester_cannot_approve_their_own_erasure(case: dict[str, Any]) -> None:
    review = services.retention_erasure_request(
        user=case["requester"], person_ref="P-77", reason_text="no policing purpose left"
    )
    assert review.status == "pending"
    with pytest.raises(services.RetentionError, match="another account"):
        services.retention_erasure_approve(user=case["requester"], review_id=review.pk)
    with pytest.raises(services.RetentionError, match="already awaiting"):
        services.retention_erasure_request(
            user=case["approver"], person_ref="P-77", reason_text="again"
        )
    other_bcu = _officer("pp-ce", team="CE")  # the same role, but may not open P-77
    with pytest.raises(services.RetentionError, match="no person"):
        services.retention_erasure_approve(user=other_bcu, review_id=review.pk)
    assert Person.objects.filter(person_ref="P-77").exists()
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionReview.objects.filter(pk=review.pk).update(approved_by=case["requester"])
    mine = erasures_pending(user=case["requester"])
    assert [(e.person_ref, e.own) for e in mine] == [("P-77", True)]
    assert [(e.person_ref, e.own) for e in erasures_pending(user=case["approver"])] == [
        ("P-77", False)
    ]
    assert erasures_pending(user=other_bcu) == []


def test_a_refused_erasure_leaves_the_record(case: dict[str, Any]) -> None:
    review = services.retention_erasure_request(
        user=case["requester"], person_ref="P-77", reason_text="no policing purpose left"
    )
    approver = case["approver"]
    with pytest.raises(services.RetentionError, match="why"):
        services.retention_erasure_refuse(user=approver, review_id=review.pk, approval_text="")
    services.retention_erasure_refuse(
        user=approver, review_id=review.pk, approval_text="the order history is still relevant"
    )
    review.refresh_from_db()
    assert (review.status, review.approved_by) == ("refused", case["approver"])
    assert Person.objects.filter(person_ref="P-77").exists()
    assert erasures_pending(user=case["approver"]) == []


def test_an_approved_erasure_removes_the_person_and_keeps_no_erased_value(
    case: dict[str, Any],
) -> None:
    suspect, rape = case["suspect"], case["rape"]
    values = {
        suspect.get_sex_display(), suspect.sex, str(suspect.birth_year), suspect.ethnicity,
        rape.offence_code, rape.crime_ref, rape.recorded_date.isoformat(),
    }  # fmt: skip
    review = services.retention_erasure_request(
        user=case["requester"], person_ref="P-77", reason_text="no policing purpose left"
    )
    counts = services.retention_erasure_approve(
        user=case["approver"], review_id=review.pk, approval_text="agreed"
    )
    assert counts == {"people": 1, "involvements": 1, "orders": 1, "orders_unlinked": 1,
                      "assignments": 1}  # fmt: skip
    assert not Person.objects.filter(person_ref="P-77").exists()
    assert not Involvement.objects.filter(person_id=suspect.pk).exists()
    assert not Order.objects.filter(order_ref="O-77").exists()
    assert Order.objects.get(order_ref="O-78").protected is None
    assert not Assignment.objects.filter(person_id=suspect.pk).exists()
    assert Crime.objects.filter(crime_ref="C-RAPE-77").exists()  # the crime stays
    assert Person.objects.filter(person_ref="P-78").exists()

    review.refresh_from_db()
    assert (review.status, review.person, review.person_ref) == ("erased", None, "P-77")
    assert review.approved_by == case["approver"]
    assert review.erased_counts == counts
    erase = AccessEvent.objects.get(action="erase", object_type="records.person")
    assert (erase.object_ref, erase.object_count, erase.username) == ("P-77", 1, "")
    assert list(
        AccessEvent.objects.filter(action="erase", object_type="records.order").values_list(
            "object_ref", flat=True
        )
    ) == ["O-77"]
    for row in (erase, review):
        for field in row._meta.concrete_fields:
            held = str(getattr(row, field.attname))
            words = held.replace(",", " ").replace(":", " ").replace(";", " ").split()
            for value in values:
                assert value not in words, (field.name, value, held)
                if len(value) > 1:
                    assert value not in held, (field.name, value, held)
    # The erase row is as append-only as any other.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=erase.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.filter(pk=erase.pk).update(object_ref="P-1")
    # Nothing left to approve, twice.
    with pytest.raises(services.RetentionError, match="no erasure"):
        services.retention_erasure_approve(user=case["approver"], review_id=review.pk)


def test_the_command_assesses_and_says_how_many_changed() -> None:
    from io import StringIO

    from django.core.management import call_command

    _involve(_crime("C-THEFT", "46", dt.date(2018, 7, 1)), _person("P-T"), "offender")
    _involve(_crime("C-RAPE", "19C", dt.date(2020, 3, 1)), _person("P-S"), "suspect")
    out = StringIO()
    call_command("retention_assess", stdout=out)
    assert out.getvalue().strip() == (
        "assessed 2 people (group 1: 1, group 2: 0, group 3: 1); 2 changed"
    )
    assert _groups()["P-S"] == (1, dt.date(2030, 3, 1))
    out = StringIO()
    call_command("retention_assess", stdout=out)
    assert out.getvalue().strip().endswith("; 0 changed")
