"""The query and path parameters the API's operations share, each with its bounds and words:
what the OpenAPI schema shows and what a request is checked against before anything is read."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from ninja.params.functions import Query

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"

Month = Query(None, pattern=MONTH_PATTERN, description="YYYY-MM, inclusive")
Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"rows per page, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=10_000_000, description="rows to skip")
StreetCell = Query(
    1000, ge=250, le=2000, multiple_of=250, description="side of a grid cell, metres"
)
HotspotCell = Query(
    settings.VAWG_ANALYSIS.hotspot_cell_m,
    ge=500,
    le=2000,
    multiple_of=500,
    description="side of a grid cell, metres",
)
StreetCategory = Literal[
    "anti-social-behaviour",
    "bicycle-theft",
    "burglary",
    "criminal-damage-arson",
    "drugs",
    "other-crime",
    "other-theft",
    "possession-of-weapons",
    "public-order",
    "robbery",
    "shoplifting",
    "theft-from-the-person",
    "vehicle-crime",
    "violent-crime",
]
"""police.uk's current street-level categories (API slugs)."""
