"""``vawg ingest ... --json`` prints one reconciling JSON object and nothing else; unreadable
files exit 2 with one line and store nothing. In this process, through ``vawg.cli.main``; what
needs a real process is in ``test_cli_process.py``."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.conftest import street_csv

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


# --- formerly run through a subprocess (test_cli_process.py); the same checks in this process,
# on the suite's test database (SQLite, or PostgreSQL in CI's second run) --------------------

TABLES = (
    "opendata_streetcrime",
    "opendata_streetoutcome",
    "opendata_stopsearch",
    "ingest_ingestrun",
    "ingest_rejection",
)


def _street(month: str, rows: int) -> bytes:
    lines = [
        f"{month}-{n:06d},{month},{COLP},-0.09,51.51,On or near A,E01000001,A,Drugs,,"
        for n in range(rows)
    ]
    return street_csv(lines, crlf=False)


def _snapshot() -> dict[str, str]:
    """A digest of every row of the ingest tables (and their counts)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")
            rows = cursor.fetchall()
            digests[table] = f"{len(rows)}:{hashlib.sha256(repr(rows).encode()).hexdigest()[:16]}"
    return digests


def _truncated_gzip() -> bytes:
    data = gzip.compress(_street("2023-01", 300))
    return data[: len(data) // 2]


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2023-01/notes.txt", "no CSV here")
    return buffer.getvalue()


UNREADABLE = {
    "truncated.csv.gz": (_truncated_gzip, "truncated"),
    "nothing.zip": (_empty_zip, "holds no file"),
    "empty.csv": (lambda: b"", "empty"),
    "renamed.csv": (lambda: _street("2023-01", 3).replace(b"Crime type", b"Type"), "Crime type"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_file_exits_2_with_one_line_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    make, message = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(make())
    good = tmp_path / "good.csv"
    good.write_bytes(_street("2023-02", 5))
    before = _snapshot()
    assert main(["ingest", "police-uk", str(good), str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("vawg: ")
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert _snapshot() == before  # the good file in the same load is not stored either


def test_json_reconciles_and_the_quarantine_keeps_every_rejection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mixed.csv"
    rows = [
        f"m-1,2023-04,{COLP},-0.09,51.51,A,E01000001,A,Drugs,,",
        f"m-1,2023-04,{COLP},-0.09,51.51,A,E01000001,A,Drugs,Closed,",
        f"m-2,2023-04,{COLP},nan,51.51,A,E01000001,A,Drugs,,",
        f"m-3,2023-04,{COLP},-3.7,40.4,A,E01000001,A,Drugs,,",
        f"m-4,2023-4,{COLP},-0.09,51.51,A,E01000001,A,Drugs,,",
        "m-5,2023-04,too,few",
    ]
    path.write_bytes(street_csv(rows).decode().encode("latin-1"))
    assert main(["ingest", "police-uk", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["read"] == payload["loaded"] + payload["duplicates"] + payload["rejected"]
    assert (payload["read"], payload["loaded"], payload["duplicates"], payload["rejected"]) == (
        6,
        1,
        1,
        4,
    )
    assert [(r["line"], r["file"]) for r in payload["rejections"]] == [
        (n, str(path)) for n in (4, 5, 6, 7)
    ]
    assert all(r["reason"] for r in payload["rejections"])
    assert int(_snapshot()["ingest_rejection"].split(":")[0]) >= 4
    assert main(["ingest", "police-uk", str(path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["loaded"], again["inserted"], again["unchanged"]) == (0, 0, 1)
