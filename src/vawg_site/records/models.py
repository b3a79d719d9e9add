"""The force extract (its files are described in ``docs/ingest.md``): crimes, people,
involvements, orders.

This is personal data processed for law enforcement (DPA 2018 Part 3). Nothing here is shown on a
public page except through ``vawg.disclosure``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper


class Crime(models.Model):
    crime_ref = models.CharField(max_length=64)
    recorded_date = models.DateField()
    committed_date = models.DateField(null=True, blank=True)
    offence_code = models.CharField(
        max_length=16, help_text="Home Office offence classification code"
    )
    offence_description = models.CharField(max_length=255, blank=True)
    offence_code_known = models.BooleanField(
        default=True,
        help_text="False when the code is not in vawg.taxonomy's table: kept, and flagged for "
        "the analyst to map",
    )
    domestic_abuse = models.BooleanField(default=False)
    easting = models.FloatField(null=True, blank=True, help_text="EPSG:27700 metres")
    northing = models.FloatField(null=True, blank=True, help_text="EPSG:27700 metres")
    outcome_code = models.CharField(
        max_length=8, blank=True, help_text="Home Office outcome type; blank while open"
    )
    outcome_date = models.DateField(null=True, blank=True)
    borough_code = models.CharField(
        max_length=9,
        blank=True,
        db_default="",
        help_text="ONS code of the borough the crime's location lies in (set on loading from "
        "the boundaries); blank without a location, outside every borough or without boundaries",
    )
    sealed = models.BooleanField(
        db_default=False,
        help_text="in the professional-standards compartment: a crime whose suspect is one of "
        "the force's own staff; invisible to every other role",
    )

    class Meta:
        # References are unique through constraints rather than unique=True, which on PostgreSQL
        # also builds a LIKE index that bulk loads pay for and no query uses.
        constraints = [models.UniqueConstraint(fields=["crime_ref"], name="crime_ref_unique")]
        indexes = [
            models.Index(fields=["recorded_date"]),
            models.Index(fields=["offence_code", "recorded_date"]),
            models.Index(fields=["outcome_code"]),
            models.Index(fields=["borough_code"]),
            # The workspace's search finds a reference whatever its case (``iexact``, which is
            # ``UPPER(crime_ref) = UPPER(%s)``): without this index, a scan of every crime.
            models.Index(Upper("crime_ref"), name="crime_ref_upper"),
        ]

    def __str__(self) -> str:
        return self.crime_ref


class Person(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        OTHER = "X", "Other"
        UNKNOWN = "U", "Unknown"

    person_ref = models.CharField(max_length=64)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnicity = models.CharField(max_length=16, blank=True, help_text="the force's own code")
    sealed = models.BooleanField(
        db_default=False,
        help_text="in the professional-standards compartment (one of the force's own staff as "
        "a suspect, or their victim); invisible to every other role, administrators included",
    )
    high_profile = models.BooleanField(
        db_default=False,
        help_text="a record whose every read the nightly review of the access log flags",
    )
    retention_group = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[
            (1, "Group 1: public protection"),
            (2, "Group 2: other sexual, violent or serious offences"),
            (3, "Group 3: other offences"),
        ],
        help_text="the MoPI retention group (docs/retention.md); empty until first assessed",
    )
    next_review_date = models.DateField(
        null=True, blank=True, help_text="when the record is next reviewed for retention (s.39)"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person_ref"], name="person_ref_unique")]
        # For the workspace's search by reference, case ignored (as ``crime_ref_upper``).
        indexes = [models.Index(Upper("person_ref"), name="person_ref_upper")]

    def __str__(self) -> str:
        return self.person_ref


class Involvement(models.Model):
    class Role(models.TextChoices):
        VICTIM = "victim"
        SUSPECT = "suspect"
        OFFENDER = "offender"
        WITNESS = "witness"

    class Relationship(models.TextChoices):
        PARTNER = "partner"
        EX_PARTNER = "ex-partner"
        FAMILY = "family"
        ACQUAINTANCE = "acquaintance"
        STRANGER = "stranger"
        UNKNOWN = "unknown"

    crime = models.ForeignKey(Crime, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField(max_length=16, choices=Role.choices)
    relationship = models.CharField(max_length=16, choices=Relationship.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["crime", "person", "role"], name="involvement_unique"),
        ]
        indexes = [models.Index(fields=["person", "role"])]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} in {self.crime_id}"


class Assignment(models.Model):
    """A person or a crime assigned to a staff account: it may open them, wherever they are,
    for as long as the assignment is open (and its role allows such records at all)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_assignments"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    crime = models.ForeignKey(
        Crime, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="record_assignments_made",
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(crime__isnull=True))
                | (models.Q(person__isnull=True) & models.Q(crime__isnull=False)),
                name="assignment_one_record",
            ),
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.person_id or self.crime_id} to {self.user_id}"


