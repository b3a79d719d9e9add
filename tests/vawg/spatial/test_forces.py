"""Forces in police.uk files: slugs, matching a --force, and the phrase that lists them."""

from __future__ import annotations

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.spatial.forces import force_match, force_slug, forces_table, forces_text

LOCATED = pl.DataFrame(
    {
        "force": ["Cheshire Constabulary"] * 3 + ["British Transport Police", None],
        "slug": ["cheshire", "cheshire", None, "btp", None],
    }
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bedfordshire Police", "bedfordshire"),
        ("Avon and Somerset Constabulary", "avon-and-somerset"),
        ("Police Service of Northern Ireland", "of-northern-ireland"),
        ("Police", "police"),
    ],
)
def test_force_slug(name: str, slug: str) -> None:
    assert force_slug(name) == slug


def test_forces_table_counts_each_force_with_its_file_slugs() -> None:
    table = forces_table(LOCATED)
    assert table.rows() == [
        ("Cheshire Constabulary", "cheshire", 3),
        ("British Transport Police", "btp", 1),
        (None, "", 1),
    ]
    assert forces_table(LOCATED.head(0)).is_empty()


@pytest.mark.parametrize("wanted", ["cheshire", "Cheshire Constabulary", " CHESHIRE "])
def test_force_match_by_slug_or_name(wanted: str) -> None:
    assert force_match(forces_table(LOCATED), wanted) == "Cheshire Constabulary"


def test_force_match_refuses_a_force_not_there_naming_those_that_are() -> None:
    with pytest.raises(UserInputError) as caught:
        force_match(forces_table(LOCATED), "merseyside")
    text = str(caught.value)
    assert text.startswith("--force 'merseyside': no records from that force; the files hold ")
    assert (
        "Cheshire Constabulary (--force cheshire, 3 events), British Transport Police (--force "
        in text
    )
    assert "btp, 1 event) and 1 event whose force the file does not name" in text


def test_forces_text_of_nothing() -> None:
    assert forces_text(forces_table(LOCATED.head(0))) == "the files hold no located events"
