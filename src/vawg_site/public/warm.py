"""The public addresses most visitors start from, rendered once ahead of them.

Run by each ``vawg serve`` worker as it starts (by the first one only with a shared cache) and,
with a shared cache, after each load (``vawg manage warm_caches``), so that the first visitors
after a load do not wait for the figures to be worked out.
"""

from __future__ import annotations

from collections.abc import Iterable

from vawg.commitments import COMMITMENTS
from vawg_site.common.http import Warmed, caches_warm

WARM_PATHS = (
    "/",
    "/data/",
    "/data/boroughs/",
    "/data/maps/wards/",
    "/data/maps/wards/data.json",
    "/data/maps/street/",
    "/data/maps/street/data.json",
    "/accessibility/",
    "/how-we-use-data/",
    "/api/docs",
    "/api/v1/months",
    "/api/v1/categories",
    "/api/v1/areas/boroughs",
    "/api/v1/hotspots/wards",
    "/api/v1/hotspots/grid",
)
"""The pages and API calls most visitors start from (each with its default filters)."""


def commitment_paths() -> list[str]:
    """Every commitment page."""
    return [f"/commitments/{c.number}/" for c in COMMITMENTS if c.has_progress_page]


def site_caches_warm(*, paths: Iterable[str] | None = None) -> Warmed:
    """Render :data:`WARM_PATHS` and every commitment page (or ``paths``) once."""
    return caches_warm(
        paths=list(paths) if paths is not None else [*WARM_PATHS, *commitment_paths()]
    )
