"""The admin's staff profiles: saved through ``staff_role_set`` (the group follows), never giving
or showing the professional-standards role, never one's own profile."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from vawg_site.accounts.admin import StaffMemberAdmin
from vawg_site.accounts.models import StaffMember, Team
from vawg_site.accounts.services import staff_create, staff_role_set


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/accounts/staffmember/")
    request.user = user
    return request


def _form(model_admin: StaffMemberAdmin, request: Any, data: dict[str, Any]) -> Any:
    return model_admin.get_form(request)(data=data)


def test_the_admin_form_refuses_the_compartment_own_profile_and_a_missing_team(db: None) -> None:
    boss, _ = staff_create(username="boss", email="boss@example.org")
    staff_role_set(user=boss, role="administrator")
    other, _ = staff_create(username="other", email="other@example.org")
    model_admin = StaffMemberAdmin(StaffMember, admin.site)
    request = _request(boss)
    cn = Team.objects.get(code="CN")

    refused = _form(model_admin, request, {"user": other.pk, "role": "professional_standards"})
    assert "role" in refused.errors
    mine = _form(model_admin, request, {"user": boss.pk, "role": "analyst"})
    assert "own role" in str(mine.errors)
    no_team = _form(model_admin, request, {"user": other.pk, "role": "victim_care"})
    assert "team" in no_team.errors

    good = _form(model_admin, request, {"user": other.pk, "role": "victim_care", "team": cn.pk})
    assert good.is_valid(), good.errors
    model_admin.save_model(request, good.save(commit=False), good, change=False)
    other = get_user_model().objects.get(pk=other.pk)
    assert list(other.groups.values_list("name", flat=True)) == ["Victim care"]


def test_the_admin_does_not_list_professional_standards(db: None) -> None:
    boss, _ = staff_create(username="boss", email="boss@example.org")
    staff_role_set(user=boss, role="administrator")
    ps, _ = staff_create(username="ps", email="ps@example.org")
    staff_role_set(user=ps, role="professional_standards")
    listed = StaffMemberAdmin(StaffMember, admin.site).get_queryset(_request(boss))
    assert list(listed.values_list("user__username", flat=True)) == ["boss"]


def test_the_admin_sets_a_staff_members_own_person_reference_once(db: None) -> None:
    boss, _ = staff_create(username="boss", email="boss@example.org")
    staff_role_set(user=boss, role="administrator")
    one, _ = staff_create(username="one", email="one@example.org")
    two, _ = staff_create(username="two", email="two@example.org")
    model_admin = StaffMemberAdmin(StaffMember, admin.site)
    request = _request(boss)
    form = _form(model_admin, request, {"user": one.pk, "role": "analyst", "person_ref": "P-7"})
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=False)
    assert StaffMember.objects.get(user=one).person_ref == "P-7"
    staff_role_set(user=two, role="analyst")
    taken = _form(model_admin, request, {"user": two.pk, "role": "analyst", "person_ref": "P-7"})
    assert not taken.is_valid()  # one person's record belongs to one staff member
    blank = _form(model_admin, request, {"user": two.pk, "role": "analyst", "person_ref": ""})
    assert "person_ref" not in blank.errors  # many have no record at all
