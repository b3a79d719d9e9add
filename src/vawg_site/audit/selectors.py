"""Reading the access log: the auditor's searches, by user, by record and by time.

Every search returns the newest events first, at most ``limit`` of them, and is served by one of
the table's indexes (``audit_user_time``, ``audit_object_time``, ``audit_time``). Reading the
log is for the purposes s.62(4) allows (lawfulness, self-monitoring and discipline, integrity and
security, criminal proceedings) and for the few people allowed to; the views that call these
check that.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from vawg_site.audit.models import AccessEvent

DEFAULT_LIMIT = 200


def _window(
    events: QuerySet[AccessEvent], start: datetime | None, end: datetime | None
) -> QuerySet[AccessEvent]:
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    return events


def events_by_user(
    user_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AccessEvent]:
    """What one account did between ``start`` (inclusive) and ``end`` (exclusive)."""
    events = _window(AccessEvent.objects.filter(user_id=user_id), start, end)
    return list(events.order_by("-occurred_at", "-id")[:limit])


def events_by_object(
    object_type: str,
    object_ref: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[AccessEvent]:
    """One record's access history: who opened, changed, disclosed or erased it, and why."""
    events = AccessEvent.objects.filter(object_type=object_type, object_ref=object_ref)
    return list(_window(events, start, end).order_by("-occurred_at", "-id")[:limit])


def events_between(
    start: datetime, end: datetime, *, limit: int = DEFAULT_LIMIT
) -> list[AccessEvent]:
    """Everything logged between ``start`` (inclusive) and ``end`` (exclusive)."""
    events = _window(AccessEvent.objects.all(), start, end)
    return list(events.order_by("-occurred_at", "-id")[:limit])


def events_for_request(request_id: str) -> list[AccessEvent]:
    """The events of one request, oldest first."""
    return list(AccessEvent.objects.filter(request_id=request_id).order_by("occurred_at", "id"))
