"""The roles' groups and permissions (``accounts.roles``) and the teams, one per BCU
(``vawg/data/met_bcus.csv``), written into the database from their declarations.

Run by the data migration ``0002_roles_and_teams`` (with the migration's historical models) and
again after every ``migrate`` and ``flush`` (Django's ``post_migrate`` signal, with the live
models), so the database follows the declarations: a role's group gets exactly its permissions,
a team its name and boroughs. Nobody's account, profile or other group is touched.
"""

from __future__ import annotations

from typing import Any

from vawg.bcus import bcu_list
from vawg_site.accounts.roles import PERMISSIONS, ROLES, permission_model


def roles_and_teams_sync(*, apps: Any) -> None:
    """Bring the role groups and the teams in ``apps`` (an app registry: a migration's, or
    ``django.apps.apps``) in line with ``accounts.roles`` and the BCU table.

    Permissions and content types are made here when missing, as Django's ``post_migrate``
    would make them, so that a migration can grant them before that signal has run.
    """
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    team = apps.get_model("accounts", "Team")
    borough = apps.get_model("accounts", "TeamBorough")

    for role in ROLES:
        grants = []
        for name in role.permissions:
            app_label, model, codename = permission_model(name)
            ct, _ = content_type.objects.get_or_create(app_label=app_label, model=model)
            verb = codename.split("_", 1)[0]
            label = (
                PERMISSIONS[codename]
                if app_label == "accounts" and codename in PERMISSIONS
                else f"Can {verb} {model.replace('staffmember', 'staff member')}"
            )
            perm, _ = permission.objects.get_or_create(
                content_type=ct, codename=codename, defaults={"name": label}
            )
            grants.append(perm)
        role_group, _ = group.objects.get_or_create(name=role.name)
        role_group.permissions.set(grants)

    for unit in bcu_list():
        row, _ = team.objects.update_or_create(code=unit.code, defaults={"name": unit.name})
        for code, name in zip(unit.borough_codes, unit.borough_names, strict=True):
            borough.objects.update_or_create(
                borough_code=code, defaults={"team": row, "borough_name": name}
            )
