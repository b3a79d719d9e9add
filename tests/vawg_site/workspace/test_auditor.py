"""The auditor's view of the access log: only auditors open it (a verified second factor and the
auditor group; an analyst and a superuser outside the group are refused), its searches filter by
account, record and time window, newest first and a page at a time, a record's history runs
oldest first, every reading is itself logged, and an export for the ICO is a logged disclosure
naming its recipient. Pages and exports show a row's own fields and nothing else: a row holds
nothing of the object beyond its type and reference."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.vawg_site.workspace.conftest import PASSWORD, sign_in

from vawg_site.accounts.services import staff_role_set
from vawg_site.audit import selectors
from vawg_site.audit.services import Action, Reason, access_record
from vawg_site.common.access import access_context

ROW_FIELDS = {
    "user_id", "username", "role", "team", "action", "object_type", "object_ref", "object_count",
    "reason_code", "reason_text", "recipient", "request_id", "channel",
}  # fmt: skip
"""What an access-log row holds besides its time: the export has these columns and no other."""


@pytest.fixture
def auditor(verified_client: Client, enrolled: TOTPDevice) -> Client:
    staff_role_set(user=enrolled.user, role="auditor")
    return verified_client


def _verified(username: str, **fields: Any) -> Client:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, **fields
    )
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    assert sign_in(client, device).status_code == 302
    return client


def _consult(user: Any, ref: str, *, object_type: str = "records.person", **kw: Any) -> None:
    with access_context(user=user, team="Central North"):
        access_record(
            action=kw.pop("action", Action.CONSULT),
            object_type=object_type,
            object_ref=ref,
            reason_code=kw.pop("reason_code", Reason.INVESTIGATION),
            **kw,
        )


def _refs(response: Any) -> list[str]:
    """The object references in the table, top to bottom."""
    html = response.content.decode()
    return [
        cell.split(">", 1)[1].split("<", 1)[0]
        for cell in html.split('href="/workspace/audit/object/')[1:]
    ]


@pytest.fixture
def analysts(db: None) -> tuple[Any, Any]:
    model = get_user_model()
    return model.objects.create_user("analyst-a"), model.objects.create_user("analyst-b")


def test_the_auditor_sees_the_rows_and_what_each_holds(auditor: Client, analysts: Any) -> None:
    a, _ = analysts
    _consult(a, "P-000123", reason_text="checking a referral")
    response = auditor.get("/workspace/audit/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for shown in ("analyst-a", "Central North", "consult", "records.person", "P-000123"):
        assert shown in html
    assert "Investigating an offence: checking a referral" in html
    assert "UTC" in html
    assert "GMT" in html or "BST" in html


@pytest.mark.parametrize(
    "who", [{"username": "an-analyst"}, {"username": "root", "is_superuser": True}]
)
def test_anyone_else_is_refused(db: None, analysts: Any, who: dict[str, Any]) -> None:
    client = _verified(**who)
    if who["username"] == "an-analyst":
        client_user = get_user_model().objects.get(username="an-analyst")
        staff_role_set(user=client_user, role="analyst")
    _consult(analysts[0], "P-000123")
    for url in (
        "/workspace/audit/",
        "/workspace/audit/?format=csv&recipient=ICO-1",
        "/workspace/audit/object/records.person/P-000123/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "no-store" in response["Cache-Control"]
        assert b"P-000123" not in response.content
    assert not selectors.events_by_object(selectors.AUDIT_LOG, "all")


def test_a_password_alone_is_not_enough(client: Client, enrolled: TOTPDevice) -> None:
    staff_role_set(user=enrolled.user, role="auditor")
    client.force_login(enrolled.user)
    response = client.get("/workspace/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/workspace/sign-in/code/")


def test_the_table_shows_only_what_a_row_holds(auditor: Client, analysts: Any) -> None:
    _consult(analysts[0], "P-1")
    html = auditor.get("/workspace/audit/").content.decode()
    headers = re.findall(r'<th scope="col" class="govuk-table__header">([^<]+)</th>', html)
    assert headers == [
        "When (UTC)", "When (London)", "Who", "Role", "Team", "Action", "Object type",
        "Reference", "Why", "To whom", "Request", "Channel",
    ]  # fmt: skip


def test_the_search_filters_by_user_object_and_time(auditor: Client, analysts: Any) -> None:
    a, b = analysts
    _consult(a, "P-1")
    _consult(a, "C-1", object_type="records.crime")
    _consult(b, "P-1")
    _consult(b, "P-2")
    assert _refs(auditor.get("/workspace/audit/?username=analyst-a")) == ["C-1", "P-1"]
    by_object = auditor.get("/workspace/audit/?object_type=records.person&object_ref=P-1")
    assert by_object.content.decode().count("analyst-") == 2
    assert _refs(by_object) == ["P-1", "P-1"]
    assert _refs(auditor.get("/workspace/audit/?object_type=records.crime")) == ["C-1"]
    today = datetime.now(UTC).date()
    window = f"start={today - timedelta(days=1)}&end={today + timedelta(days=1)}"
    assert _refs(auditor.get(f"/workspace/audit/?username=analyst-b&{window}")) == ["P-2", "P-1"]
    past = f"start={today - timedelta(days=9)}&end={today - timedelta(days=2)}"
    assert "No events match" in auditor.get(f"/workspace/audit/?{past}").content.decode()
    assert "No events match" in auditor.get("/workspace/audit/?username=nobody").content.decode()


def test_bad_search_terms_are_explained(auditor: Client) -> None:
    response = auditor.get("/workspace/audit/?object_ref=P-1&start=2026-03-05&end=2026-03-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the type of the object the reference is for" in html
    assert "The last day must be the same as or after the first day" in html
    assert "govuk-error-summary" in html


def test_pages_of_fifty_newest_first(auditor: Client, analysts: Any) -> None:
    with access_context(user=analysts[0]):
        for n in range(120):
            access_record(
                action=Action.CONSULT, object_type="records.person", object_ref=f"P-{n:03d}",
                reason_code=Reason.INVESTIGATION,
            )  # fmt: skip
    first = auditor.get("/workspace/audit/?username=analyst-a")
    assert _refs(first) == [f"P-{n:03d}" for n in range(119, 69, -1)]
    assert "(page 1 of 3)" in first.content.decode()
    assert 'href="?username=analyst-a&amp;page=2" rel="next"' in first.content.decode()
    last = auditor.get("/workspace/audit/?username=analyst-a&page=3")
    assert _refs(last) == [f"P-{n:03d}" for n in range(19, -1, -1)]
    assert _refs(auditor.get("/workspace/audit/?username=analyst-a&page=99")) == _refs(last)


def test_a_records_history_runs_oldest_first(auditor: Client, analysts: Any) -> None:
    a, b = analysts
    _consult(a, "P-7")
    _consult(b, "P-7", action=Action.ALTER, reason_code=Reason.CASE_REVIEW)
    _consult(b, "P-8")
    response = auditor.get("/workspace/audit/object/records.person/P-7/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert html.index("analyst-a") < html.index("analyst-b")
    assert "P-8" not in html
    assert "Reviewing a case or its retention" in html


def test_every_reading_of_the_log_is_itself_logged(
    auditor: Client, enrolled: TOTPDevice, analysts: Any
) -> None:
    _consult(analysts[0], "P-1")
    auditor.get("/workspace/audit/?username=analyst-a&object_type=records.person&object_ref=P-1")
    auditor.get("/workspace/audit/object/records.person/P-1/")
    mine = selectors.events_by_user(enrolled.user.pk)
    assert [(e.action, e.object_type, e.reason_code, e.channel) for e in mine] == [
        ("consult", "audit-log", "audit", "page")
    ] * 2
    assert mine[0].object_ref == "o=records.person/P-1"
    assert mine[1].object_ref == f"u={analysts[0].pk};o=records.person/P-1"  # an id, no name
    assert "analyst-a" not in mine[1].object_ref
    # The auditor's own reading appears in the view, at the top.
    assert _refs(auditor.get("/workspace/audit/"))[:2] == [mine[0].object_ref, mine[1].object_ref]


def test_a_long_search_keeps_a_reference_within_the_column(db: None) -> None:
    search = selectors.LogSearch(
        object_type="records.involvement", object_ref="I-" + "9" * 62,
        start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC),
    )  # fmt: skip
    reference = search.reference()
    assert len(reference) == 64
    assert reference.startswith("o=records.involvement/I-99")
    assert reference != selectors.LogSearch(object_type="records.involvement").reference()


def test_the_export_is_a_disclosure_naming_its_recipient(
    auditor: Client, enrolled: TOTPDevice, analysts: Any
) -> None:
    _consult(analysts[0], "P-1")
    _consult(analysts[0], "=HYPERLINK(1)", object_type="records.crime")
    response = auditor.get("/workspace/audit/?username=analyst-a&format=csv&recipient=ICO-123")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["object_ref"] for r in rows] == ["'=HYPERLINK(1)", "P-1"]  # made safe
    assert {r["username"] for r in rows} == {"analyst-a"}
    assert rows[0]["occurred_at_utc"].endswith("+00:00")
    assert set(rows[0]) == ROW_FIELDS | {"occurred_at_utc", "occurred_at_london"}
    (disclosure,) = selectors.events_by_user(enrolled.user.pk)
    assert (disclosure.action, disclosure.object_type, disclosure.recipient) == (
        "disclose", "audit-log", "ICO-123"
    )  # fmt: skip
    assert disclosure.channel == "export"
    assert disclosure.object_ref == f"u={analysts[0].pk}"


def test_an_export_needs_a_recipient(auditor: Client, enrolled: TOTPDevice) -> None:
    response = auditor.get("/workspace/audit/?format=csv&recipient=+")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Enter who the export is for" in response.content.decode()
    assert selectors.events_by_user(enrolled.user.pk) == []


def test_an_export_too_large_is_refused_and_not_logged(
    auditor: Client, enrolled: TOTPDevice, analysts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_MAX", 2)
    for ref in ("P-1", "P-2", "P-3"):
        _consult(analysts[0], ref)
    response = auditor.get("/workspace/audit/?format=csv&recipient=ICO-1")
    assert "more than 2 events match: narrow the search" in response.content.decode()
    assert selectors.events_by_user(enrolled.user.pk) == []
