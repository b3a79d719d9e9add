"""The month-to-month list diff (known answers)."""

from __future__ import annotations

import polars as pl
import pytest

from vawg.rank.diff import list_diff


def _list(*refs: str) -> pl.DataFrame:
    return pl.DataFrame({"person_ref": list(refs), "rank": list(range(1, len(refs) + 1))})


def test_new_left_up_down_and_same() -> None:
    diff = list_diff(_list("A", "B", "C", "D", "E"), _list("C", "B", "F", "A", "G"))
    rows = {r["person_ref"]: r for r in diff.iter_rows(named=True)}
    assert rows["C"]["change"] == "up"
    assert rows["C"]["places"] == 2
    assert rows["B"]["change"] == "same"
    assert rows["B"]["places"] == 0
    assert rows["A"]["change"] == "down"
    assert rows["A"]["places"] == -3
    assert rows["F"]["change"] == "new"
    assert rows["F"]["previous_rank"] is None
    assert rows["G"]["change"] == "new"
    assert [rows[r]["change"] for r in ("D", "E")] == ["left", "left"]
    assert diff["person_ref"].to_list() == ["C", "B", "F", "A", "G", "D", "E"]
    counts = diff.group_by("change").len().sort("change").rows()
    assert counts == [("down", 1), ("left", 2), ("new", 2), ("same", 1), ("up", 1)]


def test_an_empty_previous_list_makes_everyone_new() -> None:
    empty = pl.DataFrame(schema={"person_ref": pl.String, "rank": pl.Int64})
    diff = list_diff(empty, _list("A", "B"))
    assert diff["change"].to_list() == ["new", "new"]
    assert list_diff(_list("A"), empty)["change"].to_list() == ["left"]


def test_a_list_naming_someone_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        list_diff(_list("A", "A"), _list("A"))
