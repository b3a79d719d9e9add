"""The Met's recorded crime by borough, ward and LSOA: wide files turned into one count a cell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.ingest.mps_recorded import mps_recorded_read


def _ward_file(path: Path, months: dict[str, list[int | None]], names: list[str]) -> Path:
    pl.DataFrame(
        {
            "wardname": names,
            "wardcode": [f"E0500000{i}" for i in range(len(names))],
            "majortext": ["THEFT"] * len(names),
            "minortext": ["SHOPLIFTING"] * len(names),
            "lookup_boroughname": ["Camden"] * len(names),
            **months,
        },
        schema_overrides={m: pl.Int64 for m in months},
    ).write_parquet(path)
    return path


def test_overlapping_files_keep_the_later_count_and_reconcile(tmp_path: Path) -> None:
    # The historical file ends with the month the current one starts with (as the Met's do).
    _ward_file(
        tmp_path / "recorded-crime-ward-historical.parquet",
        {"202401": [1, 2], "202402": [3, 4]},
        ["A", "B"],
    )
    _ward_file(tmp_path / "recorded-crime-ward.parquet", {"202402": [30, 40], "202403": [5, 6]},
               ["A", "B"])  # fmt: skip
    result = mps_recorded_read([tmp_path])
    assert result.read == 8
    assert result.duplicates == 2  # the historical file's February cells
    assert result.rejections == ()
    assert result.read == result.rows.height + result.duplicates + len(result.rejections)
    counts = {
        (row["area_name"], row["month"]): row["count"] for row in result.rows.iter_rows(named=True)
    }
    assert counts == {
        ("A", date(2024, 1, 1)): 1,
        ("B", date(2024, 1, 1)): 2,
        ("A", date(2024, 2, 1)): 30,
        ("B", date(2024, 2, 1)): 40,
        ("A", date(2024, 3, 1)): 5,
        ("B", date(2024, 3, 1)): 6,
    }
    assert set(result.rows["level"].cast(pl.String)) == {"ward"}
    assert set(result.rows["borough"].cast(pl.String)) == {"Camden"}


def test_blank_and_negative_counts_are_rejected_with_their_row(tmp_path: Path) -> None:
    _ward_file(tmp_path / "recorded-crime-ward.parquet", {"202401": [1, None], "202402": [-2, 4]},
               ["A", "B"])  # fmt: skip
    result = mps_recorded_read([tmp_path])
    reasons = sorted((r.line, r.reason) for r in result.rejections)
    assert reasons == [
        (1, "month 202402: count -2 is negative"),
        (2, "month 202401: count is blank or not a whole number"),
    ]
    assert result.rows.height == 2
    assert result.read == result.rows.height + result.duplicates + len(result.rejections)


def test_a_row_repeated_in_a_file_keeps_the_last(tmp_path: Path) -> None:
    path = tmp_path / "recorded-crime-borough.parquet"
    pl.DataFrame(
        {
            "majortext": ["THEFT", "THEFT"],
            "minortext": ["SHOPLIFTING", "SHOPLIFTING"],
            "boroughname": ["Camden", "Camden"],
            "202401": [1, 9],
        }
    ).write_parquet(path)
    result = mps_recorded_read([path])
    assert (result.read, result.rows.height, result.duplicates) == (2, 1, 1)
    assert result.rows["count"].to_list() == [9]


def test_another_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "recorded-crime-borough.parquet"
    pl.DataFrame({"borough": ["Camden"], "202401": [1]}).write_parquet(path)
    with pytest.raises(UserInputError, match="not a Met recorded-crime file"):
        mps_recorded_read([path])


@pytest.mark.realdata
def test_every_recorded_crime_file_reads_and_reconciles(real_data_dir: Path) -> None:
    result = mps_recorded_read([real_data_dir / "mps"])
    assert result.read == 6_088_329  # every (row, month) cell of the five files
    assert result.rejections == ()
    assert result.duplicates == 23_091  # February 2024 in both ward files, and repeated rows
    assert result.rows.height == 6_065_238
    levels = result.rows.group_by("level").len()
    assert dict(zip(levels["level"].cast(pl.String), levels["len"], strict=True)) == {
        "borough": 199_771,
        "ward": 3_858_687,
        "lsoa": 2_006_780,
    }
