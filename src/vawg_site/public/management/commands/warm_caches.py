"""``vawg manage warm_caches``: render the main public pages and API calls once, so that the
first visitors after a load do not wait for the figures to be worked out.

Useful with a cache the workers share (``VAWG_CACHE_URL``); each worker's own memory cache is
filled at ``vawg serve`` start-up instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vawg_site.public.warm import site_caches_warm


class Command(BaseCommand):
    help = "Fill the site's caches with the main public pages and API calls."

    def handle(self, *args: Any, **options: Any) -> None:
        warmed = site_caches_warm()
        for path, status in warmed.statuses:
            self.stdout.write(f"{status} {path}")
        self.stdout.write(f"warmed {len(warmed.statuses)} addresses in {warmed.seconds:.1f} s")
