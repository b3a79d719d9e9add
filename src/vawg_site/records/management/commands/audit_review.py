"""``vawg manage audit_review [--date YYYY-MM-DD]``: the nightly review of the access log for one
UTC day (yesterday by default), adding its alerts to the auditor's queue at
/workspace/audit/review/. Run it nightly from cron or a systemd timer (docs/audit.md); running
it again for the same day adds nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vawg_site.records.access_review import access_review_run


class Command(BaseCommand):
    help = (
        "Review one UTC day of the access log (yesterday by default) for the patterns the ICO "
        "names, and add an alert to the auditor's review queue for each account flagged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", dest="day", help="the UTC day to review, YYYY-MM-DD (default: yesterday)"
        )

    def handle(self, *args: Any, day: str | None = None, **options: Any) -> None:
        reviewed = _day(day)
        run = access_review_run(day=reviewed)
        self.stdout.write(
            f"Reviewed {reviewed.isoformat()} (UTC): {run.reads} reads of people and crimes, "
            f"{run.findings} findings, {run.alerts_added} new alerts."
        )


def _day(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date() - timedelta(days=1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date wants a day as YYYY-MM-DD, not {text!r}") from None
