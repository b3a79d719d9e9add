"""The Met's VAWG extracts: sheets kept apart, natural keys, ward codes, CSV and Parquet alike."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.ingest.mps_vawg import mps_vawg_read, sheet_parse, ward_code_share
from vawg.ingest.wards import Ward

WARDS = [Ward("E05013669", "St Pancras & Somers Town", "Camden")]


def _offences() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "bcu_location": ["Central North", "Central North", None, "Central North"],
            "borough_name": ["Camden", "Camden", None, "Camden"],
            "ward_name_clean_2": ["St. Pancras and Somers Town", "Kentish Town", None, None],
            "recorded_date_months": [datetime(2024, 1, 1)] * 4,
            "date_committed_from_date_months": [
                datetime(2023, 12, 1),
                None,
                datetime(2024, 1, 1),
                datetime(2024, 1, 1),
            ],
            "count": [5, 2, 7, 1],
            "sheet": [
                "Offence count location",
                "Offence count location",
                "Offence count classification",
                "Offence count location",
            ],
            "crimsec_group": [None, None, "Sexual Offences", None],
            "crimseccodeexpansion": [None, None, "Rape", None],
            "crimsec_offences": [None, None, "Rape of a female aged 16 or over", None],
            "vawg_offence": [None, None, "Rape", None],
        }
    )


def test_parquet_rows_are_normalised_and_matched(tmp_path: Path) -> None:
    path = tmp_path / "vawg-offences.parquet"
    _offences().write_parquet(path)
    result = mps_vawg_read([path], wards=WARDS)
    assert (result.read, result.rows.height, result.duplicates, len(result.rejections)) == (
        4,
        4,
        0,
        0,
    )
    rows = result.rows.sort("count")
    assert rows["sheet"].to_list() == ["location", "location", "location", "classification"]
    assert set(rows["measure"]) == {"offences"}
    assert rows.filter(pl.col("count") == 5)["ward_code"].item() == "E05013669"
    assert rows.filter(pl.col("count") == 2)["ward_code"].item() == ""
    assert rows.filter(pl.col("count") == 2)["committed_month"].item() is None
    assert rows.filter(pl.col("count") == 7)["offence"].item() == "Rape"
    assert "Kentish Town (Camden)" in result.notices[0]
    assert ward_code_share(result.rows, since=date(2024, 1, 1)) == pytest.approx(5 / 8)


def test_csv_with_the_same_columns_reads_the_same(tmp_path: Path) -> None:
    parquet = tmp_path / "vawg-offences.parquet"
    csv = tmp_path / "vawg-offences.csv"
    _offences().write_parquet(parquet)
    _offences().with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d")).write_csv(csv)
    a = mps_vawg_read([parquet], wards=WARDS).rows.sort("natural_key")
    b = mps_vawg_read([csv], wards=WARDS).rows.sort("natural_key")
    assert a.equals(b)


def test_loading_a_file_twice_in_one_read_keeps_one_of_each_key(tmp_path: Path) -> None:
    path = tmp_path / "vawg-offences.parquet"
    _offences().write_parquet(path)
    result = mps_vawg_read([path, path])
    assert (result.read, result.rows.height, result.duplicates) == (8, 4, 4)


def test_bad_rows_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(
        "sheet,recorded_date_months,count,borough_name\n"
        "Victim count by age group,2024-01-01,3,\n"
        "Something else,2024-01-01,3,\n"
        "Victim count by location,not a date,3,Camden\n"
        "Victim count by location,2024-01-01,-1,Camden\n"
        "Victim count by location,2024-01-01,x,Camden\n"
    )
    result = mps_vawg_read([path])
    assert result.rows.height == 1
    assert result.rows["sheet"].item() == "age"
    assert [r.line for r in result.rejections] == [3, 4, 5, 6]


def test_missing_columns_are_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(UserInputError, match="missing columns"):
        mps_vawg_read([path])


def test_sheet_names() -> None:
    assert sheet_parse("Victim count by age group") == ("victims", "age")
    assert sheet_parse("Offence count classification") == ("offences", "classification")
    assert sheet_parse("Totals") is None
