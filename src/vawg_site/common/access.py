"""Who is reading, through which channel, and in which request: the context every audit row
carries (:mod:`vawg_site.audit.services`).

A request sets it in :class:`AccessContextMiddleware` (a request id made here, never taken from
the client, who could otherwise make two requests look like one in the log; it is sent back in
the ``X-Request-ID`` header so that a user's report can be matched to the log's rows);
anything else (a command, a job, an export) sets it with :func:`access_context`. Outside both
the channel is ``command`` and the request id is one made per process, so that rows written by
one command can still be told apart from another's.

The account's role and team are not known here (this module is below the accounts app): the
accounts app registers a describer with :func:`actor_describer_set` when it is ready, and the
audit asks :func:`actor_describe` when it writes a row, so that nothing is read for a request
that logs nothing (a public page must not touch the session, :mod:`vawg_site.common.http`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest, HttpResponse

CHANNELS = ("page", "export", "api", "command")
"""The channels an access comes through (the audit's ``channel``)."""

REQUEST_ID_HEADER = "X-Request-ID"
_PROCESS_ID = f"proc-{uuid.uuid4().hex}"


@dataclass(frozen=True)
class AccessContext:
    """The circumstances of an access: the request, the channel, the user (a Django user,
    possibly anonymous, or None for the system itself), and the reason and team when the caller
    knows them."""

    request_id: str
    channel: str = "command"
    user: Any = None
    team: str = ""
    reason_code: str = ""
    reason_text: str = ""

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}: one of {', '.join(CHANNELS)}")


_current: ContextVar[AccessContext | None] = ContextVar("vawg_access_context", default=None)


def current_access() -> AccessContext:
    """The access context in force (a command's, with this process's id, when none is set)."""
    return _current.get() or AccessContext(request_id=_PROCESS_ID)


@contextmanager
def access_context(**changes: Any) -> Iterator[AccessContext]:
    """Set fields of the access context for the block (``channel="export"``, ``user=...``,
    ``reason_code=...``), keeping the others from the context in force."""
    context = replace(current_access(), **changes)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


ActorDescriber = Callable[[Any], tuple[str, str] | None]
"""``describer(user)``: the account's role (its name) and team (its code, blank without one),
or None for an account with no staff profile."""

_describer: list[ActorDescriber] = []


def actor_describer_set(describer: ActorDescriber | None) -> None:
    """Register how an account's role and team are found (the accounts app does, when ready);
    None removes it."""
    _describer.clear()
    if describer is not None:
        _describer.append(describer)


def actor_describe(user: Any) -> tuple[str, str] | None:
    """The signed-in ``user``'s role and team from the registered describer; None for the
    system, an anonymous user, no describer or no staff profile."""
    if user is None or not getattr(user, "is_authenticated", False) or not _describer:
        return None
    return _describer[0](user)


def new_request_id() -> str:
    return uuid.uuid4().hex


class AccessContextMiddleware:
    """Give each request an access context: its request id, its channel (``api`` under
    ``/api/``, else ``page``) and its user. Place it after the authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id()
        channel = "api" if request.path.startswith("/api/") else "page"
        context = AccessContext(
            request_id=request_id, channel=channel, user=getattr(request, "user", None)
        )
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
