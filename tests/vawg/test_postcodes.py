"""Postcode normalisation and the ONS Postcode Directory reader, on files the tests write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vawg.errors import UserInputError
from vawg.postcodes import onspd_read, postcode_normalise, postcode_partial

OUTWARD = st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]?", fullmatch=True)
INWARD = st.from_regex(r"[0-9][A-Z]{2}", fullmatch=True)


@given(OUTWARD, INWARD, st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=3), st.data())
def test_any_case_and_spacing_normalise_to_pcds(
    outward: str, inward: str, spaces: list[str], data: st.DataObject
) -> None:
    text = outward + inward
    cut = data.draw(st.integers(0, len(text)))
    typed = text[:cut] + "".join(spaces) + text[cut:]
    typed = "".join(c.lower() if data.draw(st.booleans()) else c for c in typed)
    assert postcode_normalise(f" {typed} ") == f"{outward} {inward}"
    assert not postcode_partial(typed)


@given(OUTWARD)
def test_an_outward_code_alone_is_partial(outward: str) -> None:
    assert postcode_normalise(outward) is None
    assert postcode_partial(outward.lower())


@pytest.mark.parametrize(
    "text", ["", "Camden", "SW1A 1A", "SW1A 1AAA", "12 3AB", "E1 6AN!", "EC1A"]
)
def test_not_a_full_postcode(text: str) -> None:
    assert postcode_normalise(text) is None


ONSPD_HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,ctry,rgn,lat,long,pfa,lsoa21"
)


def onspd_write(
    path: Path, rows: list[tuple[str, str, str, str, str, str]], *, upper: bool = False
) -> Path:
    """An ONSPD-format CSV: rows of (pcds, doterm, oslaua, osward, lat, long)."""
    header = ONSPD_HEADER.upper() if upper else ONSPD_HEADER
    lines = [header]
    for pcds, doterm, lad, ward, lat, long in rows:
        lines.append(
            f"{pcds},{pcds},{pcds},198001,{doterm},E99999999,,{lad},{ward},,0,530000,180000,1,"
            f"E92000001,E12000007,{lat},{long},E23000001,E01000001"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_onspd_read_keeps_the_boroughs_asked_for(tmp_path: Path) -> None:
    path = onspd_write(
        tmp_path / "ONSPD_TEST_UK.csv",
        [
            ("E1 6AN", "", "E09000030", "E05009333", "51.520", "-0.072"),
            ("E1 6ZZ", "201002", "E09000030", "E05009333", "51.521", "-0.073"),
            ("NW1 9ZZ", "", "E09000007", "E05013660", "99.999999", "0.000000"),
            ("AB10 1AB", "", "S12000033", "S13002843", "57.1", "-2.1"),
            ("E1 6AN", "", "E09000030", "E05009999", "51.0", "-0.0"),  # repeated: first kept
        ],
    )
    table = onspd_read(path, lad_codes={"E09000030", "E09000007"})
    assert table["postcode"].to_list() == ["E1 6AN", "E1 6ZZ", "NW1 9ZZ"]
    assert table["terminated"].to_list() == [None, dt.date(2010, 2, 1), None]
    assert table["latitude"].to_list() == [51.52, 51.521, None]  # 99.999999: no grid point
    assert table["ward_code"].to_list() == ["E05009333", "E05009333", "E05013660"]


def test_onspd_read_matches_column_names_without_case(tmp_path: Path) -> None:
    path = onspd_write(
        tmp_path / "u.csv", [("E1 6AN", "", "E09000030", "E05009333", "51.5", "-0.07")], upper=True
    )
    assert onspd_read(path, lad_codes={"E09000030"}).height == 1


def test_onspd_read_refuses_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("postcode,lat,long\nE1 6AN,51.5,-0.07\n")
    with pytest.raises(UserInputError, match="not an ONS Postcode Directory file"):
        onspd_read(path, lad_codes={"E09000030"})
    bad = onspd_write(tmp_path / "b.csv", [("E1 6AN", "2010-02", "E09000030", "", "51.5", "-0.07")])
    with pytest.raises(UserInputError, match="YYYYMM"):
        onspd_read(bad, lad_codes={"E09000030"})
    with pytest.raises(UserInputError, match="cannot read"):
        onspd_read(tmp_path / "missing.csv", lad_codes={"E09000030"})


def test_onspd_read_takes_columns_named_by_year(tmp_path: Path) -> None:
    path = tmp_path / "y.csv"
    path.write_text("PCDS,DOTERM,LAD25CD,WD25CD,LAT,LONG\nE1 6AN,,E09000030,E05009333,51.5,-0.07\n")
    [row] = onspd_read(path, lad_codes={"E09000030"}).iter_rows(named=True)
    assert (row["postcode"], row["ward_code"], row["lad_code"]) == (
        "E1 6AN",
        "E05009333",
        "E09000030",
    )
