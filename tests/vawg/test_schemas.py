"""Every reader's output, the synthetic force's files and the real files against the declared
schemas: one declaration of each table's columns, checked wherever the table is made."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from vawg.extract import extract_files_find, table_scan
from vawg.ingest.force import force_read
from vawg.ingest.mps_recorded import mps_recorded_read
from vawg.ingest.mps_vawg import mps_vawg_read
from vawg.ingest.police_uk import OUTCOME, STOP_SEARCH, STREET, police_uk_batches, police_uk_read
from vawg.schemas import (
    CRIME,
    FORCE_FILES,
    INVOLVEMENT,
    MPS_VAWG_FILE,
    ORDER,
    PERSON,
    POLICE_UK_OUTCOMES_FILE,
    POLICE_UK_STOP_SEARCH_FILE,
    POLICE_UK_STREET_FILE,
    RECORDED_CRIME_COUNT,
    STREET_CRIME,
    STREET_OUTCOME,
    VAWG_COUNT,
    Column,
    Schema,
    frame_check,
)
from vawg.schemas import STOP_SEARCH as STOP_SEARCH_TABLE

COLP = "City of London Police,City of London Police"

CONTRACT = {
    "crimes": [
        "crime_ref",
        "recorded_date",
        "committed_date",
        "offence_code",
        "offence_description",
        "domestic_abuse",
        "latitude",
        "longitude",
        "easting",
        "northing",
        "outcome_code",
        "outcome_date",
    ],
    "people": ["person_ref", "sex", "birth_year", "ethnicity"],
    "involvements": ["crime_ref", "person_ref", "role", "relationship"],
    "orders": [
        "order_ref",
        "order_type",
        "subject_ref",
        "protected_ref",
        "start_date",
        "end_date",
        "breach_dates",
    ],
}
"""The force extract's files as ``docs/extract.md`` lists them, spelled out here so that a
change to the declarations that breaks that stable interface fails."""


def test_the_force_files_are_the_contracts() -> None:
    assert {name: list(schema.names) for name, schema in FORCE_FILES.items()} == CONTRACT
    crimes = FORCE_FILES["crimes"]
    assert crimes.alternatives == (("latitude", "longitude"), ("easting", "northing"))
    optional = set(crimes.names) - set(crimes.required)
    assert optional == {"latitude", "longitude", "easting", "northing"}


def _police_uk_folder(folder: Path, make_street_csv: Any) -> Path:
    """A street CSV, an API JSON month, an outcomes and a stop-and-search file."""
    (folder / "2023-03-x-street.csv").write_bytes(
        make_street_csv(
            [
                f"id1,2023-03,{COLP},-0.1,51.51,On or near A,E01000001,A,Drugs,Open,",
                f",2023-03,{COLP},,,No Location,,,Anti-social behaviour,,",
            ]
        )
    )
    record = {
        "category": "violent-crime",
        "location_type": "Force",
        "location": {"latitude": "51.5", "street": {"name": "On or near X"}, "longitude": "-0.1"},
        "context": "",
        "outcome_status": {"category": "Under investigation"},
        "persistent_id": "p1",
        "month": "2017-01",
    }
    (folder / "api.json.gz").write_bytes(gzip.compress(json.dumps([record]).encode()))
    (folder / "2023-03-x-outcomes.csv").write_text(
        ",".join(POLICE_UK_OUTCOMES_FILE.names) + "\nabc,2023-03,F,F,,,No location,,,Charged\n"
    )
    (folder / "2023-03-x-stop-and-search.csv").write_text(
        ",".join(POLICE_UK_STOP_SEARCH_FILE.names) + "\n"
        "Person search,2023-03-01T10:18:00+00:00,False,,51.5,-0.1,Male,25-34,,White,"
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Arrest,True,False\n"
    )
    return folder


def test_police_uk_batches_have_their_tables_columns(tmp_path: Path, make_street_csv: Any) -> None:
    folder = _police_uk_folder(tmp_path, make_street_csv)
    expected = {STREET: STREET_CRIME, OUTCOME: STREET_OUTCOME, STOP_SEARCH: STOP_SEARCH_TABLE}
    batches = list(police_uk_batches([folder]))
    assert sorted(b.kind for b in batches) == sorted([STREET, STREET, OUTCOME, STOP_SEARCH])
    for batch in batches:
        assert batch.rows.height > 0, batch.file
        assert frame_check(frame=batch.rows, schema=expected[batch.kind]) == [], batch.file
    assert frame_check(frame=police_uk_read([folder]).rows, schema=STREET_CRIME) == []
    only_outcomes = police_uk_read([folder / "2023-03-x-outcomes.csv"]).rows
    assert only_outcomes.height == 0
    assert frame_check(frame=only_outcomes, schema=STREET_CRIME) == []


def test_the_met_readers_have_their_tables_columns(tmp_path: Path) -> None:
    vawg = tmp_path / "vawg-offences.parquet"
    pl.DataFrame(
        {
            "sheet": ["Offence count location"],
            "recorded_date_months": [datetime(2024, 1, 1)],
            "count": [3],
            "borough_name": ["Camden"],
        }
    ).write_parquet(vawg)
    assert frame_check(frame=mps_vawg_read([vawg]).rows, schema=VAWG_COUNT) == []
    recorded = tmp_path / "recorded-crime-borough.parquet"
    pl.DataFrame(
        {"majortext": ["Theft"], "minortext": ["Shoplifting"], "boroughname": ["Camden"]}
    ).with_columns(pl.lit(5).alias("202401")).write_parquet(recorded)
    rows = mps_recorded_read([recorded]).rows
    assert rows.height == 1
    assert frame_check(frame=rows, schema=RECORDED_CRIME_COUNT) == []
    blank = tmp_path / "blank" / "recorded-crime-ward.parquet"
    blank.parent.mkdir()
    pl.DataFrame(
        {
            "majortext": ["Theft"],
            "minortext": ["Shoplifting"],
            "wardname": ["Bloomsbury"],
            "wardcode": ["E05013652"],
            "lookup_boroughname": ["Camden"],
            "202401": pl.Series([None], dtype=pl.Int64),
        }
    ).write_parquet(blank)
    empty = mps_recorded_read([blank])
    assert (empty.rows.height, len(empty.rejections)) == (0, 1)
    assert frame_check(frame=empty.rows, schema=RECORDED_CRIME_COUNT) == []


def test_the_force_reader_has_its_tables_columns(force_dir: Path) -> None:
    extract = force_read(force_dir)
    for table, schema in zip(extract.tables, (CRIME, PERSON, INVOLVEMENT, ORDER), strict=True):
        assert table.rows.height > 0, schema.name
        assert frame_check(frame=table.rows, schema=schema) == [], schema.name
    (force_dir / "involvements.csv").unlink()
    (force_dir / "orders.csv").unlink()
    bare = force_read(force_dir)
    assert frame_check(frame=bare.involvements.rows, schema=INVOLVEMENT) == []
    assert frame_check(frame=bare.orders.rows, schema=ORDER) == []


def test_a_frame_that_strays_from_its_schema_is_reported() -> None:
    schema = Schema(
        "t",
        "a row",
        (Column("k", pl.String(), "key", identity=True), Column("d", pl.Date(), "a day")),
    )
    assert frame_check(frame=schema.empty(), schema=schema) == []
    assert frame_check(frame=pl.DataFrame({"k": ["a"]}), schema=schema) == ["missing columns: d"]
    assert frame_check(frame=pl.DataFrame({"k": ["a"], "d": ["2024-01-01"]}), schema=schema) == [
        "d is String, not Date"
    ]
    with pytest.raises(ValueError, match="repeated"):
        Schema("t", "a row", (schema.columns[0], schema.columns[0]))
    with pytest.raises(ValueError, match="unknown"):
        Schema("t", "a row", schema.columns, alternatives=(("x", "y"),))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from vawg.synth import calibration_shipped, write_extract

    out = tmp_path_factory.mktemp("synthetic")
    write_extract(out=out, seed=2, size="small", calibration=calibration_shipped())
    return out


@pytest.mark.parametrize("table", sorted(FORCE_FILES))
def test_the_synthetic_files_follow_the_contract(synthetic: Path, table: str) -> None:
    schema = FORCE_FILES[table]
    path = synthetic / f"{table}.csv"
    header = pl.read_csv(path, n_rows=0).columns
    assert header == [name for name in schema.names if name in header]  # the schema's order
    assert set(schema.required) <= set(header)
    if schema.alternatives:
        assert any(set(group) <= set(header) for group in schema.alternatives)
    # Every value parses as its declared type (an unparseable one raises).
    typed = pl.read_csv(path, schema_overrides={n: schema.column(n).dtype for n in header})
    assert typed.height > 0
    scanned = table_scan(files=extract_files_find(folder=synthetic), table=table).collect()
    assert list(scanned.columns) == list(schema.names)


@pytest.mark.realdata
def test_the_real_files_have_the_declared_columns(real_data_dir: Path) -> None:
    police = real_data_dir / "police_uk"
    for pattern, schema in (
        ("*-street.csv.gz", POLICE_UK_STREET_FILE),
        ("*-outcomes.csv.gz", POLICE_UK_OUTCOMES_FILE),
        ("*-stop-and-search.csv.gz", POLICE_UK_STOP_SEARCH_FILE),
    ):
        paths = sorted(police.glob(pattern))
        assert paths, pattern
        for path in paths:
            assert tuple(pl.read_csv(path, n_rows=0).columns) == schema.names, path
    for name in ("vawg-offences.parquet", "vawg-victims.parquet"):
        published = pl.read_parquet_schema(real_data_dir / "mps" / name)
        assert set(MPS_VAWG_FILE.required) <= set(published), name
        for column, dtype in published.items():
            assert MPS_VAWG_FILE.column(column).dtype == dtype, (name, column)
