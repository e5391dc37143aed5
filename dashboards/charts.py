"""Geometry for the dashboard's server-rendered SVG charts: bars, and a line for weekly trends.

No JavaScript and no inline styles (CSP): the template draws the shapes from these numbers and
puts the same numbers in a visually hidden table for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .metrics import Series, unit_label

WIDTH, HEIGHT = 420, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 14, 34
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float | int | None
    title: str
    label_x: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    value: float | int
    title: str


@dataclass(frozen=True)
class Tick:
    value: str
    y: float


@dataclass(frozen=True)
class XLabel:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" or "line"
    key: str
    title: str
    unit: str
    width: int
    height: int
    left: int
    right_x: int
    bottom_y: int
    bars: list[Bar]
    dots: list[Dot]
    segments: list[str]  # polyline point lists; a week without data breaks the line
    ticks: list[Tick]
    x_labels: list[XLabel]
    description: str
    rows: list[tuple[str, float | int | None]]  # the numbers, for the visually hidden table
    empty: bool


def _fmt(value: float | int | None, unit: str) -> str:
    if value is None:
        return "no data"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text}%" if unit == "%" else f"{text} {unit_label(value, unit)}".strip()


def _scale_max(series: Series) -> float:
    values = [v for _, v in series.points if v is not None]
    if series.unit == "%":
        return 100.0
    top = max(values, default=0)
    if top <= 0:
        return 1.0
    # A round top: 1, 2 or 5 times a power of ten.
    magnitude = 1
    while magnitude * 10 <= top:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= top:
            return float(step * magnitude)
    return float(top)


def chart_for(series: Series) -> Chart:
    """The chart for one series: bars when ``series.chart == "bar"``, otherwise a line."""
    top = _scale_max(series)
    n = max(len(series.points), 1)
    slot = PLOT_W / n
    bottom = TOP + PLOT_H

    def y_of(value: float) -> float:
        return round(TOP + (top - value) / top * PLOT_H, 1)

    bars: list[Bar] = []
    dots: list[Dot] = []
    segments: list[str] = []
    current: list[str] = []
    for i, (label, value) in enumerate(series.points):
        centre = LEFT + slot * (i + 0.5)
        title = f"{label}: {_fmt(value, series.unit)}"
        if series.chart == "bar":
            width = round(min(slot * 0.7, 48), 1)
            y = y_of(value or 0)
            bars.append(
                Bar(
                    round(centre - width / 2, 1),
                    y,
                    width,
                    round(bottom - y, 1),
                    label,
                    value,
                    title,
                    round(centre, 1),
                )
            )
        elif value is None:
            if current:
                segments.append(" ".join(current))
            current = []
        else:
            dot = Dot(round(centre, 1), y_of(value), label, value, title)
            dots.append(dot)
            current.append(f"{dot.x},{dot.y}")
    if current:
        segments.append(" ".join(current))
    segments = [s for s in segments if " " in s]  # a lone point is drawn as its dot only
    # Axis ticks carry the number only (and %): the unit is in the chart's title, and a long label
    # would run off the left margin.
    ticks = [
        Tick(
            _fmt(round(top * f, 1) if top * f % 1 else int(top * f), "%" if series.unit == "%" else ""),
            y_of(top * f),
        )
        for f in (0, 0.5, 1)
    ]
    # Label at most six points along the axis so the text never overlaps.
    every = max(1, -(-len(series.points) // 6))
    x_labels = [
        XLabel(round(LEFT + slot * (i + 0.5), 1), label.removeprefix("Week of "))
        for i, (label, _) in enumerate(series.points)
        if i % every == 0
    ]
    known = [(label, v) for label, v in series.points if v is not None]
    if known:
        description = (
            f"{series.label}: " + "; ".join(f"{label} {_fmt(v, series.unit)}" for label, v in known) + "."
        )
    else:
        description = f"{series.label}: no data in this range."
    return Chart(
        kind="bar" if series.chart == "bar" else "line",
        key=series.key.replace(".", "-"),
        title=series.label,
        unit=series.unit,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_x=WIDTH - RIGHT,
        bottom_y=bottom,
        bars=bars,
        dots=dots,
        segments=segments,
        ticks=ticks,
        x_labels=x_labels,
        description=description,
        rows=[(label, v) for label, v in series.points],
        empty=not known,
    )
