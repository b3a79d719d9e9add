"""Ranking: known answers on a hand-built extract, the command, as-of safety, backtests."""

from __future__ import annotations

import argparse
import math
import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.extract import CACHE_FOLDER
from vawg.rank import (
    OUTPUT_COLUMNS,
    SERIAL_DAYS,
    RfgvWeights,
    allegations_load,
    backtest_run,
    ranking_compute,
    ranking_run,
)
from vawg.rank_command import register

AS_OF = date(2025, 6, 30)

CRIMES = (
    (
        "crime_ref,recorded_date,committed_date,offence_code,offence_description,domestic_abuse,"
        "latitude,longitude,outcome_code,outcome_date\n"
    )
    + """C1,2025-01-10,,19C,Rape of a female aged 16 and over,N,,,,
C2,2025-03-01,,8Q,Stalking,N,,,,
C3,2024-05-01,,8Q,Stalking,N,,,,
C4,2025-06-01,,8G,ABH,N,,,,
C5,2025-06-02,,8G,ABH,N,,,,
C6,2025-06-03,,58A,Criminal damage,Y,,,,
C7,2025-07-15,,19C,Rape,N,,,,
C8,2024-06-30,,20A,Sexual assault,N,,,,
C9,2025-05-01,,ZZ9,Something new,N,,,,
"""
)
PEOPLE = """person_ref,sex,birth_year,ethnicity
S1,M,1980,W
S2,M,1990,B
S3,M,2000,A
S4,M,1970,W
V1,F,1985,W
V2,F,1990,W
V3,F,1992,W
V4,F,1991,B
V5,M,1993,B
V6,F,2001,A
V7,F,2002,A
"""
INVOLVEMENTS = """crime_ref,person_ref,role,relationship
C1,S1,suspect,partner
C1,V1,victim,partner
C2,S1,suspect,ex-partner
C2,V2,victim,ex-partner
C3,S1,suspect,stranger
C3,V3,victim,stranger
C4,S2,suspect,partner
C4,V4,victim,partner
C5,S2,offender,stranger
C5,V5,victim,stranger
C6,S2,suspect,partner
C6,V4,victim,partner
C7,S3,suspect,acquaintance
C7,V7,victim,acquaintance
C8,S3,suspect,acquaintance
C8,V6,victim,acquaintance
C9,S4,suspect,
C9,V1,victim,
"""


@pytest.fixture
def extract(tmp_path: Path) -> Path:
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "crimes.csv").write_text(CRIMES, encoding="utf-8")
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    (folder / "involvements.csv").write_text(INVOLVEMENTS, encoding="utf-8")
    return folder


def _by_person(table: pl.DataFrame) -> dict[str, dict[str, object]]:
    return {row["person_ref"]: row for row in table.iter_rows(named=True)}


def test_v100_known_answer(extract: Path) -> None:
    ranking = ranking_run(folder=extract, as_of=AS_OF)
    table = ranking.table
    assert table.columns[: len(OUTPUT_COLUMNS)] == list(OUTPUT_COLUMNS)
    assert table["person_ref"].to_list() == ["S1", "S3", "S2"]
    rows = _by_person(table)
    # S1: rape 1825 + stalking 10 in the window; the 2024-05-01 stalking is before it.
    assert rows["S1"]["harm_days"] == 1835.0
    assert (rows["S1"]["offences"], rows["S1"]["victims"]) == (2, 2)
    assert rows["S1"]["last_offence_date"] == date(2025, 3, 1)
    # S3: only the sexual assault exactly 365 days before as-of (inclusive); C7 is after it.
    assert rows["S3"]["harm_days"] == 30.0
    # S2: ABH on a woman (15) + criminal damage flagged DA (2); ABH on a man is not VAWG.
    assert rows["S2"]["harm_days"] == 17.0
    assert (rows["S2"]["offences"], rows["S2"]["victims"]) == (2, 1)
    assert "S4" not in rows  # an unknown code, not flagged DA: kept, reported, not VAWG
    assert ranking.unknown_codes.rows() == [("ZZ9", 1)]
    assert ranking.pool_size == 3
    assert set(table["harm_table"]) == {"cchi-default v2025.11.1"}


