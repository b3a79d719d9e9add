"""The staff roles, declared once: each role's code, its Django group, what it may do, its
permissions, and whether it works within a team (a BCU).

A role is a Django group with these permissions; the data migration
``accounts/migrations/0002_roles_and_teams.py`` creates them, ``docs/accounts.md`` lists them and
a test checks that the three agree. The permissions are the accounts app's own
(``accounts.<codename>``, declared in :data:`PERMISSIONS`) plus, for the administrator, Django's
model permissions that the admin needs to manage accounts.

The professional-standards compartment (``consult_standards``) belongs to that role alone:
administrators included, no other role holds it. The administrator's Django permissions let it
see accounts and set profiles, not change a user's flags or groups (which would let it make
itself a superuser); the admin neither gives nor shows the professional-standards role.
"""

from __future__ import annotations

from dataclasses import dataclass

PERMISSIONS: dict[str, str] = {
    "consult_team_people": "Open the people of their team's BCU or assigned to them",
    "consult_team_crimes": "Open the crimes of their team's BCU or assigned to them",
    "consult_team_victims": "Open victims' records and contact details in their team's BCU",
    "consult_force_analysis": "See force-wide analyses and rankings without victims' details",
    "consult_standards": "Open the professional-standards compartment",
    "publish_data": "Approve derived figures for publication through the disclosure checks",
    "export_records": "Export records (each export is logged as a disclosure)",
    "consult_audit": "Search the access log and review flagged accesses",
    "manage_staff": "Create staff accounts and set their role and team",
}
"""The accounts app's own permissions (codename: what it allows), on ``StaffMember``."""


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    """The Django group's name, also what the audit records as the actor's role."""
    description: str
    permissions: tuple[str, ...]
    """``app_label.codename`` for each permission the group holds."""
    needs_team: bool
    """Whether the role works within one BCU, so an account in it must have a team."""


ROLES: tuple[Role, ...] = (
    Role(
        "analyst",
        "Analyst",
        "Analyses force-wide crime, rankings and hotspots; never sees victims' contact details.",
        ("accounts.consult_force_analysis",),
        needs_team=False,
    ),
    Role(
        "public_protection",
        "Public-protection officer",
        "Pursues perpetrators and applies for orders: the people and crimes of their BCU or "
        "assigned to them, with exports logged.",
        (
            "accounts.consult_team_people",
            "accounts.consult_team_crimes",
            "accounts.export_records",
        ),
        needs_team=True,
    ),
    Role(
        "neighbourhood_lead",
        "Neighbourhood lead",
        "Leads neighbourhood work on the crimes and places of their BCU.",
        ("accounts.consult_team_crimes",),
        needs_team=True,
    ),
    Role(
        "victim_care",
        "Victim care",
        "Supports victims: the crimes and victims' records of their BCU.",
        ("accounts.consult_team_crimes", "accounts.consult_team_victims"),
        needs_team=True,
    ),
    Role(
        "professional_standards",
        "Professional standards",
        "Investigates police-perpetrated VAWG in a compartment no other role can see.",
        ("accounts.consult_standards",),
        needs_team=False,
    ),
    Role(
        "publisher",
        "Publisher",
        "Approves force-wide figures for publication, through the disclosure checks.",
        ("accounts.consult_force_analysis", "accounts.publish_data"),
        needs_team=False,
    ),
    Role(
        "auditor",
        "Auditor",
        "Searches the access log and reviews flagged accesses; sees no records' content.",
        ("accounts.consult_audit",),
        needs_team=False,
    ),
    Role(
        "administrator",
        "Administrator",
        "Sets staff accounts' roles and teams in the admin; sees no records, and neither "
        "gives nor sees the professional-standards role.",
        (
            "accounts.manage_staff",
            "auth.view_user",
            "accounts.view_staffmember",
            "accounts.add_staffmember",
            "accounts.change_staffmember",
            "accounts.view_team",
        ),
        needs_team=False,
    ),
)

ROLE_CODES: tuple[str, ...] = tuple(r.code for r in ROLES)


def role_get(code: str) -> Role:
    """The role with ``code``; ``KeyError`` naming the known codes when there is none."""
    for role in ROLES:
        if role.code == code:
            return role
    raise KeyError(f"no role {code!r}: one of {', '.join(ROLE_CODES)}")


def permission_model(permission: str) -> tuple[str, str, str]:
    """``(app_label, model, codename)`` of ``app_label.codename``: the accounts app's own
    permissions are on ``StaffMember``; Django's model permissions name their model."""
    app_label, codename = permission.split(".", 1)
    if app_label == "accounts" and codename in PERMISSIONS:
        return app_label, "staffmember", codename
    return app_label, codename.split("_", 1)[1], codename
