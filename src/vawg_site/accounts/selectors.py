"""Reads for staff accounts: which second factors an account has (an authenticator app, passkeys,
recovery codes), its role and team, and the teams (BCUs) with their boroughs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from vawg_site.accounts.models import StaffMember, Team, TeamBorough
from vawg_site.accounts.roles import Role, role_get


@dataclass(frozen=True)
class TeamSummary:
    code: str
    name: str
    borough_codes: tuple[str, ...]
    borough_names: tuple[str, ...]
    """ONS codes and names of the team's boroughs, by name."""


@dataclass(frozen=True)
class StaffProfile:
    """An account's role (from ``accounts.roles``) and team, if it has one."""

    role: Role
    team: TeamSummary | None


def _team_summary(team: Team) -> TeamSummary:
    return TeamSummary(
        code=team.code,
        name=team.name,
        borough_codes=tuple(b.borough_code for b in team.boroughs.all()),
        borough_names=tuple(b.borough_name for b in team.boroughs.all()),
    )


def staff_profile(*, user: Any) -> StaffProfile | None:
    """The role and team of ``user``, or None for an account with no role (or no account)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    member = StaffMember.objects.select_related("team").filter(user=user).first()
    if member is None:
        return None
    return StaffProfile(
        role=role_get(member.role),
        team=_team_summary(member.team) if member.team is not None else None,
    )


def staff_actor(user: Any) -> tuple[str, str] | None:
    """The role (its name, as the access log records it) and team code (blank without one) of
    ``user``, or None without a staff profile: the access log's describer of an account
    (:func:`vawg_site.common.access.actor_describe`, registered by this app when ready)."""
    # Kept on the user object for the request: a person page writes several rows.
    if not hasattr(user, "_vawg_actor"):
        row = StaffMember.objects.filter(user_id=user.pk).values_list("role", "team__code").first()
        user._vawg_actor = None if row is None else (role_get(row[0]).name, row[1] or "")
    described: tuple[str, str] | None = user._vawg_actor
    return described


def staff_roles_and_teams(*, user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """The role code and team code (blank without one) of each of ``user_ids`` with a staff
    profile, as they are now."""
    rows = StaffMember.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "role", "team__code"
    )
    return {user_id: (role, team or "") for user_id, role, team in rows}


def staff_person_refs() -> dict[str, int]:
    """Each staff member's own person reference (where an administrator has set one) and their
    account's id, for the nightly review."""
    rows = StaffMember.objects.exclude(person_ref="").values_list("person_ref", "user_id")
    return dict(rows)


def team_list() -> list[TeamSummary]:
    """Every team (one per BCU) with its boroughs, by name."""
    return [_team_summary(t) for t in Team.objects.prefetch_related("boroughs")]


def team_code_of_borough(*, borough_code: str) -> str | None:
    """The code of the team that polices the borough with ONS code ``borough_code``, or None
    (the City of London, or a code outside the force area)."""
    row = TeamBorough.objects.select_related("team").filter(borough_code=borough_code).first()
    return row.team.code if row is not None else None


def second_factor_is_enrolled(*, user: Any) -> bool:
    """True when ``user`` has a confirmed second factor (an authenticator app, a passkey, or
    recovery codes left to sign in with)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    )


@dataclass(frozen=True)
class PasskeySummary:
    """One of an account's passkeys, as its account page lists it."""

    id: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None


def passkey_list(*, user: Any) -> list[PasskeySummary]:
    """The confirmed passkeys of ``user``, oldest first."""
    rows = WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")
    return [
        PasskeySummary(id=p.pk, name=p.name, created_at=p.created_at, last_used_at=p.last_used_at)
        for p in rows
    ]


def passkey_is_enrolled(*, user: Any) -> bool:
    """True when ``user`` has a confirmed passkey to sign in with."""
    return bool(WebAuthnCredential.objects.filter(user=user, confirmed=True).exists())


def app_is_enrolled(*, user: Any) -> bool:
    """True when ``user`` has a confirmed authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(*, user: Any) -> int:
    """How many unused recovery codes ``user`` has."""
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())
