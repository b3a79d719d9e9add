"""Reading police.uk files: a folder, a gzip file and a zip archive with a nested folder give the
same rows; an unknown CSV or a missing path is the user's error; the street table holds street
records only."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path
from typing import Any

import pytest

from vawg.errors import UserInputError
from vawg.ingest.police_uk import OUTCOME_CSV_COLUMNS, police_uk_batches, police_uk_read


def test_gzip_zip_with_nested_folder_and_folder_give_the_same_rows(
    tmp_path: Path, make_street_csv: Any, street_rows: list[str]
) -> None:
    street_csv = make_street_csv
    data = street_csv(street_rows, crlf=False)
    plain = tmp_path / "plain" / "2023-03-city-of-london-street.csv"
    plain.parent.mkdir()
    plain.write_bytes(data)
    gz = tmp_path / "2023-03-city-of-london-street.csv.gz"
    gz.write_bytes(gzip.compress(data))
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2023-03/2023-03-city-of-london-street.csv", data)
    results = [police_uk_read([p]) for p in (plain.parent, gz, archive)]
    frames = [r.rows.drop("crime_key").sort("location", "category") for r in results]
    assert all(f.equals(frames[0]) for f in frames)
    assert results[2].rows.height == 4


def test_an_unknown_csv_or_a_missing_path_is_a_user_error(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(UserInputError, match=r"not a police\.uk street-level CSV"):
        police_uk_read([other])
    with pytest.raises(UserInputError, match="no such file"):
        police_uk_read([tmp_path / "missing.csv"])


def test_outcomes_files_are_batches_of_their_own_not_street_rows(tmp_path: Path) -> None:
    (tmp_path / "2023-03-x-outcomes.csv").write_text(
        ",".join(OUTCOME_CSV_COLUMNS) + "\nabc,2023-03,F,F,,,No location,,,Suspect charged\n"
    )
    assert [b.kind for b in police_uk_batches([tmp_path])] == ["outcome"]
    result = police_uk_read([tmp_path])
    assert (result.read, result.rows.height) == (0, 0)
    assert [s.reason for s in result.skipped] == ["police.uk outcome file"]
