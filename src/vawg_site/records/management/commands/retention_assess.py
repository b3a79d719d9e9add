"""``vawg manage retention_assess``: give every person their MoPI retention group and next review
date (``docs/retention.md``). Each force load does it too; run it after changing a
``VAWG_RETENTION_GROUP*_REVIEW_YEARS`` setting."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vawg_site.records.retention import retention_assess


class Command(BaseCommand):
    help = "Assess every person's MoPI retention group and next review date."

    def handle(self, *args: Any, **options: Any) -> None:
        done = retention_assess()
        groups = ", ".join(f"group {g}: {n:,}" for g, n in sorted(done.by_group.items()))
        self.stdout.write(f"assessed {done.people:,} people ({groups}); {done.changed:,} changed")
