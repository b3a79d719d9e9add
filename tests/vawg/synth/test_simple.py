"""The simple generator: files, truth, partial reporting, custody, markers, determinism."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.rank import allegations_load
from vawg.synth.simple import simple_write


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("simple")
    simple_write(out=out, seed=3, years=4, end_date=date(2024, 12, 31), men=600)
    return out


def test_writes_the_extract_and_the_truth_apart(folder: Path) -> None:
    names = {p.name for p in folder.iterdir()}
    assert {"crimes.csv", "people.csv", "involvements.csv", "orders.csv"} <= names
    assert {"risk_markers.csv", "MANIFEST.json", "truth"} <= names
    assert {p.name for p in (folder / "truth").iterdir()} == {"offences.csv", "harm_by_year.csv"}
    crimes = pl.read_csv(folder / "crimes.csv", try_parse_dates=True)
    assert crimes["recorded_date"].min() >= date(2021, 1, 1)
    assert crimes["recorded_date"].max() <= date(2024, 12, 31)


def test_most_offences_go_unrecorded_and_recorded_ones_are_in_the_extract(folder: Path) -> None:
    truth = pl.read_csv(folder / "truth" / "offences.csv", try_parse_dates=True)
    recorded = truth.filter(pl.col("crime_ref").is_not_null())
    assert 0.15 < recorded.height / truth.height < 0.5
    crimes = pl.read_csv(folder / "crimes.csv")
    inside = recorded.join(crimes.select("crime_ref"), on="crime_ref", how="semi")
    assert inside.height > 0.8 * recorded.filter(pl.col("offence_date") >= date(2021, 1, 1)).height
    by_year = pl.read_csv(folder / "truth" / "harm_by_year.csv")
    assert (by_year["true_harm_days"] >= by_year["recorded_harm_days"]).all()


def test_the_extract_ranks(folder: Path) -> None:
    a = allegations_load(folder=folder, start=date(2021, 1, 1), end=date(2024, 12, 31))
    assert a.suspects.filter(pl.col("is_vawg")).height > 1000


def test_a_man_charged_with_a_serious_offence_is_off_the_street(folder: Path) -> None:
    crimes = pl.read_csv(
        folder / "crimes.csv", try_parse_dates=True, schema_overrides={"outcome_code": pl.String}
    )
    inv = pl.read_csv(folder / "involvements.csv").filter(pl.col("role") == "suspect")
    charged = (
        crimes.filter((pl.col("outcome_code") == "1") & pl.col("offence_code").is_in(["19C", "5D"]))
        .join(inv, on="crime_ref")
        .select("person_ref", "outcome_date")
    )
    assert charged.height > 5
    truth = pl.read_csv(folder / "truth" / "offences.csv", try_parse_dates=True)
    after = truth.join(charged, on="person_ref").filter(
        (pl.col("offence_date") > pl.col("outcome_date"))
        & (pl.col("offence_date") <= pl.col("outcome_date") + timedelta(days=90))
    )
    assert after.height == 0


def test_markers_name_known_people_and_kinds(folder: Path) -> None:
    markers = pl.read_csv(folder / "risk_markers.csv")
    people = pl.read_csv(folder / "people.csv")
    assert markers.height > 50
    assert markers.join(people, on="person_ref", how="anti").height == 0
    assert set(markers["marker"]) <= {
        "strangulation",
        "threats_to_kill",
        "stalking",
        "weapon",
        "sexual_violence",
    }


def test_same_seed_same_files(tmp_path: Path, folder: Path) -> None:
    simple_write(out=tmp_path, seed=3, years=4, end_date=date(2024, 12, 31), men=600)
    for name in ("crimes.csv", "risk_markers.csv", "truth/offences.csv"):
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes()
