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
