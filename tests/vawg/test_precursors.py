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
    assert before.curves.equals(after.curves)


def test_an_allegation_older_than_three_years_keeps_a_man_off_the_list(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    _write(folder)
    # R2 was named for stalking in 2019, more than 1,095 days before the as-of date, and is
    # named for partner criminal damage now: he has a VAWG allegation, so he is not listed.
    with (folder / "crimes.csv").open("a", encoding="utf-8") as handle:
        handle.write("OLD,2019-03-01,8Q,N\nW3,2024-05-03,58A,N\n")
    with (folder / "involvements.csv").open("a", encoding="utf-8") as handle:
        handle.write("OLD,R2,suspect,partner\nW3,R2,suspect,partner\n")
    result = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    assert result.watch_list["person_ref"].to_list() == ["R1"]
    # and the lifts' index dates reach back to a year after the first record (2019-03-01):
    # the washout, so that each index date has a year of records before it
    assert result.study_start == date(2019, 3, 1) + timedelta(days=365)


def test_no_one_with_any_earlier_vawg_allegation_is_listed_in_synth(tmp_path: Path) -> None:
    from vawg import synth
    from vawg.rank import allegations_load

    folder = tmp_path / "synth"
    synth.write_extract(
        out=folder, seed=3, size="small", years=4, calibration=synth.calibration_shipped()
    )
    as_of = date(2025, 2, 28)
    result = precursors_run(folder=folder, as_of=as_of, min_lift=1.0, top=10_000)
    assert result.watch_list.height > 0
    # men listed for a pattern (not a single type) are held to the same rule
    assert set(result.watch_list["best_pattern"]) - {"type", "partner"}
    history = allegations_load(folder=folder, start=date(2000, 1, 1), end=as_of)
    earlier_vawg = set(history.suspects.filter(pl.col("is_vawg"))["person_ref"].to_list())
    assert not earlier_vawg & set(result.watch_list["person_ref"].to_list())


def test_only_types_with_a_lift_of_three_are_watched_and_the_list_is_capped(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "force"
    _write(folder)
    # 40 people named for public order (9A), 8 of them for stalking later: 8/40 = 0.2, against
    # (20 + 3) / 300 for the others (with 200 more shoplifters): a significant lift of 2.6, under
    # 3, so 9A is not watched.
    with (folder / "crimes.csv").open("a", encoding="utf-8") as handle:
        for i in range(40):
            handle.write(f"PO{i},2023-01-10,9A,N\n")
        for i in range(8):
            handle.write(f"POS{i},2023-03-10,8Q,N\n")
        for i in range(200):
            handle.write(f"SL{i},2023-01-10,46,N\n")
        handle.write("W4,2024-05-04,9A,N\nW5,2024-05-05,58A,N\n")
    with (folder / "involvements.csv").open("a", encoding="utf-8") as handle:
        for i in range(40):
            handle.write(f"PO{i},T{i},suspect,\n")
        for i in range(8):
            handle.write(f"POS{i},T{i},suspect,\n")
        for i in range(200):
            handle.write(f"SL{i},SL{i},suspect,\n")
        handle.write("W4,R4,suspect,\nW5,R5,suspect,\n")
    result = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    po = result.lifts.filter(pl.col("precursor") == "9A").row(0, named=True)
    assert po["lift"] == pytest.approx(0.2 / (23 / 300))
    assert po["significant"]
    assert not po["watched"]
    assert result.lifts.filter(pl.col("precursor") == "58A")["watched"].item()
    listed = result.watch_list
    assert "R4" not in listed["person_ref"].to_list()
    # ranked by the chance of a first VAWG allegation in the year ahead given the days since
    # the flag: everyone named after a 58A was named on day 60; R5 was flagged 56 days before
    # the as-of date (that step is still ahead of him), R1 60 days before (it is behind him)
    assert listed["person_ref"].to_list() == ["R5", "R1"]
    assert listed["risk_next_365"][0] > 0 == listed["risk_next_365"][1]
    assert listed["rank"].to_list() == [1, 2]
    capped = precursors_run(folder=folder, as_of=date(2024, 6, 30), top=1)
    assert capped.watch_list["person_ref"].to_list() == ["R5"]
    everything = precursors_run(folder=folder, as_of=date(2024, 6, 30), min_lift=2.0)
    assert "R4" in everything.watch_list["person_ref"].to_list()


def test_the_time_to_a_first_vawg_allegation_is_a_censored_curve(tmp_path: Path) -> None:
    folder = tmp_path / "force"
    _write(folder)
    result = precursors_run(folder=folder, as_of=date(2024, 6, 30))
    curve = result.curves.filter(pl.col("precursor") == "58A")
    # 41 people flagged for 58A with no VAWG before (40 in 2023 and R1 in May 2024, followed
    # 60 days and censored); 20 named on day 60, the rest censored at the as-of date
    assert curve.select("days", "at_risk", "events").rows() == [(60, 41, 20)]
    assert curve["survival"].item() == pytest.approx(21 / 41)
    row = result.lifts.filter(pl.col("precursor") == "58A").row(0, named=True)
    assert row["risk_365"] == pytest.approx(20 / 41)
    assert row["median_days"] is None  # fewer than half named: the median is not reached
    assert "of 41 people flagged for it before, 49% were named" in result.watch_list["reason"][0]


def test_the_lift_of_the_list_over_the_year_after(tmp_path: Path) -> None:
    from vawg.precursors_backtest import precursors_evaluate

    folder = tmp_path / "force"
    _write(folder)
    # after the as-of date R1 (listed) is named for stalking; of the 4 other recent non-VAWG
    # offenders with no VAWG record (shoplifters), one is
    with (folder / "crimes.csv").open("a", encoding="utf-8") as handle:
        handle.write("F1,2024-08-01,8Q,N\nF2,2024-09-01,8Q,N\n")
        for i in range(4):
            handle.write(f"NL{i},2024-04-0{i + 1},46,N\n")
    with (folder / "involvements.csv").open("a", encoding="utf-8") as handle:
        handle.write("F1,R1,suspect,partner\nF2,U0,suspect,\n")
        for i in range(4):
            handle.write(f"NL{i},U{i},suspect,\n")
    result, evaluation = precursors_evaluate(folder=folder, as_of=date(2024, 6, 30))
    assert result.watch_list["person_ref"].to_list() == ["R1"]
    assert (evaluation.listed, evaluation.listed_named) == (1, 1)
    assert (evaluation.others, evaluation.others_named) == (4, 1)
    assert evaluation.lift == pytest.approx(4.0)
    assert "lift 4.00" in evaluation.text()
    assert evaluation.lift_over_base == pytest.approx(1 / (2 / 5))


def test_the_command_writes_the_list_and_curves_and_scores_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vawg.cli import main

    folder = tmp_path / "force"
    _write(folder)
    with (folder / "crimes.csv").open("a", encoding="utf-8") as handle:
        handle.write("F1,2024-08-01,8Q,N\nEND,2025-06-30,46,N\n")
    with (folder / "involvements.csv").open("a", encoding="utf-8") as handle:
        handle.write("F1,R1,suspect,partner\nEND,Z9,suspect,\n")
    out, curves = tmp_path / "watch.csv", tmp_path / "curves.csv"
    argv = ["rank", "precursors", str(folder), "--as-of", "2024-06-30", "--out", str(out)]
    assert main([*argv, "--survival-out", str(curves), "--evaluate"]) == 0
    printed = capsys.readouterr().out
    assert "watch list of 1 as of 2024-06-30: 1 (100.0%) named for a VAWG offence" in printed
    watch = pl.read_csv(out)
    assert watch.columns[:5] == [
        "person_ref", "precursors", "last_precursor_date", "best_lift", "reason"
    ]  # fmt: skip
    assert watch["rank"].to_list() == [1]
    assert set(pl.read_csv(curves)["precursor"].to_list()) >= {"*", "58A", "58A|partner"}
    assert main([*argv, "--min-lift", "11"]) == 0
    assert "no significant precursor type has a lift of 11 or more" in capsys.readouterr().err
    assert pl.read_csv(out).is_empty()


@pytest.mark.parametrize("model", ["synth", "simple"])
def test_a_generated_force_with_a_precursor_effect_gives_a_list_that_beats_the_others(
    tmp_path: Path, model: str
) -> None:
    """Both generators now give some future VAWG suspects non-VAWG offences first (damage to a
    home, public order) among many general offenders who never offend against women: the
    list (lift of 3 or more; 2 on the simple model) is not empty, it is named for VAWG in the
    year after more often than the other non-VAWG offenders, and no one on it has an earlier
    VAWG allegation."""
    from vawg import synth
    from vawg.precursors_backtest import precursors_evaluate
    from vawg.rank import allegations_load
    from vawg.synth.simple import simple_write

    folder = tmp_path / model
    if model == "synth":
        synth.write_extract(
            out=folder, seed=3, size="small", years=4, calibration=synth.calibration_shipped()
        )
        as_of = date(2023, 8, 31)
    else:
        simple_write(out=folder, seed=3, years=4, end_date=date(2025, 8, 31), men=1000)
        as_of = date(2024, 8, 31)
    # On the simple model at this size (1,000 men) no precursor reaches a lift of 3 once the
    # index dates have a year of records before them (docs/ranking.md, "Precursors"): the list
    # is asked only to beat the others, at a lift of 2.
    min_lift = 3.0 if model == "synth" else 2.0
    result, evaluation = precursors_evaluate(folder=folder, as_of=as_of, min_lift=min_lift)
    assert result.watch_list.height > 0
    assert evaluation.listed == result.watch_list.height
    assert evaluation.lift > 1.0
    assert evaluation.lift_over_base > 1.0
    history = allegations_load(folder=folder, start=date(2000, 1, 1), end=as_of)
    earlier_vawg = set(history.suspects.filter(pl.col("is_vawg"))["person_ref"].to_list())
    assert not earlier_vawg & set(result.watch_list["person_ref"].to_list())
