"""Roles as groups with their permissions, the teams from the BCU table, a staff member's role
and team (the service and ``createstaff --role --team``)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection

from vawg.bcus import bcu_list
from vawg_site.accounts import selectors
from vawg_site.accounts.roles import PERMISSIONS, ROLES
from vawg_site.accounts.services import StaffError, staff_create, staff_role_set
from vawg_site.common import geography

DOCS = Path(__file__).parents[3] / "docs" / "accounts.md"


def _grants(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_after_migrate_each_role_is_a_group_with_exactly_its_permissions(db: None) -> None:
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        assert _grants(group) == set(role.permissions), role.code
    for codename, description in PERMISSIONS.items():
        permission = Permission.objects.get(content_type__app_label="accounts", codename=codename)
        assert permission.name == description


def test_only_professional_standards_holds_the_compartment(db: None) -> None:
    holders = Group.objects.filter(permissions__codename="consult_standards")
    assert list(holders.values_list("name", flat=True)) == ["Professional standards"]
    assert not {"auth.add_user", "auth.change_user"} & _grants(
        Group.objects.get(name="Administrator")
    )


def test_docs_list_every_role_with_its_description() -> None:
    text = DOCS.read_text()
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) \|", text, flags=re.MULTILINE)
    documented = {code: (name.strip(), description.strip()) for code, name, description in rows}
    for role in ROLES:
        assert documented.get(role.code) == (role.name, role.description), role.code


def test_teams_are_the_twelve_bcus_with_their_boroughs(db: None) -> None:
    teams = selectors.team_list()
    assert [(t.code, t.name, t.borough_codes) for t in teams] == [
        (u.code, u.name, u.borough_codes) for u in bcu_list()
    ]
    assert selectors.team_code_of_borough(borough_code="E09000019") == "CN"  # Islington
    assert selectors.team_code_of_borough(borough_code="E09000001") is None  # City of London


def test_the_bcu_boroughs_are_the_force_area_each_once(real_data_dir: Path) -> None:
    codes = [c for u in bcu_list() for c in u.borough_codes]
    force = geography.force_borough_codes()
    assert len(force) == 32
    assert sorted(codes) == sorted(force)
    assert "E09000001" not in codes
    names = {b.code: b.name for b in geography.force_boroughs()}
    assert {
        c: n for u in bcu_list() for c, n in zip(u.borough_codes, u.borough_names, strict=True)
    } == names


def test_a_flush_brings_the_groups_and_teams_back(db: None) -> None:
    """Transactional tests flush the tables; Django's post_migrate after a flush remakes them."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(
            no_style(), ["auth_group_permissions", "auth_group"], allow_cascade=True
        ):
            cursor.execute(sql)
    assert not Group.objects.exists()
    call_command("migrate", verbosity=0)
    assert Group.objects.count() == len(ROLES)


def test_staff_role_set_gives_one_role_group_and_the_team(db: None) -> None:
    user, _ = staff_create(username="ppo1", email="ppo1@example.org")
    other = Group.objects.create(name="Book club")
    user.groups.add(other)
    member = staff_role_set(user=user, role="public_protection", team="cn")
    assert member.team is not None
    assert member.team.name == "Central North"
    assert set(user.groups.values_list("name", flat=True)) == {
        "Public-protection officer",
        "Book club",
    }
    assert user.has_perm("accounts.consult_team_people")
    staff_role_set(user=user, role="analyst")
    user = get_user_model().objects.get(pk=user.pk)  # a fresh permission cache
    assert set(user.groups.values_list("name", flat=True)) == {"Analyst", "Book club"}
    assert not user.has_perm("accounts.consult_team_people")
    profile = selectors.staff_profile(user=user)
    assert profile is not None
    assert profile.role.code == "analyst"
    assert profile.team is None


@pytest.mark.parametrize(
    ("role", "team", "message"),
    [
        ("sheriff", None, "no role 'sheriff'"),
        ("victim_care", None, "works within a BCU"),
        ("victim_care", "ZZ", "no team 'ZZ'"),
    ],
)
def test_staff_role_set_refuses(db: None, role: str, team: str | None, message: str) -> None:
    user, _ = staff_create(username="x", email="x@example.org")
    with pytest.raises(StaffError, match=message):
        staff_role_set(user=user, role=role, team=team)


def test_createstaff_with_role_and_team(db: None) -> None:
    out = StringIO()
    call_command(
        "createstaff",
        "nl1",
        "nl1@example.org",
        "--role",
        "neighbourhood_lead",
        "--team",
        "SW",
        stdout=out,
    )
    assert "with the role Neighbourhood lead in South West" in out.getvalue()
    profile = selectors.staff_profile(user=get_user_model().objects.get(username="nl1"))
    assert profile is not None
    assert profile.role.code == "neighbourhood_lead"
    assert profile.team is not None
    assert "Wandsworth" in profile.team.borough_names


def test_createstaff_refuses_a_bad_team_and_makes_no_account(db: None) -> None:
    with pytest.raises(CommandError, match="no team 'QQ'"):
        call_command(
            "createstaff",
            "nl2",
            "nl2@example.org",
            "--role",
            "victim_care",
            "--team",
            "QQ",
            stdout=StringIO(),
        )
    assert not get_user_model().objects.filter(username="nl2").exists()
    with pytest.raises(CommandError, match="--team needs --role"):
        call_command("createstaff", "nl3", "nl3@example.org", "--team", "CN", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("createstaff", "nl4", "n@example.org", "--role", "boss", stdout=StringIO())
