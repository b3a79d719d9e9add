"""The VAWG taxonomy: a versioned table with a source for every row, and its rule set."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.taxonomy import (
    TAXONOMY_PATH,
    VAWG_GROUPS,
    crimes_classify,
    mps_names_classify,
    taxonomy_load,
    unknown_codes,
)

SYNTH_CODES = (
    Path(__file__).resolve().parents[2] / "src" / "vawg" / "data" / "mps_offence_codes.csv"
)


def test_the_table_has_a_version_and_a_source_for_every_row() -> None:
    taxonomy = taxonomy_load()
    assert taxonomy.version
    assert taxonomy.table["source"].str.strip_chars().str.len_chars().min() > 10
    assert set(taxonomy.table["status"]) <= {"verified", "provisional"}


def test_every_issue_group_is_reachable() -> None:
    groups = set(taxonomy_load().table["vawg_group"]) - {""}
    assert groups | {"domestic_abuse", "violence_against_women"} >= set(VAWG_GROUPS)


@pytest.mark.parametrize(
    ("code", "da", "female", "description", "group", "basis"),
    [
        ("19C", False, False, None, "rape", "offence"),
        ("8Q", False, False, None, "stalking", "offence"),
        ("8U", False, False, None, "controlling_coercive", "offence"),
        ("8G", False, True, None, "violence_against_women", "female_victim"),
        ("8G", False, False, None, None, None),
        ("58A", True, False, None, "domestic_abuse", "da_flag"),
        ("58A", False, True, None, None, None),
        ("8K", False, True, "Female Genital Mutilation", "fgm", "title"),
        ("8L", False, False, "Disclose private sexual photographs", "intimate_image", "title"),
        ("8P", False, False, "Forced marriage offences", "honour_forced_marriage", "title"),
        ("4.1", False, True, None, "violence_against_women", "female_victim"),
        ("ZZ9", True, False, None, "domestic_abuse", "da_flag"),
    ],
)
def test_the_rule_set(
    code: str,
    da: bool,
    female: bool,
    description: str | None,
    group: str | None,
    basis: str | None,
) -> None:
    crimes = pl.LazyFrame(
        {
            "offence_code": [code],
            "domestic_abuse": [da],
            "female_victim": [female],
            "offence_description": [description],
        },
        schema={
            "offence_code": pl.String,
            "domestic_abuse": pl.Boolean,
            "female_victim": pl.Boolean,
            "offence_description": pl.String,
        },
    )
    row = crimes_classify(crimes, taxonomy=taxonomy_load()).collect().row(0, named=True)
    assert row["vawg_group"] == group
    assert row["vawg_basis"] == basis
    assert row["is_vawg"] is (group is not None)


def test_unknown_codes_are_reported_not_dropped() -> None:
    crimes = pl.LazyFrame({"offence_code": ["19C", "QQ1", "QQ1"], "domestic_abuse": [False] * 3})
    taxonomy = taxonomy_load()
    out = crimes_classify(crimes, taxonomy=taxonomy).collect()
    assert out.height == 3
    assert out["code_known"].to_list() == [True, False, False]
    assert unknown_codes(crimes, taxonomy=taxonomy).rows() == [("QQ1", 2)]


def test_the_synth_generators_codes_are_all_known() -> None:
    assert SYNTH_CODES.is_file(), "the synth generator's code table ships with the package"
    codes = pl.read_csv(SYNTH_CODES, comment_prefix="#", infer_schema=False)
    assert (
        unknown_codes(codes.rename({"ho_code": "offence_code"}), taxonomy=taxonomy_load()).height
        == 0
    )


def test_a_broken_table_is_refused(tmp_path: Path) -> None:
    text = TAXONOMY_PATH.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(text) if line.startswith("scheme,"))
    broken = [*text[: header_at + 1], "ho,8Q,Stalking,x,stalking,always,verified,"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(broken) + "\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="no source"):
        taxonomy_load(path=path)


@pytest.mark.realdata
def test_every_met_classification_name_is_mapped(real_data_dir: Path) -> None:
    frame = (
        pl.read_parquet(
            real_data_dir / "mps" / "vawg-offences.parquet",
            columns=["crimsec_group", "vawg_offence"],
        )
        .filter(pl.col("vawg_offence").is_not_null())
        .unique()
    )
    mapped = mps_names_classify(frame, taxonomy=taxonomy_load())
    assert mapped.filter(~pl.col("name_known")).height == 0
    rape = mapped.filter(pl.col("crimsec_group") == "Rape")
    assert set(rape["vawg_group"]) == {"rape"}
