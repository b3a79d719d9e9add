"""Digest of every public page and API answer, to show that a change of code left them alone.

Renders each address through Django's test client (no server, no network) against the database
the settings point at (``VAWG_HOME`` / ``DATABASE_URL``), and prints one JSON object: address ->
``[status, sha256 of the body, ETag]``. Run it before and after a refactoring on the same loaded
database and compare::

    VAWG_HOME=/tmp/demo uv run python scripts/page_digests.py > before.json
    ... change the code ...
    VAWG_HOME=/tmp/demo uv run python scripts/page_digests.py > after.json
    uv run python scripts/page_digests.py --compare before.json after.json

The addresses are the pages and API calls warmed at start-up, every commitment page, and the
filtered, CSV and GeoJSON variants a visitor reaches from them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

EXTRA_PATHS = (
    "/exit-this-page/",
    "/staying-safe-online/",
    "/data/?measure=victims",
    "/data/?borough=Westminster",
    "/data/?borough=Westminster&ward=E05013806",
    "/data/?group=Rape",
    "/data/?compare=none&start=2023-01&end=2023-12",
    "/data/?format=csv&table=trend",
    "/data/?format=csv&table=areas",
    "/data/?format=csv&table=groups",
    "/data/?format=csv&table=age",
    "/data/?format=csv&table=ethnicity",
    "/data/?start=2099-01",
    "/data/wards.json?borough=Camden",
    "/data/boroughs/?borough=Camden",
    "/data/boroughs/?borough=Camden&format=csv",
    "/data/boroughs/?start=2019-01&end=2019-12",
    "/data/maps/wards/?order=z",
    "/data/maps/wards/?order=rate&borough=Hackney",
    "/data/maps/wards/?hotspot=hot&page=2",
    "/data/maps/wards/?format=csv",
    "/data/maps/wards/?start=2022-01&end=2022-12",
    "/data/maps/wards/data.json?start=2022-01&end=2022-12",
    "/data/maps/street/?order=z",
    "/data/maps/street/?format=csv",
    "/data/maps/street/?hotspot=hot",
    "/data/maps/outlines/wards.geojson",
    "/data/maps/outlines/boroughs.geojson",
    "/commitments/11/",
    "/api/openapi.json",
    "/api/v1/areas/boroughs?limit=5&offset=3",
    "/api/v1/areas/boroughs.csv",
    "/api/v1/areas/boroughs.geojson",
    "/api/v1/areas/wards",
    "/api/v1/areas/wards?borough=E09000007",
    "/api/v1/areas/wards.csv?borough=E09000007",
    "/api/v1/areas/wards.geojson?borough=E09000007",
    "/api/v1/areas/E09000007",
    "/api/v1/areas/E05013806",
    "/api/v1/areas/E09999999",
    "/api/v1/vawg/location",
    "/api/v1/vawg/location?level=ward&area=E09000007&month_from=2024-01&month_to=2024-06",
    "/api/v1/vawg/location?measure=victims&limit=1000",
    "/api/v1/vawg/location.csv?month_from=2024-01",
    "/api/v1/vawg/location?month_from=2024-13",
    "/api/v1/vawg/location?month_from=2024-05&month_to=2024-01",
    "/api/v1/vawg/offence-groups",
    "/api/v1/vawg/offence-groups?group=Stalking+and+Harassment",
    "/api/v1/vawg/victims/age-groups",
    "/api/v1/vawg/victims/ethnic-groups?month_from=2023-01",
    "/api/v1/police-uk/lsoa",
    "/api/v1/police-uk/lsoa?category=burglary&month_from=2023-03&month_to=2023-03",
    "/api/v1/police-uk/grid",
    "/api/v1/police-uk/grid?cell_size_m=500&offset=100",
    "/api/v1/hotspots/wards?month_from=2022-01&month_to=2022-12",
    "/api/v1/hotspots/wards.csv",
    "/api/v1/hotspots/wards.geojson",
    "/api/v1/hotspots/grid?cell_size_m=500",
    "/api/v1/hotspots/grid.csv",
    "/api/v1/hotspots/grid.geojson",
    "/api/v1/force/vawg-crimes/by-group-month",
    "/api/v1/force/vawg-crimes/by-group-month?month_from=2024-06&month_to=2024-09",
    "/api/v1/force/vawg-crimes/grid",
    "/api/v1/force/vawg-crimes/grid?cell_size_m=2000&limit=20",
)


def addresses() -> list[str]:
    from vawg_site.public.warm import WARM_PATHS, commitment_paths

    return [*WARM_PATHS, *commitment_paths(), *EXTRA_PATHS]


def digests() -> dict[str, list[object]]:
    from django.test import Client

    client = Client()
    out: dict[str, list[object]] = {}
    for path in addresses():
        response = client.get(path)
        body = b"".join(response) if response.streaming else response.content
        out[path] = [
            response.status_code,
            hashlib.sha256(body).hexdigest(),
            response.get("ETag", ""),
        ]
    return out


def compare(before_file: Path, after_file: Path) -> int:
    before = json.loads(before_file.read_text())
    after = json.loads(after_file.read_text())
    differ = [p for p in before if before[p] != after.get(p)]
    for path in differ:
        print(f"differs: {path}: {before[path]} -> {after.get(path)}")
    print(f"{len(before) - len(differ)} of {len(before)} addresses identical")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vawg_site.config.settings")
    os.environ["VAWG_RENDERS_PER_MINUTE"] = "0"  # one client asks for every page at once
    import django

    django.setup()
    json.dump(digests(), sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
