"""Loading the ONS Postcode Directory into the opendata app and looking postcodes up, on small
ONSPD-format files the tests write."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from tests.vawg.test_postcodes import onspd_write

from vawg.cli import main
from vawg.errors import UserInputError
from vawg_site.opendata.models import Postcode
from vawg_site.opendata.selectors.postcodes import postcode_find, postcodes_loaded
from vawg_site.opendata.services import postcode_load

pytestmark = pytest.mark.django_db

ROWS = [
    ("E1 6AN", "", "E09000030", "E05009333", "51.520", "-0.072"),
    ("E1 6ZZ", "201002", "E09000030", "E05009333", "51.521", "-0.073"),
    ("NW1 9ZZ", "", "E09000007", "E05013660", "99.999999", "0.000000"),
    ("AB10 1AB", "", "S12000033", "S13002843", "57.1", "-2.1"),
]


def test_load_then_find_in_any_spelling(tmp_path: Path) -> None:
    assert not postcodes_loaded()
    path = onspd_write(tmp_path / "onspd.csv", ROWS)
    result = postcode_load(path=path, lad_codes={"E09000030", "E09000007"})
    assert (result.stored, result.terminated, result.without_point) == (3, 1, 1)
    assert postcodes_loaded()
    found = postcode_find(text=" e16an ")
    assert found is not None
    assert (found.postcode, found.ward_code, found.lad_code) == ("E1 6AN", "E05009333", "E09000030")
    assert found.latitude == pytest.approx(51.52)
    terminated = postcode_find(text="E1 6ZZ")
    assert terminated is not None
    assert terminated.terminated == dt.date(2010, 2, 1)
    assert postcode_find(text="AB10 1AB") is None  # not in the boroughs kept
    assert postcode_find(text="E1") is None  # partial: no error, no answer


def test_a_new_release_replaces_the_old(tmp_path: Path) -> None:
    postcode_load(path=onspd_write(tmp_path / "a.csv", ROWS), lad_codes={"E09000030"})
    newer = [("E1 7AA", "", "E09000030", "E05009333", "51.52", "-0.07")]
    postcode_load(path=onspd_write(tmp_path / "b.csv", newer), lad_codes={"E09000030"})
    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["E1 7AA"]


def test_a_file_with_no_postcode_in_the_boroughs_changes_nothing(tmp_path: Path) -> None:
    postcode_load(path=onspd_write(tmp_path / "a.csv", ROWS), lad_codes={"E09000030"})
    with pytest.raises(UserInputError, match="no postcode"):
        postcode_load(path=onspd_write(tmp_path / "b.csv", ROWS[3:]), lad_codes={"E09000030"})
    with pytest.raises(UserInputError, match="boundary files"):
        postcode_load(path=tmp_path / "a.csv", lad_codes=set())
    assert Postcode.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_vawg_ingest_postcodes(tmp_path: Path, real_data_dir: Path, capsys: Any) -> None:
    path = onspd_write(tmp_path / "onspd.csv", ROWS)
    assert main(["ingest", "postcodes", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["source"], out["stored"], out["terminated"]) == ("postcodes", 3, 1)
    assert main(["ingest", "postcodes", str(tmp_path / "nope.csv")]) == 2
