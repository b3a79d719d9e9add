"""Force extract reader: column checks, validation, references and coordinates."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.ingest.force import force_read


def test_known_answers(force_dir: Path) -> None:
    extract = force_read(force_dir)
    assert extract.crimes.rows["crime_ref"].to_list() == ["C1", "C2"]
    assert [r.line for r in extract.crimes.rejections] == [4, 5, 6]
    assert extract.people.rows.sort("person_ref")["birth_year"].to_list() == [1990, 1986]
    assert extract.people.duplicates == 1
    reasons = [r.reason for r in extract.involvements.rejections]
    assert reasons == [
        "crime_ref 'C9' is not a crime in the extract",
        "person_ref 'P9' is not a person in the extract",
        "crime_ref 'C3' is not a crime in the extract",
    ]
    assert extract.involvements.rows.height == 3
    assert extract.involvements.duplicates == 1
    assert extract.orders.rows["order_ref"].to_list() == ["O1"]
    assert extract.orders.rows["breach_dates"].item() == '["2024-01-20", "2024-01-25"]'
    assert extract.read == extract.duplicates + len(extract.rejections) + sum(
        t.rows.height for t in extract.tables
    )


def test_latitude_longitude_become_british_national_grid(force_dir: Path) -> None:
    c1 = force_read(force_dir).crimes.rows.filter(pl.col("crime_ref") == "C1").row(0, named=True)
    # Trafalgar Square area: about (530,000 E, 180,400 N), within a few metres
    assert c1["easting"] == pytest.approx(530_000, abs=150)
    assert c1["northing"] == pytest.approx(180_400, abs=150)
    assert c1["domestic_abuse"] is True


def test_references_already_stored_are_accepted(force_dir: Path) -> None:
    (force_dir / "involvements.csv").write_text(
        "crime_ref,person_ref,role,relationship\nOLD1,OLDP,victim,\n"
    )
    assert force_read(force_dir).involvements.rows.height == 0
    extract = force_read(force_dir, known_crime_refs={"OLD1"}, known_person_refs={"OLDP"})
    assert extract.involvements.rows.height == 1


def test_gzip_and_easting_northing(force_dir: Path) -> None:
    text = (
        "crime_ref,recorded_date,committed_date,offence_code,offence_description,domestic_abuse,"
        "easting,northing,outcome_code,outcome_date\nC1,2024-01-10,,8Q,A,N,530000,180000,,\n"
    )
    (force_dir / "crimes.csv").unlink()
    (force_dir / "crimes.csv.gz").write_bytes(gzip.compress(text.encode()))
    crimes = force_read(force_dir).crimes.rows
    assert crimes.row(0, named=True)["easting"] == 530000.0


def test_unknown_and_missing_columns_are_user_errors(force_dir: Path) -> None:
    (force_dir / "people.csv").write_text("person_ref,sex,birth_year,ethnicity,shoe_size\n")
    with pytest.raises(UserInputError, match="unknown columns: shoe_size"):
        force_read(force_dir)
    (force_dir / "people.csv").write_text("person_ref,sex\n")
    with pytest.raises(UserInputError, match="missing columns: birth_year, ethnicity"):
        force_read(force_dir)
    (force_dir / "people.csv").unlink()
    with pytest.raises(UserInputError, match="not a force extract"):
        force_read(force_dir)
