"""The quarantine keeps each rejected row once (a fingerprint, unique) and records its erasures.

Rows stored before this migration get their fingerprint here; a row that repeats an earlier one
exactly (an earlier load of the same file rejected the same row for the same reason) is removed,
since the earlier copy holds the same text. The function is copied from
``vawg_site.ingest.services.runs.rejection_fingerprint`` so that this migration does not change
if that module does.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import migrations, models


def _fingerprint(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def fingerprints_fill(apps: Any, schema_editor: Any) -> None:
    rejection = apps.get_model("ingest", "Rejection")
    seen: set[str] = set()
    repeats: list[int] = []
    changed = []
    rows = rejection.objects.select_related("run").order_by("id")
    for row in rows.iterator(chunk_size=2000):
        fingerprint = _fingerprint(row.run.source, row.file, str(row.line), row.reason, row.raw)
        if fingerprint in seen:
            repeats.append(row.pk)
            continue
        seen.add(fingerprint)
        row.fingerprint = fingerprint
        changed.append(row)
        if len(changed) >= 2000:
            rejection.objects.bulk_update(changed, ["fingerprint"])
            changed = []
    rejection.objects.bulk_update(changed, ["fingerprint"])
    for start in range(0, len(repeats), 500):
        rejection.objects.filter(pk__in=repeats[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0003_alter_ingestrun_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="rejection",
            name="fingerprint",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.RunPython(fingerprints_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rejection",
            name="fingerprint",
            field=models.CharField(
                help_text="SHA-256 of source, file, line, reason and raw text: a load of the same "
                "file again does not store the same rejection twice",
                max_length=64,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="rejection",
            name="raw",
            field=models.TextField(
                blank=True, help_text="the row as read, whole, for the analyst to correct"
            ),
        ),
        migrations.CreateModel(
            name="QuarantineErasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "run_id_erased",
                    models.PositiveIntegerField(help_text="the load whose rejected rows went"),
                ),
                ("source", models.CharField(max_length=16)),
                ("loaded_at", models.DateTimeField(help_text="when that load finished")),
                ("rows", models.PositiveIntegerField(help_text="rejected rows erased")),
                ("erased_at", models.DateTimeField(auto_now_add=True)),
                ("reason", models.CharField(max_length=255)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["erased_at"], name="ingest_quar_erased__89f52b_idx"),
                ],
            },
        ),
    ]
