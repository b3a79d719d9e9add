"""Writing the access log: one row per record accessed, in the transaction of the access.

Call :func:`access_record` (one record) or :func:`access_record_many` (a list or a search: one row
per record shown) from the selector or service that reads or writes the personal data, inside
the same ``transaction.atomic`` block as the access. If the row cannot be written the error
propagates and the access fails with it; if the access is rolled back, so is its row.

Who, the request id and the channel come from :func:`vawg_site.common.access.current_access`;
the reason from the arguments, else from that context. The time is the database's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from vawg_site.audit.models import AccessEvent, Action, Reason
from vawg_site.common.access import AccessContext, current_access

__all__ = [
    "WHOLE_TABLE",
    "Action",
    "AuditError",
    "Reason",
    "access_record",
    "access_record_many",
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
    roles = ",".join(sorted(user.groups.values_list("name", flat=True)))
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "role": roles[:255],
        "team": context.team,
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