class Order(models.Model):
    class OrderType(models.TextChoices):
        DVPN = "DVPN", "Domestic Violence Protection Notice"
        DVPO = "DVPO", "Domestic Violence Protection Order"
        DAPN = "DAPN", "Domestic Abuse Protection Notice"
        DAPO = "DAPO", "Domestic Abuse Protection Order"
        SPO = "SPO", "Stalking Protection Order"
        SHPO = "SHPO", "Sexual Harm Prevention Order"
        SRO = "SRO", "Sexual Risk Order"
        RO = "RO", "Restraining Order"
        NMO = "NMO", "Non-Molestation Order"

    order_ref = models.CharField(max_length=64)
    order_type = models.CharField(max_length=8, choices=OrderType.choices)
    subject = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="orders_subject")
    protected = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders_protecting"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    breach_dates = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order_ref"], name="order_ref_unique")]
        indexes = [models.Index(fields=["order_type", "start_date"])]

    def __str__(self) -> str:
        return self.order_ref


class RetentionReview(models.Model):
    """A decision on a person's record at its retention review (MoPI, DPA 2018 s.39): keep it
    until a new review date, or erase it. An erasure is first requested, then approved (or
    refused) by a second, different account: four eyes.

    After an erasure the row keeps what the ICO's guidance on erasure logs asks for and nothing
    of the record: the person's reference, who decided and approved, when, why, and how many
    rows went (``erased_counts``). The link to the person is then empty."""

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep the record"
        ERASE = "erase", "Erase the record"

    class Status(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        PENDING = "pending", "Awaiting approval"
        ERASED = "erased", "Erased"
        REFUSED = "refused", "Refused"

    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retention_reviews",
        help_text="empty once the person is erased",
    )
    person_ref = models.CharField(
        max_length=64, help_text="the reference, kept after an erasure (the erasure's metadata)"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="retention_reviews_decided",
    )
    decision = models.CharField(max_length=8, choices=Decision.choices)
    status = models.CharField(max_length=8, choices=Status.choices)
    reason_text = models.CharField(
        max_length=500, help_text="why, in the reviewer's words (never the person's details)"
    )
    next_review_date = models.DateField(
        null=True, blank=True, help_text="the next review, when the record is kept"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="retention_reviews_approved",
        help_text="the second account that approved or refused an erasure",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_text = models.CharField(max_length=500, blank=True)
    erased_counts = models.JSONField(
        default=dict, blank=True, help_text="rows erased or unlinked, by table: counts only"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="keep")
                | (models.Q(status="recorded") & models.Q(next_review_date__isnull=False)),
                name="retention_keep_has_next_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="erase")
                | models.Q(status__in=["pending", "erased", "refused"]),
                name="retention_erase_status",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("decided_by")),
                name="retention_four_eyes",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="retention_one_pending_erasure",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.person_ref}: {self.decision} ({self.status})"
