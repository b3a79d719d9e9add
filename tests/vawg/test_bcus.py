"""The shipped BCU table: 12 BCUs over 32 boroughs, each borough once, the groupings as the Met
announced them; and the reader's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg.bcus import BCU_PATH, bcu_list


def test_twelve_bcus_over_thirty_two_boroughs_each_once() -> None:
    units = bcu_list()
    assert len(units) == 12
    codes = [c for u in units for c in u.borough_codes]
    assert len(codes) == 32
    assert len(set(codes)) == 32
    assert "E09000001" not in codes  # the City of London has its own police force
    assert all(c.startswith("E09") and len(c) == 9 for c in codes)
    assert len({u.code for u in units}) == 12


def test_the_groupings_are_the_mets() -> None:
    by_name = {u.name: set(u.borough_names) for u in bcu_list()}
    assert by_name["Central West"] == {
        "Westminster",
        "Kensington and Chelsea",
        "Hammersmith and Fulham",
    }
    assert by_name["Central North"] == {"Camden", "Islington"}
    assert by_name["South West"] == {
        "Kingston upon Thames",
        "Merton",
        "Richmond upon Thames",
        "Wandsworth",
    }
    assert by_name["North East"] == {"Newham", "Waltham Forest"}
    assert by_name["South Area"] == {"Bromley", "Croydon", "Sutton"}


def test_the_header_states_the_source() -> None:
    header = [line for line in BCU_PATH.read_text().splitlines() if line.startswith("#")]
    assert any(line.startswith("# source:") and "https://" in line for line in header)


def _write(path: Path, rows: str) -> Path:
    path.write_text("# a comment\nbcu_code,bcu_name,borough_code,borough_name\n" + rows)
    return path


def test_a_borough_in_two_bcus_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "A,One,E09000007,Camden\nB,Two,E09000007,Camden\n")
    with pytest.raises(ValueError, match="E09000007"):
        bcu_list(path=path)


def test_a_bcu_with_two_names_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "A,One,E09000007,Camden\nA,Other,E09000019,Islington\n")
    with pytest.raises(ValueError, match="two names"):
        bcu_list(path=path)


def test_other_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("code,name\nA,One\n")
    with pytest.raises(ValueError, match="columns"):
        bcu_list(path=path)
