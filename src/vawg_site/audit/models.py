"""The access log: who did what to which record of personal data, when, why, for whom, and
through which request and channel (DPA 2018 s.62).

The nightly review's alerts (:class:`ReviewAlert`) are kept beside it: an alert is decided
(dismissed or referred) by updating it, so that table is not append-only; the log itself is.

Rows are added by :func:`vawg_site.audit.services.access_record` and never changed: triggers in
the database refuse every ``UPDATE`` and ``DELETE`` (migration ``0002``). A row names the object
by its type and reference and holds none of its content.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now

from vawg_site.audit.review import PATTERNS


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
            # One request's events (a user's report quotes its X-Request-ID).
            models.Index(fields=["request_id"], name="audit_request"),
        ]

    def __str__(self) -> str:
        who = self.username or "the system"
        return f"{who} {self.action} {self.object_type} {self.object_ref}"


class ReviewAlert(models.Model):
    """One account flagged by the nightly review (:mod:`vawg_site.audit.review`) for one pattern
    over one window, for a privacy officer to decide. It holds counts and the range of the log's
    event ids it came from, never a record's reference or content: the officer follows it into
    the log (whose reading is itself logged) to see what was read.

    One alert per pattern, account and window (a constraint), so that the review of a day can be
    run again without doubling its alerts. A decision is made once, and keeps who and when."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        REFERRED = "referred", "Referred"

    created_at = models.DateTimeField(db_default=Now(), help_text="UTC, set by the database")
    pattern = models.CharField(max_length=16, choices=list(PATTERNS.items()))
    user_id = models.PositiveBigIntegerField(help_text="the account flagged")
    username = models.CharField(max_length=150, help_text="its username in the events")
    window_start = models.DateTimeField(help_text="the window reviewed, from (inclusive, UTC)")
    window_end = models.DateTimeField(help_text="the window reviewed, to (exclusive, UTC)")
    event_count = models.PositiveIntegerField(help_text="events of the account that match")
    record_count = models.PositiveIntegerField(help_text="distinct records in those events")
    first_event_id = models.PositiveBigIntegerField(help_text="the first matching event's id")
    last_event_id = models.PositiveBigIntegerField(help_text="the last matching event's id")
    threshold = models.FloatField(null=True, blank=True, help_text="volume: the count passed")
    basis = models.CharField(
        max_length=8, blank=True, help_text="volume: own (its history) or role (its peers')"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reviewed_by_id = models.PositiveBigIntegerField(null=True, blank=True)
    reviewed_by_username = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pattern", "user_id", "window_start", "window_end"],
                name="review_alert_once_per_window",
            ),
            models.CheckConstraint(
                condition=models.Q(pattern__in=list(PATTERNS)), name="review_alert_pattern_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | (
                    models.Q(reviewed_by_id__isnull=False, reviewed_at__isnull=False)
                    & ~models.Q(review_note="")
                ),
                name="review_alert_decision_says_who_when_why",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="review_alert_queue")]

    def __str__(self) -> str:
        return f"{self.pattern} {self.username} {self.window_start:%Y-%m-%d} ({self.status})"
