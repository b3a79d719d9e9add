"""The object rules: role, team and assignment predicates, their combinations, and the
professional-standards compartment closed to every other role, superusers included."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from vawg_site.accounts import rules
from vawg_site.accounts.roles import ROLE_CODES
from vawg_site.accounts.services import staff_create, staff_role_set


@dataclass
class Thing:
    borough_code: str = ""
    team_code: str = ""
    assigned_user_ids: list[int] = field(default_factory=list)


def _staff(username: str, role: str | None, team: str | None = None) -> Any:
    user, _ = staff_create(username=username, email=f"{username}@example.org")
    if role:
        staff_role_set(user=user, role=role, team=team)
    return get_user_model().objects.get(pk=user.pk)


def test_has_role(db: None) -> None:
    analyst = _staff("a", "analyst")
    nobody = _staff("n", None)
    assert rules.has_role("analyst")(analyst)
    assert rules.has_role("auditor", "analyst")(analyst)
    assert not rules.has_role("auditor")(analyst)
    assert not rules.has_role("analyst")(nobody)
    assert not rules.has_role("analyst")(AnonymousUser())
    with pytest.raises(KeyError, match="no role 'sheriff'"):
        rules.has_role("sheriff")


def test_in_team_of_by_borough_team_code_or_team(db: None) -> None:
    officer = _staff("o", "public_protection", "CN")
    camden, hackney = Thing(borough_code="E09000007"), Thing(borough_code="E09000012")
    assert rules.in_team_of(officer, camden)
    assert not rules.in_team_of(officer, hackney)
    assert rules.in_team_of(officer, Thing(team_code="CN"))
    assert not rules.in_team_of(officer, Thing(team_code="CE"))
    assert not rules.in_team_of(officer, Thing(borough_code="E09000001"))  # City of London
    assert not rules.in_team_of(officer, None)
    assert rules.in_team_of(officer, officer.staff_member.team)
    analyst = _staff("a", "analyst")  # force-wide: no team, so in no team's objects
    assert not rules.in_team_of(analyst, camden)


def test_combined_rule_team_or_assignment(db: None) -> None:
    officer = _staff("o", "public_protection", "CN")
    lead = _staff("l", "neighbourhood_lead", "CN")
    may_open_person = rules.has_role("public_protection") & (rules.in_team_of | rules.is_assigned)
    elsewhere = Thing(borough_code="E09000012")
    assert may_open_person(officer, Thing(borough_code="E09000019"))
    assert not may_open_person(officer, elsewhere)
    assert may_open_person(officer, Thing(borough_code="E09000012", assigned_user_ids=[officer.pk]))
    assert not may_open_person(lead, Thing(borough_code="E09000019"))
    assert (~rules.in_team_of)(officer, elsewhere)
    assert "in_team_of" in repr(may_open_person)


def test_a_disabled_account_passes_nothing(db: None) -> None:
    officer = _staff("o", "public_protection", "CN")
    officer.is_active = False
    officer.save()
    officer = get_user_model().objects.get(pk=officer.pk)
    assert not rules.has_role("public_protection")(officer)
    assert not rules.in_team_of(officer, Thing(team_code="CN"))


@pytest.mark.parametrize("role", [r for r in ROLE_CODES if r != "professional_standards"])
def test_the_compartment_is_for_professional_standards_alone(db: None, role: str) -> None:
    other = _staff("x", role, "CN")
    assert not rules.is_professional_standards(other)
    assert rules.is_professional_standards(_staff("ps", "professional_standards"))


def test_a_superuser_is_not_professional_standards(db: None) -> None:
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-long-enough")
    assert root.has_perm("accounts.consult_standards")  # Django's check says yes ...
    assert not rules.is_professional_standards(root)  # ... the rule does not
    staff_role_set(user=root, role="administrator")
    root = get_user_model().objects.get(pk=root.pk)
    assert rules.is_administrator(root)
    assert not rules.is_professional_standards(root)
