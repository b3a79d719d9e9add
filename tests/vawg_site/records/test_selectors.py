"""The one door to the force's records: frames for the analyses, and only disclosed aggregates
kept in the cache."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

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


# --- the access log: every read of crimes or people writes its rows --------------------------


def _events() -> list[tuple[str, str, str, int, str]]:
    from vawg_site.audit.selectors import events_between

    far = timedelta(days=1)
    return sorted(
        (e.action, e.object_type, e.object_ref, e.object_count, e.reason_code)
        for e in events_between(timezone.now() - far, timezone.now() + far)
    )


def test_the_frames_log_a_combination_of_each_table_read(force: None) -> None:
    selectors.force_frames()
    assert _events() == [
        ("combine", "records.crime", "*", 42, "statistics"),
        ("combine", "records.involvement", "*", 42, "statistics"),
        ("combine", "records.person", "*", 1, "statistics"),
    ]  # no orders in the extract: no row for them


def test_the_span_and_the_months_log_a_consultation_of_the_crimes(force: None) -> None:
    selectors.force_months()
    selectors.force_span()
    assert _events() == [("consult", "records.crime", "*", 42, "statistics")] * 2


def test_a_cached_figure_is_read_and_logged_once(force: None) -> None:
    selectors.force_span()
    selectors.force_span()
    assert len(_events()) == 1


def test_the_published_tables_log_the_reads_behind_them(force: None) -> None:
    """The figures are built from the frames: the reads behind them are in the log."""
    selectors.force_group_month_table(year=2024)
    assert ("combine", "records.crime", "*", 42, "statistics") in _events()


def test_the_reason_given_by_the_caller_is_logged(force: None) -> None:
    from vawg_site.common.access import access_context

    with access_context(reason_code="case-review", channel="page"):
        selectors.force_frames()
    assert {e[4] for e in _events()} == {"case-review"}


def test_an_empty_read_logs_nothing_and_existence_is_not_logged(db: None) -> None:
    selectors.force_frames()
    assert selectors.force_span() is None
    assert selectors.force_loaded() is False
    assert _events() == []


def test_a_read_whose_row_cannot_be_written_fails_and_caches_nothing(
    force: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    from vawg_site.audit import services

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("the log is unavailable")

    monkeypatch.setattr(services.AccessEvent.objects, "create", broken)
    with pytest.raises(DatabaseError, match="unavailable"):
        selectors.force_span()
    with pytest.raises(DatabaseError, match="unavailable"):
        selectors.force_frames()
    monkeypatch.undo()
    assert _events() == []
    assert selectors.force_span() is not None  # nothing was cached by the failed read
    assert len(_events()) == 1


def test_a_rolled_back_read_leaves_no_row(force: None) -> None:
    from django.db import transaction

    def page() -> None:
        with transaction.atomic():
            selectors.force_frames()
            raise RuntimeError("the page failed after reading")

    with pytest.raises(RuntimeError):
        page()
    assert _events() == []
