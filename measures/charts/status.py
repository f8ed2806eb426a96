"""Geometry for the server-rendered SVG charts.

Coordinates are returned as preformatted strings so that templates never run them
through number localisation (a decimal comma would break the SVG). Every chart is
drawn beside a data table that carries the same numbers.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from measures.models import Phase
from measures.selectors.districts import DistrictStatus
from measures.selectors.plans import TimePoint
from measures.selectors.rollups import NO_STATUS, Share, phase_label


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


def stacked_bar(shares: Iterable[Share], *, full: int | None = None) -> list[Segment]:
    """Segments of a 0–100 wide bar, one per non-empty share, in share order. The
    shares fill the bar, or, given `full`, as much of it as their total is of
    `full`: bars of several sets then compare by length."""
    shares = [share for share in shares if share.count]
    total = sum(share.count for share in shares)
    scale = full if full else total
    segments, x = [], 0.0
    for share in shares:
        width = 100 * share.count / scale
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


# What a column of progress over time shows: the weighted progress, or one of the
# ways of not knowing it, each drawn as an empty dashed column, never as 0 %.
SHOWN = "shown"
NO_DATA = "no_data"  # no measure had a published update in force that day
NOT_ASSESSED = "not_assessed"  # statuses, but no measure's progress assessed
TOO_FEW = "too_few"  # assessed for too little of the plan (Rollup.covers_enough)


def column_state(point: TimePoint) -> str:
    if not point.has_data:
        return NO_DATA
    if point.rollup.progress is None:
        return NOT_ASSESSED
    if not point.rollup.covers_enough:
        return TOO_FEW
    return SHOWN


@dataclass(frozen=True)
class Column:
    point: TimePoint
    state: str
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str

    @property
    def known(self) -> bool:
        return self.state == SHOWN


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

    @property
    def has_unknown(self) -> bool:
        return any(not column.known for column in self.columns)


COLUMN_STEP = 48
COLUMN_WIDTH = 30
PLOT_TOP = 16
PLOT_HEIGHT = 120
PLOT_LEFT = 40
# Drawn at a fixed size (shrunk by CSS on narrow screens) so that the labels keep
# a readable size however many years there are.
DISPLAY_SCALE = 1.4


def progress_columns(points: list[TimePoint]) -> ColumnChart:
    """One column per point (a year-end of the plan's period), its height the
    weighted progress (0–100); a point whose progress is unknown is a full-height
    empty column (its state says why), never a column of 0 %."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    right = PLOT_LEFT + COLUMN_STEP * max(len(points), 1)
    columns = []
    for index, point in enumerate(points):
        state = column_state(point)
        progress = point.rollup.progress if state == SHOWN else 100
        height = PLOT_HEIGHT * progress / 100
        x = PLOT_LEFT + index * COLUMN_STEP + (COLUMN_STEP - COLUMN_WIDTH) / 2
        columns.append(
            Column(
                point=point,
                state=state,
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


# Comparison of districts ------------------------------------------------------------


@dataclass(frozen=True)
class DistrictBar:
    district: object | None  # a District, or None for measures tied to none
    total: int
    segments: list[Segment]  # in 0–100 of the longest bar
    counts: list[int]  # per DistrictChart.phases


@dataclass(frozen=True)
class DistrictChart:
    bars: list[DistrictBar]
    phases: list[tuple[str, str]]  # (key, label): the table's columns

    @property
    def has_districts(self) -> bool:
        return any(bar.district is not None for bar in self.bars)


def district_bars(rows: list[DistrictStatus]) -> DistrictChart:
    """One horizontal bar per district, its length the number of measures (the
    longest bar the full width), split by phase like the plan's own bar; «Ingen
    status registrert» is a phase column of its own, always shown. The table lists
    the phases that occur."""
    longest = max((row.rollup.total for row in rows), default=0)
    keys = [
        key
        for key, _label in Phase.choices
        if any(row.rollup.phase_count(key) for row in rows)
    ] + [NO_STATUS]
    return DistrictChart(
        bars=[
            DistrictBar(
                district=row.district,
                total=row.rollup.total,
                segments=stacked_bar(row.rollup.phases, full=longest),
                counts=[row.rollup.phase_count(key) for key in keys],
            )
            for row in rows
        ],
        phases=[(key or "none", phase_label(key)) for key in keys],
    )
