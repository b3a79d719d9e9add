"""Admin pages for staff profiles (role and team, saved through ``staff_role_set`` so the role
group follows, and the staff member's own person reference for the nightly review) and the
teams, read-only (they come from the shipped BCU table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from vawg_site.accounts.models import StaffMember, Team, TeamBorough
from vawg_site.accounts.roles import role_get
from vawg_site.accounts.services import staff_person_ref_set, staff_role_set

COMPARTMENT_ROLE = "professional_standards"

if TYPE_CHECKING:
    _MemberAdmin = admin.ModelAdmin[StaffMember]
    _TeamAdmin = admin.ModelAdmin[Team]
    _BoroughInline = admin.TabularInline[TeamBorough, Team]
else:
    _MemberAdmin = _TeamAdmin = admin.ModelAdmin
    _BoroughInline = admin.TabularInline


class StaffMemberForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = StaffMember
        fields = ["user", "role", "team", "person_ref"]

    request_user: Any = None

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        role = data.get("role")
        if role == COMPARTMENT_ROLE:
            self.add_error("role", "This role is given with `vawg manage createstaff`, not here.")
        user = data.get("user") or getattr(self.instance, "user", None)
        if user is not None and self.request_user is not None and user.pk == self.request_user.pk:
            raise forms.ValidationError("You cannot change your own role or team.")
        if role and role_get(role).needs_team and not data.get("team"):
            self.add_error("team", f"The role {role_get(role).name} works within a BCU.")
        return data


@admin.register(StaffMember)
class StaffMemberAdmin(_MemberAdmin):
    form = StaffMemberForm
    list_display = ["user", "role", "team"]
    list_filter = ["role", "team"]
    search_fields = ["user__username"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffMember]:
        """Every profile but professional standards': who is in that compartment is its own."""
        return super().get_queryset(request).exclude(role=COMPARTMENT_ROLE)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form: Any = super().get_form(request, obj, change, **kwargs)  # a new class each call
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: StaffMember, form: Any, change: bool) -> None:
        staff_role_set(user=obj.user, role=obj.role, team=obj.team.code if obj.team else None)
        staff_person_ref_set(user=obj.user, person_ref=obj.person_ref)


class TeamBoroughInline(_BoroughInline):
    model = TeamBorough
    extra = 0
    can_delete = False
    readonly_fields = ["borough_code", "borough_name"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(_TeamAdmin):
    list_display = ["code", "name"]
    readonly_fields = ["code", "name"]
    inlines = [TeamBoroughInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
