"""The fitted model kept between runs (`vawg rank fit`, the learned default) and the prepared
allegations: the same lists as fitting and classifying afresh, nothing recorded later used."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.extract import CACHE_FOLDER
from vawg.harm import harm_table_default, harm_table_named
from vawg.rank import allegations_load, ranking_compute, ranking_run
from vawg.rank.learned import LEARNED_LOOKBACK_DAYS, context_load
from vawg.rank.learned_fit import model_fit
from vawg.rank.model_store import (
    MODEL_FOLDER,
    extract_key,
    fit_date,
    model_fit_folder,
    model_obtain,
    model_read,
    model_write,
)
from vawg.synth.simple import simple_write
from vawg.taxonomy import taxonomy_load

YEAR_END = date(2023, 12, 31)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("simple-force")
    simple_write(out=out, seed=3, years=5, end_date=date(2024, 12, 31), men=600)
    return out


@pytest.fixture
def force(source: Path, tmp_path: Path) -> Path:
    # A copy per test: the cache folder is written into it.
    out = tmp_path / "force"
    shutil.copytree(source, out)
    return out


def _models(folder: Path) -> list[Path]:
    return sorted((folder / CACHE_FOLDER / MODEL_FOLDER).glob("learned-*.json"))


def test_fit_date_is_the_last_month_end_on_or_before() -> None:
    assert fit_date(date(2024, 2, 29)) == date(2024, 2, 29)
    assert fit_date(date(2024, 2, 28)) == date(2024, 1, 31)
    assert fit_date(date(2025, 1, 1)) == date(2024, 12, 31)
    assert fit_date(date(2025, 12, 31)) == date(2025, 12, 31)


def test_the_kept_model_gives_the_list_of_a_fresh_fit(force: Path) -> None:
    first = ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    assert len(_models(force)) == 1
    assert "fitted the learned model on the records up to 2023-12-31" in first.notes[0]
    again = ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    assert again.notes == ()  # read, not fitted
    start = YEAR_END - timedelta(days=LEARNED_LOOKBACK_DAYS)
    allegations = allegations_load(folder=force, start=start, end=YEAR_END, vawg_only=True)
    context = context_load(folder=force, end=YEAR_END)
    fresh = ranking_compute(
        allegations, as_of=YEAR_END, method="learned", context=context, top=100
    ).table
    assert first.table.equals(fresh)
    assert again.table.equals(fresh)


def test_the_model_file_reads_back_exactly(force: Path, tmp_path: Path) -> None:
    harm, taxonomy = harm_table_default(), taxonomy_load()
    stored = model_fit_folder(folder=force, fitted_as_of=YEAR_END, harm=harm, taxonomy=taxonomy)
    back = model_read(model_write(stored, tmp_path / "m.json"))
    assert back == stored  # every float written in full
    assert back.model.calibration
    assert sum(b[1] for b in back.model.calibration) == back.model.rows
    start = YEAR_END - timedelta(days=LEARNED_LOOKBACK_DAYS)
    allegations = allegations_load(folder=force, start=start, end=YEAR_END, vawg_only=True)
    direct = model_fit(allegations, context_load(folder=force, end=YEAR_END), as_of=YEAR_END)
    assert direct == stored.model


def test_a_list_within_a_month_uses_the_month_end_model(force: Path, tmp_path: Path) -> None:
    day = date(2024, 2, 14)
    listed = ranking_run(folder=force, as_of=day, method="learned", cache=True)
    [path] = _models(force)
    assert path.name.startswith("learned-2024-01-31-")
    given = ranking_run(
        folder=force, as_of=day, method="learned", cache=False, model_file=path
    ).table
    assert listed.table.equals(given)
    # ... and scores with the features of its own date, not the model's
    assert listed.table["as_of"][0] == day


def test_a_model_fitted_after_the_date_is_refused(force: Path, tmp_path: Path) -> None:
    harm, taxonomy = harm_table_default(), taxonomy_load()
    stored = model_fit_folder(folder=force, fitted_as_of=YEAR_END, harm=harm, taxonomy=taxonomy)
    path = model_write(stored, tmp_path / "m.json")
    with pytest.raises(UserInputError, match="after --as-of 2023-11-30"):
        ranking_run(folder=force, as_of=date(2023, 11, 30), method="learned", model_file=path)
    other = harm_table_named(spec="ons-css")
    with pytest.raises(UserInputError, match="harm table"):
        model_obtain(folder=force, as_of=YEAR_END, harm=other, taxonomy=taxonomy, model_file=path)
    old = model_write(replace(stored, fitted_as_of=date(2023, 6, 30)), tmp_path / "old.json")
    _, note = model_obtain(
        folder=force, as_of=YEAR_END, harm=harm, taxonomy=taxonomy, model_file=old
    )
    assert "184 days before" in note


def test_a_damaged_or_foreign_file_is_refused_or_fitted_again(force: Path, tmp_path: Path) -> None:
    ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    [path] = _models(force)
    good = path.read_text(encoding="utf-8")
    path.write_text(good[: len(good) // 2], encoding="utf-8")
    with pytest.raises(UserInputError, match="not a model file"):
        model_read(path)
    again = ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    assert again.notes
    assert "fitted" in again.notes[0]
    assert path.read_text(encoding="utf-8") == good
    data = json.loads(good)
    data["format"] = "vawg-learned-model/0"
    (tmp_path / "f.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UserInputError, match="fit it again"):
        model_read(tmp_path / "f.json")


def test_a_changed_extract_gets_a_model_of_its_own(force: Path) -> None:
    harm, taxonomy = harm_table_default(), taxonomy_load()
    ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    before = extract_key(folder=force, harm=harm, taxonomy=taxonomy)
    stat = (force / "crimes.csv").stat()
    os.utime(force / "crimes.csv", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert extract_key(folder=force, harm=harm, taxonomy=taxonomy) != before
    ranking_run(folder=force, as_of=YEAR_END, method="learned", cache=True)
    assert [p.name.endswith(f"-{before}.json") for p in _models(force)] == [False]
    assert extract_key(folder=force, harm=harm_table_named(spec="ons-css"), taxonomy=taxonomy) != (
        extract_key(folder=force, harm=harm, taxonomy=taxonomy)
    )


def test_prepared_allegations_are_the_direct_read(force: Path) -> None:
    # An offence code the taxonomy does not know, and a VAWG code the harm table does not
    # weigh, so that the notes' counts are compared too.
    crimes = pl.read_csv(force / "crimes.csv", infer_schema=False)
    first = crimes["crime_ref"][0]
    crimes = crimes.with_columns(
        pl.when(pl.col("crime_ref") == first)
        .then(pl.lit("ZZ9"))
        .otherwise(pl.col("offence_code"))
        .alias("offence_code")
    )
    crimes.write_csv(force / "crimes.csv")
    days = harm_table_default().table
    harm = replace(
        harm_table_default(),
        name="test without 8Q",
        table=days.filter(pl.col("offence_code") != "8Q"),
    )
    for start, end in ((date(2020, 1, 1), date(2024, 12, 31)), (date(2022, 3, 4), YEAR_END)):
        kept = allegations_load(
            folder=force, start=start, end=end, harm=harm, vawg_only=True, cache=True
        )
        direct = allegations_load(folder=force, start=start, end=end, harm=harm, vawg_only=True)
        order = ["crime_ref", "person_ref"]
        assert kept.suspects.sort(order).equals(direct.suspects.sort(order))
        assert kept.victims.sort(pl.all()).equals(
            direct.victims.join(direct.suspects, on="crime_ref", how="semi").sort(pl.all())
        )
        assert kept.unknown_codes.equals(direct.unknown_codes)
        assert kept.unweighted_codes.equals(direct.unweighted_codes)
        if start.year == 2020:
            assert kept.unknown_codes.rows() == [("ZZ9", 1)]
            assert kept.unweighted_codes.filter(pl.col("offence_code") == "8Q")["crimes"][0] > 0
    assert any(CACHE_FOLDER in str(p) for p in force.glob(f"{CACHE_FOLDER}/allegations-*"))


def test_the_latest_held_out_year_is_wholly_in_the_data(force: Path) -> None:
    from vawg.rank import backtest_run, held_out_as_of, recorded_span

    span = recorded_span(folder=force)
    assert span.last is not None
    day = held_out_as_of(last_recorded=span.last)
    assert day + timedelta(days=365) <= span.last
    assert fit_date(day) == day  # a month end: the model of that month is fitted at it
    result = backtest_run(folder=force, as_of=day, tops=(100,), methods=("learned", "count"))
    assert result.future_harm_days > 0
    assert set(result.table["method"]) >= {"learned", "count"}
