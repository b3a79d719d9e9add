"""Precursors: lifts with intervals on a hand-built cohort, and the watch list."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.precursors import precursors_run


def _write(folder: Path) -> None:
    crimes = ["crime_ref,recorded_date,offence_code,domestic_abuse"]
    inv = ["crime_ref,person_ref,role,relationship"]
    day = date(2023, 1, 10)
    # 40 people named for criminal damage; 20 of them are named for stalking 2 months later.
    for i in range(40):
        crimes.append(f"D{i},{day},58A,N")
        inv.append(f"D{i},P{i},suspect,partner")
        if i < 20:
            crimes.append(f"S{i},{day + timedelta(days=60)},8Q,N")
            inv.append(f"S{i},P{i},suspect,ex-partner")
    # 60 shoplifters; 3 of them later named for harassment.
    for i in range(60):
        crimes.append(f"L{i},{day},46,N")
        inv.append(f"L{i},Q{i},suspect,")
        if i < 3:
            crimes.append(f"H{i},{day + timedelta(days=90)},8L,N")
            inv.append(f"H{i},Q{i},suspect,")
    # recent criminal damage by someone with no VAWG record: the watch list
    crimes.append("W1,2024-05-01,58A,N")
    inv.append("W1,R1,suspect,partner")
    # recent criminal damage by someone already named for VAWG: not on the watch list
    crimes.append("W2,2024-05-02,58A,N")
    inv.append("W2,P0,suspect,partner")
    folder.mkdir()
    (folder / "crimes.csv").write_text("\n".join(crimes) + "\n", encoding="utf-8")
    (folder / "involvements.csv").write_text("\n".join(inv) + "\n", encoding="utf-8")


def test_lift_known_answer_and_watch_list(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    _write(folder)
    result = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    row = result.lifts.filter(pl.col("precursor") == "58A").row(0, named=True)
    # exposed 20/40 = 0.5 against 3/60 = 0.05: lift 10
    assert (row["exposed"], row["exposed_vawg"]) == (40, 20)
    assert (row["comparison"], row["comparison_vawg"]) == (60, 3)
    assert row["lift"] == pytest.approx(10.0)
    assert 1 < row["lift_low"] < 10 < row["lift_high"]
    assert row["significant"]
    partner = result.lifts.filter(pl.col("precursor") == "58A|partner").row(0, named=True)
    assert partner["lift"] == pytest.approx(10.0)
    shop = result.lifts.filter(pl.col("precursor") == "46").row(0, named=True)
    assert shop["lift"] < 1
    assert not shop["significant"]
    assert result.watch_list["person_ref"].to_list() == ["R1"]
    reason = result.watch_list["reason"][0]
    assert "58A" in reason
    assert "lift 10.0" in reason
    assert "no VAWG allegation" in reason


def test_nothing_after_as_of_is_used(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    _write(folder)
    before = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    with (folder / "crimes.csv").open("a", encoding="utf-8") as handle:
        handle.write("X1,2024-07-01,8Q,N\n")
    with (folder / "involvements.csv").open("a", encoding="utf-8") as handle:
        handle.write("X1,R1,suspect,\n")
    after = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    assert before.lifts.equals(after.lifts)
    assert before.watch_list.equals(after.watch_list)
