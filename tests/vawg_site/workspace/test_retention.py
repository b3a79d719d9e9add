"""The retention pages: the reviews due (scoped to the officer's reach, each person shown logged),
a review's decision, and an erasure approved by a second officer, never by its requester."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.vawg_site.workspace.conftest import PASSWORD, sign_in

from vawg_site.accounts.services import staff_role_set
from vawg_site.audit.models import AccessEvent
from vawg_site.records.models import Crime, Involvement, Person, RetentionReview
from vawg_site.records.retention import retention_assess

CAMDEN, HACKNEY = "E09000007", "E09000012"  # BCU CN; BCU CE


@pytest.fixture
def people(db: None) -> None:
    """P-1 (Camden, a theft in 2015: group 3, due 2021) and P-2 (Hackney, the same)."""
    for ref, borough in (("P-1", CAMDEN), ("P-2", HACKNEY)):
        crime = Crime.objects.create(
            crime_ref=f"C-{ref}", recorded_date=dt.date(2015, 1, 1), offence_code="46",
            borough_code=borough,
        )  # fmt: skip
        person = Person.objects.create(person_ref=ref, sex="M", birth_year=1970)
        Involvement.objects.create(crime=crime, person=person, role="offender")
    retention_assess(review_years={1: 10, 2: 10, 3: 6})


@pytest.fixture
def officer(staff: Any, people: None) -> Any:
    staff_role_set(user=staff, role="public_protection", team="CN")
    return staff


@pytest.fixture
def second_client(db: None) -> Client:
    """Another public-protection officer of the same BCU, signed in with a second factor."""
    user = get_user_model().objects.create_user(username="second", password=PASSWORD)
    staff_role_set(user=user, role="public_protection", team="CN")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    assert sign_in(client, device)["Location"] == "/workspace/"
    return client


def test_the_reviews_due_list_only_the_people_the_officer_may_open(
    verified_client: Client, officer: Any
) -> None:
    page = verified_client.get("/workspace/retention/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "/workspace/retention/person/P-1/" in text
    assert "P-2" not in text  # another BCU's
    shown = AccessEvent.objects.filter(action="consult", object_type="records.person")
    assert list(shown.values_list("object_ref", "username", "reason_code")) == [
        ("P-1", "officer", "case-review")
    ]
    assert verified_client.get("/workspace/retention/person/P-2/").status_code == 404


def test_another_role_is_refused(verified_client: Client, staff: Any, people: None) -> None:
    staff_role_set(user=staff, role="victim_care", team="CN")
    assert verified_client.get("/workspace/retention/").status_code == 403
    assert verified_client.get("/workspace/retention/person/P-1/").status_code == 403
    assert not AccessEvent.objects.filter(object_type="records.person", action="consult").exists()


def test_keeping_sets_the_next_review(verified_client: Client, officer: Any) -> None:
    url = "/workspace/retention/person/P-1/"
    missing = verified_client.post(url, {"decision": "keep", "reason_text": "still relevant"})
    assert missing.status_code == 200
    assert "Enter when the record is next reviewed" in missing.content.decode()
    later = timezone.localdate() + dt.timedelta(days=365)
    done = verified_client.post(
        url,
        {"decision": "keep", "next_review_date": later.isoformat(), "reason_text": "in court"},
    )
    assert done.status_code == 302
    assert done["Location"] == url + "?recorded=1"
    assert Person.objects.get(person_ref="P-1").next_review_date == later
    page = verified_client.get(done["Location"]).content.decode()
    assert "Your decision is recorded" in page
    assert "in court" in page
    assert "P-1" not in verified_client.get("/workspace/retention/").content.decode()


def test_an_erasure_needs_another_officer(
    verified_client: Client, officer: Any, second_client: Client
) -> None:
    asked = verified_client.post(
        "/workspace/retention/person/P-1/",
        {"decision": "erase", "reason_text": "no policing purpose left"},
    )
    assert asked.status_code == 302
    review = RetentionReview.objects.get(person_ref="P-1")
    assert review.status == "pending"
    url = f"/workspace/retention/erasures/{review.pk}/"
    own = verified_client.get(url).content.decode()
    assert "You asked for this erasure" in own
    assert verified_client.post(url, {"answer": "approve"}).status_code == 200
    assert Person.objects.filter(person_ref="P-1").exists()  # the requester cannot approve

    listed = second_client.get("/workspace/retention/erasures/").content.decode()
    assert url in listed
    refused = second_client.post(url, {"answer": "refuse"})
    assert "Say why the erasure is refused" in refused.content.decode()
    approved = second_client.post(url, {"answer": "approve", "approval_text": "agreed"})
    assert approved.status_code == 302
    assert approved["Location"] == "/workspace/retention/erasures/?done=erased"
    assert not Person.objects.filter(person_ref="P-1").exists()
    assert not Crime.objects.get(crime_ref="C-P-1").involvements.exists()
    erase = AccessEvent.objects.get(action="erase")
    assert (erase.object_ref, erase.username) == ("P-1", "second")
    assert second_client.get(url).status_code == 404  # decided: nothing awaits approval
    assert "The record is erased" in second_client.get(approved["Location"]).content.decode()
