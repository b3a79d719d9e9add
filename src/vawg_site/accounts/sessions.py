"""How long a staff session lives, and how it ends (ASVS 5.0 V7.3.1, V7.3.2, V7.4.2, V7.5.3).

A signed-in session ends after :data:`IDLE_SECONDS` without a request or :data:`ABSOLUTE_SECONDS`
after its sign-in, whichever comes first; the most sensitive pages also ask the person to sign in
again when their last sign-in is older than :data:`STEP_UP_SECONDS`. The clocks are Unix times
kept in the session itself, written by :func:`session_start` (on Django's ``user_logged_in``) and
read by :class:`StaffSessionMiddleware` on every request that carries a signed-in session.

Anonymous requests are never touched: the public site creates no session and sets no cookie.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

IDLE_SECONDS = 15 * 60
"""A signed-in session with no request for this long ends (ASVS 7.3.1)."""
ABSOLUTE_SECONDS = 8 * 3600
"""A signed-in session ends this long after its sign-in, active or not (ASVS 7.3.2)."""
STEP_UP_SECONDS = 15 * 60
"""The most sensitive pages need a sign-in (password and second factor) this recent (7.5.3)."""

STARTED_KEY = "vawg_signed_in_at"
SEEN_KEY = "vawg_seen_at"
AUTHENTICATED_KEY = "vawg_authenticated_at"
"""When the person last gave their password and a second factor: at sign-in or step-up."""
STEP_UP_PASSWORD_KEY = "vawg_step_up_password_at"  # noqa: S105 - a session key name
"""When the person gave their password at step-up and chose to go on with a passkey."""
STEP_UP_PASSKEY_SECONDS = 5 * 60
"""How long a step-up password waits for the passkey that completes it (the passkey prompt's
own timeout)."""

IDLE, ABSOLUTE = "idle", "absolute"


def now() -> float:
    """The time the clocks are read against, in seconds since the Unix epoch."""
    return time.time()


def session_start(session: SessionBase) -> None:
    """Start both clocks: called on every sign-in (password accepted)."""
    at = now()
    session[STARTED_KEY] = at
    session[SEEN_KEY] = at
    session.pop(AUTHENTICATED_KEY, None)


def session_ended_by(session: SessionBase, *, at: float) -> str | None:
    """:data:`IDLE` or :data:`ABSOLUTE` when a signed-in session has outlived its limit, else
    None. A session without clocks (one made before they existed) counts as ended."""
    started, seen = session.get(STARTED_KEY), session.get(SEEN_KEY)
    if not isinstance(started, (int, float)) or not isinstance(seen, (int, float)):
        return ABSOLUTE
    if at - started >= ABSOLUTE_SECONDS:
        return ABSOLUTE
    if at - seen >= IDLE_SECONDS:
        return IDLE
    return None


def authentication_record(session: SessionBase) -> None:
    """Note that the person has just given their password and second factor."""
    session[AUTHENTICATED_KEY] = now()


def authentication_is_recent(session: SessionBase) -> bool:
    """True when the person gave their password and second factor within
    :data:`STEP_UP_SECONDS`."""
    at = session.get(AUTHENTICATED_KEY)
    return isinstance(at, (int, float)) and now() - at < STEP_UP_SECONDS


def step_up_password_record(session: SessionBase) -> None:
    """Note that the password was given at step-up; a passkey must follow to complete it."""
    session[STEP_UP_PASSWORD_KEY] = now()


def step_up_password_take(session: SessionBase) -> bool:
    """True when a step-up password was given within :data:`STEP_UP_PASSKEY_SECONDS`; the note
    is spent either way, so one password completes one step-up."""
    at = session.pop(STEP_UP_PASSWORD_KEY, None)
    return isinstance(at, (int, float)) and now() - at < STEP_UP_PASSKEY_SECONDS


def step_up_password_waiting(session: SessionBase) -> bool:
    """True when a step-up password is waiting for its passkey (the note is kept)."""
    at = session.get(STEP_UP_PASSWORD_KEY)
    return isinstance(at, (int, float)) and now() - at < STEP_UP_PASSKEY_SECONDS


def user_sessions_end(*, user_id: Any) -> int:
    """Delete every live session signed in as ``user_id``; returns how many.

    Reads the database session store (Django's default, which these settings use). Only staff
    sign in, so the table holds staff sessions only and a scan is short.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            session.delete()
            ended += 1
    return ended


class StaffSessionMiddleware:
    """Sign out a session that has been idle or alive too long, and keep the idle clock.

    Goes after ``AuthenticationMiddleware``. A request whose session has ended goes on as an
    anonymous one, with ``request.session_ended`` set to :data:`IDLE` or :data:`ABSOLUTE` so that
    the sign-in page can say why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request that brings a session cookie can be signed in. Asking ``request.user``
        # of any other would read the session, mark it accessed and add ``Vary: Cookie``, and
        # the site would then keep no public page (vawg_site.common.http._shareable).
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            at = now()
            ended = session_ended_by(request.session, at=at)
            if ended:
                logout(request)
                request.session_ended = ended  # type: ignore[attr-defined]
            else:
                request.session[SEEN_KEY] = at
        return self.get_response(request)
