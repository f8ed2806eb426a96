"""Geometry for an indicator's server-rendered SVG charts: values on a true time axis.

Time runs left to right at a constant number of pixels per day, so 1996, 2003 and
2020 stand at their real distances. Each value is drawn over its period's span (a
year value as a short horizontal segment across its year, a tertial across its four
months) with a dot in the middle; a line joins two values only when their periods
follow each other, so a missing period breaks the line and reads as no data, never
as zero. Values of different period lengths (a year's count beside a tertial's)
are never drawn as equals: each period length gets a panel of its own, with its own
value scale, all panels on the same time axis (docs/decisions.md).

Heights and labels come from the values as public_value() shows them to the reader:
a hidden small number is never plotted; its period is a hatched band from zero up
to the threshold, labelled "< 5", so the chart never reveals more than the data
table beside it. Baseline and target are year values (the indicator stores a year
for each): they are drawn in the year panel as reference lines with a mark at their
year and a label. Coordinates are preformatted strings (see charts/status.py).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.models import Indicator, PeriodType
from measures.selectors.indicators import IndicatorPoint, IndicatorSeries
from measures.selectors.small_numbers import PublicValue, format_value

PLOT_TOP = 30
PLOT_HEIGHT = 120
CHAR_WIDTH = 6.2  # of the 11px chart font, generously
DISPLAY_SCALE = 1.4
# Pixels per year: wide enough for a few years to read, narrow enough for a series
# since 1996 to fit a page.
PX_PER_YEAR = 48
MIN_PLOT_WIDTH = 240
MAX_PLOT_WIDTH = 640
YEAR_LABEL_ROOM = 36  # a "2020" label and some air
DOT_RADIUS = 3.5

# Panels in this order: the longest period first, as a reader reads a trend.
PANEL_ORDER = (PeriodType.YEAR, PeriodType.TERTIAL, PeriodType.MONTH)


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_step(span: Decimal, *, ticks: int = 4) -> Decimal:
    """A step of 1, 2 or 5 times a power of ten that cuts `span` into about `ticks`
    intervals (never a step of 2.5: counts are whole numbers)."""
    if span <= 0:
        return Decimal(1)
    raw = span / ticks
    power = Decimal(10) ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _whole_step(kind: str, step: Decimal) -> Decimal:
    """Counts of people or things step by whole numbers."""
    if kind in (Indicator.Kind.PEOPLE, Indicator.Kind.COUNT) and step < 1:
        return Decimal(1)
    return step


def short_period_label(point: IndicatorPoint) -> str:
    value = point.value
    if value.period_type == PeriodType.MONTH:
        return f"{value.number:02d}.{value.year}"
    if value.period_type == PeriodType.TERTIAL:
        return _("T%(number)s %(year)s") % {"number": value.number, "year": value.year}
    return str(value.year)


def panel_heading(period_type: str) -> str:
    return {
        PeriodType.YEAR: _("Årsverdier"),
        PeriodType.TERTIAL: _("Verdier per tertial"),
        PeriodType.MONTH: _("Verdier per måned"),
    }[period_type]


@dataclass(frozen=True)
class TimeAxis:
    """Days to x: from 1 January of the first year to 1 January after the last."""

    first_year: int
    last_year: int
    left: float
    width: float

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.first_year, 1, 1)

    @property
    def stop(self) -> datetime.date:
        return datetime.date(self.last_year + 1, 1, 1)

    @property
    def px_per_year(self) -> float:
        return self.width / (self.last_year - self.first_year + 1)

    def x(self, day: datetime.date) -> float:
        whole = (self.stop - self.start).days
        return self.left + self.width * (day - self.start).days / whole

    def span(self, first: datetime.date, last: datetime.date) -> tuple[float, float]:
        """x of the start of `first` and of the end of `last` (inclusive)."""
        return self.x(first), self.x(last + datetime.timedelta(days=1))


@dataclass(frozen=True)
class Mark:
    """One value over its period: a segment with a dot in the middle, or, for a
    hidden small number, a hatched band up to the threshold."""

    point: IndicatorPoint
    period: str
    x1: str
    x2: str
    width: str
    cx: str
    y: str  # the value's height; the band's top for a hidden one
    band_height: str  # hidden ones only
    label_y: str
    show_label: bool

    @property
    def suppressed(self) -> bool:
        return self.point.shown.suppressed


@dataclass(frozen=True)
class Reference:
    """A baseline or target: a line across the plot with a mark at its year, or for
    a hidden small baseline a hatched band over its year."""

    kind: str  # "target" or "baseline"
    label: str
    y: str
    x1: str
    x2: str
    width: str
    cx: str
    band_height: str
    label_y: str
    suppressed: bool


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class Panel:
    period_type: str
    heading: str
    points: list[IndicatorPoint]
    width: str
    height: str
    display_width: str
    display_height: str
    plot_left: str
    plot_right: str
    plot_top: str
    plot_bottom: str
    label_y: str
    tick_bottom: str  # lower end of the year ticks
    unit_label: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]  # labelled years, centred on the year
    year_edges: list[str]  # x of each 1 January inside the plot
    marks: list[Mark]
    lines: list[str]  # polyline points, one per run of consecutive periods
    references: list[Reference]


@dataclass(frozen=True)
class IndicatorChart:
    panels: list[Panel]

    @property
    def has_suppressed(self) -> bool:
        return any(
            mark.suppressed for panel in self.panels for mark in panel.marks
        ) or any(ref.suppressed for panel in self.panels for ref in panel.references)

    def has_reference(self, kind: str) -> bool:
        return any(r.kind == kind for p in self.panels for r in p.references)

    @property
    def has_target(self) -> bool:
        return self.has_reference("target")

    @property
    def has_baseline(self) -> bool:
        return self.has_reference("baseline")

    @property
    def has_gap(self) -> bool:
        """Whether a line breaks somewhere: a period with no value between two."""
        return any(
            not _follows(before.point, after.point)
            for panel in self.panels
            for before, after in zip(panel.marks, panel.marks[1:], strict=False)
        )


def _height(shown: PublicValue) -> Decimal:
    return shown.number if shown.number is not None else shown.ceiling


def _follows(before: IndicatorPoint, after: IndicatorPoint) -> bool:
    return after.value.start == before.value.end + datetime.timedelta(days=1)


def _unit_label(indicator: Indicator) -> str:
    if indicator.unit:
        return indicator.unit
    if indicator.kind in (Indicator.Kind.PEOPLE, Indicator.Kind.COUNT):
        return str(indicator.get_kind_display())
    return ""  # percent and kroner: the tick labels carry the unit


def _year_ticks(axis: TimeAxis) -> list[Tick]:
    """Labelled years: every year when there is room, else every 2nd, 5th, 10th...
    year, at round years."""
    step = next(
        (
            s
            for s in (1, 2, 5, 10, 20, 25, 50, 100)
            if axis.px_per_year * s >= YEAR_LABEL_ROOM
        ),
        100,
    )
    return [
        Tick(
            position=_num(
                sum(axis.span(datetime.date(y, 1, 1), datetime.date(y, 12, 31))) / 2
            ),
            label=str(y),
        )
        for y in range(axis.first_year, axis.last_year + 1)
        if y % step == 0 or step == 1
    ]


def _panel(
    series: IndicatorSeries,
    period_type: str,
    points: list[IndicatorPoint],
    *,
    with_references: bool,
    years: tuple[int, int],
    margins: tuple[float, float] = (0, 0),
) -> Panel:
    """One period length's panel. `margins` (left, right) are the least room for
    the value labels and reference labels: chart() gives every panel the widest, so
    that the panels' time axes line up, year under year."""
    indicator = series.indicator
    references = []
    if with_references:
        references = [
            (kind, shown, year)
            for kind, shown, year in (
                ("baseline", series.baseline, indicator.baseline_year),
                ("target", series.target, indicator.target_year),
            )
            if shown is not None
        ]
    heights = [_height(p.shown) for p in points] + [
        _height(shown) for _k, shown, _y in references
    ]
    low = min([*heights, Decimal(0)])
    high = max([*heights, Decimal(0)])
    step = _whole_step(indicator.kind, _nice_step(high - low))
    bottom_value = step * math.floor(low / step)
    top_value = step * math.ceil(high / step)
    if top_value == bottom_value:
        top_value = bottom_value + step
    tick_values = []
    tick = bottom_value
    while tick <= top_value:
        tick_values.append(tick)
        tick += step
    tick_labels = [format_value(indicator.kind, v) for v in tick_values]
    left = max(margins[0], 10 + CHAR_WIDTH * max(len(t) for t in tick_labels))
    axis = TimeAxis(
        first_year=years[0],
        last_year=years[1],
        left=left,
        width=min(
            MAX_PLOT_WIDTH,
            max(MIN_PLOT_WIDTH, PX_PER_YEAR * (years[1] - years[0] + 1)),
        ),
    )
    right = left + axis.width
    bottom = PLOT_TOP + PLOT_HEIGHT

    def y_of(value: Decimal) -> float:
        return bottom - PLOT_HEIGHT * float(
            (value - bottom_value) / (top_value - bottom_value)
        )

    zero_y = y_of(Decimal(0))
    marks = []
    for index, point in enumerate(points):
        x1, x2 = axis.span(point.value.start, point.value.end)
        y = y_of(_height(point.shown))
        room = x2 - x1 >= CHAR_WIDTH * len(point.shown.text) + 2
        marks.append(
            Mark(
                point=point,
                period=short_period_label(point),
                x1=_num(x1),
                x2=_num(x2),
                width=_num(x2 - x1),
                cx=_num((x1 + x2) / 2),
                y=_num(y),
                band_height=_num(zero_y - y),
                label_y=_num(y - 6),
                # The last value is always labelled: it is the one people look for.
                show_label=room or index == len(points) - 1,
            )
        )
    # A line joins the dots of consecutive periods; a hidden value or a missing
    # period breaks it.
    lines, run = [], []
    for index, mark in enumerate(marks):
        starts_new = (
            mark.suppressed
            or index == 0
            or marks[index - 1].suppressed
            or not _follows(marks[index - 1].point, mark.point)
        )
        if starts_new:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
        if not mark.suppressed:
            run.append(f"{mark.cx},{mark.y}")
    if len(run) > 1:
        lines.append(" ".join(run))

    drawn_references = []
    for kind, shown, year in references:
        x1, x2 = axis.span(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        y = y_of(_height(shown))
        label = (
            _("Mål %(year)s: %(value)s")
            if kind == "target"
            else _("Utgangsverdi %(year)s: %(value)s")
        ) % {"year": year, "value": shown.text}
        drawn_references.append(
            Reference(
                kind=kind,
                label=label,
                y=_num(y),
                x1=_num(x1),
                x2=_num(x2),
                width=_num(x2 - x1),
                cx=_num((x1 + x2) / 2),
                band_height=_num(zero_y - y),
                label_y=_num(y + 4),
                suppressed=shown.suppressed,
            )
        )
    # The reference labels stand right of the plot; two that would overlap are
    # pulled apart.
    if len(drawn_references) == 2:
        first, second = drawn_references
        if abs(float(first.y) - float(second.y)) < 12:
            upper, lower = sorted(drawn_references, key=lambda r: float(r.y))
            middle = (float(upper.y) + float(lower.y)) / 2
            moved = {upper.kind: _num(middle - 2), lower.kind: _num(middle + 10)}
            drawn_references = [
                replace(r, label_y=moved[r.kind]) for r in drawn_references
            ]
    labels_width = max(
        (CHAR_WIDTH * 0.9 * len(r.label) + 8 for r in drawn_references), default=0
    )
    width = right + max(margins[1], 10 + labels_width)
    height = bottom + 24
    return Panel(
        period_type=period_type,
        heading=panel_heading(period_type),
        points=points,
        width=_num(width),
        height=_num(height),
        display_width=_num(DISPLAY_SCALE * width),
        display_height=_num(DISPLAY_SCALE * height),
        plot_left=_num(left),
        plot_right=_num(right),
        plot_top=_num(PLOT_TOP),
        plot_bottom=_num(bottom),
        label_y=_num(bottom + 16),
        tick_bottom=_num(bottom + 4),
        unit_label=_unit_label(indicator),
        y_ticks=[
            Tick(position=_num(y_of(v)), label=label)
            for v, label in zip(tick_values, tick_labels, strict=True)
        ],
        x_ticks=_year_ticks(axis),
        year_edges=[
            _num(axis.x(datetime.date(y, 1, 1))) for y in range(years[0], years[1] + 2)
        ],
        marks=marks,
        lines=lines,
        references=drawn_references,
    )


def indicator_chart(series: IndicatorSeries) -> IndicatorChart | None:
    """The chart of `series`, or None when there is nothing to draw."""
    has_references = series.baseline is not None or series.target is not None
    if not series.points and not has_references:
        return None
    indicator = series.indicator
    by_type: dict[str, list[IndicatorPoint]] = {}
    for point in series.points:
        by_type.setdefault(point.value.period_type, []).append(point)
    years_seen = [p.value.year for p in series.points]
    if series.baseline is not None:
        years_seen.append(indicator.baseline_year)
    if series.target is not None:
        years_seen.append(indicator.target_year)
    years = (min(years_seen), max(years_seen))
    drawn = []
    for period_type in PANEL_ORDER:
        points = sorted(by_type.get(period_type, []), key=lambda p: p.value.start)
        # Baseline and target are year values: the year panel draws them, alone if
        # the indicator has no year values.
        year_panel = period_type == PeriodType.YEAR
        if points or (year_panel and has_references):
            drawn.append((period_type, points, year_panel))

    def draw(margins):
        return [
            _panel(
                series,
                period_type,
                points,
                with_references=year_panel,
                years=years,
                margins=margins,
            )
            for period_type, points, year_panel in drawn
        ]

    panels = draw((0, 0))
    if len(panels) > 1:  # the same margins for all: one time axis, year under year
        panels = draw(
            (
                max(float(p.plot_left) for p in panels),
                max(float(p.width) - float(p.plot_right) for p in panels),
            )
        )
    return IndicatorChart(panels=panels)


def with_charts(series_list: list[IndicatorSeries]) -> list[IndicatorSeries]:
    """Attach each series' chart (for the templates) and return the list."""
    for series in series_list:
        series.chart = indicator_chart(series)
    return series_list
