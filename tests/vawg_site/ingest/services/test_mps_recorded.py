"""The Met's recorded crime loads once, and a revised count updates its row."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vawg_site.ingest.models import IngestRun
from vawg_site.ingest.services import mps_recorded_load
from vawg_site.opendata.models import RecordedCrimeCount

pytestmark = pytest.mark.django_db


def test_recorded_crime_loads_once_and_a_revision_updates(tmp_path: Path) -> None:
    path = tmp_path / "recorded-crime-borough.parquet"

    def write(january: int) -> None:
        pl.DataFrame(
            {
                "majortext": ["THEFT", "THEFT"],
                "minortext": ["SHOPLIFTING", "BICYCLE THEFT"],
                "boroughname": ["Camden", "Camden"],
                "202401": [january, 2],
                "202402": [3, 4],
            }
        ).write_parquet(path)

    write(1)
    first = mps_recorded_load(paths=[path])
    assert (first.read, first.loaded, first.duplicates, first.rejected) == (4, 4, 0, 0)
    assert sorted(RecordedCrimeCount.objects.values_list("minor_category", "count")) == [
        ("BICYCLE THEFT", 2),
        ("BICYCLE THEFT", 4),
        ("SHOPLIFTING", 1),
        ("SHOPLIFTING", 3),
    ]
    again = mps_recorded_load(paths=[path])
    assert (again.loaded, again.duplicates) == (0, 4)
    write(10)  # the Met revises January's shoplifting
    revised = mps_recorded_load(paths=[path])
    assert (revised.loaded, revised.updated, revised.duplicates) == (1, 1, 3)
    assert RecordedCrimeCount.objects.count() == 4
    assert (
        RecordedCrimeCount.objects.get(minor_category="SHOPLIFTING", month="2024-01-01").count == 10
    )
    assert IngestRun.objects.filter(source="mps-recorded").count() == 3
