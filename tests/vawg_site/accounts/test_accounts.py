"""The accounts app: ``createstaff``, the session clocks, and ending one account's sessions."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from vawg_site.accounts import selectors, sessions


def test_createstaff_prints_a_random_password_once_and_enrols_nothing(db: None) -> None:
    out = StringIO()
    call_command("createstaff", "analyst1", "analyst1@example.org", stdout=out)
    printed = re.findall(r"Password \(shown once[^:]*\): (\S+)", out.getvalue())
    assert len(printed) == 1
    assert len(printed[0]) >= 24
    user = get_user_model().objects.get(username="analyst1")
    assert user.is_staff
    assert not user.is_superuser
    assert user.email == "analyst1@example.org"
    assert printed[0] not in user.password  # only its hash is kept
    request = RequestFactory().post("/workspace/sign-in/")
    assert authenticate(request, username="analyst1", password=printed[0]) == user
    assert not selectors.second_factor_is_enrolled(user=user)  # enrolled at first sign-in
    second = StringIO()
    call_command("createstaff", "analyst2", "analyst2@example.org", stdout=second)
    assert printed[0] not in second.getvalue()
    with pytest.raises(CommandError, match="already exists"):
        call_command("createstaff", "analyst1", "other@example.org", stdout=StringIO())


@pytest.mark.parametrize(
    ("started_ago", "seen_ago", "ended"),
    [
        (60, 60, None),
        (60, sessions.IDLE_SECONDS - 1, None),
        (60 * 60, sessions.IDLE_SECONDS, sessions.IDLE),
        (sessions.ABSOLUTE_SECONDS - 1, 1, None),
        (sessions.ABSOLUTE_SECONDS, 1, sessions.ABSOLUTE),
        (sessions.ABSOLUTE_SECONDS + 5, sessions.IDLE_SECONDS + 5, sessions.ABSOLUTE),
    ],
)
def test_session_limits(started_ago: float, seen_ago: float, ended: str | None) -> None:
    at = 1_800_000_000.0
    session = SessionStore()
    session[sessions.STARTED_KEY] = at - started_ago
    session[sessions.SEEN_KEY] = at - seen_ago
    assert sessions.session_ended_by(session, at=at) == ended


def test_a_session_without_clocks_has_ended() -> None:
    assert sessions.session_ended_by(SessionStore(), at=1_800_000_000.0) == sessions.ABSOLUTE


def _session_for(user_id: int) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user_id)
    store.create()
    assert store.session_key is not None
    return store.session_key


def test_ending_one_accounts_sessions_leaves_the_others(db: None) -> None:
    users = get_user_model().objects
    alice, bob = users.create_user(username="alice"), users.create_user(username="bob")
    keys = [_session_for(alice.pk), _session_for(alice.pk), _session_for(bob.pk)]
    assert sessions.user_sessions_end(user_id=alice.pk) == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [keys[2]]
    bob.is_active = False
    bob.save()  # disabled however it is done: the receiver ends the sessions
    assert not Session.objects.exists()
