"""Writing the access log: who, what, which record, when, why, to whom, in which request and
channel; one row per record of a list; in the transaction of the access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from vawg_site.accounts.services import staff_role_set
from vawg_site.audit import selectors
from vawg_site.audit.models import AccessEvent
from vawg_site.audit.services import (
    WHOLE_TABLE,
    Action,
    AuditError,
    Reason,
    access_record,
    access_record_many,
)
from vawg_site.common.access import REQUEST_ID_HEADER, AccessContextMiddleware, access_context

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> User:
    user = User.objects.create_user("pc-smith", password="not-used-here-1234")
    user.groups.add(Group.objects.create(name="public-protection officer"))
    user.groups.add(Group.objects.create(name="analyst"))
    return user


def test_an_event_records_who_what_which_when_why_and_how(officer: User) -> None:
    before = timezone.now() - timedelta(seconds=5)
    with access_context(user=officer, team="CN", request_id="req-12345678", channel="page"):
        event = access_record(
            action=Action.CONSULT,
            object_type="records.person",
            object_ref="P-000123",
            reason_code=Reason.SAFEGUARDING,
            reason_text="  MARAC on Tuesday  ",
        )
    event.refresh_from_db()
    assert (event.user_id, event.username) == (officer.pk, "pc-smith")
    assert event.role == "analyst,public-protection officer"
    assert event.team == "CN"
    assert event.action == "consult"
    assert (event.object_type, event.object_ref) == ("records.person", "P-000123")
    assert event.object_count == 1
    assert (event.reason_code, event.reason_text) == ("safeguarding", "MARAC on Tuesday")
    assert (event.request_id, event.channel, event.recipient) == ("req-12345678", "page", "")
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert before <= event.occurred_at <= timezone.now() + timedelta(seconds=5)


def test_the_username_is_kept_as_it_was(officer: User) -> None:
    with access_context(user=officer):
        event = access_record(
            action=Action.CONSULT, object_type="records.crime", object_ref="c1",
            reason_code=Reason.INVESTIGATION,
        )  # fmt: skip
    officer.username = "pc-jones"
    officer.save()
    event.refresh_from_db()
    assert event.username == "pc-smith"


def test_a_command_outside_any_request_is_the_system() -> None:
    event = access_record(
        action=Action.COLLECT, object_type="records.crime", object_ref=WHOLE_TABLE,
        object_count=42, reason_code=Reason.DATA_LOAD,
    )  # fmt: skip
    assert (event.user_id, event.username, event.channel) == (None, "", "command")
    assert event.request_id.startswith("proc-")
    again = access_record(
        action=Action.COLLECT, object_type="records.person", object_ref=WHOLE_TABLE,
        object_count=9, reason_code=Reason.DATA_LOAD,
    )  # fmt: skip
    assert again.request_id == event.request_id  # one process, one id


def test_the_reason_comes_from_the_context_when_not_given(officer: User) -> None:
    with access_context(user=officer, reason_code=Reason.CASE_REVIEW, reason_text="MoPI review"):
        event = access_record(action=Action.CONSULT, object_type="records.person", object_ref="p")
    assert (event.reason_code, event.reason_text) == ("case-review", "MoPI review")


def test_a_disclosure_names_its_recipient(officer: User) -> None:
    with access_context(user=officer, channel="export"):
        event = access_record(
            action=Action.DISCLOSE, object_type="records.person", object_ref="p1",
            reason_code=Reason.LEGAL, recipient="CPS London South",
        )  # fmt: skip
        with pytest.raises(AuditError, match="recipient"):
            access_record(
                action=Action.DISCLOSE, object_type="records.person", object_ref="p1",
                reason_code=Reason.LEGAL,
            )  # fmt: skip
    assert (event.channel, event.recipient) == ("export", "CPS London South")


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"reason_code": ""}, "needs a reason"),
        ({"reason_code": "curiosity"}, "needs a reason"),
        ({"reason_code": "other"}, "few words"),
        ({"reason_code": "other", "reason_text": "   "}, "few words"),
        ({"action": "browse"}, "unknown action"),
        ({"object_ref": ""}, "reference"),
        ({"object_ref": "x" * 65}, "reference"),
        ({"object_type": ""}, "object type"),
    ],
)
def test_an_access_that_cannot_be_logged_is_refused(fields: dict[str, str], match: str) -> None:
    asked = {
        "action": Action.CONSULT, "object_type": "records.person", "object_ref": "p1",
        "reason_code": Reason.INVESTIGATION, **fields,
    }  # fmt: skip
    with pytest.raises(AuditError, match=match):
        access_record(**asked)  # type: ignore[arg-type]
    assert not AccessEvent.objects.exists()


def test_the_database_refuses_what_the_service_would(officer: User) -> None:
    """The checks hold in the database too, for a row written past the service."""
    for bad in (
        {"action": "disclose", "recipient": ""},
        {"reason_code": "curiosity"},
        {"channel": "email"},
        {"reason_code": "other", "reason_text": ""},
    ):
        row = {
            "action": "consult", "object_type": "records.person", "object_ref": "p1",
            "reason_code": "investigation", "request_id": "r", "channel": "page", **bad,
        }  # fmt: skip
        with pytest.raises(IntegrityError), transaction.atomic():
            AccessEvent.objects.create(**row)


def test_a_list_logs_one_row_per_record_shown(officer: User) -> None:
    refs = [f"c{i}" for i in range(25)]
    with access_context(user=officer, request_id="req-list-0001", channel="page"):
        written = access_record_many(
            action=Action.CONSULT, object_type="records.crime", object_refs=refs,
            reason_code=Reason.INVESTIGATION, batch_size=10,
        )  # fmt: skip
    assert written == 25
    events = selectors.events_for_request("req-list-0001")
    assert sorted(e.object_ref for e in events) == sorted(refs)
    assert {(e.username, e.action, e.object_count) for e in events} == {("pc-smith", "consult", 1)}


class AccessFailedError(Exception):
    pass


def _access_then_fail() -> None:
    with transaction.atomic():
        access_record(
            action=Action.ALTER, object_type="records.person", object_ref="p1",
            reason_code=Reason.DATA_LOAD,
        )  # fmt: skip
        access_record_many(
            action=Action.CONSULT, object_type="records.person", object_refs=["p2", "p3"],
            reason_code=Reason.DATA_LOAD,
        )  # fmt: skip
        raise AccessFailedError


def test_a_rolled_back_access_leaves_no_row() -> None:
    with pytest.raises(AccessFailedError):
        _access_then_fail()
    assert not AccessEvent.objects.exists()


def test_a_failed_audit_write_fails_the_access(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("disk full")

    read: list[str] = []

    def access() -> None:
        with transaction.atomic():
            read.append("the record")
            access_record(
                action=Action.CONSULT, object_type="records.person", object_ref="p1",
                reason_code=Reason.INVESTIGATION,
            )  # fmt: skip
            read.append("returned to the caller")

    monkeypatch.setattr(AccessEvent.objects, "create", broken)
    with pytest.raises(DatabaseError, match="disk full"):
        access()
    assert read == ["the record"]


def test_a_staff_members_role_and_team_are_logged_from_their_profile(officer: User) -> None:
    """The role is the staff profile's (not every group the account is in) and the team its
    code, as they were at the time; a team set in the context wins."""
    staff_role_set(user=officer, role="public_protection", team="CN")
    with access_context(user=officer):
        first = access_record(
            action=Action.CONSULT, object_type="records.person", object_ref="P-1",
            reason_code=Reason.INVESTIGATION,
        )  # fmt: skip
    staff_role_set(user=officer, role="public_protection", team="AW")
    with access_context(user=officer):
        access_record_many(
            action=Action.CONSULT, object_type="records.person", object_refs=["P-2"],
            reason_code=Reason.INVESTIGATION,
        )  # fmt: skip
    with access_context(user=officer, team="NA"):
        third = access_record(
            action=Action.CONSULT, object_type="records.person", object_ref="P-3",
            reason_code=Reason.INVESTIGATION,
        )  # fmt: skip
    rows = AccessEvent.objects.order_by("id").values_list("object_ref", "role", "team")
    assert list(rows) == [
        ("P-1", "Public-protection officer", "CN"),
        ("P-2", "Public-protection officer", "AW"),
        ("P-3", "Public-protection officer", "NA"),
    ]
    assert (first.team, third.team) == ("CN", "NA")


def test_a_request_logs_the_accounts_team(officer: User) -> None:
    """Through the middleware, with nothing set by the view: the accounts app's describer."""
    staff_role_set(user=officer, role="victim_care", team="CE")

    def view(request: HttpRequest) -> HttpResponse:
        access_record(
            action=Action.CONSULT, object_type="records.crime", object_ref="C-1",
            reason_code=Reason.SAFEGUARDING,
        )  # fmt: skip
        return HttpResponse("ok")

    request = RequestFactory().get("/workspace/")
    request.user = officer
    response = AccessContextMiddleware(view)(request)
    (event,) = selectors.events_for_request(response[REQUEST_ID_HEADER])
    assert (event.user_id, event.role, event.team, event.channel) == (
        officer.pk, "Victim care", "CE", "page",
    )  # fmt: skip


def test_one_requests_events_are_found_through_an_index(db: None) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_accessevent")
    assert constraints["audit_request"]["columns"] == ["request_id"]
    assert constraints["audit_request"]["index"]
