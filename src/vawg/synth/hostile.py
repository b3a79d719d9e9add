"""A hostile corpus: files written to break the readers, for each source ``vawg ingest`` takes.

Each input is what a careless or malicious publisher could hand over: compression bombs (gzip
and zip), a line of hundreds of megabytes, a header of a million columns, NUL bytes, a file that
mixes UTF-8 and Windows-1252, dates and months in year 1 and 9999 (and ``-001``), counts of
2^63 - 1, coordinates of 1e308 and NaN, JSON nested 100,000 deep, Parquet list and struct
columns, zip members named ``../x.csv`` or ``/etc/x.csv``, and an unclosed quote in a file of
20,003 rows. Every input must give exit code 0 (its bad rows rejected) or 2 (the file refused,
one line), and never a traceback. ``scale`` shrinks the big inputs for a quick test run
(``small``) or keeps the sizes the security review used (``review``).
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from vawg.schemas import FORCE_CRIMES_FILE, MPS_VAWG_FILE, POLICE_UK_STREET_FILE

POLICE_UK = "police-uk"
MPS_VAWG = "mps-vawg"
MPS_RECORDED = "mps-recorded"
FORCE = "force"

_STREET_HEADER = ",".join(POLICE_UK_STREET_FILE.names) + "\n"
_COLP = "City of London Police,City of London Police"
_MPS_HEADER = ",".join(MPS_VAWG_FILE.names) + "\n"
_CRIMES_HEADER = ",".join(n for n in FORCE_CRIMES_FILE.names if n not in ("easting", "northing"))
_PEOPLE = "person_ref,sex,birth_year,ethnicity\nP1,F,1990,W1\nP2,M,1985,B1\n"
_INVOLVEMENTS = "crime_ref,person_ref,role,relationship\nC1,P1,victim,partner\n"


@dataclass(frozen=True)
class HostileInput:
    """One input: the source kind (``vawg ingest KIND``), a short name, the path to give."""

    kind: str
    name: str
    path: Path


@dataclass(frozen=True)
class Sizes:
    """How big the big inputs are (bytes)."""

    bomb: int
    line: int
    columns: int


SCALES = {
    "small": Sizes(bomb=64 * 1024**2, line=3 * 1024**2, columns=20_000),
    "review": Sizes(bomb=1024**3, line=200 * 1024**2, columns=1_000_000),
}
"""``small`` for the test suite; ``review``: a 1 MB gzip or zip of about 1 GB, a 200 MB line, a
header of a million columns, as in the security review."""


def _street_row(n: int, *, month: str = "2023-03", lon: str = "-0.09", lat: str = "51.51") -> str:
    return f"id-{n},{month},{_COLP},{lon},{lat},On or near A,E01000001,A,Drugs,,\n"


def _gzip_bomb(path: Path, head: bytes, filler: bytes, size: int) -> Path:
    chunk = filler * (1024**2 // len(filler))
    with gzip.open(path, "wb", compresslevel=9) as out:
        out.write(head)
        for _ in range(size // len(chunk)):
            out.write(chunk)
    return path


def _zip_bomb(path: Path, member: str, head: bytes, filler: bytes, size: int) -> Path:
    chunk = filler * (1024**2 // len(filler))
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as out,
    ):
        out.write(head)
        for _ in range(size // len(chunk)):
            out.write(chunk)
    return path


def _text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def _police_uk(folder: Path, sizes: Sizes) -> list[tuple[str, Path]]:
    head = _STREET_HEADER.encode()
    rows = "".join(_street_row(n) for n in range(5))
    mixed = (
        _STREET_HEADER.encode()
        + _street_row(1).encode()
        + _street_row(2).replace("On or near A", "On or near Café").encode("cp1252")
        + b"\xff\xfe\x00garbage,\x80\x81\n"
        + _street_row(3).encode()
    )
    months = "".join(
        _street_row(n, month=m)
        for n, m in enumerate(["0001-01", "9999-12", "-001-01", "2023-00", "2023-03"])
    )
    coordinates = "".join(
        _street_row(n, lon=lon, lat=lat)
        for n, (lon, lat) in enumerate(
            [("1e308", "1e308"), ("nan", "nan"), ("inf", "-inf"), ("-0.09", "91"), ("", "51.5")]
        )
    )
    quote = "".join(
        _street_row(n).replace("On or near A", 'On or "near A') if n == 10 else _street_row(n)
        for n in range(20_003)
    )
    nul = _street_row(1) + _street_row(2).replace("On or near A", "On\x00near A")
    long_text = _street_row(1).replace("On or near A", "x" * 300) + _street_row(2).replace(
        "id-2", "i" * 200
    )
    deep = "[" * 100_000 + "]" * 100_000
    record = {
        "category": "violent-crime",
        "location_type": "Force",
        "location": {"latitude": "51.5", "street": {"name": "On or near A"}, "longitude": "-0.1"},
        "context": "",
        "outcome_status": None,
        "persistent_id": "p1",
        "month": "2023-03",
    }
    odd = [
        record,
        {**record, "persistent_id": "p2", "month": "9999-12"},
        {**record, "persistent_id": "p3", "location": [1, 2]},
        {**record, "persistent_id": "p4", "category": {"a": [1, {"b": 2}]}},
        {**record, "persistent_id": "p5\ud800", "month": "2023-03"},
        {**record, "persistent_id": "p6", "location_type": "F" * 50},
        "not an object",
    ]
    traversal = folder / "traversal.zip"
    with zipfile.ZipFile(traversal, "w") as archive:
        archive.writestr("../2023-03-city-of-london-street.csv", head + rows.encode())
        archive.writestr("/etc/2023-04-city-of-london-street.csv", head + rows.encode())
    return [
        ("gzip-bomb", _gzip_bomb(folder / "bomb.csv.gz", head, b"0", sizes.bomb)),
        ("gzip-bomb-lines", _gzip_bomb(folder / "bomb-lines.csv.gz", head, b"\n", sizes.bomb)),
        ("zip-bomb", _zip_bomb(folder / "bomb.zip", "a-street.csv", head, b"0", sizes.bomb)),
        (
            "gzip-json-bomb",
            _gzip_bomb(folder / "bomb.json.gz", b'[{"month":"', b"0", sizes.bomb),
        ),
        ("long-line", _text(folder / "long.csv", _STREET_HEADER + "x" * sizes.line + "\n" + rows)),
        (
            "wide-header",
            _text(folder / "wide.csv", ",".join(f"c{i}" for i in range(sizes.columns))),
        ),
        ("nul-bytes", _text(folder / "nul.csv", _STREET_HEADER + nul)),
        ("mixed-encodings", _write(folder / "mixed.csv", mixed)),
        ("extreme-months", _text(folder / "months.csv", _STREET_HEADER + months)),
        ("extreme-coordinates", _text(folder / "coordinates.csv", _STREET_HEADER + coordinates)),
        ("text-too-long", _text(folder / "long-text.csv", _STREET_HEADER + long_text)),
        ("unclosed-quote", _text(folder / "quote.csv", _STREET_HEADER + quote)),
        ("nested-json", _text(folder / "deep.json", deep)),
        ("odd-json", _text(folder / "odd.json", json.dumps(odd))),
        ("traversal-zip", traversal),
    ]


def _wide_header(columns: int) -> str:
    return ",".join(f"c{i}" for i in range(columns)) + "\n"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mps_vawg(folder: Path, sizes: Sizes) -> list[tuple[str, Path]]:
    def row(count: str, month: str = "2024-01-01", text: str = "Camden") -> str:
        return (
            f"Offence count location,{month},,{count},North,{text},Ward,VAWG,"
            "Assault,Detail,DA,18-24,White\n"
        )

    counts = "".join(
        row(c) for c in ["3", "9223372036854775807", "99999999999999999999999", "-1", "2.5"]
    )
    months = "".join(row("1", m) for m in ["0001-01-01", "9999-12-01", "-001-01-01", "2024-01"])
    text = row("1", text="B" * 500) + row("1", text="Cam\x00den") + row("1", text="Cam\x01den")
    base = {
        "sheet": ["Offence count location"],
        "recorded_date_months": [datetime(2024, 1, 1)],
        "count": [1],
    }
    as_list = folder / "list.parquet"
    pl.DataFrame({**base, "borough_name": [["Camden", "Islington"]]}).write_parquet(as_list)
    as_struct = folder / "struct.parquet"
    pl.DataFrame({**base, "borough_name": [{"a": "Camden"}]}).write_parquet(as_struct)
    extreme = folder / "extreme.parquet"
    pl.DataFrame(
        {
            "sheet": ["Offence count location"] * 4,
            "recorded_date_months": [
                datetime(1, 1, 1),
                datetime(9999, 12, 1),
                datetime(2024, 1, 1),
                datetime(2024, 2, 1),
            ],
            "count": [1, 1, 2**63 - 1, 2**31],
        }
    ).write_parquet(extreme)
    return [
        (
            "gzip-bomb",
            _gzip_bomb(folder / "vawg-bomb.csv.gz", _MPS_HEADER.encode(), b"0", sizes.bomb),
        ),
        ("extreme-counts", _text(folder / "counts.csv", _MPS_HEADER + counts)),
        ("extreme-months", _text(folder / "months.csv", _MPS_HEADER + months)),
        ("text-nul-control", _text(folder / "text.csv", _MPS_HEADER + text)),
        ("parquet-list", as_list),
        ("parquet-struct", as_struct),
        ("parquet-extremes", extreme),
        ("not-parquet", _write(folder / "broken.parquet", b"PAR1" + b"\x00" * 100)),
    ]


def _mps_recorded(folder: Path, sizes: Sizes) -> list[tuple[str, Path]]:
    wards = {
        "wardcode": ["E05000001", "E05000002", "E05000003"],
        "wardname": ["Ward A", "W" * 400, "Ward\x00C"],
        "lookup_boroughname": ["Camden"] * 3,
        "majortext": ["Violence"] * 3,
        "minortext": ["Harassment"] * 3,
    }
    counts = folder / "MPS Ward Level Crime (most recent 24 months).parquet"
    pl.DataFrame({**wards, "202401": [1, 2, 3], "202402": [2**63 - 1, 2**31, -5]}).write_parquet(
        counts
    )
    future = folder / "recorded-future.parquet"
    pl.DataFrame({**wards, "209912": [1, 1, 1], "190001": [1, 1, 1]}).write_parquet(future)
    nested = folder / "recorded-list.parquet"
    pl.DataFrame({**wards, "202401": [[1], [2], [3]]}).write_parquet(nested)
    wide = folder / "recorded-wide.parquet"
    pl.DataFrame({f"c{i}": [1] for i in range(min(sizes.columns, 5_000))}).write_parquet(wide)
    return [
        ("parquet-extremes", counts),
        ("future-months", future),
        ("parquet-list", nested),
        ("parquet-wide", wide),
        ("not-parquet", _text(folder / "recorded-text.parquet", "hello")),
    ]


def _force_folder(folder: Path, crimes: bytes | None, *, people: str = _PEOPLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if crimes is not None:
        (folder / "crimes.csv").write_bytes(crimes)
    (folder / "people.csv").write_text(people, encoding="utf-8")
    (folder / "involvements.csv").write_text(_INVOLVEMENTS, encoding="utf-8")
    return folder


def _force(folder: Path, sizes: Sizes) -> list[tuple[str, Path]]:
    def crime(ref: str, recorded: str = "2024-01-10", title: str = "Assault") -> str:
        return f"{ref},{recorded},,8Q,{title},Y,51.5074,-0.1278,,\n"

    header = _CRIMES_HEADER + "\n"
    dates = header + "".join(
        crime(f"C{n}", d)
        for n, d in enumerate(["2024-01-10", "9999-12-31", "0001-01-01", "2199-01-01"], start=1)
    )
    text = header + crime("C1") + crime("C2", title="T" * 400) + crime("C3", title="A\x00B")
    text += crime("R" * 100)
    people = "person_ref,sex,birth_year,ethnicity\nP1,F,1990,W1\nP2,M,9223372036854775807,B1\n"
    struct = folder / "force-struct"
    _force_folder(struct, None)
    pl.DataFrame(
        {
            "crime_ref": ["C1"],
            "recorded_date": ["2024-01-10"],
            "committed_date": [""],
            "offence_code": [{"code": "8Q"}],
            "offence_description": ["Assault"],
            "domestic_abuse": ["Y"],
            "latitude": [51.5],
            "longitude": [-0.12],
            "outcome_code": [""],
            "outcome_date": [""],
        }
    ).write_parquet(struct / "crimes.parquet")
    bomb = _force_folder(folder / "force-bomb", None)
    _gzip_bomb(bomb / "crimes.csv.gz", header.encode(), b"0", sizes.bomb)
    quote = header + "".join(
        crime(f"C{n}", title='Ass"ault' if n == 5 else "Assault") for n in range(1, 2_001)
    )
    return [
        ("extreme-dates", _force_folder(folder / "force-dates", dates.encode())),
        ("text-nul-long", _force_folder(folder / "force-text", text.encode())),
        (
            "extreme-birth-year",
            _force_folder(folder / "force-people", dates.encode(), people=people),
        ),
        ("parquet-struct", struct),
        ("gzip-bomb", bomb),
        ("unclosed-quote", _force_folder(folder / "force-quote", quote.encode())),
        (
            "long-line",
            _force_folder(folder / "force-long", (header + "x" * sizes.line + "\n").encode()),
        ),
    ]


_WRITERS: dict[str, Callable[[Path, Sizes], list[tuple[str, Path]]]] = {
    POLICE_UK: _police_uk,
    MPS_VAWG: _mps_vawg,
    MPS_RECORDED: _mps_recorded,
    FORCE: _force,
}


def hostile_corpus_write(folder: Path, *, scale: str = "small") -> list[HostileInput]:
    """Write the hostile corpus under ``folder`` (one sub-folder per source kind) and list its
    inputs, each to be loaded on its own with ``vawg ingest KIND PATH``."""
    sizes = SCALES[scale]
    inputs: list[HostileInput] = []
    for kind, writer in _WRITERS.items():
        where = Path(folder) / kind
        where.mkdir(parents=True, exist_ok=True)
        inputs.extend(HostileInput(kind, name, path) for name, path in writer(where, sizes))
    return inputs
