"""Geometry for the small server-rendered SVG trend charts: bands shaded, one dot per score, no JS."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format

from . import scoring

WIDTH, HEIGHT = 380, 150
# The band names sit in the right margin, outside the plot, so they never cover a dot.
LEFT, RIGHT, TOP, BOTTOM = 26, 92, 16, 22
INSET = 10  # keeps the first and last dots off the plot's edges
MAX_POINTS = 12  # the table below the chart lists them all

# Band fills from least to most severe (Bootstrap's subtle success → danger tints).
SEVERITY_FILLS = ("#d1e7dd", "#e8f3d6", "#fff3cd", "#ffe5d0", "#f8d7da")


@dataclass(frozen=True)
class BandRect:
    label: str
    y: float
    height: float
    fill: str
    label_y: float


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    total: int
    title: str


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: int
    right_x: int
    plot_width: int
    bottom_y: int
    bands: list[BandRect]
    points: list[ChartPoint]
    ticks: list[Tick]
    polyline: str
    description: str
    first_label: str
    last_label: str


def _fills(n: int, reverse: bool) -> list[str]:
    if n == 1:
        return [SEVERITY_FILLS[0]]
    step = (len(SEVERITY_FILLS) - 1) / (n - 1)
    fills = [SEVERITY_FILLS[round(i * step)] for i in range(n)]
    return fills[::-1] if reverse else fills


def trend_chart(rule: str, responses: list, *, sex_at_birth: str = "") -> TrendChart | None:
    """The chart for ``responses`` (oldest first); None when the rule has no total to plot."""
    scale = scoring.SCALE.get(rule)
    plotted = [r for r in responses if r.total is not None][-MAX_POINTS:]
    if scale is None or not plotted:
        return None
    lo, hi = scale
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return round(TOP + (hi - value) / (hi - lo) * plot_h, 1)

    bands = list(scoring.bands_for(rule, sex_at_birth=sex_at_birth))
    fills = _fills(len(bands), reverse=rule in scoring.HIGHER_IS_BETTER)
    rects = []
    for i, band in enumerate(bands):
        # A band covers its integer totals, edge to edge half-way between them, so a dot on a
        # boundary total (PHQ-9 10) sits inside its band rather than on the line.
        top_value = bands[i + 1].low - 0.5 if i + 1 < len(bands) else hi
        bottom_value = band.low - 0.5 if i > 0 else lo
        y_top, y_bottom = y_of(top_value), y_of(bottom_value)
        rects.append(
            BandRect(
                label=band.label.split(" (")[0],
                y=y_top,
                height=round(y_bottom - y_top, 1),
                fill=fills[i],
                label_y=round((y_top + y_bottom) / 2 + 3, 1),
            )
        )
    t0 = plotted[0].administered_at.timestamp()
    span = plotted[-1].administered_at.timestamp() - t0
    points = []
    for i, r in enumerate(plotted):
        if span > 0:
            x = LEFT + INSET + (r.administered_at.timestamp() - t0) / span * (plot_w - 2 * INSET)
        elif len(plotted) == 1:
            x = LEFT + plot_w / 2
        else:
            x = LEFT + INSET + i / (len(plotted) - 1) * (plot_w - 2 * INSET)
        when = date_format(timezone.localtime(r.administered_at), "M j, Y")
        label = scoring.band_label(rule, r.band)
        points.append(ChartPoint(round(x, 1), y_of(r.total), r.total, f"{when}: {r.total} ({label})"))
    ticks = [Tick(v, y_of(v)) for v in sorted({lo, hi, *(b.low for b in bands[1:])})]
    first, last = points[0], points[-1]
    description = (
        f"{len(points)} score(s) from {first.title} to {last.title}."
        if len(points) > 1
        else f"One score: {first.title}."
    )
    return TrendChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right_x=WIDTH - RIGHT,
        plot_width=plot_w,
        bottom_y=HEIGHT - BOTTOM,
        bands=rects,
        points=points,
        ticks=ticks,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        description=description,
        first_label=date_format(timezone.localtime(plotted[0].administered_at), "M j"),
        last_label=date_format(timezone.localtime(plotted[-1].administered_at), "M j"),
    )
