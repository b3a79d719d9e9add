"""The server-side chart's layout, checked on inputs small enough to work out by hand."""

from __future__ import annotations

from datetime import date

from vawg.periods import RECORDING_SYSTEM_CHANGE, month_label, recording_system
from vawg_site.opendata.selectors.met import MonthCount
from vawg_site.public.presenters.chart import _nice_step, line_chart


def test_nothing_to_draw() -> None:
    assert line_chart(counts=[], area="Camden") is None


def test_points_scale_to_the_plot_area() -> None:
    counts = [MonthCount(date(2024, 1, 1), 0), MonthCount(date(2024, 3, 1), 100)]
    chart = line_chart(counts=counts, area="Camden", width=640, height=320)
    assert chart is not None
    first, last = chart.points
    assert (first.x, first.y) == (chart.left, chart.bottom)
    assert (last.x, last.y) == (chart.right, chart.top)  # 100 is a round top of scale
    assert [t.label for t in chart.y_ticks] == ["0", "20", "40", "60", "80", "100"]


def test_marker_only_when_the_period_crosses_the_change() -> None:
    crossing = [MonthCount(date(2024, 1, 1), 10), MonthCount(date(2024, 3, 1), 8)]
    chart = line_chart(counts=crossing, area="All London")
    assert chart is not None
    assert chart.marker_x is not None
    assert chart.points[0].x < chart.marker_x < chart.points[1].x
    assert "28 February 2024" in chart.description
    before = [MonthCount(date(2023, 1, 1), 10), MonthCount(date(2023, 3, 1), 8)]
    chart = line_chart(counts=before, area="All London")
    assert chart is not None
    assert chart.marker_x is None


def test_description_names_the_extremes_with_separators() -> None:
    counts = [MonthCount(date(2023, 5, 1), 12345), MonthCount(date(2023, 6, 1), 9876)]
    chart = line_chart(counts=counts, area="Barnet")
    assert chart is not None
    assert "highest was May 2023 with 12,345" in chart.description
    assert "lowest month was June 2023 with 9,876" in chart.description


def test_single_month() -> None:
    chart = line_chart(counts=[MonthCount(date(2024, 5, 1), 3)], area="Barnet")
    assert chart is not None
    assert len(chart.points) == 1
    assert chart.show_dots


def test_helpers() -> None:
    assert _nice_step(12000, 4) == 5000
    assert _nice_step(7, 4) == 2
    assert month_label(date(2024, 2, 17)) == "February 2024"
    assert recording_system(date(2024, 1, 1)) == "CRIS"
    assert recording_system(date(2024, 2, 1)) == "CRIS and CONNECT"
    assert recording_system(date(2024, 3, 1)) == "CONNECT"
    assert date(2024, 2, 28) == RECORDING_SYSTEM_CHANGE
