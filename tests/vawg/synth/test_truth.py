"""vawg synth's hidden truth and risk markers."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from vawg.synth import SynthSummary


def test_truth_is_every_named_vawg_crime(small: tuple[Path, SynthSummary]) -> None:
    out, summary = small
    truth = pl.read_csv(out / "truth" / "offences.csv")
    named = summary.crimes.filter((pl.col("_suspect") >= 0) & ~pl.col("_precursor"))
    assert truth.height == named.height
    assert set(truth["crime_ref"]) == set(named["crime_ref"])
    rape = truth.filter(pl.col("offence_code") == "19C")
    assert rape.height
    assert (rape["harm_days"] == 1825.0).all()
    assert rape["serious"].all()
    by_year = pl.read_csv(out / "truth" / "harm_by_year.csv")
    assert by_year["true_harm_days"].sum() == truth["harm_days"].sum()


def test_markers_go_with_the_hidden_seriousness(small: tuple[Path, SynthSummary]) -> None:
    out, _ = small
    markers = pl.read_csv(out / "risk_markers.csv")
    assert set(markers["marker"]) == {
        "strangulation",
        "threats_to_kill",
        "stalking",
        "weapon",
        "sexual_violence",
    }
    truth = pl.read_csv(out / "truth" / "offences.csv")
    harm = truth.group_by("person_ref").agg(pl.col("harm_days").mean())
    marked = harm.join(markers, on="person_ref", how="semi")["harm_days"].mean()
    unmarked = harm.join(markers, on="person_ref", how="anti")["harm_days"].mean()
    assert marked > unmarked
    assert "risk_markers.csv" in (out / "MANIFEST.json").read_text()
