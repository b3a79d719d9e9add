"""The place-name list and the forgiving name matching of "Find your area"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vawg.errors import UserInputError
from vawg.places import EXACT, PREFIX, WORD_PREFIX, match_rank, places_read, search_key


@pytest.mark.parametrize(
    ("name", "query", "rank"),
    [
        ("St John's Wood", "saint johns wood", EXACT),
        ("St John's Wood", "ST. JOHN'S WOOD", EXACT),
        ("St John’s Wood", "st johns", PREFIX),  # a curly apostrophe
        ("Hammersmith and Fulham", "Hammersmith & Fulham", EXACT),
        ("Hammersmith and Fulham", "hammersmith-and-fulham", EXACT),
        ("Kensington and Chelsea", "chelsea", WORD_PREFIX),
        ("Kensington and Chelsea", "kens", PREFIX),
        ("Camden", "amden", None),
        ("Camden", "", None),
        ("Camden", "  ", None),
        ("Bow", "bow road", None),
    ],
)
def test_match_rank(name: str, query: str, rank: int | None) -> None:
    assert match_rank(name, query) == rank


@given(st.text(max_size=40))
def test_search_key_is_stable_and_ignores_case(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert search_key(text.upper()) == search_key(text.lower()) == key or not text.isascii()
    assert "  " not in key
    assert key == key.strip()


@given(st.from_regex(r"[A-Za-z][A-Za-z' ]{0,20}[A-Za-z]", fullmatch=True))
def test_a_name_matches_itself_in_any_case(name: str) -> None:
    assert match_rank(name, name.swapcase()) == EXACT
    assert match_rank(name, name[:1]) in (EXACT, PREFIX)


def test_the_shipped_list_reads_and_has_unique_names() -> None:
    places = places_read()
    assert len(places) >= 100
    keys = [search_key(p.name) for p in places]
    assert len(keys) == len(set(keys))
    # Greater London's bounding box, roughly: every point is near London, none at (0, 0).
    assert all(-0.52 < p.longitude < 0.34 and 51.28 < p.latitude < 51.70 for p in places)


def test_a_broken_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("place,longitude,latitude\nBow,west,51.5\n")
    with pytest.raises(UserInputError, match="row 2"):
        places_read(path)
    path.write_text("place,longitude,latitude\n,0.1,51.5\n")
    with pytest.raises(UserInputError, match="no name"):
        places_read(path)
    path.write_text("place,longitude,latitude\nNowhere,0.1,151.5\n")
    with pytest.raises(UserInputError, match="no valid point"):
        places_read(path)
