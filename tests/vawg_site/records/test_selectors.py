"""The one door to the force's records: frames for the analyses, and only disclosed aggregates
kept in the cache."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache

from vawg.disclosure import RULE_NAME
from vawg_site.records import selectors

pytestmark = pytest.mark.django_db


def test_frames_mark_the_crimes_with_a_female_victim(force: None) -> None:
    frames = selectors.force_frames()
    assert frames.crimes.height == 41
    assert frames.involvements.height == 41
    assert frames.crimes["female_victim"].all()
    vawg = selectors.force_vawg_crimes(frames)
    assert vawg.height == 40  # the burglary is not VAWG
    assert set(vawg["vawg_group"].to_list()) == {"rape", "stalking"}


def test_the_group_by_month_table_is_disclosed(force: None) -> None:
    table = selectors.force_group_month_table(start=None, end=None)
    assert table.col_labels == ["2024-01", "2024-02"]
    assert table.table is not None
    assert table.table.rule == RULE_NAME
    # 40 crimes: 26 rape and 14 stalking, 20 a month; every published cell a multiple of 5.
    published = [v for row in table.table.cells for v in row if v is not None]
    assert all(v % 5 == 0 for v in published)
    assert table.table.grand_total == 40
    january = selectors.force_group_month_table(start=date(2024, 1, 1), end=date(2024, 1, 1))
    assert january.col_labels == ["2024-01"]


def test_the_grid_table_is_disclosed_and_keeps_no_point(force: None) -> None:
    cells, table = selectors.force_grid_table(start=None, end=None, cell_size_m=1000)
    assert table is not None
    assert len(cells) == 2
    assert all(c is not None and c[0] % 500 == 0 for c in cells)
    assert table.grand_total == 40


def test_only_disclosed_results_are_kept(force: None) -> None:
    selectors.force_group_month_table(start=None, end=None)
    selectors.force_measures()
    kept = [cache.get(k) for k in cache._cache]  # type: ignore[attr-defined]
    import polars as pl

    assert not [v for v in kept if isinstance(v, (pl.DataFrame, selectors.ForceFrames))]


def test_no_records_no_measures(db: None) -> None:
    assert selectors.force_measures() is None
    assert selectors.force_months() == []
    assert not selectors.force_loaded()
