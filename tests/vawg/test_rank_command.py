"""``vawg rank``: what it says when the data cannot give a result (issue #12, point 8).

Each case runs the whole command through :func:`vawg.cli.main` and checks the exit code
(``docs/interfaces.md``, Exit codes), the one line on standard error, and that no file is written.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.cli import main
from vawg.precursors import precursors_coverage
from vawg.rank import RecordedSpan, recorded_span

CRIMES_HEAD = "crime_ref,recorded_date,offence_code,offence_description,domestic_abuse"
INVOLVEMENTS_HEAD = "crime_ref,person_ref,role,relationship"


def _extract(folder: Path, rows: list[tuple[str, date, str, str]]) -> Path:
    """A force extract of (crime_ref, recorded_date, offence_code, suspect) rows."""
    folder.mkdir()
    crimes = [CRIMES_HEAD] + [f"{ref},{day},{code},,N" for ref, day, code, _ in rows]
    inv = [INVOLVEMENTS_HEAD] + [f"{ref},{who},suspect," for ref, _, _, who in rows]
    (folder / "crimes.csv").write_text("\n".join(crimes) + "\n", encoding="utf-8")
    (folder / "involvements.csv").write_text("\n".join(inv) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def one_year(tmp_path: Path) -> Path:
    """Stalking and criminal damage, one a week through 2024-09-01..2025-08-31."""
    start = date(2024, 9, 1)
    rows = [
        (f"C{i}", start + timedelta(days=7 * i), "8Q" if i % 2 else "58A", f"S{i % 9}")
        for i in range(52)
    ]
    rows.append(("END", date(2025, 8, 31), "8Q", "S1"))
    return _extract(tmp_path / "force", rows)


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    # The one error line; a note before it (the learned default falling back to V100 on an
    # extract too short to train on) is checked by its own test.
    err = [
        line
        for line in capsys.readouterr().err.strip().splitlines()
        if "the learned default trains on" not in line
    ]
    assert len(err) == 1, err
    return err[0]


def test_the_span_is_read_from_the_crimes(one_year: Path) -> None:
    span = recorded_span(folder=one_year)
    assert (span.first, span.last, span.crimes) == (date(2024, 9, 1), date(2025, 8, 31), 53)
    assert span.days() == 365


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        ("2030-01-01", "--as-of 2030-01-01 is after the data"),
        ("2020-01-01", "--as-of 2020-01-01 is before the data"),
    ],
)
def test_rank_refuses_an_as_of_outside_the_data_and_writes_nothing(
    one_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], as_of: str, said: str
) -> None:
    out = tmp_path / "list.csv"
    assert main(["rank", str(one_year), "--as-of", as_of, "--out", str(out)]) == 2
    line = _err_line(capsys)
    assert line.startswith(f"vawg: rank: {said}")
    assert "holds 53 crimes recorded 2024-09-01..2025-08-31" in line
    assert "give an --as-of from 2024-09-01 to 2025-08-31" in line
    assert not out.exists()


def test_rank_notes_an_as_of_after_the_last_record(
    one_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "list.csv"
    assert main(["rank", str(one_year), "--as-of", "2025-09-30", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "vawg: note: the data ends 2025-08-31, 30 days before --as-of 2025-09-30" in captured.err
    assert out.exists()


def test_rank_refuses_an_empty_list_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only shoplifting: the window holds crimes, but no VAWG suspect.
    folder = _extract(
        tmp_path / "f", [(f"L{i}", date(2025, 1, 1 + i), "46", "Q1") for i in range(5)]
    )
    out = tmp_path / "list.csv"
    assert main(["rank", str(folder), "--as-of", "2025-01-05", "--out", str(out)]) == 2
    line = _err_line(capsys)
    assert line.startswith("vawg: rank: no one is named as suspect on a VAWG crime in the 365 days")
    assert "nothing written to" in line
    assert not out.exists()


def test_precursors_on_one_year_say_they_need_three(
    one_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "watch.csv"
    argv = ["rank", "precursors", str(one_year), "--as-of", "2025-08-31", "--out", str(out)]
    assert main(argv) == 2
    line = _err_line(capsys)
    assert line.startswith("vawg: rank precursors needs 1,095 days (3.0 years) of records up to")
    assert "index dates 2022-09-01..2024-08-31" in line
    assert "holds 53 crimes recorded 2024-09-01..2025-08-31 (365 days)" in line
    assert "give an extract with 1,095 days of records" in line
    assert not out.exists()


def test_precursors_coverage_names_the_earliest_as_of_the_data_allows() -> None:
    span = RecordedSpan(date(2020, 1, 1), date(2025, 8, 31), 100)
    with pytest.raises(Exception, match="give an --as-of on or after 2022-12-31"):
        precursors_coverage(span=span, as_of=date(2020, 6, 1))
    partial = precursors_coverage(
        span=RecordedSpan(date(2023, 1, 10), date(2024, 5, 2), 10), as_of=date(2024, 6, 30)
    )
    assert partial is not None
    assert "the data starts 2023-01-10, so index dates cover 173 of the 731 days" in partial
    assert "the data ends 2024-05-02, 59 days before --as-of" in partial


def test_precursors_with_part_of_the_span_run_and_say_what_is_short(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 40 people named for criminal damage, 20 of them for stalking two months later, and 60
    # shoplifters, 3 of them for harassment: lifts can be computed, from a short span.
    day = date(2023, 1, 10)
    rows = [(f"D{i}", day, "58A", f"P{i}") for i in range(40)]
    rows += [(f"S{i}", day + timedelta(days=60), "8Q", f"P{i}") for i in range(20)]
    rows += [(f"L{i}", day, "46", f"Q{i}") for i in range(60)]
    rows += [(f"H{i}", day + timedelta(days=90), "8L", f"Q{i}") for i in range(3)]
    folder = _extract(tmp_path / "f", rows)
    assert main(["rank", "precursors", str(folder), "--as-of", "2024-01-31"]) == 0
    captured = capsys.readouterr()
    assert "precursor lifts as of 2024-01-31" in captured.out
    assert "vawg: note: the data starts 2023-01-10, so index dates cover" in captured.err
    # Nobody is named in the last year, so the watch list is empty, and the command says why.
    assert "vawg: note: the watch list is empty: no one was named" in captured.err


def test_backtest_refuses_an_as_of_with_nothing_after_it(
    one_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank", "backtest", str(one_year), "--as-of", "2025-08-31"]) == 2
    line = _err_line(capsys)
    assert line.startswith("vawg: rank backtest: a backtest scores the list against the crimes")
    assert "give an --as-of before 2025-08-31" in line


def test_backtest_notes_a_horizon_past_the_data(
    one_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank", "backtest", str(one_year), "--as-of", "2025-03-31"]) == 0
    err = capsys.readouterr().err
    assert "vawg: note: the data ends 2025-08-31, so the last 212 of the 365 horizon days" in err


def test_fairness_refuses_an_as_of_after_the_data(
    one_year: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # This used to end in a traceback (exit 1) on an empty table.
    assert main(["rank", "fairness", str(one_year), "--as-of", "2030-01-01"]) == 2
    assert _err_line(capsys).startswith("vawg: rank fairness: --as-of 2030-01-01 is after the data")


def test_an_extract_with_no_dated_crime_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "crimes.csv").write_text(CRIMES_HEAD + "\n", encoding="utf-8")
    (folder / "involvements.csv").write_text(INVOLVEMENTS_HEAD + "\n", encoding="utf-8")
    out = tmp_path / "list.csv"
    assert main(["rank", str(folder), "--as-of", "2025-01-01", "--out", str(out)]) == 2
    assert "holds no crime with a recorded date; nothing to rank" in _err_line(capsys)
    assert not out.exists()


def test_a_window_of_no_days_is_refused(one_year: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rank", str(one_year), "--as-of", "2025-08-31", "--out", "x.csv", "--window-days", "0"]
    assert main(argv) == 2
    assert "--window-days must be at least 1" in _err_line(capsys)


def test_backtest_refuses_a_horizon_with_no_vawg_harm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Stalking up to the end of 2024, then only shoplifting.
    rows = [(f"S{i}", date(2024, 1, 1) + timedelta(days=30 * i), "8Q", "P1") for i in range(12)]
    rows += [(f"L{i}", date(2025, 1, 1) + timedelta(days=30 * i), "46", "P2") for i in range(6)]
    folder = _extract(tmp_path / "f", rows)
    assert main(["rank", "backtest", str(folder), "--as-of", "2024-12-31"]) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]  # after a note on the short horizon
    assert line.startswith("vawg: rank backtest: the 365 days after --as-of 2024-12-31 hold no")


def test_precursors_refuse_an_extract_with_no_non_vawg_offence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [(f"S{i}", date(2022, 1, 1) + timedelta(days=30 * i), "8Q", f"P{i}") for i in range(45)]
    folder = _extract(tmp_path / "f", rows)
    out = tmp_path / "watch.csv"
    argv = ["rank", "precursors", str(folder), "--as-of", "2025-08-31", "--out", str(out)]
    assert main(argv) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]  # after a note on the data's end
    assert line.startswith("vawg: rank precursors: no one in ")
    # a year after the first record (the washout), to the as-of date less the follow-up
    assert "index dates 2023-01-01..2024-08-31" in line
    assert line.endswith(f"so no lift can be computed; nothing written to {out}")
    assert not out.exists()


def test_learned_on_one_year_is_refused_and_the_backtest_leaves_it_out(
    one_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "list.csv"
    code = main(
        ["rank", str(one_year), "--as-of", "2025-08-31", "--method", "learned", "--out", str(out)]
    )
    assert code == 2
    assert "two years of records" in capsys.readouterr().err
    assert not out.exists()
    assert main(["rank", "backtest", str(one_year), "--as-of", "2025-03-01", "--top", "5"]) == 0
    printed = capsys.readouterr().out
    assert "left out: learned" in printed
    assert "recorded VAWG harm-days" in printed


def test_backtest_over_several_dates_prints_their_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from vawg.synth.simple import simple_write

    folder = tmp_path / "simple"
    simple_write(out=folder, seed=4, years=4, end_date=date(2024, 12, 31), men=300)
    table = tmp_path / "mean.csv"
    argv = ["rank", "backtest", str(folder), "--as-of", "2022-12-31,2023-06-30", "--top", "50"]
    assert main([*argv, "--method", "v100,learned", "--out", str(table)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("backtest as of") == 2
    assert "true VAWG harm-days" in printed
    assert "mean over 2 dates" in printed
    mean = pl.read_csv(table)
    assert set(mean["method"]) == {"v100", "learned", "random", "oracle"}
    assert (mean["year_ends"] == 2).all()
    assert main([*argv, "--method", "v200"]) == 2
    assert "--method must list" in capsys.readouterr().err


def test_fairness_writes_the_verdicts_and_tests_broad_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "force"
    folder.mkdir()
    crimes, inv = [CRIMES_HEAD], [INVOLVEMENTS_HEAD]
    people = ["person_ref,sex,birth_year,ethnicity"]
    for i in range(60):
        crimes.append(f"C{i},2025-0{1 + i % 8}-10,8Q,,N")
        inv.append(f"C{i},S{i},suspect,")
        people.append(f"S{i},M,1990,{('W1', 'W9', 'B1', 'A2')[i % 4]}")
    (folder / "crimes.csv").write_text("\n".join(crimes) + "\n", encoding="utf-8")
    (folder / "involvements.csv").write_text("\n".join(inv) + "\n", encoding="utf-8")
    (folder / "people.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    out = tmp_path / "fair.csv"
    argv = ["rank", "fairness", str(folder), "--as-of", "2025-08-31", "--top", "10"]
    assert main([*argv, "--out", str(out), "--ethnic-groups", "broad"]) == 0
    printed = capsys.readouterr().out
    assert "Holm-adjusted" in printed
    # one verdict a line under the table, for every group
    for group in ("Asian", "Black", "White"):
        assert f"\nethnicity {group}: " in printed
    table = pl.read_csv(out)
    assert table.columns[:16] == [
        "attribute", "group", "pool_n", "list_n", "pool_share", "list_share", "share_ratio",
        "rate_ratio", "rate_ratio_low", "rate_ratio_high", "flagged", "expected_given_harm",
        "harm_adjusted_ratio", "adjusted_low", "adjusted_high", "adjusted_flagged",
    ]  # fmt: skip
    assert {"p_holm", "adjusted_p_holm", "detectable_ratio", "verdict"} <= set(table.columns)
    groups = table.filter(pl.col("attribute") == "ethnicity")["group"].to_list()
    assert groups == ["Asian", "Black", "White"]
    assert table.filter(pl.col("group") == "White")["pool_n"].item() == 30


@pytest.fixture(scope="module")
def five_years(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vawg.synth.simple import simple_write

    out = tmp_path_factory.mktemp("five-years")
    simple_write(out=out, seed=5, years=5, end_date=date(2024, 12, 31), men=500)
    return out


def test_fit_prints_the_model_and_the_list_can_use_its_file(
    five_years: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.json"
    argv = ["rank", "fit", str(five_years), "--as-of", "2024-06-15", "--out", str(model)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "fitted on the records up to 2024-05-31" in printed
    assert "training origins: " in printed
    assert "calibration on the training rows" in printed
    assert "recency" in printed
    assert "a recent VAWG allegation" in printed
    kept = list((five_years / ".vawg-cache" / "models").glob("learned-2024-05-31-*.json"))
    assert len(kept) == 1
    lists = {}
    for name, extra in (("default", []), ("given", ["--model", str(model)])):
        out = tmp_path / f"{name}.csv"
        assert (
            main(["rank", str(five_years), "--as-of", "2024-06-15", "--out", str(out), *extra]) == 0
        )
        lists[name] = out.read_bytes()
    assert lists["default"] == lists["given"]
    assert "note" not in capsys.readouterr().err  # the kept model was read, not fitted again
    out = tmp_path / "refused.csv"
    assert (
        main(
            [
                "rank",
                str(five_years),
                "--as-of",
                "2024-05-30",
                "--out",
                str(out),
                "--model",
                str(model),
            ]
        )
        == 2
    )
    assert "after --as-of 2024-05-30" in _err_line(capsys)
    assert not out.exists()
    assert (
        main(
            [
                "rank",
                str(five_years),
                "--as-of",
                "2024-06-15",
                "--out",
                str(out),
                "--model",
                str(model),
                "--method",
                "v100",
            ]
        )
        == 2
    )
    assert "cannot score --method v100" in _err_line(capsys)


def test_the_default_falls_back_to_v100_when_too_short_to_train(
    one_year: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "list.csv"
    assert main(["rank", str(one_year), "--as-of", "2025-08-31", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "the learned default trains on the force's own history" in err
    assert "ranked by v100" in err
    assert set(pl.read_csv(out)["method"]) == {"v100"}
    assert (
        main(
            [
                "rank",
                str(one_year),
                "--as-of",
                "2025-08-31",
                "--out",
                str(out),
                "--method",
                "learned",
            ]
        )
        == 2
    )
    assert "two years of records" in _err_line(capsys)
