"""Street records: CSV normalised with its identity rules (repeated Crime IDs, content keys,
No Location rows), bad rows rejected with their line, API JSON mapped, and the fast API reader."""

from __future__ import annotations

import gzip
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vawg.ingest.police_uk import police_uk_read
from vawg.ingest.police_uk.street import _API_SCHEMA, _api_table

COLP = "City of London Police,City of London Police"


def test_a_csv_is_normalised_with_its_identity_rules(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    street_csv = make_street_csv
    path = tmp_path / "2023-03-city-of-london-street.csv"
    path.write_bytes(street_csv(street_rows, bom=True, crlf=True))
    result = police_uk_read([path])
    assert (result.read, result.rows.height, result.duplicates, len(result.rejections)) == (
        5,
        4,
        1,
        0,
    )
    rows = {r["crime_key"]: r for r in result.rows.iter_rows(named=True)}
    # the repeated Crime ID keeps the last row read
    assert rows["id1"]["last_outcome"] == "Unable to prosecute suspect"
    assert rows["id1"]["location"] == "On or near B Street"
    assert rows["id1"]["category"] == "violent-crime"
    assert rows["id1"]["month"] == date(2023, 3, 1)
    # two identical rows without a Crime ID are both kept, told apart by an occurrence number
    hashed = sorted(k for k in rows if k.startswith("sha1:"))
    assert [k.rsplit(":", 1)[1] for k in hashed] == ["0", "1"]
    assert hashed[0].split(":")[1] == hashed[1].split(":")[1]
    # No Location: kept, without coordinates
    assert rows["id2"]["longitude"] is None
    assert rows["id2"]["latitude"] is None


def test_content_keys_are_stable_and_ignore_row_position_and_outcome(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    street_csv = make_street_csv
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    asb = street_rows[1]
    other = f",2023-03,{COLP},-0.2,51.6,On or near C,E01000002,X,Anti-social behaviour,,"
    first.write_bytes(street_csv([asb, other]))
    later = asb[: -len(",,")] + ",Later outcome,"
    second.write_bytes(street_csv([other, later]))
    keys_a = set(police_uk_read([first]).rows["crime_key"].to_list())
    keys_b = set(police_uk_read([second]).rows["crime_key"].to_list())
    assert keys_a == keys_b


def test_bad_rows_are_rejected_with_their_line(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    street_csv = make_street_csv
    path = tmp_path / "x.csv"
    rows = [
        street_rows[0],
        f"id3,2023-13,{COLP},-0.1,51.5,L,E1,N,Drugs,,",
        f"id4,2023-03,{COLP},-0.1,51.5,L,E1,N,Not a crime type,,",
        f"id5,2023-03,{COLP},abc,51.5,L,E1,N,Drugs,,",
        f"id6,2023-03,{COLP},-0.1,,L,E1,N,Drugs,,",
        "id7,2023-03,too,few",
    ]
    path.write_bytes(street_csv(rows))
    result = police_uk_read([path])
    assert result.read == 6
    assert result.rows.height == 1
    reasons = {r.line: r.reason for r in result.rejections}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert "not YYYY-MM" in reasons[3]
    assert "unknown crime type" in reasons[4]
    assert "longitude 'abc'" in reasons[5]
    assert "only one of" in reasons[6]
    assert "fields" in reasons[7]
    assert result.read == result.rows.height + result.duplicates + len(result.rejections)


def test_api_json_is_read_and_mapped(tmp_path: Path) -> None:
    records = [
        {
            "category": "violent-crime",
            "location_type": "Force",
            "location": {
                "latitude": "51.5",
                "street": {"id": 1, "name": "On or near X"},
                "longitude": "-0.1",
            },
            "context": "",
            "outcome_status": {"category": "Under investigation", "date": "2017-01"},
            "persistent_id": "p1",
            "id": 1,
            "month": "2017-01",
        },
        {
            "category": "anti-social-behaviour",
            "location_type": "BTP",
            "location": {
                "latitude": "51.5",
                "street": {"id": 1, "name": "On or near X"},
                "longitude": "-0.1",
            },
            "context": "",
            "outcome_status": None,
            "persistent_id": "",
            "id": 2,
            "month": "2017-01",
        },
        {"category": "not-a-category", "location": {}, "persistent_id": "p3", "month": "2017-01"},
        "not an object",
    ]
    path = tmp_path / "london-2017-01-crimes-street-api.json.gz"
    path.write_bytes(gzip.compress(json.dumps(records).encode()))
    result = police_uk_read([path])
    assert (result.read, result.rows.height, len(result.rejections)) == (4, 2, 2)
    assert [r.line for r in result.rejections] == [3, 4]
    row = result.rows.filter(pl.col("crime_key") == "p1").row(0, named=True)
    assert row["source"] == "api"
    assert row["location"] == "On or near X"
    assert row["last_outcome"] == "Under investigation"
    assert row["latitude"] == 51.5
    btp = result.rows.filter(pl.col("crime_id") == "").row(0, named=True)
    assert btp["location_type"] == "BTP"
    assert btp["last_outcome"] == ""


_API_RECORD = {
    "category": "violent-crime",
    "location_type": "Force",
    "location": {
        "latitude": "51.5",
        "street": {"id": 1, "name": "On or near X"},
        "longitude": "-0.1",
    },
    "context": "",
    "outcome_status": {"category": "Under investigation", "date": "2017-01"},
    "persistent_id": "p1",
    "month": "2017-01",
}


@pytest.mark.parametrize(
    "case",
    ["compact", "spaced", "indented", "brace in a string", "nested objects", "one", "empty"],
)
def test_the_api_fast_reader_gives_what_the_whole_document_reader_gives(case: str) -> None:
    """The fast reader puts a line break at each ``},{`` (see ``_api_table``): a ``},{`` inside
    a string or between nested objects, or an array written with spaces, must not change the
    table."""
    records = [{**_API_RECORD, "persistent_id": f"p{n}"} for n in range(4)]
    records[1] = {**records[1], "context": 'a},{"b":1},{c'}
    records[2] = {**records[2], "extra": [{"a": 1}, {"b": 2}, {"c": 3}]}
    text = {
        "compact": json.dumps(records, separators=(",", ":")),
        "spaced": json.dumps(records),
        "indented": json.dumps(records, indent=2),
        "brace in a string": json.dumps(records[1:2] * 3, separators=(",", ":")),
        "nested objects": json.dumps(records[2:3] * 3, separators=(",", ":")),
        "one": json.dumps(records[:1], separators=(",", ":")),
        "empty": "[]",
    }[case]
    data = text.encode()
    whole = pl.read_json(io.BytesIO(data), schema=_API_SCHEMA)
    fast = _api_table(data)
    assert fast is not None
    assert fast.equals(whole, null_equal=True)
    assert fast.height == len(json.loads(text))
