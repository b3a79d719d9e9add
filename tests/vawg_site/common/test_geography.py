"""London's geography from the boundary files: codes, names, outlines, grid references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vawg_site.common import geography


def test_grid_reference_known_answers() -> None:
    assert geography.grid_reference(530000, 180000) == "TQ 30 80"
    assert geography.grid_reference(551234, 201999) == "TL 51 01"
    assert geography.grid_reference(530500, 180500, digits=3) == "TQ 305 805"


def test_square_names() -> None:
    assert [geography.square_name(s) for s in (500, 1000, 1500, 2000)] == [
        "500 m square",
        "1 km square",
        "1.5 km square",
        "2 km square",
    ]


def test_without_the_boundary_files_everything_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path))
    geography.cache_clear()
    assert geography.borough_list() == []
    assert geography.ward_list() == []
    assert geography.area_get("E09000007") is None
    assert geography.outline_geojson(layer="wards") is None
    assert geography.outline_names(layer="boroughs") == []
    assert not geography.geo_available()


def test_the_real_boundaries(real_data_dir: Path) -> None:
    geography.cache_clear()
    boroughs = geography.borough_list()
    assert len(boroughs) == 33
    assert len(geography.ward_list()) == 684
    camden = geography.area_get("E09000007")
    assert camden is not None
    assert camden.name == "Camden"
    wards = geography.ward_list(borough_code="E09000007")
    assert wards
    assert {w.borough_name for w in wards} == {"Camden"}
    assert geography.borough_codes_by_name()["city of london"] == "E09000001"
    outline = json.loads(geography.outline_geojson(layer="boroughs") or b"{}")
    assert len(outline["features"]) == 33
    assert geography.ward_areas().n == 684
    assert geography.london_area().area > 1.5e9  # Greater London is about 1,572 km²


def test_the_force_area_is_the_32_boroughs_without_the_city(real_data_dir: Path) -> None:
    codes = geography.force_borough_codes()
    assert len(codes) == 32
    assert "E09000001" not in codes
    assert all(w.borough_code != "E09000001" for w in geography.force_wards())
    assert len(geography.force_wards()) < len(geography.ward_list())
