"""Reading the access log: the auditor's searches, by user, by record and by time.

Every search returns the newest events first, at most ``limit`` of them, and is served by one of
the table's indexes (``audit_user_time``, ``audit_object_time``, ``audit_time``). Reading the
log is for the purposes s.62(4) allows (lawfulness, self-monitoring and discipline, integrity and
security, criminal proceedings) and for the few people allowed to; the views that call these
check that.

The auditor's view (``/workspace/audit/``) reads through :func:`log_search_page` and
:func:`log_search_export`, which log the reading of the log itself: a ``consult`` (or, for an
export, a ``disclose`` naming its recipient) of object type ``audit-log``, whose reference is
the search terms and holds nothing personal.

The nightly review (:mod:`vawg_site.audit.review`) reads a day's reads of people and crimes
through :func:`review_reads` and the accounts' history through :func:`review_daily_counts`; the
queue of its alerts is read through :func:`review_alert_list`, and exported for the ICO, as a
logged disclosure, through :func:`review_alert_export`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, QuerySet, When
from django.db.models.functions import TruncDate

from vawg_site.audit import review
from vawg_site.audit.models import AccessEvent, Action, Reason, ReviewAlert
from vawg_site.audit.services import WHOLE_TABLE, access_record
from vawg_site.common.access import access_context

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
    """The events of one request, oldest first (served by ``audit_request``)."""
    return list(AccessEvent.objects.filter(request_id=request_id).order_by("occurred_at", "id"))


# --- the auditor's view: a search of the log, itself logged ------------------------------------

AUDIT_LOG = "audit-log"
"""The object type of an auditor's reading of the log itself (its reference: the search terms)."""

COUNT_CAP = 10_000
"""A search counts its matches up to this many: past it the auditor is asked to narrow it (a count
of a whole 10-million-row table is not worth its time)."""

EXPORT_MAX = 10_000
"""The most events one export may hold; a larger search must be narrowed first."""


