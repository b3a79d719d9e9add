"""The learned method: features known at the date, no leakage, training window, backtests."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from vawg.errors import UserInputError
from vawg.rank import Allegations, allegations_load, backtest_run, ranking_run
from vawg.rank.learned import FEATURE_NAMES, Context, features_at
from vawg.rank.learned_fit import (
    model_fit,
    ridge_logistic,
    ridge_poisson,
    rows_collapse,
    training_origins,
)
from vawg.synth.simple import simple_write

AS_OF = date(2023, 12, 31)


@pytest.fixture(scope="module")
def force(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("simple-force")
    simple_write(out=out, seed=7, years=5, end_date=date(2024, 12, 31), men=800)
    return out


def _allegations(rows: list[tuple[str, str, str, float]]) -> Allegations:
    sus = pl.DataFrame(
        {
            "crime_ref": [r[0] for r in rows],
            "person_ref": [r[1] for r in rows],
            "recorded_date": [date.fromisoformat(r[2]) for r in rows],
            "offence_code": ["8S"] * len(rows),
            "vawg_group": ["violence_against_women"] * len(rows),
            "is_vawg": [True] * len(rows),
            "harm_days": [r[3] for r in rows],
            "relationship": ["partner"] * len(rows),
        }
    )
    vic = pl.DataFrame(
        {"crime_ref": [r[0] for r in rows], "victim_ref": ["V" + r[0] for r in rows]}
    )
    return Allegations(
        sus, vic, date(2020, 1, 1), date(2024, 12, 31), "t", "v", pl.DataFrame(), pl.DataFrame()
    )


def test_features_see_only_what_was_recorded_by_the_date() -> None:
    a = _allegations(
        [
            ("C1", "A", "2023-03-01", 365.0),
            ("C2", "A", "2023-11-01", 10.0),
            ("C3", "A", "2024-01-05", 1825.0),  # after the date
            ("C4", "B", "2020-11-01", 10.0),  # more than 3 years before
        ]
    )
    context = Context(
        outcomes=pl.DataFrame(
            {
                "crime_ref": ["C1", "C2"],
                "outcome_code": ["1", "1"],
                "outcome_date": [date(2023, 4, 1), date(2024, 2, 1)],  # C2's is later
            }
        ),
        orders=pl.DataFrame(
            {
                "subject_ref": ["A", "A"],
                "start_date": [date(2023, 11, 2), date(2023, 11, 2)],
                "end_date": [date(2024, 11, 1), date(2024, 11, 1)],
                "breach_date": [date(2023, 12, 1), date(2024, 1, 2)],
            }
        ),
        markers=pl.DataFrame(
            {
                "person_ref": ["A", "A", "A"],
                "marker": ["strangulation", "weapon", "coercion"],
                "recorded_date": [date(2023, 3, 1), date(2024, 1, 5), date(2023, 5, 1)],
            }
        ),
    )
    f = features_at(a, context, as_of=AS_OF)
    assert f["person_ref"].to_list() == ["A"]
    row = dict(zip(FEATURE_NAMES, f.select(FEATURE_NAMES).row(0), strict=True))
    assert row["allegations_1095"] == pytest.approx(np.log1p(2))
    assert row["harm_1095"] == pytest.approx(np.log1p(375))
    assert row["serious_1095"] == pytest.approx(np.log1p(1))
    assert row["charged_serious_730"] == 1.0
    assert row["charged_365"] == 1.0
    assert row["orders_active"] == 1.0
    assert row["breaches_365"] == pytest.approx(np.log1p(1))
    assert row["marker_strangulation"] == pytest.approx(np.log1p(1))
    assert row["marker_weapon"] == 0.0
    assert row["markers_other"] == pytest.approx(np.log1p(1))
    assert row["recency"] == pytest.approx(np.exp(-60 / 182))


def test_ridge_logistic_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20_000, 2))
    p = 1 / (1 + np.exp(-(-1.0 + 1.5 * x[:, 0])))
    y = (rng.random(20_000) < p).astype(float)
    coef, intercept = ridge_logistic(x, y, ridge=1.0)
    assert coef[0] == pytest.approx(1.5, abs=0.08)
    assert coef[1] == pytest.approx(0.0, abs=0.05)
    assert intercept == pytest.approx(-1.0, abs=0.05)


def test_collapsed_rows_give_the_fit_of_the_rows_written_out() -> None:
    # Few distinct feature rows, each repeated: the weighted fits on the collapsed rows must
    # match the fits on every row, coefficient by coefficient.
    rng = np.random.default_rng(3)
    distinct = rng.integers(0, 4, size=(40, len(FEATURE_NAMES))).astype(float)
    x = distinct[rng.integers(0, 40, size=6_000)]
    z = x @ rng.normal(0, 0.3, len(FEATURE_NAMES)) - 1.0
    y = (rng.random(6_000) < 1 / (1 + np.exp(-z))).astype(float)
    h = rng.poisson(np.exp(0.5 * z)).astype(float)
    rows = pl.DataFrame(x, schema=list(FEATURE_NAMES)).with_columns(
        _y=pl.Series(y), _h=pl.Series(h)
    )
    collapsed = rows_collapse(rows)
    assert collapsed.height <= 40
    assert collapsed["_n"].sum() == 6_000
    cx = collapsed.select(FEATURE_NAMES).to_numpy()
    n = collapsed["_n"].to_numpy().astype(float)
    for fit, target, summed in ((ridge_logistic, y, "_y"), (ridge_poisson, h, "_h")):
        coef, intercept = fit(x, target)
        ccoef, cintercept = fit(cx, collapsed[summed].to_numpy() / n, weights=n)
        assert ccoef == pytest.approx(coef, abs=1e-7)
        assert cintercept == pytest.approx(intercept, abs=1e-7)


def test_training_origins_end_before_the_date(force: Path) -> None:
    a = allegations_load(folder=force, start=date(2019, 1, 1), end=AS_OF, vawg_only=True)
    origins = training_origins(a, as_of=AS_OF)
    assert origins
    assert max(origins) == date(2022, 12, 31)  # its 12 months end on the date
    assert min(origins) >= date(2020, 1, 1)
    model = model_fit(a, Context(*_empty()), as_of=AS_OF)
    assert model.origins == origins
    assert 0 < model.base_rate < 0.5


def _empty() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    from vawg.rank.learned import context_empty

    c = context_empty()
    return c.outcomes, c.orders, c.markers


def test_too_little_history_is_refused(force: Path) -> None:
    with pytest.raises(UserInputError, match="two years of records"):
        ranking_run(folder=force, as_of=date(2020, 6, 30), method="learned")


def _trim(folder: Path, out: Path, as_of: date) -> None:
    # Everything recorded after the date goes, as in an extract taken on that day.
    shutil.copytree(folder, out)
    day = as_of.isoformat()
    crimes = pl.read_csv(out / "crimes.csv", infer_schema=False)
    kept = crimes.filter(pl.col("recorded_date") <= day).with_columns(
        pl.when(pl.col("outcome_date") <= day).then(pl.col(c)).alias(c)
        for c in ("outcome_code", "outcome_date")
    )
    kept.write_csv(out / "crimes.csv")
    inv = pl.read_csv(out / "involvements.csv", infer_schema=False)
    inv.filter(pl.col("crime_ref").is_in(kept["crime_ref"].implode())).write_csv(
        out / "involvements.csv"
    )
    markers = pl.read_csv(out / "risk_markers.csv", infer_schema=False)
    markers.filter(pl.col("recorded_date") <= day).write_csv(out / "risk_markers.csv")
    orders = pl.read_csv(out / "orders.csv", infer_schema=False)
    orders.filter(pl.col("start_date") <= day).with_columns(
        pl.col("breach_dates")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() <= day))
        .list.join(";")
    ).write_csv(out / "orders.csv")
    shutil.rmtree(out / "truth")


@pytest.mark.parametrize("cache", [False, True])
def test_records_after_as_of_change_nothing(force: Path, tmp_path: Path, cache: bool) -> None:
    trimmed = tmp_path / "trimmed"
    _trim(force, trimmed, AS_OF)
    full = ranking_run(folder=force, as_of=AS_OF, method="learned", cache=cache).table
    cut = ranking_run(folder=trimmed, as_of=AS_OF, method="learned", cache=cache).table
    assert full.height == 100
    assert full.equals(cut)
    assert full["explanation"][0].startswith("probability ")
    assert "main reasons: " in full["explanation"][0]


def test_the_backtest_scores_against_the_truth_with_calibration(force: Path) -> None:
    result = backtest_run(folder=force, as_of=AS_OF, tops=(100,))
    assert result.harm_basis == "true"
    truth = pl.read_csv(force / "truth" / "offences.csv", try_parse_dates=True)
    later = truth.filter(
        (pl.col("offence_date") > AS_OF) & (pl.col("offence_date") <= date(2024, 12, 30))
    )
    assert result.future_harm_days == pytest.approx(later["harm_days"].sum())
    rows = {r["method"]: r for r in result.table.iter_rows(named=True)}
    assert set(rows) == {"v100", "rfgv", "count", "learned", "random", "oracle"}
    assert rows["learned"]["brier"] is not None
    assert rows["v100"]["brier"] is None
    assert 0 <= rows["learned"]["named_again"] <= 1
    # true harm is mostly unrecorded: the perfect list is often never named again
    assert rows["oracle"]["named_again"] < 1
    rel = result.reliability
    assert rel["people"].sum() > 100
    for band in rel.filter(pl.col("people") > 0).iter_rows(named=True):
        lo, hi = (float(x) for x in band["bin"].split("-"))
        assert lo <= band["mean_probability"] <= hi
    recorded = backtest_run(folder=force, as_of=AS_OF, tops=(100,), truth=None, methods=("v100",))
    assert recorded.harm_basis == "true"  # the folder's own truth is found by default


@pytest.mark.parametrize("day", [AS_OF, date(2024, 2, 14)])
def test_the_default_list_ignores_records_after_its_date(
    force: Path, tmp_path: Path, day: date
) -> None:
    # `vawg rank` with no --method: the learned default, with the month's model kept in the
    # cache folder (fitted on the records up to the last month end on or before the date).
    from vawg.cli import main

    copied, trimmed = tmp_path / "full", tmp_path / "trimmed"
    shutil.copytree(force, copied)
    _trim(force, trimmed, day)
    lists = []
    for folder in (copied, trimmed):
        out = tmp_path / f"{folder.name}.csv"
        assert main(["rank", str(folder), "--as-of", day.isoformat(), "--out", str(out)]) == 0
        lists.append(out.read_bytes())
    assert lists[0] == lists[1]
    table = pl.read_csv(tmp_path / "full.csv")
    assert set(table["method"]) == {"learned"}
    month_end = "2023-12-31" if day == AS_OF else "2024-01-31"
    assert list((copied / ".vawg-cache" / "models").glob(f"learned-{month_end}-*.json"))


def test_the_weight_for_being_named_again_is_the_smallest_that_matches_the_count() -> None:
    from vawg.rank.learned_fit import named_weight_choose

    # 10 men with high harm but an even chance of being named again, 10 with less harm and a
    # high chance (many allegations last year), 80 with neither: a plain count lists the second
    # ten; expected harm alone the first; weight 2 is the first on the grid to list the second.
    rows = []
    for i in range(100):
        kind = "a" if i < 10 else "b" if i < 20 else "c"
        row = dict.fromkeys(FEATURE_NAMES, 0.0)
        row["harm_1095"] = {"a": 3.0, "b": 2.0, "c": 0.0}[kind]
        row["allegations_365"] = {"a": 0.0, "b": 2.0, "c": 0.0}[kind]
        rows.append(row)
    frame = pl.DataFrame(rows)
    zeros, ones = np.zeros(len(FEATURE_NAMES)), np.ones(len(FEATURE_NAMES))
    harm_coef, named_coef = zeros.copy(), zeros.copy()
    harm_coef[FEATURE_NAMES.index("harm_1095")] = 1.0
    named_coef[FEATURE_NAMES.index("allegations_365")] = 1.0
    weight = named_weight_choose(
        [frame], mean=zeros, scale=ones, harm=(harm_coef, 0.0), named=(named_coef, 0.0)
    )
    assert weight == 2.0
    # when expected harm already lists the likely men, no weight is needed
    named_coef[FEATURE_NAMES.index("allegations_365")] = 0.0
    named_coef[FEATURE_NAMES.index("harm_1095")] = 1.0
    assert (
        named_weight_choose(
            [frame], mean=zeros, scale=ones, harm=(harm_coef, 0.0), named=(named_coef, 0.0)
        )
        == 0.0
    )


def test_the_tasking_places_go_by_priority_and_the_rest_by_expected_harm(force: Path) -> None:
    from datetime import timedelta

    from vawg.rank.learned import LEARNED_LOOKBACK_DAYS, context_load, learned_list, tasking_places

    start = AS_OF - timedelta(days=LEARNED_LOOKBACK_DAYS)
    a = allegations_load(folder=force, start=start, end=AS_OF, vawg_only=True)
    window = pl.DataFrame(
        schema={
            "person_ref": pl.String,
            "harm_days": pl.Float64,
            "offences": pl.Int64,
            "victims": pl.Int64,
            "last_offence_date": pl.Date,
            "recent_harm_days": pl.Float64,
            "earlier_harm_days": pl.Float64,
        }
    )
    table = learned_list(a, context_load(folder=force, end=AS_OF), as_of=AS_OF, window=window)
    places = tasking_places(table.height)
    assert 10 <= places <= 100
    head, rest = table.head(places), table.slice(places)
    assert head["priority"].to_list() == sorted(head["priority"], reverse=True)
    assert head["priority"].min() >= rest["priority"].max()
    assert rest["score"].to_list() == sorted(rest["score"], reverse=True)
    assert table["score"].equals(table["expected_harm"], check_names=False)
    # the weight moved someone: the tasking places are not simply the highest expected harm
    by_harm = table.sort("expected_harm", descending=True).head(places)["person_ref"]
    assert set(head["person_ref"]) != set(by_harm) or table["priority"].equals(
        table["expected_harm"], check_names=False
    )
