"""``vawg ingest ... --json`` prints one reconciling JSON object and nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vawg.cli import main

pytestmark = pytest.mark.django_db

COLP = "City of London Police,City of London Police"


def test_json_output_reconciles(tmp_path: Path, make_street_csv: Any, capsys: Any) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(
        make_street_csv(
            [
                f"id1,2023-03,{COLP},-0.1,51.51,A,E1,N,Drugs,,",
                f"id1,2023-03,{COLP},-0.1,51.51,A,E1,N,Drugs,Closed,",
                f"id2,2023-03,{COLP},-0.1,51.51,A,E1,N,Nonsense,,",
            ]
        )
    )
    assert main(["ingest", "police-uk", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    payload = json.loads(out)
    assert out.count("\n") == 1
    assert payload["read"] == payload["loaded"] + payload["duplicates"] + payload["rejected"]
    assert (payload["read"], payload["loaded"], payload["duplicates"], payload["rejected"]) == (
        3,
        1,
        1,
        1,
    )
    assert payload["rejections"] == [
        {"file": str(path), "line": 4, "reason": "unknown crime type 'Nonsense'"}
    ]
    assert main(["ingest", "police-uk", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loaded"] == 0


def test_human_summary_and_force(force_dir: Path, capsys: Any) -> None:
    assert main(["ingest", "force", str(force_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("force: read 20, loaded 8")
    assert "rejected" in out


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, capsys: Any) -> None:
    assert main(["ingest", "police-uk", str(tmp_path / "missing.csv"), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "no such file" in captured.err
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    assert main(["ingest", "police-uk", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err
