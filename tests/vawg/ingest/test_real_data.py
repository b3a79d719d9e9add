"""The readers on the real open data (``VAWG_DATA_DIR``): counts match the row counts recorded
when the files were gathered, and reconcile."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vawg.ingest.mps_vawg import mps_vawg_read, ward_code_share, ward_coverage
from vawg.ingest.police_uk import police_uk_read
from vawg.ingest.wards import WARD_LOOKUP_RELATIVE, ward_lookup_read

pytestmark = pytest.mark.realdata


def test_the_2017_01_api_month_reads_57702_records(real_data_dir: Path) -> None:
    path = real_data_dir / "police_uk" / "api" / "london-2017-01-crimes-street-api.json.gz"
    result = police_uk_read([path])
    assert result.read == 57_702
    assert result.rejections == ()
    # about 2-3k persistent_ids repeat within the month (police.uk republishes a crime with a
    # newer outcome or location): the last is kept
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
    coverage = ward_coverage(result.rows, measure="offences", since=date(2024, 1, 1))
    assert coverage.share == share
    assert coverage.total == 216_235
    # Issue 3 asks for 98% of offences since 2024 on a ward code. Every offence whose ward the
    # Met names lands on one, bar the wards abolished before 2024 (Colindale, Kentish Town, ...):
    assert coverage.unmatched < 100
    assert coverage.share_of_named > 0.999
    # The rest have no ward in the source: blank or N/K (about 3%), or outside the Met (0.7%).
    # Those cannot be placed on a ward without inventing a location, so the share of all
    # offences stays near 96.3%, below the 98% asked (docs/ingest.md).
    assert coverage.not_known + coverage.outside_force > 0.03 * coverage.total
    assert 0.96 < share < 0.98
