"""The auditor's searches: by user and time window, by record, by time; newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from vawg_site.audit import selectors
from vawg_site.audit.services import Action, AuditError, Reason, access_record
from vawg_site.common.access import access_context

pytestmark = pytest.mark.django_db


def _consult(ref: str, *, object_type: str = "records.person") -> None:
    access_record(
        action=Action.CONSULT, object_type=object_type, object_ref=ref,
        reason_code=Reason.INVESTIGATION,
    )  # fmt: skip


def test_searches_by_user_object_and_time() -> None:
    a = User.objects.create_user("analyst-a")
    b = User.objects.create_user("analyst-b")
    with access_context(user=a):
        _consult("p1")
        _consult("p2")
    with access_context(user=b):
        _consult("p1")
        _consult("p1", object_type="records.crime")
    now = timezone.now()
    hour = timedelta(hours=1)

    by_a = selectors.events_by_user(a.pk, start=now - hour, end=now + hour)
    assert [e.object_ref for e in by_a] == ["p2", "p1"]  # newest first
    assert selectors.events_by_user(a.pk, start=now + hour) == []
    assert selectors.events_by_user(a.pk, end=now - hour) == []

    history = selectors.events_by_object("records.person", "p1")
    assert [e.username for e in history] == ["analyst-b", "analyst-a"]
    assert [e.username for e in selectors.events_by_object("records.crime", "p1")] == ["analyst-b"]

    assert len(selectors.events_between(now - hour, now + hour)) == 4
    assert len(selectors.events_between(now - hour, now + hour, limit=3)) == 3
    assert selectors.events_between(now + hour, now + 2 * hour) == []


def test_a_search_of_the_log_writes_its_consult_row_in_its_transaction() -> None:
    auditor = User.objects.create_user("auditor-1")
    with access_context(user=User.objects.create_user("analyst-c")):
        _consult("P-9")
    search = selectors.LogSearch(object_type="records.person", object_ref="P-9")
    with access_context(user=auditor):
        page = selectors.log_search_page(search=search, offset=0, limit=10)
    assert [e.username for e in page] == ["analyst-c"]
    (row,) = selectors.events_by_user(auditor.pk)
    assert (row.action, row.object_type, row.object_ref, row.reason_code) == (
        "consult", selectors.AUDIT_LOG, "o=records.person/P-9", "audit"
    )  # fmt: skip
    assert selectors.log_search_count(search=search) == (1, False)


def test_an_export_with_no_recipient_reads_nothing_and_logs_nothing() -> None:
    auditor = User.objects.create_user("auditor-2")
    with access_context(user=auditor), pytest.raises(AuditError):
        selectors.log_search_export(search=selectors.LogSearch(), recipient="  ")
    assert selectors.events_by_user(auditor.pk) == []


def test_a_renamed_account_keeps_its_history_under_its_new_name() -> None:
    analyst = User.objects.create_user("old-name")
    with access_context(user=analyst):
        _consult("P-1")
    analyst.username = "new-name"
    analyst.save()
    found = selectors.log_search_page(
        search=selectors.LogSearch(username="new-name"), offset=0, limit=10
    )
    assert [(e.username, e.object_ref) for e in found] == [("old-name", "P-1")]
    gone = selectors.log_search_page(
        search=selectors.LogSearch(username="old-name"), offset=0, limit=10
    )
    assert [e.object_ref for e in gone] == ["P-1"]  # no account has it now: the name logged