def test_serial_flag_known_answer(extract: Path) -> None:
    rows = _by_person(ranking_run(folder=extract, as_of=AS_OF).table)
    assert rows["S1"]["serial"] is True  # V1, V2 and V3 within 3 years
    assert rows["S1"]["serial_victims_3y"] == 3
    assert rows["S2"]["serial"] is False  # V4 twice
    assert rows["S3"]["serial"] is False
    assert "serial: 3 victims in 3 years" in str(rows["S1"]["explanation"])


def test_rfgv_known_answer(extract: Path) -> None:
    rows = _by_person(ranking_run(folder=extract, as_of=AS_OF, method="rfgv").table)
    # R (last allegation 121 days ago: 2) + F 2 + ln(1 + 1835) + 2 x V 2
    assert rows["S1"]["score"] == pytest.approx(2 + 2 + math.log(1836) + 4)
    # R (27 days: 4) + F 2 + ln(18) + 2 x 1
    assert rows["S2"]["score"] == pytest.approx(4 + 2 + math.log(18) + 2)
    # R (365 days: 1) + F 1 + ln(31) + 2 x 1
    assert rows["S3"]["score"] == pytest.approx(1 + 1 + math.log(31) + 2)
    heavy = RfgvWeights(recency=10.0)
    reweighted = ranking_run(folder=extract, as_of=AS_OF, method="rfgv", weights=heavy)
    assert reweighted.table["person_ref"][0] == "S2"


def test_count_method_breaks_ties_by_harm(extract: Path) -> None:
    table = ranking_run(folder=extract, as_of=AS_OF, method="count").table
    assert table["person_ref"].to_list() == ["S1", "S2", "S3"]
    assert table["score"].to_list() == [2.0, 2.0, 1.0]


def test_explanations_name_offences_victims_and_trend(extract: Path) -> None:
    rows = _by_person(ranking_run(folder=extract, as_of=AS_OF).table)
    text = str(rows["S1"]["explanation"])
    assert "2 VAWG allegations in 365 days" in text
    assert "1 rape" in text
    assert "1 stalking" in text
    assert "against 2 victims" in text
    assert "trend rising" in text or "trend falling" in text


@pytest.mark.parametrize("cache", [False, True])
def test_records_after_as_of_change_nothing(extract: Path, tmp_path: Path, cache: bool) -> None:
    trimmed = tmp_path / "trimmed"
    shutil.copytree(extract, trimmed)
    crimes = pl.read_csv(trimmed / "crimes.csv", infer_schema=False)
    kept = crimes.filter(pl.col("recorded_date") <= AS_OF.isoformat())
    kept.write_csv(trimmed / "crimes.csv")
    inv = pl.read_csv(trimmed / "involvements.csv", infer_schema=False)
    inv.filter(pl.col("crime_ref").is_in(kept["crime_ref"].implode())).write_csv(
        trimmed / "involvements.csv"
    )
    for method in ("v100", "rfgv", "count"):
        full = ranking_run(folder=extract, as_of=AS_OF, method=method, cache=cache).table
        cut = ranking_run(folder=trimmed, as_of=AS_OF, method=method, cache=cache).table
        assert full.equals(cut)


