"""The review queue: only auditors open it (administrators and superusers are refused), open
alerts come first, each links to the flagged account's events in the log search, and a decision
(dismiss or refer, with a note, by a POST carrying the CSRF token) is recorded with who and
when, once; the alerts export for the ICO is a logged disclosure naming its recipient."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.vawg_site.workspace.conftest import PASSWORD, sign_in

from vawg_site.accounts.services import staff_role_set
from vawg_site.audit import selectors
from vawg_site.audit.models import ReviewAlert
from vawg_site.audit.review import Finding
from vawg_site.audit.services import Action, Reason, access_record, review_alerts_record
from vawg_site.common.access import access_context

URL = "/workspace/audit/review/"
DAY = dt.datetime(2026, 7, 14, tzinfo=dt.UTC)  # summer: London is an hour ahead


@pytest.fixture
def auditor(verified_client: Client, enrolled: TOTPDevice) -> Client:
    staff_role_set(user=enrolled.user, role="auditor")
    return verified_client


@pytest.fixture
def flagged(db: None) -> Any:
    return get_user_model().objects.create_user("flagged-officer")


def _alerts(user: Any, day: dt.datetime = DAY) -> list[ReviewAlert]:
    findings = [
        Finding("colleague", user.pk, user.username, 2, 1, 10, 12),
        Finding("volume", user.pk, user.username, 90, 80, 5, 99, threshold=60.0, basis="own"),
    ]
    review_alerts_record(findings=findings, window_start=day, window_end=day + dt.timedelta(1))
    return list(ReviewAlert.objects.filter(window_start=day).order_by("pattern"))


def _order(response: Any) -> list[int]:
    return [int(i) for i in re.findall(r'data-alert="(\d+)"', response.content.decode())]


def _verified(username: str, role: str | None = None, **fields: Any) -> Client:
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, **fields
    )
    if role:
        staff_role_set(user=user, role=role)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = Client()
    assert sign_in(client, device).status_code == 302
    return client


def test_the_queue_shows_open_alerts_first_with_counts_and_a_link(
    auditor: Client, enrolled: TOTPDevice, flagged: Any
) -> None:
    older = _alerts(flagged, DAY - dt.timedelta(days=3))
    newer = _alerts(flagged)
    ReviewAlert.objects.filter(pk=newer[0].pk).update(
        status="referred", reviewed_by_id=enrolled.user.pk, reviewed_by_username="officer",
        reviewed_at=DAY, review_note="to professional standards, PS-1",
    )  # fmt: skip
    response = auditor.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert _order(response) == [newer[1].pk, older[0].pk, older[1].pk, newer[0].pk]
    page = html.unescape(response.content.decode())
    assert "3 alerts are open." in page
    assert "Read a colleague's own record: flagged-officer on 2026-07-14" in page
    assert "80 records read in 90 events, over this account's usual threshold of 60" in page
    assert "ids 10 to 12" in page
    assert "Referred by officer" in page
    assert "to professional standards, PS-1" in page
    # The UTC day 14 July is 01:00 on the 14th to 01:00 on the 15th in London.
    link = "/workspace/audit/?username=flagged-officer&start=2026-07-14&end=2026-07-15"
    assert link + "&object_type=records.person" in page  # the colleague alert: people only
    assert link + '"' in page  # the volume alert: everything


def test_the_link_finds_the_accounts_events(auditor: Client, flagged: Any) -> None:
    with access_context(user=flagged):
        access_record(
            action=Action.CONSULT, object_type="records.person", object_ref="P-42",
            reason_code=Reason.INVESTIGATION,
        )  # fmt: skip
    today = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(), dt.UTC)
    _alerts(flagged, today)
    page = html.unescape(auditor.get(URL).content.decode())
    link = re.search(r'href="(/workspace/audit/\?username=[^"]+)"', page)
    assert link is not None
    found = auditor.get(link.group(1))
    assert found.status_code == 200
    assert b"P-42" in found.content


@pytest.mark.parametrize(
    ("username", "role", "fields"),
    [("an-admin", "administrator", {}), ("an-analyst", "analyst", {}), ("root", None,
     {"is_superuser": True})],
)  # fmt: skip
def test_anyone_but_an_auditor_is_refused(
    db: None, flagged: Any, username: str, role: str | None, fields: dict[str, Any]
) -> None:
    (alert, _) = _alerts(flagged)
    client = _verified(username, role, **fields)
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv", "recipient": "ICO-1"}).status_code == 403
    assert not selectors.events_by_object(selectors.REVIEW_LOG, "from=*;to=*")
    refused = client.post(URL, {"alert": alert.pk, "decision": "dismissed", "note": "fine"})
    assert refused.status_code == 403
    assert b"flagged-officer" not in refused.content
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_dismissal_is_recorded_with_who_when_and_why(
    auditor: Client, enrolled: TOTPDevice, flagged: Any
) -> None:
    alert, other = _alerts(flagged)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    response = auditor.post(URL, {"alert": alert.pk, "decision": "dismissed", "note": " assigned "})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?decided={alert.pk}"
    alert.refresh_from_db()
    assert (alert.status, alert.review_note) == ("dismissed", "assigned")
    assert (alert.reviewed_by_id, alert.reviewed_by_username) == (enrolled.user.pk, "officer")
    assert alert.reviewed_at is not None
    assert alert.reviewed_at >= before
    page = auditor.get(response["Location"]).content.decode()
    assert "Your decision is recorded." in page
    assert "Dismissed by officer" in page
    assert _order(auditor.get(URL))[0] == other.pk  # the open one first now
    # Decided once: a second decision is refused and changes nothing.
    again = auditor.post(URL, {"alert": alert.pk, "decision": "referred", "note": "second go"})
    assert again.status_code == 400
    assert "this alert was dismissed already" in again.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.review_note) == ("dismissed", "assigned")


def test_a_referral_needs_a_note(auditor: Client, flagged: Any) -> None:
    alert, _ = _alerts(flagged)
    response = auditor.post(URL, {"alert": alert.pk, "decision": "referred", "note": "  "})
    assert response.status_code == 400
    assert "Say why, in a few words" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"
    ok = auditor.post(URL, {"alert": alert.pk, "decision": "referred", "note": "PS case 7"})
    assert ok.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.review_note) == ("referred", "PS case 7")


def test_an_auditor_cannot_decide_an_alert_about_themselves(
    auditor: Client, enrolled: TOTPDevice
) -> None:
    alert, _ = _alerts(enrolled.user)
    response = auditor.post(URL, {"alert": alert.pk, "decision": "dismissed", "note": "me"})
    assert response.status_code == 400
    assert "for another reviewer" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "open"


def test_a_decision_without_the_csrf_token_is_refused(auditor: Client, flagged: Any) -> None:
    alert, _ = _alerts(flagged)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = auditor.cookies
    assert strict.get(URL).status_code == 200  # the same signed-in session
    refused = strict.post(URL, {"alert": alert.pk, "decision": "dismissed", "note": "fine"})
    assert refused.status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_alerts_export_for_the_ico_is_a_logged_disclosure(
    auditor: Client, enrolled: TOTPDevice, flagged: Any
) -> None:
    _alerts(flagged, DAY - dt.timedelta(days=3))
    alert, _ = _alerts(flagged)
    auditor.post(URL, {"alert": alert.pk, "decision": "referred", "note": "PS case 7"})
    response = auditor.get(URL, {"format": "csv", "recipient": "ICO-123", "start": "2026-07-14"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["pattern"], r["status"]) for r in rows] == [
        ("colleague", "referred"),
        ("volume", "open"),
    ]  # the days asked for only
    assert rows[0]["reviewed_by"] == "officer"
    assert rows[0]["review_note"] == "PS case 7"
    assert rows[0]["window_start_utc"] == "2026-07-14T00:00:00+00:00"
    (logged,) = selectors.events_by_object(selectors.REVIEW_LOG, "from=2026-07-14;to=*")
    assert (logged.action, logged.recipient, logged.channel, logged.user_id) == (
        "disclose",
        "ICO-123",
        "export",
        enrolled.user.pk,
    )


def test_the_alerts_export_needs_a_recipient(auditor: Client, flagged: Any) -> None:
    _alerts(flagged)
    response = auditor.get(URL, {"format": "csv", "recipient": ""})
    assert response.status_code == 400
    assert "Enter who the export is for" in response.content.decode()
    assert not selectors.events_by_object(selectors.REVIEW_LOG, "from=*;to=*")
