"""The access log is append-only in the database: triggers refuse every UPDATE and DELETE of its
rows, on PostgreSQL and on SQLite (:func:`vawg_site.common.append_only.append_only`)."""

from django.db import migrations

from vawg_site.common.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [append_only("audit_accessevent")]
