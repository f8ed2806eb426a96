"""Geometry for the server-rendered SVG charts.

Coordinates are returned as preformatted strings so that templates never run them
through number localisation (a decimal comma would break the SVG). Every chart is
drawn beside a data table that carries the same numbers.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from measures.selectors.plans import TimePoint
from measures.selectors.rollups import Share


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    count: int
    percent: int
    x: str
    width: str


def stacked_bar(shares: Iterable[Share]) -> list[Segment]:
    """Segments of a 0–100 wide bar, one per non-empty share, in share order."""
    shares = [share for share in shares if share.count]
    total = sum(share.count for share in shares)
    segments, x = [], 0.0
    for share in shares:
        width = 100 * share.count / total
        segments.append(
            Segment(
                key=share.key or "none",
                label=share.label,
                count=share.count,
                percent=share.percent,
                x=_num(x),
                width=_num(width),
            )
        )
        x += width
    return segments


@dataclass(frozen=True)
class Column:
    point: TimePoint
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str


@dataclass(frozen=True)
class ColumnChart:
    width: str
    height: str
    display_width: str
    display_height: str
    plot_top: str
    plot_bottom: str
    plot_left: str
    plot_right: str
    label_y: str
    gridlines: list[tuple[str, str]]
    columns: list[Column]


COLUMN_STEP = 48
COLUMN_WIDTH = 30
PLOT_TOP = 16
PLOT_HEIGHT = 120
PLOT_LEFT = 40
# Drawn at a fixed size (shrunk by CSS on narrow screens) so that the labels keep
# a readable size however many years there are.
DISPLAY_SCALE = 1.4


def progress_columns(points: list[TimePoint]) -> ColumnChart:
    """One column per point, its height the weighted progress (0–100)."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    right = PLOT_LEFT + COLUMN_STEP * max(len(points), 1)
    columns = []
    for index, point in enumerate(points):
        progress = point.rollup.progress or 0
        height = PLOT_HEIGHT * progress / 100
        x = PLOT_LEFT + index * COLUMN_STEP + (COLUMN_STEP - COLUMN_WIDTH) / 2
        columns.append(
            Column(
                point=point,
                x=_num(x),
                y=_num(bottom - height),
                width=_num(COLUMN_WIDTH),
                height=_num(height),
                label_x=_num(x + COLUMN_WIDTH / 2),
                value_y=_num(bottom - height - 4),
            )
        )
    gridlines = [
        (_num(bottom - PLOT_HEIGHT * level / 100), f"{level} %")
        for level in (0, 50, 100)
    ]
    return ColumnChart(
        width=_num(right + 8),
        height=_num(bottom + 24),
        display_width=_num(DISPLAY_SCALE * (right + 8)),
        display_height=_num(DISPLAY_SCALE * (bottom + 24)),
        plot_top=_num(PLOT_TOP),
        plot_bottom=_num(bottom),
        plot_left=_num(PLOT_LEFT),
        plot_right=_num(right),
        label_y=_num(bottom + 16),
        gridlines=gridlines,
        columns=columns,
    )
