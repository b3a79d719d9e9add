"""Harm tables: the default CCHI table, the official workbook loader, the ONS alternative."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.harm import (
    cchi_workbook_read,
    cchi_workbook_write_example,
    harm_table_default,
    harm_table_named,
    harm_table_ons_css,
)
from vawg.taxonomy import taxonomy_load


def test_every_default_value_is_marked_and_sourced() -> None:
    table = harm_table_default().table
    assert set(table["status"]) == {"verified", "provisional"}
    assert table["source"].str.len_chars().min() > 20
    assert table.filter(pl.col("status") == "provisional")["basis"].str.len_chars().min() > 0


def test_the_default_covers_every_home_office_code_of_the_taxonomy() -> None:
    codes = set(taxonomy_load().rows("ho")["code"])
    assert codes == set(harm_table_default().table["offence_code"])


def test_verified_values_match_the_published_ones() -> None:
    days = harm_table_default().days()
    assert days["1"] == 5475
    assert days["19C"] == 1825
    assert days["34B"] == 365
    assert days["46"] == 1


@pytest.mark.realdata
def test_subgroup_medians_match_the_reference_file(real_data_dir: Path) -> None:
    reference = pl.read_csv(real_data_dir / "reference" / "cchi_days_by_prc_subgroup.csv")
    medians = dict(zip(reference["prc_subgroup"], reference["cchi_days"], strict=True))
    table = harm_table_default().table.filter(pl.col("basis") == "subgroup-median")
    for subgroup, days in zip(table["ho_subgroup"], table["harm_days"], strict=True):
        assert days == pytest.approx(medians[subgroup])


def test_the_workbook_loader_reads_a_tiny_official_layout(tmp_path: Path) -> None:
    path = tmp_path / "Cambridge-CCHI-2026-update.xlsx"
    cchi_workbook_write_example(path=path)
    table = cchi_workbook_read(path=path)
    assert "CCHI 2026 values sheet" in table.name
    assert table.days() == {"19C": 1825.0, "8Q": 131.0, "8L": 10.0}  # EXPIRED row left out
    assert cchi_workbook_read(path=path, aggregate="max").days()["8Q"] == 252.0
    assert cchi_workbook_read(path=path, key="athena_urn").days()["URN3"] == 252.0
    assert cchi_workbook_read(path=path, key="ho_sub_code").days()["8Q/2"] == 252.0
    assert set(table.table["status"]) == {"verified"}


def test_a_bad_workbook_is_a_user_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(UserInputError):
        cchi_workbook_read(path=bad)
    empty = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UserInputError):
        cchi_workbook_read(path=empty)


def test_named_tables_and_csv_tables(tmp_path: Path) -> None:
    assert harm_table_named(spec="default").name.startswith("cchi-default")
    assert harm_table_named(spec="ons-css").days() == harm_table_ons_css().days()
    custom = tmp_path / "mine.csv"
    custom.write_text("offence_code,harm_days\n8q,12\n", encoding="utf-8")
    assert harm_table_named(spec=custom).days() == {"8Q": 12.0}
    custom.write_text("offence_code,harm_days\n8Q,-1\n", encoding="utf-8")
    with pytest.raises(UserInputError):
        harm_table_named(spec=custom)
    with pytest.raises(UserInputError):
        harm_table_named(spec="nonsense")
