"""A corpus of broken police.uk files, written by the tests: each gives its expected answer.

Row-level faults reject the row with a reason (file, line) and keep the rest; file-level faults
(the file cannot be read at all) raise ``UserInputError`` with a one-line message, which the CLI
turns into exit code 2 (see ``tests/vawg_site/ingest/test_broken_files_cli.py``).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from vawg.errors import UserInputError
from vawg.ingest.police_uk import police_uk_batches
from vawg.schemas import POLICE_UK_STREET_FILE

HEADER = ",".join(POLICE_UK_STREET_FILE.names)
COLP = "City of London Police,City of London Police"
GOOD = f"id-good,2023-03,{COLP},-0.0906,51.5135,On or near X,E01000001,City 001A,Drugs,,"


def _row(
    crime_id: str, *, lon: str = "-0.0906", lat: str = "51.5135", month: str = "2023-03"
) -> str:
    return f"{crime_id},{month},{COLP},{lon},{lat},On or near X,E01000001,City 001A,Drugs,,"


def _csv(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return (end.join([header, *rows]) + end).encode("utf-8")


# name -> (file name, bytes, expected {line: reason fragment}, rows kept)
ROW_FAULTS: dict[str, tuple[str, bytes, dict[int, str], int]] = {
    "wrong column count (too few)": (
        "few.csv",
        _csv(GOOD, "id-x,2023-03,only,four"),
        {3: "4 fields where the header has 12"},
        1,
    ),
    "wrong column count (too many)": (
        "many.csv",
        _csv(GOOD, _row("id-x") + ",extra"),
        {3: "13 fields where the header has 12"},
        1,
    ),
    "bad month": (
        "month.csv",
        _csv(GOOD, _row("id-a", month="2023-13"), _row("id-b", month="March 2023")),
        {3: "month '2023-13' is not YYYY-MM", 4: "month 'March 2023' is not YYYY-MM"},
        1,
    ),
    "non-numeric coordinates": (
        "text.csv",
        _csv(GOOD, _row("id-a", lon="west"), _row("id-b", lat="51,5")),
        {3: "longitude 'west' is not a number", 4: "fields where the header has 12"},
        1,
    ),
    "non-finite coordinates": (
        "nan.csv",
        _csv(GOOD, _row("id-a", lon="nan"), _row("id-b", lat="inf"), _row("id-c", lon="-inf")),
        {3: "not finite numbers", 4: "not finite numbers", 5: "not finite numbers"},
        1,
    ),
    "coordinates outside Great Britain": (
        "outside.csv",
        _csv(GOOD, _row("id-a", lat="40.4", lon="-3.7"), _row("id-b", lat="51.5", lon="13.4")),
        {3: "outside Great Britain", 4: "outside Great Britain"},
        1,
    ),
    "one coordinate only": (
        "half.csv",
        _csv(GOOD, _row("id-a", lat="")),
        {3: "only one of longitude and latitude is given"},
        1,
    ),
    "unknown crime type": (
        "type.csv",
        _csv(GOOD, _row("id-a").replace("Drugs", "Jaywalking")),
        {3: "unknown crime type 'Jaywalking'"},
        1,
    ),
    "Latin-1 text": (
        "latin1.csv",
        (HEADER + "\n" + GOOD.replace("On or near X", "On or near Caf\u00e9") + "\n").encode(
            "latin-1"
        ),
        {},
        1,
    ),
    "UTF-8 byte-order mark": ("bom.csv", b"\xef\xbb\xbf" + _csv(GOOD), {}, 1),
    "CRLF line ends": ("crlf.csv", _csv(GOOD, _row("id-a", lon="x"), end="\r\n"), {3: "'x'"}, 1),
    "header only": ("header.csv", _csv(), {}, 0),
    "blank lines are not rows": ("blank.csv", _csv(GOOD, "", "  ", _row("id-2")), {}, 2),
    "bare carriage return inside a field": (
        "cr.csv",
        _csv(GOOD, _row("id-a").replace("On or near X", "On or\rnear X"), _row("id-b")),
        {3: "cannot parse this CSV row"},
        2,
    ),
}


@pytest.mark.parametrize("case", sorted(ROW_FAULTS))
def test_a_bad_row_is_rejected_with_its_line_and_reason(tmp_path: Path, case: str) -> None:
    name, data, expected, kept = ROW_FAULTS[case]
    path = tmp_path / name
    path.write_bytes(data)
    batches = list(police_uk_batches([path]))
    read = sum(b.read for b in batches)
    rows = sum(b.rows.height for b in batches)
    rejections = [r for b in batches for r in b.rejections]
    assert read == rows + sum(b.duplicates for b in batches) + len(rejections)
    assert rows == kept
    assert {r.line: r.reason for r in rejections}.keys() == expected.keys()
    for rejection in rejections:
        assert rejection.file == str(path)
        assert expected[rejection.line] in rejection.reason
        assert rejection.raw  # the analyst sees the row as read
    if case == "Latin-1 text":
        assert batches[0].rows["location"].to_list() == ["On or near Caf\u00e9"]


def _gzip_truncated() -> bytes:
    whole = gzip.compress(_csv(*[_row(f"id-{n}") for n in range(200)]))
    return whole[: len(whole) // 2]


def _zip_without_csv() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("2023-03/readme.txt", "no data here")
        archive.writestr("2023-03/map.png", b"\x89PNG")
    return buffer.getvalue()


FILE_FAULTS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "missing column": (
        "missing.csv",
        lambda: _csv(GOOD.rsplit(",", 1)[0], header=HEADER.rsplit(",", 1)[0]),
        "missing columns: Context",
    ),
    "renamed column": (
        "renamed.csv",
        lambda: _csv(GOOD, header=HEADER.replace("Crime type", "Offence type")),
        "missing columns: Crime type",
    ),
    "empty file": ("empty.csv", lambda: b"", "the file is empty"),
    "truncated gzip": ("cut.csv.gz", _gzip_truncated, "truncated"),
    "not gzip at all": ("fake.csv.gz", lambda: b"\x1f\x8bnot really gzip", "cannot read"),
    "zip with no CSV": ("archive.zip", _zip_without_csv, "holds no file to load"),
    "not JSON": ("api.json", lambda: b"[{'not': json}]", "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(FILE_FAULTS))
def test_a_file_that_cannot_be_read_is_a_one_line_user_error(tmp_path: Path, case: str) -> None:
    name, make, message = FILE_FAULTS[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(UserInputError, match=message) as raised:
        list(police_uk_batches([path]))
    assert "\n" not in str(raised.value)


def test_a_bad_json_record_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text(
        '[{"category": "drugs", "month": "2017-01", "persistent_id": "p1", '
        '"location": {"latitude": "51.5", "longitude": "-0.1", "street": {"name": "X"}}}, '
        '42, {"category": "drugs", "month": "2017-1", "persistent_id": "p2", "location": null}]'
    )
    (batch,) = police_uk_batches([path])
    assert batch.read == 3
    assert batch.rows["crime_key"].to_list() == ["p1"]
    assert [(r.line, r.reason) for r in batch.rejections] == [
        (2, "not a JSON object"),
        (3, "month '2017-1' is not YYYY-MM"),
    ]
