"""The one door to the force's records: frames for the analyses, and only disclosed aggregates
kept in the cache."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache

from vawg.disclosure import RULE_NAME
from vawg_site.records import selectors

pytestmark = pytest.mark.django_db


def test_frames_mark_the_crimes_with_a_female_victim(force: None) -> None:
    frames = selectors.force_frames()
    assert frames.crimes.height == 42
    assert frames.involvements.height == 42
    assert frames.crimes["female_victim"].all()
    vawg = selectors.force_vawg_crimes(frames)
    assert vawg.height == 40  # the burglary is not VAWG
    assert set(vawg["vawg_group"].to_list()) == {"rape", "stalking"}


def test_only_years_the_records_cover_whole_are_published(force: None) -> None:
    assert selectors.force_span() == (date(2024, 1, 1), date(2024, 12, 31))
    assert selectors.force_years() == [2024]
    assert selectors.force_group_month_table(year=2023).table is None
    assert selectors.force_grid_table(year=2025).table is None


def test_the_group_by_month_table_is_disclosed(force: None) -> None:
    table = selectors.force_group_month_table(year=2024)
    assert table.col_labels == [f"2024-{m:02d}" for m in range(1, 13)]
    assert table.table is not None
    assert table.table.rule == RULE_NAME
    # 40 crimes: 26 rape and 14 stalking, 20 a month; every published cell a multiple of 5.
    published = [v for row in table.table.cells for v in row if v is not None]
    assert all(v % 5 == 0 for v in published)
    assert table.table.grand_total == 40


def test_the_grid_table_lists_every_square_and_keeps_no_point(
    force: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAWG_DATA_DIR", str(tmp_path))  # no boundaries: a 10 km-aligned box
    grid = selectors.force_grid_table(year=2024)
    assert grid.table is not None
    assert grid.cells[-1] is None  # crimes with no square
    squares = [c for c in grid.cells if c is not None]
    # The crimes lie either side of easting 530,000: two 10 km boxes, in 1 km squares.
    assert len(squares) == 200
    assert all(c[0] % 1000 == 500 and c[1] % 1000 == 500 for c in squares)
    assert grid.table.grand_total == 40
    assert sum(1 for row in grid.table.status if row[0] == "published") <= 2


def test_only_disclosed_results_are_kept(force: None) -> None:
    selectors.force_group_month_table(year=2024)
    selectors.force_measures()
    kept = [cache.get(k) for k in cache._cache]  # type: ignore[attr-defined]
    import polars as pl

    assert not [v for v in kept if isinstance(v, (pl.DataFrame, selectors.ForceFrames))]


def test_no_records_no_measures(db: None) -> None:
    assert selectors.force_measures() is None
    assert selectors.force_months() == []
    assert not selectors.force_loaded()


def test_a_crime_stored_on_an_implausible_day_moves_no_page(force: None) -> None:
    """One crime written by hand as recorded on 9999-12-31 (the readers refuse such a row)
    changes neither the span, nor the years published, nor the frames the pages are made of."""
    from vawg_site.records.models import Crime

    before = selectors.force_frames().crimes.height
    Crime.objects.create(crime_ref="BAD-1", recorded_date=date(9999, 12, 31), offence_code="8Q")
    Crime.objects.create(crime_ref="BAD-2", recorded_date=date(1, 1, 1), offence_code="8Q")
    cache.clear()
    assert selectors.force_span() == (date(2024, 1, 1), date(2024, 12, 31))
    assert selectors.force_years() == [2024]
    assert selectors.force_frames().crimes.height == before
