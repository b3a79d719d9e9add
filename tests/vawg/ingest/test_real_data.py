"""The readers on the real open data (``VAWG_DATA_DIR``): counts match SOURCES.md and reconcile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vawg.ingest.mps_vawg import mps_vawg_read, ward_code_share
from vawg.ingest.police_uk import police_uk_read
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read

pytestmark = pytest.mark.realdata


def test_the_2017_01_api_month_reads_57702_records(real_data_dir: Path) -> None:
    path = real_data_dir / "police_uk" / "api" / "london-2017-01-crimes-street-api.json.gz"
    result = police_uk_read([path])
    assert result.read == 57_702
    assert result.rejections == ()
    # about 2-3k persistent_ids repeat within the month (SOURCES.md): the last is kept
    assert 1_000 < result.duplicates < 4_000
    assert result.read == result.rows.height + result.duplicates


def test_a_city_of_london_month_with_no_location_rows(real_data_dir: Path) -> None:
    path = real_data_dir / "police_uk" / "2022-07-city-of-london-street.csv.gz"
    result = police_uk_read([path])
    assert result.read == 786
    assert result.rejections == ()
    assert result.rows.filter(result.rows["longitude"].is_null()).height >= 27
    assert result.rows.filter(result.rows["crime_key"].str.starts_with("sha1:")).height > 0


@pytest.mark.slow
def test_every_police_uk_file_reads_and_reconciles(real_data_dir: Path) -> None:
    result = police_uk_read([real_data_dir / "police_uk"])
    # 771,121 API records + 34,393 street CSV rows (both 2023-03 CoLP snapshots included)
    assert result.read == 805_514
    assert result.read == result.rows.height + result.duplicates + len(result.rejections)
    assert len(result.skipped) == 11  # 5 outcomes + 6 stop-and-search files
    assert set(result.rows["source"]) == {"csv", "api"}


def test_the_vawg_extracts_read_and_land_on_wards(real_data_dir: Path) -> None:
    wards = ward_lookup_read(real_data_dir / WARD_LOOKUP_RELATIVE)
    assert len(wards) == 684
    mps = real_data_dir / "mps"
    result = mps_vawg_read(
        [mps / "vawg-offences.parquet", mps / "vawg-victims.parquet"], wards=wards
    )
    assert result.read == 391_921 + 391_688
    assert result.rows.height == result.read
    assert result.rejections == ()
    share = ward_code_share(result.rows, measure="offences", since=date(2024, 1, 1))
    # the rest have no ward (blank, "N/K", outside the Met) or a ward abolished before 2024
    assert share > 0.95
