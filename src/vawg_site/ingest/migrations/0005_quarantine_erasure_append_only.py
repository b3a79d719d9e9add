"""The record of the quarantine's erasures is append-only in the database, like the access log:
triggers refuse every UPDATE and DELETE of its rows (:mod:`vawg_site.common.append_only`)."""

from django.db import migrations

from vawg_site.common.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("ingest", "0004_quarantine_fingerprint_erasure")]

    operations = [append_only("ingest_quarantineerasure")]
