"""``vawg manage quarantine_erase``: erase the force-extract rows kept in the quarantine longer
than ``VAWG_QUARANTINE_RETENTION_DAYS``, recording each erasure. Run it daily from a scheduler
(``docs/deploy.md``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vawg_site.ingest.services.quarantine import quarantine_erase


class Command(BaseCommand):
    help = (
        "Erase quarantined rows of force-extract loads older than the retention period "
        "(VAWG_QUARANTINE_RETENTION_DAYS), leaving an erasure record for each load."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="list what is due; erase none")

    def handle(self, *args: Any, **options: Any) -> None:
        done = quarantine_erase(dry_run=options["dry_run"])
        verb = "due" if options["dry_run"] else "erased"
        for item in done:
            self.stdout.write(
                f"{verb}: {item.rows} rejected rows of {item.source} load {item.run_id} "
                f"(finished {item.loaded_at:%Y-%m-%d %H:%M} UTC)"
            )
        self.stdout.write(f"{verb}: {sum(i.rows for i in done)} rows of {len(done)} loads")