def test_the_parquet_copy_gives_the_same_list_and_follows_changes(extract: Path) -> None:
    plain = ranking_run(folder=extract, as_of=AS_OF).table
    assert not (extract / CACHE_FOLDER).exists()  # off unless asked for
    built = ranking_run(folder=extract, as_of=AS_OF, cache=True).table
    copies = sorted(p.name for p in (extract / CACHE_FOLDER).iterdir())
    # The involvements' copy carries each person's sex, joined from people.csv once; the
    # prepared allegations (suspects, victims, codes) come from both.
    assert [name.split("-")[0] for name in copies] == [
        *["allegations"] * 3,
        "crimes.csv",
        "involvements.csv+people.csv",
    ]
    reused = ranking_run(folder=extract, as_of=AS_OF, cache=True).table
    assert plain.equals(built)
    assert plain.equals(reused)
    # A changed CSV is read afresh and its old copy removed.
    with (extract / "crimes.csv").open("a", encoding="utf-8") as handle:
        handle.write("C10,2025-06-20,,19C,Rape,N,,,,\n")
    with (extract / "involvements.csv").open("a", encoding="utf-8") as handle:
        handle.write("C10,S4,suspect,\nC10,V2,victim,\n")
    changed = ranking_run(folder=extract, as_of=AS_OF, cache=True).table
    assert changed.equals(ranking_run(folder=extract, as_of=AS_OF).table)
    assert changed.filter(pl.col("person_ref") == "S4")["harm_days"].item() == 1825.0
    # So is a changed people.csv: V5, the victim of S2's ABH (C5), is now recorded female.
    people = (extract / "people.csv").read_text(encoding="utf-8")
    (extract / "people.csv").write_text(people.replace("V5,M,", "V5,F,"), encoding="utf-8")
    resexed = ranking_run(folder=extract, as_of=AS_OF, cache=True).table
    assert resexed.equals(ranking_run(folder=extract, as_of=AS_OF).table)
    assert resexed.filter(pl.col("person_ref") == "S2")["harm_days"].item() == 32.0
    names = [p.name for p in (extract / CACHE_FOLDER).iterdir()]
    assert len(names) == 5  # the stale copies and prepared files were removed
    assert not any(name.endswith(".partial") for name in names)


