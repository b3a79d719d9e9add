"""The Met's VAWG counts load once, with ward codes, and reload as duplicates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vawg_site.ingest.services import mps_vawg_load
from vawg_site.opendata.models import VawgCount

pytestmark = pytest.mark.django_db


def _reconciles(result: Any) -> None:
    assert result.read == result.loaded + result.duplicates + result.rejected
    assert result.rejected == len(result.rejections)


def test_mps_vawg_load_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "vawg-victims.parquet"
    pl.DataFrame(
        {
            "borough_name": ["Camden", None],
            "ward_name_clean_2": ["St. Pancras & Somers Town", None],
            "recorded_date_months": [datetime(2024, 1, 1)] * 2,
            "date_committed_from_date_months": [datetime(2024, 1, 1), None],
            "count": [5, 3],
            "sheet": ["Victim count by location", "Victim count by age group"],
            "age_group": [None, "Aged 18 to 24"],
        }
    ).write_parquet(path)
    lookup = tmp_path / "lookup.csv"
    lookup.write_text("WD24CD,WD24NM,LAD24NM\nE05013669,St Pancras & Somers Town,Camden\n")
    first = mps_vawg_load(paths=[path], ward_lookup=lookup)
    _reconciles(first)
    assert (first.read, first.loaded) == (2, 2)
    assert VawgCount.objects.get(sheet="location").ward_code == "E05013669"
    assert VawgCount.objects.get(sheet="age").committed_month is None
    again = mps_vawg_load(paths=[path], ward_lookup=lookup)
    assert (again.loaded, again.duplicates) == (0, 2)
    assert VawgCount.objects.count() == 2