@dataclass(frozen=True)
class LogSearch:
    """What an auditor searches the log for; every part is optional. ``username`` is matched
    against the account's id (a renamed account keeps its history) and, for an account that no
    longer exists, the name logged at the time. The window is ``start`` (inclusive) to ``end``
    (exclusive)."""

    username: str = ""
    object_type: str = ""
    object_ref: str = ""
    start: datetime | None = None
    end: datetime | None = None

    def reference(self) -> str:
        """The search terms as the log's own reference (at most 64 characters): the account by
        its id, never its name; the record by type and reference; the window in UTC. Too long a
        reference keeps its start and a digest of the whole.

        >>> LogSearch(object_type="records.person", object_ref="P-1").reference()
        'o=records.person/P-1'
        """
        parts = []
        if self.username:
            ids = _account_ids(self.username)
            parts.append("u=" + (",".join(map(str, ids)) if ids else "none"))
        if self.object_type:
            parts.append(f"o={self.object_type}/{self.object_ref or '*'}")
        if self.start is not None:
            parts.append("from=" + self.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"))
        if self.end is not None:
            parts.append("to=" + self.end.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ"))
        text = ";".join(parts) or "all"
        if len(text) > 64:
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            text = text[:51] + "~" + digest
        return text


def _account_ids(username: str) -> list[int]:
    return list(get_user_model().objects.filter(username=username).values_list("pk", flat=True)[:1])


def _matching(search: LogSearch) -> QuerySet[AccessEvent]:
    events = AccessEvent.objects.all()
    if search.username:
        ids = _account_ids(search.username)
        events = events.filter(user_id__in=ids) if ids else events.filter(username=search.username)
    if search.object_type:
        events = events.filter(object_type=search.object_type)
        if search.object_ref:
            events = events.filter(object_ref=search.object_ref)
    return _window(events, search.start, search.end)


def _log_reading(*, action: str, reference: str, recipient: str = "") -> None:
    access_record(
        action=action,
        object_type=AUDIT_LOG,
        object_ref=reference,
        reason_code=Reason.AUDIT,
        recipient=recipient,
    )


def log_search_count(*, search: LogSearch) -> tuple[int, bool]:
    """How many events match (at most :data:`COUNT_CAP`), and whether there are more."""
    count = _matching(search)[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def log_search_page(
    *, search: LogSearch, offset: int, limit: int, oldest_first: bool = False
) -> list[AccessEvent]:
    """One page (``limit`` events after the first ``offset``) of the events matching
    ``search``, newest first (oldest first for a record's history), and one ``consult`` row of
    the log itself, in the same transaction, whose reference is the search terms
    (:meth:`LogSearch.reference`)."""
    order = ("occurred_at", "id") if oldest_first else ("-occurred_at", "-id")
    with transaction.atomic():
        events = list(_matching(search).order_by(*order)[offset : offset + limit])
        _log_reading(action=Action.CONSULT, reference=search.reference())
    return events


class ExportTooLargeError(ValueError):
    """More events match than one export may hold (:data:`EXPORT_MAX`)."""


def log_search_export(*, search: LogSearch, recipient: str) -> list[AccessEvent]:
    """Every event matching ``search``, newest first, for disclosure to ``recipient`` (the ICO,
    by its case reference); writes one ``disclose`` row naming the recipient, on the ``export``
    channel, in the same transaction. Raises :class:`ExportTooLargeError` past
    :data:`EXPORT_MAX` events and :class:`~vawg_site.audit.services.AuditError` with no
    recipient."""
    with transaction.atomic(), access_context(channel="export"):
        events = list(_matching(search).order_by("-occurred_at", "-id")[: EXPORT_MAX + 1])
        if len(events) > EXPORT_MAX:
            raise ExportTooLargeError(f"more than {EXPORT_MAX:,} events match: narrow the search")
        _log_reading(action=Action.DISCLOSE, reference=search.reference(), recipient=recipient)
    return events


# --- the nightly review -------------------------------------------------------------------------

REVIEW_ACTIONS = (Action.CONSULT, Action.DISCLOSE)
"""What the review counts as reading a record: a consultation, or a disclosure (an export)."""


def _reads(start: datetime, end: datetime) -> QuerySet[AccessEvent]:
    return _window(
        AccessEvent.objects.filter(
            action__in=REVIEW_ACTIONS,
            object_type__in=review.REVIEWED_TYPES,
            user_id__isnull=False,
        ).exclude(object_ref=WHOLE_TABLE),
        start,
        end,
    )


def review_reads(
    *, start: datetime, end: datetime, role_codes: Mapping[str, str] | None = None
) -> list[review.Read]:
    """The accounts' reads of people and crimes between ``start`` (inclusive) and ``end``
    (exclusive), oldest first, for the review, each ``role`` as logged (the role's name) or its
    code in ``role_codes`` (name to code). Whole-table reads (an analysis, ``*``) are not a look
    at anyone and are left out. Served by ``audit_time``; not itself logged (the job that calls
    it logs its reading of the log)."""
    codes = role_codes or {}
    rows = (
        _reads(start, end)
        .order_by("id")
        .values_list(
            "id", "user_id", "username", "role", "team", "object_type", "object_ref", "request_id"
        )
    )
    return [
        review.Read(
            event_id, user_id or 0, username, codes.get(role, role), team, kind, ref, request_id
        )
        for event_id, user_id, username, role, team, kind, ref, request_id in rows.iterator(
            chunk_size=5000
        )
    ]


def review_daily_counts(*, start: datetime, end: datetime) -> dict[int, dict[date, int]]:
    """Each account's distinct people and crimes read on each UTC day between ``start`` and
    ``end`` (days with none are absent)."""
    rows = (
        _reads(start, end)
        .annotate(day=TruncDate("occurred_at", tzinfo=UTC))
        .values("user_id", "day", "object_type")
        .annotate(records=Count("object_ref", distinct=True))
        .values_list("user_id", "day", "records")
    )
    out: dict[int, dict[date, int]] = {}
    for user_id, day, records in rows:
        days = out.setdefault(user_id or 0, {})
        days[day] = days.get(day, 0) + records
    return out


def review_alert_list(*, offset: int, limit: int) -> list[ReviewAlert]:
    """The review's alerts, open ones first, then the newest window and pattern first."""
    return list(
        ReviewAlert.objects.annotate(
            decided=Case(When(status=ReviewAlert.Status.OPEN, then=0), default=1)
        ).order_by("decided", "-window_start", "pattern", "username", "id")[offset : offset + limit]
    )


def review_alert_counts() -> tuple[int, int]:
    """How many alerts there are, and how many of them are open."""
    total = ReviewAlert.objects.count()
    return total, ReviewAlert.objects.filter(status=ReviewAlert.Status.OPEN).count()


DAY = timedelta(days=1)
REVIEW_LOG = "audit-review"
"""The object type of a disclosure of the review's alerts (its reference: the days exported)."""


def review_alert_export(
    *, recipient: str, start: date | None = None, end: date | None = None
) -> list[ReviewAlert]:
    """The alerts of the windows starting on the UTC days ``start`` to ``end`` (inclusive; either
    open-ended), newest window first, with their decisions, for disclosure to ``recipient`` (the
    ICO, by its case reference, as evidence of the log's review); writes one ``disclose`` row of
    object type ``audit-review`` naming the recipient, on the ``export`` channel, in the same
    transaction. Raises :class:`ExportTooLargeError` past :data:`EXPORT_MAX` alerts."""
    alerts = ReviewAlert.objects.all()
    if start is not None:
        alerts = alerts.filter(window_start__gte=datetime.combine(start, time(), UTC))
    if end is not None:
        alerts = alerts.filter(window_start__lt=datetime.combine(end, time(), UTC) + DAY)
    reference = f"from={start.isoformat() if start else '*'};to={end.isoformat() if end else '*'}"
    with transaction.atomic(), access_context(channel="export"):
        found = list(
            alerts.order_by("-window_start", "pattern", "username", "id")[: EXPORT_MAX + 1]
        )
        if len(found) > EXPORT_MAX:
            raise ExportTooLargeError(f"more than {EXPORT_MAX:,} alerts match: narrow the days")
        access_record(
            action=Action.DISCLOSE,
            object_type=REVIEW_LOG,
            object_ref=reference,
            reason_code=Reason.AUDIT,
            recipient=recipient,
        )
    return found
