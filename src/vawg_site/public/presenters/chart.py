"""A line chart of monthly counts, laid out in Python and drawn as SVG by a template.

Drawn on the server so it needs no JavaScript; the template gives it ``role="img"``, a title and a
description, and the same figures are always shown as a table beside it. The Met's change of
crime recording system (CRIS to CONNECT on 28 February 2024, Met FOI 01.FOI.25.042468) is marked
on the time axis whenever the period crosses it, because the series steps down at that date for
reasons of recording, not of crime (:mod:`vawg.periods`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from vawg.periods import MONTH_NAMES, RECORDING_SYSTEM_CHANGE, month_label, year_later
from vawg_site.opendata.selectors.met import MonthCount


@dataclass(frozen=True)
class Tick:
    """An axis tick: its position in SVG units along the axis, and its label."""

    position: float
    label: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    """Everything the SVG template needs, in SVG user units (``width`` x ``height``)."""

    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: tuple[Point, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    marker_x: float | None
    title: str
    description: str
    compare_points: tuple[Point, ...] = ()
    compare_marker_x: float | None = None
    series_label: str = ""
    compare_label: str = ""

    @property
    def y_label_x(self) -> float:
        return self.left - 8

    @property
    def x_label_y(self) -> float:
        return self.bottom + 32

    @property
    def x_tick_end(self) -> float:
        return self.bottom + 6

    @property
    def marker_label_anchor(self) -> str:
        """Label the marker on whichever side has more room."""
        if self.marker_x is not None and self.marker_x > (self.left + self.right) / 2:
            return "end"
        return "start"

    @property
    def marker_label_x(self) -> float:
        offset = -6 if self.marker_label_anchor == "end" else 6
        return (self.marker_x or 0.0) + offset

    @property
    def marker_label_y(self) -> float:
        return self.bottom - 10

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def compare_polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.compare_points)

    @property
    def show_dots(self) -> bool:
        return len(self.points) <= 40


def _nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals."""
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return float(multiple * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def line_chart(
    *,
    counts: Sequence[MonthCount],
    area: str,
    width: int = 640,
    height: int = 320,
    what: str = "VAWG offences",
    compare: Sequence[MonthCount] = (),
) -> LineChart | None:
    """Lay out ``counts`` (in month order) as a line chart; None when there is nothing to draw.

    ``compare`` is the same months a year earlier: each is drawn above the month a year after it,
    as a dashed second line, so the two periods can be read against each other.
    """
    if not counts:
        return None
    # Margins leave room for labels at the larger font used on phones (see vawg.scss).
    left, right, top, bottom = 96.0, float(width - 16), 16.0, float(height - 44)
    first, last = counts[0].month, counts[-1].month
    day_span = max((last - first).days, 1)

    def x_of(day: date) -> float:
        if first == last:
            return (left + right) / 2
        return left + (day - first).days / day_span * (right - left)

    shown_compare = [c for c in compare if first <= year_later(c.month) <= last]
    peak = max(c.offences for c in (*counts, *shown_compare))
    step = _nice_step(max(peak, 1), 5)
    y_max = step * math.ceil(max(peak, 1) / step)

    def y_of(value: float) -> float:
        return bottom - value / y_max * (bottom - top)

    y_ticks = tuple(
        Tick(position=y_of(i * step), label=f"{int(i * step):,}")
        for i in range(round(y_max / step) + 1)
    )

    januaries = [date(y, 1, 1) for y in range(first.year, last.year + 1) if date(y, 1, 1) >= first]
    if len(januaries) >= 2:
        every = 1 if len(januaries) <= 7 else 2
        x_ticks = tuple(Tick(position=x_of(d), label=str(d.year)) for d in januaries[::every])
    else:
        ends = [first] if first == last else [first, last]
        x_ticks = tuple(
            Tick(
                position=x_of(d),
                label=f"{MONTH_NAMES[d.month - 1][:3]} {d.year}",
                anchor="end" if x_of(d) > right - 40 else "middle",
            )
            for d in ends
        )

    marker_x = None
    if first < RECORDING_SYSTEM_CHANGE <= last:
        marker_x = x_of(RECORDING_SYSTEM_CHANGE)

    low = min(counts, key=lambda c: c.offences)
    high = max(counts, key=lambda c: c.offences)
    description = (
        f"{what} recorded each month in {area} from {month_label(first)} to "
        f"{month_label(last)}. The lowest month was {month_label(low.month)} with "
        f"{low.offences:,}; the highest was {month_label(high.month)} with {high.offences:,}."
    )
    if marker_x is not None:
        description += (
            " A dashed vertical line marks 28 February 2024, when the Met changed its crime "
            "recording system; figures before and after it are not directly comparable."
        )
    compare_marker_x = None
    if (
        shown_compare
        and shown_compare[0].month < RECORDING_SYSTEM_CHANGE <= shown_compare[-1].month
    ):
        compare_marker_x = x_of(date(RECORDING_SYSTEM_CHANGE.year + 1, 2, 28))
        description += (
            " A dotted orange vertical line marks where the year-earlier line crosses 28 "
            "February 2024, the change of recording system."
        )
    if shown_compare:
        before = sum(c.offences for c in shown_compare)
        now = sum(
            c.offences for c in counts if any(year_later(p.month) == c.month for p in shown_compare)
        )
        description += (
            f" A dashed orange line shows the same months a year earlier: {before:,} then "
            f"against {now:,} in the matching months of this period."
        )
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        points=tuple(Point(x=x_of(c.month), y=y_of(c.offences)) for c in counts),
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        marker_x=marker_x,
        title=f"{what} per month, {area}",
        description=description,
        compare_points=tuple(
            Point(x=x_of(year_later(c.month)), y=y_of(c.offences)) for c in shown_compare
        ),
        compare_marker_x=compare_marker_x,
        series_label="This period",
        compare_label="A year earlier" if shown_compare else "",
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in SVG units."""

    label: str
    value: int
    y: float
    width: float
    value_x: float
    highlight: bool = False

    @property
    def text_y(self) -> float:
        return self.y + 11.0

    @property
    def value_label(self) -> str:
        return f"{self.value:,}"


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one bar per category, labels on the left, values at bar ends."""

    width: int
    height: int
    left: float
    bar_height: float
    bars: tuple[Bar, ...]
    title: str
    description: str

    @property
    def label_x(self) -> float:
        return self.left - 8


def bar_chart(
    *,
    items: Sequence[tuple[str, int]],
    title: str,
    what: str,
    highlight: str | None = None,
    width: int = 640,
    left: float = 240.0,
) -> BarChart | None:
    """Lay out ``(label, value)`` pairs as horizontal bars, in the order given.

    The description names the largest and smallest categories so that the chart's message is
    available without sight of it; the full figures are always in the table beside it.
    """
    if not items:
        return None
    bar_height, gap, top = 22.0, 8.0, 4.0
    room = width - left - 72.0
    peak = max(max(v for _, v in items), 1)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            y=top + i * (bar_height + gap),
            width=max(value / peak * room, 1.0 if value else 0.0),
            value_x=left + max(value / peak * room, 1.0 if value else 0.0) + 6.0,
            highlight=label == highlight,
        )
        for i, (label, value) in enumerate(items)
    )
    high = max(items, key=lambda item: item[1])
    low = min(items, key=lambda item: item[1])
    description = (
        f"{what}: {len(items)} categories. The largest is {high[0]} with {high[1]:,}; "
        f"the smallest is {low[0]} with {low[1]:,}."
    )
    height = int(top * 2 + len(items) * (bar_height + gap))
    return BarChart(
        width=width,
        height=height,
        left=left,
        bar_height=bar_height,
        bars=bars,
        title=title,
        description=description,
    )
