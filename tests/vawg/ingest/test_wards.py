"""Ward name matching: known answers from the Met's spelling to ONS 2024 ward codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from vawg.ingest.wards import Ward, WardMatcher, ward_lookup_read, ward_name_normalise

WARDS = [
    Ward("E05013669", "St Pancras & Somers Town", "Camden"),
    Ward("E05011229", "St Mary's & St James", "Bexley"),
    Ward("E05013710", "St Mary's & St James'", "Islington"),
    Ward("E05009404", "St. Helen's", "Kensington and Chelsea"),
    Ward("E05013974", "Havering-atte-Bower", "Havering"),
    Ward("E05014018", "St Mary's", "Wandsworth"),
]


@pytest.mark.parametrize(
    ("borough", "name", "code"),
    [
        ("Camden", "St. Pancras & Somers Town", "E05013669"),
        ("Camden", "ST PANCRAS AND SOMERS TOWN", "E05013669"),
        ("Bexley", "St. Mary's & St. James", "E05011229"),
        ("Islington", "St Mary's & St James'", "E05013710"),
        ("Kensington and Chelsea", "St Helen's", "E05009404"),
        ("Kensington & Chelsea", "Saint Helens", "E05009404"),
        ("Havering", "Havering atte Bower", "E05013974"),
        ("Wandsworth", "St Mary's", "E05014018"),
        ("Bexley", "St Mary's", None),  # same name, other borough: never guessed
        ("Camden", "Kentish Town", None),  # abolished before 2024
        ("Other", "Havering atte Bower", "E05013974"),  # no London borough: a unique name
        ("Unknown", "St. Mary's", "E05014018"),
        ("Other", "St Mary's and St James", None),  # Bexley's and Islington's: never guessed
        ("Other", "Kentish Town", None),
    ],
)
def test_ward_names_match_known_codes(borough: str, name: str, code: str | None) -> None:
    assert WardMatcher(WARDS).code(borough=borough, ward_name=name) == code


def test_normalisation_is_idempotent() -> None:
    once = ward_name_normalise("St. Mary's & St. James'")
    assert ward_name_normalise(once) == once == "st marys and st james"


def test_lookup_is_read_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_bytes(
        b"\xef\xbb\xbfLSOA21CD,WD24CD,WD24NM,LAD24NM\n"
        b"E01000001,E05009288,Aldersgate,City of London\n"
        b"E01000002,E05009288,Aldersgate,City of London\n"
    )
    assert ward_lookup_read(path) == (Ward("E05009288", "Aldersgate", "City of London"),)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n")
    with pytest.raises(Exception, match="ward lookup needs"):
        ward_lookup_read(bad)