def test_a_folder_that_cannot_hold_the_copy_is_read_directly(
    extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", refuse)
    listed = ranking_run(folder=extract, as_of=AS_OF, cache=True).table
    assert listed.equals(ranking_run(folder=extract, as_of=AS_OF).table)
    assert not any((extract / CACHE_FOLDER).glob("*.parquet"))


@pytest.fixture(scope="module")
def small_force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vawg import synth

    folder = tmp_path_factory.mktemp("small_force")
    synth.write_extract(
        out=folder, seed=11, size="small", years=3, calibration=synth.calibration_shipped()
    )
    return folder


@pytest.mark.parametrize("method", ["v100", "rfgv", "count"])
def test_two_reads_give_the_list_of_one_three_year_read(small_force: Path, method: str) -> None:
    # From Parquet, ranking_run reads the window for everyone, then the earlier two years only
    # for the listed people; ranking_compute over one 3-year read is the reference.
    as_of = date(2025, 5, 31)
    whole = allegations_load(
        folder=small_force,
        start=as_of - timedelta(days=SERIAL_DAYS),
        end=as_of,
        vawg_only=True,
    )
    for top in (5, 40, None):
        expected = ranking_compute(whole, as_of=as_of, top=top, method=method)
        two_reads = ranking_run(folder=small_force, as_of=as_of, top=top, method=method, cache=True)
        one_read = ranking_run(folder=small_force, as_of=as_of, top=top, method=method)
        assert two_reads.table.equals(expected.table)
        assert one_read.table.equals(expected.table)
        assert two_reads.pool_size == expected.pool_size
    assert expected.table["serial"].any()  # the look-back matters on this extract
    # ... and the serial flags are not all decided inside the window
    window_only = ranking_compute(
        allegations_load(
            folder=small_force, start=as_of - timedelta(days=365), end=as_of, vawg_only=True
        ),
        as_of=as_of,
        top=None,
        method=method,
    )
    assert not window_only.table["serial_victims_3y"].equals(expected.table["serial_victims_3y"])


def test_reading_only_some_suspects_keeps_their_crimes_whole(small_force: Path) -> None:
    start, end = date(2023, 1, 1), date(2024, 12, 31)
    whole = allegations_load(folder=small_force, start=start, end=end)
    people = whole.suspects["person_ref"].unique().sort().head(30).to_list()
    some = allegations_load(folder=small_force, start=start, end=end, suspects_in=people)
    crimes = whole.suspects.filter(pl.col("person_ref").is_in(people))["crime_ref"].unique()
    order = ["crime_ref", "person_ref"]
    assert some.suspects.sort(order).equals(
        whole.suspects.filter(pl.col("crime_ref").is_in(crimes.implode())).sort(order)
    )
    assert some.victims.sort("crime_ref", "victim_ref").equals(
        whole.victims.filter(pl.col("crime_ref").is_in(crimes.implode())).sort(
            "crime_ref", "victim_ref"
        )
    )
    assert allegations_load(
        folder=small_force, start=start, end=end, suspects_in=[]
    ).suspects.is_empty()


def _vawg(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vawg")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UserInputError:
        return 2


def test_the_command_writes_the_contract_columns(extract: Path, tmp_path: Path) -> None:
    out = tmp_path / "list.csv"
    assert _vawg(["rank", str(extract), "--as-of", "2025-06-30", "--out", str(out)]) == 0
    table = pl.read_csv(out)
    assert table.columns[:8] == list(OUTPUT_COLUMNS)
    assert table["rank"].to_list() == [1, 2, 3]


def test_the_command_refuses_bad_input(extract: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "x.csv")
    assert _vawg(["rank", str(extract), "--as-of", "30/06/2025", "--out", out]) == 2
    assert _vawg(["rank", str(tmp_path / "nope"), "--as-of", "2025-06-30", "--out", out]) == 2
    assert (
        _vawg(["rank", str(extract), "--as-of", "2025-06-30", "--out", out, "--method", "magic"])
        == 2
    )
    assert _vawg(["rank", str(extract), "--as-of", "2025-06-30"]) == 2


def test_backtest_known_answer_and_table(extract: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = backtest_run(folder=extract, as_of=date(2025, 5, 15), horizon_days=60, tops=(1, 2))
    table = result.table
    # In (2025-05-15, 2025-07-14]: S2 17 harm-days (C4 + C6); C7 is after the horizon.
    assert result.future_harm_days == 17.0
    oracle = table.filter((pl.col("method") == "oracle") & (pl.col("n") == 1))
    assert oracle["captured_harm_days"].item() == 17.0
    count = table.filter((pl.col("method") == "v100") & (pl.col("n") == 2))
    assert count["captured_harm_days"].item() == 0.0  # S1 and S3 do nothing more
    assert (
        _vawg(
            [
                "rank",
                "backtest",
                str(extract),
                "--as-of",
                "2025-05-15",
                "--horizon-days",
                "60",
                "--top",
                "1,2",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "share_of_oracle" in printed
    assert "precision_at_n" in printed


@pytest.mark.slow
def test_on_a_synthetic_force_the_harm_methods_beat_random(tmp_path: Path) -> None:
    from vawg import synth

    folder = tmp_path / "synth"
    synth.write_extract(
        out=folder, seed=11, size="small", years=3, calibration=synth.calibration_shipped()
    )
    result = backtest_run(folder=folder, as_of=date(2024, 8, 31), tops=(100,))
    share = dict(zip(result.table["method"], result.table["share_of_oracle"], strict=True))
    assert share["v100"] > share["random"]
    assert share["rfgv"] > share["random"]
    # as-of safety on a realistic extract
    full = ranking_run(folder=folder, as_of=date(2024, 8, 31), top=50).table
    trimmed = tmp_path / "trimmed"
    trimmed.mkdir()
    crimes = pl.read_csv(folder / "crimes.csv", infer_schema=False)
    kept = crimes.filter(pl.col("recorded_date") <= "2024-08-31")
    kept.write_csv(trimmed / "crimes.csv")
    inv = pl.read_csv(folder / "involvements.csv", infer_schema=False)
    inv.filter(pl.col("crime_ref").is_in(kept["crime_ref"].implode())).write_csv(
        trimmed / "involvements.csv"
    )
    shutil.copy(folder / "people.csv", trimmed / "people.csv")
    assert ranking_run(folder=trimmed, as_of=date(2024, 8, 31), top=50).table.equals(full)


@pytest.mark.slow
def test_on_a_synthetic_london_force_the_harm_methods_beat_count(tmp_path: Path) -> None:
    # Issue 5, point 5: two years at the Met's scale; the development seed of docs/ranking.md.
    from vawg import synth

    synth.write_extract(
        out=tmp_path, seed=11, size="london", years=2, calibration=synth.calibration_shipped()
    )
    result = backtest_run(folder=tmp_path, as_of=date(2024, 8, 31), tops=(100, 1000))
    for n in (100, 1000):
        rows = result.table.filter(pl.col("n") == n)
        share = dict(zip(rows["method"], rows["share_of_oracle"], strict=True))
        for method in ("v100", "rfgv"):
            assert share[method] > share["count"] > share["random"], (n, share)
