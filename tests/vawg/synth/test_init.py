"""``vawg synth``: the command prints its summary and, with ``--report``, every target."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from vawg.errors import UserInputError
from vawg.synth import command


def test_command_prints_summary_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path / "no-data-here"))
    args = argparse.Namespace(
        out=tmp_path / "x",
        seed=1,
        size="small",
        years=1,
        end_date=None,
        disparity=1.0,
        disparity_group="B",
        data_dir=None,
        report=True,
    )
    assert command(args) == 0
    captured = capsys.readouterr()
    assert "VAWG offences a year" in captured.out
    assert "vawg synth: wrote" in captured.err
    assert "shipped summary" in captured.err
    args.end_date = "2025-13-01"
    with pytest.raises(UserInputError):
        command(args)


def _args(tmp_path: Path) -> argparse.Namespace:
    return argparse.Namespace(
        out=tmp_path / "x",
        seed=1,
        size="small",
        years=1,
        end_date=None,
        disparity=1.0,
        disparity_group="B",
        data_dir=None,
        report=True,
    )


def test_a_failed_check_exits_1_and_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    import vawg.synth
    from vawg.cli import main

    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path / "no-data-here"))
    real = vawg.synth.report

    def one_fails(**kwargs):  # type: ignore[no-untyped-def]
        rows = real(**kwargs)
        first = next(i for i, r in enumerate(rows) if r.ok is not None)
        rows[first] = dataclasses.replace(rows[first], generated=1.0, ok=False)
        return rows

    monkeypatch.setattr(vawg.synth, "report", one_fails)
    out = tmp_path / "x"
    assert main(["synth", "--out", str(out), "--report"]) == 1
    captured = capsys.readouterr()
    assert "  NO  " in captured.out
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("vawg: synth --report: 1 of ")
    assert "calibration checks failed: VAWG offences a year (generated 1, needs ±3%)" in last
    assert f"The extract in {out} was written" in last
    assert (out / "crimes.csv").is_file()
    # Without --report nothing is checked, and the command succeeds.
    assert main(["synth", "--out", str(tmp_path / "y")]) == 0


def test_a_small_force_passes_its_checks_and_says_which_it_cannot_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path / "no-data-here"))
    assert command(_args(tmp_path)) == 0
    ward = next(
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("ward counts: correlation with real")
    )
    # 3,000 offences over 684 wards: sampling alone keeps the correlation near 0.7.
    assert "n/a: a true draw gets 0." in ward
    assert " NO " not in ward
