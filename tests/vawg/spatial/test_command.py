"""``vawg hotspots``: the parser, the handlers on real files, exit code 2 on bad input."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.spatial.command import register


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="vawg")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_module_imports_only_argparse_at_top() -> None:
    script = (
        "import sys\nimport vawg.spatial.command\n"
        "print(any(m in sys.modules for m in ('numpy', 'polars', 'scipy', 'shapely')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_grid_csv_has_the_contract_columns_and_every_cell(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = real_data_dir / "police_uk" / "2023-03-city-of-london-street.csv.gz"
    out = tmp_path / "h.csv"
    assert (
        _run(
            [
                "hotspots",
                "grid",
                str(src),
                "--out",
                str(out),
                "--category",
                "Violence and sexual offences",
                "--permutations",
                "99",
                "--json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    table = pl.read_csv(out)
    assert table.columns == ["x", "y", "cell_size_m", "count", "score", "z", "p", "q", "class"]
    assert table.height == report["cells"]
    assert report["cell_size_m"] > 0
    assert report["fdr"] == "benjamini-hochberg"
    assert table["count"].sum() == report["events"]
    assert ((table["x"] - table["cell_size_m"] / 2) % table["cell_size_m"] == 0).all()


def test_grid_geojson_is_wgs84(real_data_dir: Path, tmp_path: Path) -> None:
    src = real_data_dir / "police_uk" / "2023-03-city-of-london-street.csv.gz"
    out = tmp_path / "h.geojson"
    assert (
        _run(
            [
                "hotspots",
                "grid",
                str(src),
                "--out",
                str(out),
                "--cell-size",
                "200",
                "--permutations",
                "0",
                "--weight",
                "harm",
            ]
        )
        == 0
    )
    doc = json.loads(out.read_text())
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert -0.2 < lon < 0.1
    assert 51.4 < lat < 51.6


def test_areal_on_ward_series(real_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "w.csv"
    assert (
        _run(
            [
                "hotspots",
                "areal",
                str(real_data_dir / "mps" / "vawg-offences.parquet"),
                "--areas",
                str(real_data_dir / "geo" / "london_wards24_bgc.geojson"),
                "--from",
                "2025-01",
                "--out",
                str(out),
                "--permutations",
                "99",
            ]
        )
        == 0
    )
    table = pl.read_csv(out)
    assert table.columns == [
        "area_code",
        "area_name",
        "count",
        "score",
        "z",
        "p",
        "q",
        "class",
        "trend",
    ]
    assert table.height == 684


@pytest.mark.parametrize(
    "argv",
    [
        ["hotspots", "grid", "/nonexistent/file.csv", "--out", "x.csv"],
        ["hotspots", "grid", "{data}/police_uk/api", "--category", "nope", "--out", "x.csv"],
        ["hotspots", "grid", "{data}/police_uk/api", "--from", "2017/01", "--out", "x.csv"],
        [
            "hotspots",
            "grid",
            "{data}/police_uk/2023-03-city-of-london-street.csv.gz",
            "--cell-size",
            "-5",
            "--out",
            "x.csv",
        ],
    ],
)
def test_bad_input_raises_user_input_error(argv: list[str], real_data_dir: Path) -> None:
    with pytest.raises(UserInputError):
        _run([a.replace("{data}", str(real_data_dir)) for a in argv])


def test_grid_on_a_force_extract_counts_vawg_offences_and_weights_harm(tmp_path: Path) -> None:
    """A synthetic force extract (``docs/extract.md``) read straight from its folder: only the
    located VAWG offences are counted, and harm weighting sums CCHI harm-days instead."""
    from vawg.synth import calibration_shipped, write_extract

    extract = tmp_path / "force"
    summary = write_extract(out=extract, seed=5, size="small", calibration=calibration_shipped())
    by_count, by_harm = tmp_path / "count.csv", tmp_path / "harm.csv"
    common = ["--category", "vawg", "--permutations", "99", "--seed", "1"]
    assert _run(["hotspots", "grid", str(extract), "--out", str(by_count), *common]) == 0
    assert (
        _run(["hotspots", "grid", str(extract), "--out", str(by_harm), "--weight", "harm", *common])
        == 0
    )
    counts = pl.read_csv(by_count)
    harm = pl.read_csv(by_harm)
    assert counts.columns[:9] == ["x", "y", "cell_size_m", "count", "score", "z", "p", "q", "class"]
    crimes = summary.crimes
    located_vawg = crimes.filter(~pl.col("_precursor"), pl.col("latitude").is_not_null())
    # every located VAWG offence lands in one cell; precursor offences are not counted
    assert 0 < counts["count"].sum() <= located_vawg.height
    assert counts["count"].sum() < crimes.filter(pl.col("latitude").is_not_null()).height
    assert harm["count"].sum() > counts["count"].sum()  # harm-days, not events
    assert (harm["count"] > 0).sum() == (counts["count"] > 0).sum()
