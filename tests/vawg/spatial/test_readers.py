"""Hotspot readers: a force extract's VAWG crimes are the ones the taxonomy counts, as for the
ranking (one classifier: ``vawg.taxonomy.crimes_classify``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from vawg.cli import main
from vawg.extract import extract_scan
from vawg.spatial.readers import read_force_extract
from vawg.taxonomy import crimes_classify, crimes_female_victim, taxonomy_load

CRIMES_HEADER = (
    "crime_ref,recorded_date,committed_date,offence_code,offence_description,domestic_abuse,"
    "latitude,longitude,outcome_code,outcome_date\n"
)


def _extract(folder: Path, crimes: list[str], involvements: list[str]) -> Path:
    folder.mkdir()
    (folder / "crimes.csv").write_text(CRIMES_HEADER + "".join(f"{row}\n" for row in crimes))
    (folder / "people.csv").write_text("person_ref,sex,birth_year,ethnicity\nV1,F,1990,W\n")
    (folder / "involvements.csv").write_text(
        "crime_ref,person_ref,role,relationship\n" + "".join(f"{row}\n" for row in involvements)
    )
    return folder


def test_a_crime_vawg_by_its_title_alone_is_counted_by_grid_hotspots(tmp_path: Path) -> None:
    """Code 99 is not on the VAWG list and the crime is not flagged, but its title names female
    genital mutilation: the taxonomy counts it as VAWG (group fgm), so the hotspots do too. A
    criminal damage crime with no female victim is not VAWG."""
    extract = _extract(
        tmp_path / "extract",
        [
            "C1,2024-05-02,,99,Female genital mutilation - failing to protect,N,51.5074,-0.1278,,",
            "C2,2024-05-03,,58D,Other criminal damage,N,51.5205,-0.1000,,",
        ],
        ["C1,V1,victim,family"],
    )
    out = tmp_path / "grid.csv"
    argv = ["hotspots", "grid", str(extract), "--category", "vawg", "--out", str(out)]
    assert main([*argv, "--permutations", "9", "--seed", "1"]) == 0
    cells = pl.read_csv(out)
    assert cells["count"].sum() == 1
    events = read_force_extract(extract, category="vawg")
    assert events.frame["category"].to_list() == ["99"]


def test_hotspots_count_the_crimes_the_ranking_classifies_as_vawg(tmp_path: Path) -> None:
    """On a synthetic extract, with a crime whose title alone makes it VAWG added, the VAWG
    crimes the hotspot reader reads (located or not) are the crimes ``crimes_classify`` counts
    when given the extract's female victims."""
    from vawg.synth import calibration_shipped, write_extract

    folder = tmp_path / "force"
    write_extract(out=folder, seed=7, size="small", calibration=calibration_shipped())
    with (folder / "crimes.csv").open("a") as crimes_file:
        crimes_file.write("X1,2025-01-02,,99,Forced marriage offences,N,51.5,-0.12,,\n")
    events = read_force_extract(folder, category="vawg")
    tables = extract_scan(folder=folder)
    female = crimes_female_victim(involvements=tables["involvements"], people=tables["people"])
    crimes = tables["crimes"].with_columns(
        pl.col("crime_ref").is_in(female.collect()["crime_ref"].implode()).alias("female_victim"),
        pl.col("domestic_abuse").fill_null(False),
    )
    vawg = crimes_classify(crimes, taxonomy=taxonomy_load()).filter(pl.col("is_vawg")).collect()
    assert vawg.height > 0
    assert events.frame.height + events.no_location == vawg.height
    assert events.read > vawg.height  # the precursor offences are read and left out
