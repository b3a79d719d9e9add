"""``vawg hotspots`` on files from several forces: refused without a choice, ``--force`` keeps one,
``--all-forces`` warns and names them; the cell size and the extent are said; events outside the
areas and months outside the data are said too (issue #12, point 8).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from vawg.cli import main
from vawg.spatial.grid import cell_size_default

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context\n"
)


def _street_csv(path: Path, force: str, lon: float, lat: float, n: int) -> None:
    rows = [
        f"{path.stem}-{i},2023-03,{force},{force},{lon + i * 0.001:.6f},{lat:.6f},On or near X,"
        f"E01000001,A 001A,Violence and sexual offences,Under investigation,\n"
        for i in range(n)
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(HEADER + "".join(rows))


@pytest.fixture
def two_forces(tmp_path: Path) -> Path:
    folder = tmp_path / "police_uk"
    folder.mkdir()
    city = folder / "2023-03-city-of-london-street.csv.gz"
    _street_csv(city, "City of London Police", -0.09, 51.515, 7)
    _street_csv(folder / "2023-03-cheshire-street.csv.gz", "Cheshire Constabulary", -2.52, 53.19, 5)
    return folder


def test_several_forces_are_refused_with_their_names_and_counts(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h.csv"
    code = main(["hotspots", "grid", str(two_forces), "--out", str(out), "--permutations", "0"])
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert err.startswith("vawg: hotspots grid: the files hold ")
    assert "City of London Police (--force city-of-london, 7 events)" in err
    assert "Cheshire Constabulary (--force cheshire, 5 events)" in err
    assert "km east-west by" in err
    assert "--all-forces" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("wanted", ["city-of-london", "City of London Police", "CITY OF LONDON"])
def test_force_keeps_one_forces_records(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], wanted: str
) -> None:
    out = tmp_path / "h.csv"
    argv = ["hotspots", "grid", str(two_forces), "--out", str(out), "--permutations", "0"]
    assert main([*argv, "--force", wanted, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["events"] == 7
    assert report["force"] == "City of London Police"
    assert pl.read_csv(out)["count"].sum() == 7


def test_an_unknown_force_is_refused_naming_those_there(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["hotspots", "grid", str(two_forces), "--out", str(tmp_path / "h.csv")]
    assert main([*argv, "--force", "metropolitan"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vawg: --force 'metropolitan': no records from that force; the files ")
    assert "cheshire" in err
    assert main([*argv, "--force", "btp", "--all-forces"]) == 2


def test_all_forces_warns_names_them_and_says_why_cells_are_large(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h.csv"
    argv = ["hotspots", "grid", str(two_forces), "--out", str(out), "--permutations", "0"]
    assert main([*argv, "--all-forces", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["forces"] == {"City of London Police": 7, "Cheshire Constabulary": 5}
    assert "vawg: warning: hotspots grid --all-forces: the files hold" in captured.err
    # The City to Chester: about 165 km east-west and 190 km north-south.
    width, height = report["extent_m"]
    assert 150_000 < width < 180_000
    assert 175_000 < height < 205_000
    assert report["cell_size_m"] == cell_size_default(width_m=width, height_m=height) > 3_000
    assert f"cells are {report['cell_size_m']:,.0f} m across" in captured.err
    assert "shorter side of the data's extent" in captured.err


def test_api_records_of_btp_and_the_local_force_are_two_forces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records = [
        {
            "id": i,
            "month": "2017-01",
            "category": "violent-crime",
            "location_type": "BTP" if i < 3 else "Force",
            "location": {"latitude": "51.5", "longitude": f"{-0.1 + i * 0.01:.3f}"},
        }
        for i in range(10)
    ]
    path = tmp_path / "london-2017-01-crimes-street-api.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    out = tmp_path / "h.csv"
    argv = ["hotspots", "grid", str(path), "--out", str(out), "--permutations", "0"]
    assert main(argv) == 2
    assert "British Transport Police (--force btp, 3 events)" in capsys.readouterr().err
    assert main([*argv, "--force", "local", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 7


def test_a_force_extract_refuses_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "crimes.csv").write_text(
        "crime_ref,recorded_date,offence_code,easting,northing\nC1,2025-01-02,8Q,530000,180000\n",
        encoding="utf-8",
    )
    argv = ["hotspots", "grid", str(folder), "--out", str(tmp_path / "h.csv")]
    assert main([*argv, "--force", "metropolitan"]) == 2
    assert "one force's extract already" in capsys.readouterr().err


def test_filters_that_leave_nothing_say_so(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h.csv"
    argv = ["hotspots", "grid", str(two_forces), "--out", str(out), "--force", "cheshire"]
    assert main([*argv, "--from", "2024-01"]) == 2
    err = capsys.readouterr().err
    assert "no events with a location left after the filters (read 12," in err
    assert not out.exists()


@pytest.mark.realdata
@pytest.mark.slow
def test_the_shared_folder_is_refused_and_one_force_is_gridded(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "h.csv"
    argv = ["hotspots", "grid", str(real_data_dir / "police_uk"), "--out", str(out)]
    assert main([*argv, "--permutations", "0"]) == 2
    err = capsys.readouterr().err
    for slug in ("city-of-london", "cambridgeshire", "cheshire", "bedfordshire", "btp", "local"):
        assert f"--force {slug}," in err
    assert not out.exists()
    assert main([*argv, "--permutations", "0", "--force", "city-of-london", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["force"] == "City of London Police"
    assert report["cell_size_m"] < 1_000


def test_a_few_far_off_records_are_named_as_what_sets_the_extent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    _street_csv(folder / "2023-03-cheshire-street.csv.gz", "Cheshire Constabulary", -2.6, 53.2, 300)
    far = folder / "2023-04-cheshire-street.csv.gz"
    _street_csv(far, "Cheshire Constabulary", 0.5, 51.2, 1)  # one record in Kent
    argv = ["hotspots", "grid", str(folder), "--out", str(tmp_path / "h.csv")]
    assert main([*argv, "--permutations", "0"]) == 0
    err = capsys.readouterr().err
    assert "vawg: note: cells are " in err
    assert "99% of the events lie within 20 km by 0 km, so a few far-off records set it" in err


def _two_squares(path: Path) -> Path:
    """Two adjacent squares (WGS84) around the City of London."""

    def square(code: str, west: float, east: float) -> dict[str, object]:
        ring = [[west, 51.51], [east, 51.51], [east, 51.52], [west, 51.52], [west, 51.51]]
        return {
            "type": "Feature",
            "properties": {"WD24CD": code, "WD24NM": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    collection = {
        "type": "FeatureCollection",
        "features": [square("A", -0.095, -0.087), square("B", -0.087, -0.07)],
    }
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


def test_areal_refuses_events_that_lie_in_none_of_the_areas(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    areas = _two_squares(tmp_path / "areas.geojson")
    out = tmp_path / "a.csv"
    argv = ["hotspots", "areal", str(two_forces), "--areas", str(areas), "--out", str(out)]
    assert main([*argv, "--permutations", "0", "--force", "cheshire"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vawg: hotspots areal: none of the 5 events lies in an area of ")
    assert not out.exists()
    assert main([*argv, "--permutations", "0", "--force", "city-of-london"]) == 0
    assert capsys.readouterr().err == ""
    assert pl.read_csv(out)["count"].sum() == 7
    assert main([*argv, "--permutations", "0", "--all-forces"]) == 0
    err = capsys.readouterr().err
    assert "vawg: note: 5 of the 12 events lie outside the areas of " in err


@pytest.mark.realdata
def test_areal_on_the_wards_series_refuses_months_it_does_not_hold(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "a.csv"
    argv = [
        "hotspots",
        "areal",
        str(real_data_dir / "mps" / "vawg-offences.parquet"),
        "--areas",
        str(real_data_dir / "geo" / "london_wards24_bgc.geojson"),
        "--out",
        str(out),
        "--from",
        "2099-01",
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("vawg: no month of ")
    assert "lies in --from..--to (2099-01..); it holds 20" in err
    assert not out.exists()


def test_evaluate_keeps_one_force_and_says_how_many_months_it_needs(
    two_forces: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["hotspots", "evaluate", str(two_forces)]
    assert main(argv) == 2
    assert "--force city-of-london" in capsys.readouterr().err
    assert main([*argv, "--force", "city-of-london"]) == 2
    err = capsys.readouterr().err
    assert err == "vawg: evaluation needs at least two months; the files hold ['2023-03']\n"


def test_grid_refuses_a_study_area_that_holds_none_of_the_events(
    two_forces: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    area = _two_squares(tmp_path / "area.geojson")
    out = tmp_path / "g.csv"
    argv = ["hotspots", "grid", str(two_forces), "--area", str(area), "--out", str(out)]
    assert main([*argv, "--permutations", "0", "--force", "cheshire"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vawg: hotspots grid: none of the 5 events lies in an area of ")
    assert not out.exists()
    assert main([*argv, "--permutations", "0", "--all-forces"]) == 0
    assert "vawg: note: 5 of the 12 events lie outside the areas of " in capsys.readouterr().err
    assert pl.read_csv(out)["count"].sum() == 7
    # Events are counted, not their weight.
    assert main([*argv, "--permutations", "0", "--all-forces", "--weight", "harm"]) == 0
    assert "vawg: note: 5 of the 12 events lie outside the areas of " in capsys.readouterr().err
