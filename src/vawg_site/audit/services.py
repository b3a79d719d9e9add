"""Writing the access log: one row per record accessed, in the transaction of the access.

Call :func:`access_record` (one record) or :func:`access_record_many` (a list or a search: one row
per record shown) from the selector or service that reads or writes the personal data, inside
the same ``transaction.atomic`` block as the access. If the row cannot be written the error
propagates and the access fails with it; if the access is rolled back, so is its row.

Who, the request id and the channel come from :func:`vawg_site.common.access.current_access`,
and the account's role and team from its staff profile (through
:func:`~vawg_site.common.access.actor_describe`; a team set in the context wins);
the reason from the arguments, else from that context. The time is the database's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.functions import Now

from vawg_site.audit.models import AccessEvent, Action, Reason, ReviewAlert
from vawg_site.audit.review import Finding
from vawg_site.common.access import AccessContext, actor_describe, current_access

__all__ = [
    "WHOLE_TABLE",
    "Action",
    "AuditError",
    "Reason",
    "ReviewError",
    "access_record",
    "access_record_many",
    "review_alert_decide",
    "review_alerts_record",
]

WHOLE_TABLE = "*"
"""The reference of an event over a whole table (an analysis combining every record)."""


class AuditError(ValueError):
    """An access that cannot be logged as asked (unknown action or reason, a disclosure with no
    recipient, "other" with no explanation): the access must not go ahead."""


def _actor(context: AccessContext) -> dict[str, Any]:
    user = context.user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": "", "role": "", "team": context.team}
    described = actor_describe(user)
    if described is not None:
        role, team = described
    else:  # no staff profile: whatever groups the account is in
        role, team = ",".join(sorted(user.groups.values_list("name", flat=True))), ""
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "role": role[:255],
        "team": (context.team or team)[:64],
    }


def _event_fields(
    *,
    action: str,
    object_type: str,
    reason_code: str | None,
    reason_text: str | None,
    recipient: str,
) -> dict[str, Any]:
    context = current_access()
    code = reason_code if reason_code is not None else context.reason_code
    text = (reason_text if reason_text is not None else context.reason_text).strip()
    if action not in Action.values:
        raise AuditError(f"unknown action {action!r}: one of {', '.join(Action.values)}")
    if code not in Reason.values:
        raise AuditError(f"an access needs a reason from the list, not {code!r}")
    if code == Reason.OTHER and not text:
        raise AuditError('the reason "other" needs a few words saying why')
    if action == Action.DISCLOSE and not recipient.strip():
        raise AuditError("a disclosure must name its recipient")
    if not object_type or len(object_type) > 64:
        raise AuditError(f"an object type of 1 to 64 characters, not {object_type!r}")
    return {
        **_actor(context),
        "action": action,
        "object_type": object_type,
        "reason_code": code,
        "reason_text": text[:500],
        "recipient": recipient.strip()[:255],
        "request_id": context.request_id[:64],
        "channel": context.channel,
    }


def _ref(ref: object) -> str:
    text = str(ref)
    if not text or len(text) > 64:
        raise AuditError(f"an object reference of 1 to 64 characters, not {text!r}")
    return text


def access_record(
    *,
    action: str,
    object_type: str,
    object_ref: object,
    object_count: int = 1,
    reason_code: str | None = None,
    reason_text: str | None = None,
    recipient: str = "",
) -> AccessEvent:
    """Log one access to one record (or, with ``object_ref=WHOLE_TABLE`` and its size in
    ``object_count``, to a whole table). Must run inside the access's transaction."""
    fields = _event_fields(
        action=action,
        object_type=object_type,
        reason_code=reason_code,
        reason_text=reason_text,
        recipient=recipient,
    )
    with transaction.atomic():
        return AccessEvent.objects.create(
            **fields, object_ref=_ref(object_ref), object_count=object_count
        )


def access_record_many(
    *,
    action: str,
    object_type: str,
    object_refs: Iterable[object],
    reason_code: str | None = None,
    reason_text: str | None = None,
    recipient: str = "",
    batch_size: int = 1000,
) -> int:
    """Log one access to each record of a list or search (one row per record shown); returns
    the rows written. Must run inside the access's transaction."""
    fields = _event_fields(
        action=action,
        object_type=object_type,
        reason_code=reason_code,
        reason_text=reason_text,
        recipient=recipient,
    )
    events = [AccessEvent(**fields, object_ref=_ref(ref)) for ref in object_refs]
    with transaction.atomic():
        AccessEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)


# --- the nightly review's alerts ------------------------------------------------------------------


class ReviewError(ValueError):
    """A decision that cannot be made as asked: an unknown decision, no note, an alert already
    decided, or a reviewer deciding an alert about themselves."""


def review_alerts_record(
    *, findings: Iterable[Finding], window_start: datetime, window_end: datetime
) -> int:
    """Write one open alert per finding of the review of ``window_start`` to ``window_end``,
    unless that pattern, account and window has one already (a second run of the same day adds
    nothing, and leaves the first run's alerts and their decisions as they are). Returns the
    alerts added."""
    with transaction.atomic():
        existing = set(
            ReviewAlert.objects.filter(
                window_start=window_start, window_end=window_end
            ).values_list("pattern", "user_id")
        )
        new = [
            ReviewAlert(
                pattern=f.pattern,
                user_id=f.user_id,
                username=f.username[:150],
                window_start=window_start,
                window_end=window_end,
                event_count=f.event_count,
                record_count=f.record_count,
                first_event_id=f.first_event_id,
                last_event_id=f.last_event_id,
                threshold=f.threshold,
                basis=f.basis,
            )
            for f in findings
            if (f.pattern, f.user_id) not in existing
        ]
        ReviewAlert.objects.bulk_create(new)
    return len(new)


DECISIONS = (ReviewAlert.Status.DISMISSED, ReviewAlert.Status.REFERRED)


def review_alert_decide(*, alert_id: int, decision: str, reviewer: Any, note: str) -> ReviewAlert:
    """Dismiss or refer the open alert ``alert_id``, saying why (``note``), as ``reviewer``; the
    alert keeps who decided and when (the database's time). A decided alert stays decided."""
    text = note.strip()
    if decision not in DECISIONS:
        raise ReviewError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    if not text:
        raise ReviewError("say why, in a few words")
    with transaction.atomic():
        alert = ReviewAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise ReviewError("there is no such alert")
        if alert.status != ReviewAlert.Status.OPEN:
            raise ReviewError(f"this alert was {alert.status} already")
        if alert.user_id == reviewer.pk:
            raise ReviewError("an alert about your own account is for another reviewer")
        updated = ReviewAlert.objects.filter(pk=alert_id, status=ReviewAlert.Status.OPEN).update(
            status=decision,
            reviewed_by_id=reviewer.pk,
            reviewed_by_username=reviewer.get_username(),
            reviewed_at=Now(),
            review_note=text[:1000],
        )
        if updated != 1:
            raise ReviewError("this alert was decided already")
        alert.refresh_from_db()
    return alert
