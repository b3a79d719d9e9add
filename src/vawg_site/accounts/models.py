"""Staff profiles and teams: each staff account's role and team, and the teams, one per Basic
Command Unit (BCU) with its boroughs, loaded from ``vawg/data/met_bcus.csv`` by a migration.

The role is also the account's one role group (``accounts.roles``); ``accounts.services`` keeps
the two in step. Other apps read these through ``accounts.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vawg_site.accounts.roles import PERMISSIONS, ROLES


class Team(models.Model):
    """A team: one of the force's BCUs."""

    code = models.CharField(max_length=8, unique=True, help_text="the BCU's short code")
    name = models.CharField(max_length=64, unique=True, help_text="the BCU's name")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamBorough(models.Model):
    """A borough policed by a team; each borough belongs to one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="boroughs")
    borough_code = models.CharField(max_length=9, unique=True, help_text="ONS code (LAD24CD)")
    borough_name = models.CharField(max_length=64)

    class Meta:
        ordering = ["borough_name"]

    def __str__(self) -> str:
        return self.borough_name


class StaffMember(models.Model):
    """A staff account's role and team, and the reference of their own record in the force's
    records if they have one (set by an administrator, read only by the nightly review)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    role = models.CharField(max_length=32, choices=[(r.code, r.name) for r in ROLES])
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    person_ref = models.CharField(
        max_length=64,
        blank=True,
        help_text="the staff member's own record in the force's records (its person reference), "
        "if they have one: the nightly review flags a colleague reading it",
    )

    class Meta:
        permissions = sorted(PERMISSIONS.items())
        constraints = [
            models.UniqueConstraint(
                fields=["person_ref"],
                condition=~models.Q(person_ref=""),
                name="staff_person_ref_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
