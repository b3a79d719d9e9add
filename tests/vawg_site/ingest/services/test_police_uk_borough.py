"""Each police.uk record is given the borough it falls in when it is loaded: from its LSOA (code,
else the local authority in its name), else its map point; blank outside the shipped boroughs.
Rows stored before the borough existed are placed by the migration, by the same rule."""

from __future__ import annotations

import gzip
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from vawg_site.ingest.services import police_uk_load
from vawg_site.opendata.models import StopSearch, StreetCrime, StreetOutcome

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

CAMDEN, CITY, WESTMINSTER = "E09000007", "E09000001", "E09000033"
STREET_ROWS = [
    # The City's own LSOA code: the City, whatever the point.
    "c1,2023-03,City of London Police,City of London Police,-0.097,51.518,On or near X,"
    "E01000001,City of London 001A,Violence and sexual offences,,",
    # A code not in the shipped layers, a London name: the borough of the name.
    "c2,2023-03,City of London Police,City of London Police,-0.14,51.54,On or near Y,"
    "E01999999,Camden 001A,Violence and sexual offences,,",
    # Another force's county: no borough, though its point is in Westminster.
    "c3,2023-03,Cambridgeshire Constabulary,Cambridgeshire Constabulary,-0.1276,51.5072,"
    "On or near Z,E01015678,Peterborough 012A,Violence and sexual offences,,",
    # No Location: no LSOA and no point.
    "c4,2023-03,City of London Police,City of London Police,,,No Location,,,Robbery,,",
]


def _api(path: Path, points: list[tuple[float, float]]) -> Path:
    records = [
        {
            "category": "violent-crime",
            "location_type": "Force",
            "location": {"latitude": str(lat), "longitude": str(lon), "street": {"name": "S"}},
            "context": "",
            "outcome_status": None,
            "persistent_id": f"p{i}",
            "id": i,
            "month": "2017-01",
        }
        for i, (lon, lat) in enumerate(points)
    ]
    path.write_bytes(gzip.compress(json.dumps(records).encode()))
    return path


def test_each_record_is_given_its_borough_when_loaded(
    tmp_path: Path, make_street_csv: Any, real_data_dir: Path
) -> None:
    csv = tmp_path / "2023-03-city-of-london-street.csv"
    csv.write_bytes(make_street_csv(STREET_ROWS))
    # Trafalgar Square (Westminster), Camden Town, and Cambridge (outside every borough).
    api = _api(tmp_path / "api.json.gz", [(-0.1281, 51.5080), (-0.1426, 51.5390), (0.12, 52.2)])
    result = police_uk_load(paths=[csv, api])
    stored = dict(StreetCrime.objects.values_list("crime_key", "borough_code"))
    assert stored == {"c1": CITY, "c2": CAMDEN, "c3": "", "c4": "", "p0": WESTMINSTER,
                      "p1": CAMDEN, "p2": ""}  # fmt: skip
    # Counted: the two API records in Westminster and Camden; c2 is in Camden but the City of
    # London Police's.
    assert any(
        n.startswith("2 of the 7 stored street records are in the force area")
        for n in result.notices
    )


def test_the_migration_places_rows_stored_before_it(real_data_dir: Path) -> None:
    StreetCrime.objects.bulk_create(
        [
            StreetCrime(
                crime_key="a",
                month="2017-01-01",
                category="violent-crime",
                longitude=-0.1281,
                latitude=51.5080,
                source="api",
            ),
            StreetCrime(
                crime_key="b",
                month="2017-01-01",
                category="violent-crime",
                lsoa_code="E01000001",
                lsoa_name="City of London 001A",
                source="csv",
            ),
        ]
    )
    StreetOutcome.objects.create(
        crime_id="b", month="2017-01-01", outcome_type="X", lsoa_name="Camden 001A"
    )
    migration = importlib.import_module("vawg_site.opendata.migrations.0006_borough_code")
    from django.apps import apps

    migration.boroughs_place(apps, None)
    assert dict(StreetCrime.objects.values_list("crime_key", "borough_code")) == {
        "a": WESTMINSTER,
        "b": CITY,
    }
    assert StreetOutcome.objects.get().borough_code == CAMDEN
    assert not StopSearch.objects.exists()
