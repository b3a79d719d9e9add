"""The access log: who did what to which record of personal data, when, why, for whom, and
through which request and channel (DPA 2018 s.62).

Rows are added by :func:`vawg_site.audit.services.access_record` and never changed: triggers in
the database refuse every ``UPDATE`` and ``DELETE`` (migration ``0002``). A row names the object
by its type and reference and holds none of its content.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class Action(models.TextChoices):
    """The operations DPA 2018 s.62(1) requires to be logged."""

    COLLECT = "collect"
    ALTER = "alter"
    CONSULT = "consult"
    DISCLOSE = "disclose"
    COMBINE = "combine"
    ERASE = "erase"


class Reason(models.TextChoices):
    """Why the access was made (s.62(2)(a), the justification)."""

    INVESTIGATION = "investigation", "Investigating an offence"
    SAFEGUARDING = "safeguarding", "Safeguarding a victim or a person at risk"
    OFFENDER_MANAGEMENT = "offender-management", "Managing a perpetrator or an order"
    CASE_REVIEW = "case-review", "Reviewing a case or its retention"
    STATISTICS = "statistics", "Statistics and analysis (only aggregates leave)"
    AUDIT = "audit", "Auditing lawfulness or professional standards"
    DATA_LOAD = "data-load", "Loading or correcting the force's records"
    LEGAL = "legal", "A legal obligation or court proceedings"
    OTHER = "other", "Other (say why in the free text)"


class Channel(models.TextChoices):
    """How the access came (the same as :data:`vawg_site.common.access.CHANNELS`)."""

    PAGE = "page"
    EXPORT = "export"
    API = "api"
    COMMAND = "command"


class AccessEvent(models.Model):
    Action = Action
    Reason = Reason
    Channel = Channel

    occurred_at = models.DateTimeField(db_default=Now(), help_text="UTC, set by the database")
    user_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="the account's id; empty for the system itself"
    )
    username = models.CharField(max_length=150, blank=True, help_text="as it was at the time")
    role = models.CharField(max_length=255, blank=True, help_text="the account's roles then")
    team = models.CharField(max_length=64, blank=True, help_text="the account's team then")
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=64, help_text='"app.model", e.g. records.person')
    object_ref = models.CharField(
        max_length=64, help_text='the record\'s reference, or "*" for a whole table'
    )
    object_count = models.PositiveIntegerField(
        default=1, help_text="records the event covers: 1, or a whole table's size"
    )
    reason_code = models.CharField(max_length=24, choices=Reason.choices)
    reason_text = models.CharField(max_length=500, blank=True)
    recipient = models.CharField(max_length=255, blank=True, help_text="to whom, for disclosures")
    request_id = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=[a.value for a in Action]),
                name="audit_action_known",
            ),
            models.CheckConstraint(
                condition=models.Q(reason_code__in=[r.value for r in Reason]),
                name="audit_reason_known",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]),
                name="audit_channel_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(action="disclose") | ~models.Q(recipient=""),
                name="audit_disclosure_names_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(reason_code="other") | ~models.Q(reason_text=""),
                name="audit_other_reason_explained",
            ),
        ]
        indexes = [
            # The auditor's searches: one user over a time window, one record's history, and
            # everything in a time window.
            models.Index(fields=["user_id", "occurred_at"], name="audit_user_time"),
            models.Index(
                fields=["object_type", "object_ref", "occurred_at"], name="audit_object_time"
            ),
            models.Index(fields=["occurred_at"], name="audit_time"),
        ]

    def __str__(self) -> str:
        who = self.username or "the system"
        return f"{who} {self.action} {self.object_type} {self.object_ref}"
