"""People and involvements: the domestic flag follows the relationship, every reference exists."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from vawg.synth import SynthSummary


def _read(folder: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(folder / name, infer_schema=False)


def test_domestic_flag_matches_relationship(small: tuple[Path, SynthSummary]) -> None:
    out, _ = small
    crimes = _read(out, "crimes.csv")
    victims = _read(out, "involvements.csv").filter(pl.col("role") == "victim")
    joined = crimes.join(victims, on="crime_ref")
    domestic = joined["relationship"].is_in(["partner", "ex-partner", "family"])
    assert ((joined["domestic_abuse"] == "Y") == domestic).all()


def test_referential_integrity(small: tuple[Path, SynthSummary]) -> None:
    out, _ = small
    crimes = set(_read(out, "crimes.csv")["crime_ref"])
    people = _read(out, "people.csv")
    assert people["person_ref"].is_unique().all()
    refs = set(people["person_ref"])
    inv = _read(out, "involvements.csv")
    assert set(inv["crime_ref"]) == crimes  # every crime has a suspect or a victim
    assert set(inv["person_ref"]) == refs  # nobody is left without a crime
    per_crime = inv.group_by("crime_ref").agg(
        (pl.col("role") == "victim").sum().alias("victims"),
        pl.col("role").is_in(["suspect", "offender"]).sum().alias("suspects"),
    )
    # A VAWG or precursor crime (SC...) has one victim; a general non-VAWG crime (SG...: theft,
    # drugs, damage, public order) has its suspect and no victim on record.
    general = per_crime["crime_ref"].str.starts_with("SG")
    assert general.any()
    assert (per_crime.filter(~general)["victims"] == 1).all()
    assert (per_crime.filter(general)["victims"] == 0).all()
    assert (per_crime.filter(general)["suspects"] == 1).all()
    orders = _read(out, "orders.csv")
    assert set(orders["subject_ref"]) <= refs
    assert set(orders["protected_ref"].drop_nulls()) <= refs
    assert orders["order_ref"].is_unique().all()
    dvpn = orders.filter(pl.col("order_type") == "DVPN")
    dvpo = orders.filter(pl.col("order_type") == "DVPO")
    assert 0 < dvpo.height <= dvpn.height
