"""Geometry for small server-drawn SVG charts. Templates draw them with a text
alternative and the same figures as a table, so nothing depends on seeing the chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 50


@dataclass
class LineChart:
    width: int = WIDTH
    height: int = HEIGHT
    points: list[tuple[float, float]] = field(default_factory=list)  # progress, in SVG coordinates
    plan: tuple[tuple[float, float], tuple[float, float]] = ((0, 0), (0, 0))  # baseline to target line
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(self.points))


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    step = max(round(raw / magnitude) * magnitude, magnitude)
    start = (low // step) * step
    ticks = []
    value = start
    while value <= high + step / 2:
        ticks.append(round(value, 2))
        value += step
    return ticks


def progress_chart(
    *, baseline: Decimal, target: Decimal, baseline_date: date, target_date: date,
    points: list[tuple[date, Decimal]], short_date: callable = lambda d: d.strftime("%b %Y"),  # type: ignore[valid-type]
) -> LineChart:  # fmt: skip
    chart = LineChart()
    values = [float(baseline), float(target)] + [float(v) for _, v in points]
    ticks = _nice_ticks(min(0.0, min(values)), max(values))
    low, high = ticks[0], ticks[-1]
    last_date = max([target_date] + [d for d, _ in points])
    span = max((last_date - baseline_date).days, 1)

    def x(day: date) -> float:
        return chart.plot_left + (day - baseline_date).days / span * (chart.plot_right - chart.plot_left)

    def y(value: float) -> float:
        return chart.plot_bottom - (value - low) / (high - low) * (chart.plot_bottom - chart.plot_top)

    chart.y_ticks = [(y(t), f"{t:g}") for t in ticks]
    chart.x_ticks = [(x(baseline_date), short_date(baseline_date)), (x(target_date), short_date(target_date))]
    chart.plan = ((x(baseline_date), y(float(baseline))), (x(target_date), y(float(target))))
    chart.points = [(x(baseline_date), y(float(baseline)))] + [(x(d), y(float(v))) for d, v in sorted(points)]
    return chart


# horizontal bars: a label above each bar, the figure just past its end
BAR_ROW, BAR_THICKNESS, BAR_LABEL_GAP, BAR_VALUE_ROOM = 52, 20, 22, 56


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: float  # baseline of the label, written above the bar
    y: float  # top of the bar
    length: float
    value_x: float  # where the figure is written, just past the bar's end


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    plot_left: int
    thickness: int = BAR_THICKNESS

    @property
    def value_y_offset(self) -> float:
        return self.thickness / 2 + 5  # text baseline that centres 14px figures on the bar


def bar_chart(figures: list[tuple[str, int]], *, width: int = WIDTH) -> BarChart:
    """Horizontal bars, one row per figure, scaled so the largest fills the width (all zero: no bars)."""
    plot_left, top = 4, 8
    longest = width - plot_left - BAR_VALUE_ROOM
    largest = max((value for _, value in figures), default=0)
    bars = []
    for row, (label, value) in enumerate(figures):
        row_top = top + row * BAR_ROW
        length = value / largest * longest if largest else 0.0
        bars.append(Bar(label, value, row_top + 16, row_top + BAR_LABEL_GAP, round(length, 1),
                        round(plot_left + length + 8, 1)))  # fmt: skip
    return BarChart(width=width, height=top * 2 + len(figures) * BAR_ROW, bars=bars, plot_left=plot_left)
