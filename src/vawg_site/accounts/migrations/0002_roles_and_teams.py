"""The roles as groups with their permissions (``accounts.roles``), and one team per BCU with its
boroughs (``vawg/data/met_bcus.csv``): see ``accounts.reference``."""

from typing import Any

from django.db import migrations

from vawg_site.accounts.reference import roles_and_teams_sync


def roles_and_teams_create(apps: Any, schema_editor: Any) -> None:
    roles_and_teams_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles_and_teams_create, migrations.RunPython.noop)]
