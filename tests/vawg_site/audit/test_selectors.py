"""The auditor's searches: by user and time window, by record, by time; newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from vawg_site.audit import selectors
from vawg_site.audit.services import Action, Reason, access_record
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
