"""Geometry for an indicator's server-rendered SVG column chart.

One column per published value in period order, a dashed target line and a dotted
baseline line when the indicator has them. Heights and labels come from the
values as public_value() shows them to the reader: a hidden small number is drawn
as a hatched column up to the threshold, labelled "< 5", so the chart never
reveals more than the data table beside it. Coordinates are preformatted strings
(see measures/charts.py for why).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.models import PeriodType
from measures.selectors.indicators import IndicatorPoint, IndicatorSeries
from measures.selectors.small_numbers import format_value

PLOT_TOP = 24
PLOT_HEIGHT = 120
MIN_STEP = 48
CHAR_WIDTH = 6.2  # of the 11px chart font, generously
DISPLAY_SCALE = 1.4


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= value."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(value))
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


def short_period_label(point: IndicatorPoint) -> str:
    value = point.value
    if value.period_type == PeriodType.MONTH:
        return f"{value.number:02d}.{value.year}"
    if value.period_type == PeriodType.TERTIAL:
        return _("T%(number)s %(year)s") % {"number": value.number, "year": value.year}
    return str(value.year)


@dataclass(frozen=True)
class Bar:
    point: IndicatorPoint
    period: str
    x: str
    y: str
    width: str
    height: str
    label_x: str
    value_y: str

    @property
    def suppressed(self) -> bool:
        return self.point.shown.suppressed


@dataclass(frozen=True)
class ReferenceLine:
    y: str
    label: str
    label_y: str


@dataclass(frozen=True)
class IndicatorChart:
    width: str
    height: str
    display_width: str
    display_height: str
    plot_left: str
    plot_right: str
    plot_bottom: str
    label_y: str
    gridlines: list[tuple[str, str]]
    bars: list[Bar]
    target: ReferenceLine | None
    baseline: ReferenceLine | None


def indicator_chart(series: IndicatorSeries) -> IndicatorChart | None:
    """The chart of `series`, or None when there is nothing to draw."""
    indicator = series.indicator
    heights = [
        p.shown.number if p.shown.number is not None else p.shown.ceiling
        for p in series.points
    ]
    references = [
        ref.number if ref.number is not None else ref.ceiling
        for ref in (series.target, series.baseline)
        if ref is not None
    ]
    if not heights and not references:
        return None
    top = _nice_ceiling(max([*heights, *references, Decimal(0)]))
    grid_values = [Decimal(0), top / 2, top]
    grid_labels = [format_value(indicator.kind, v) for v in grid_values]
    labels = [p.shown.text for p in series.points]
    periods = [short_period_label(p) for p in series.points]
    widest = max((len(t) for t in labels + periods), default=4)
    step = max(MIN_STEP, CHAR_WIDTH * widest + 10)
    column_width = min(30.0, step - 12)
    left = 8 + CHAR_WIDTH * max(len(t) for t in grid_labels)
    bottom = PLOT_TOP + PLOT_HEIGHT
    right = left + step * max(len(series.points), 3)

    def y_of(value: Decimal) -> float:
        return bottom - PLOT_HEIGHT * float(value / top)

    bars = []
    for index, (point, height_value, period) in enumerate(
        zip(series.points, heights, periods, strict=True)
    ):
        x = left + index * step + (step - column_width) / 2
        y = y_of(height_value)
        bars.append(
            Bar(
                point=point,
                period=period,
                x=_num(x),
                y=_num(y),
                width=_num(column_width),
                height=_num(bottom - y),
                label_x=_num(x + column_width / 2),
                value_y=_num(y - 4),
            )
        )

    def reference(shown, text) -> ReferenceLine | None:
        if shown is None:
            return None
        y = y_of(shown.number if shown.number is not None else shown.ceiling)
        return ReferenceLine(y=_num(y), label=text, label_y=_num(y + 4))

    target = reference(
        series.target,
        _("Mål %(year)s: %(value)s")
        % {
            "year": indicator.target_year,
            "value": series.target.text if series.target else "",
        },
    )
    baseline = reference(
        series.baseline,
        _("Utgangsverdi %(year)s: %(value)s")
        % {
            "year": indicator.baseline_year,
            "value": series.baseline.text if series.baseline else "",
        },
    )
    # The lines' labels stand right of the plot, clear of the columns; two labels
    # that would overlap are pulled apart.
    if target and baseline and abs(float(target.y) - float(baseline.y)) < 12:
        upper, lower = sorted((target, baseline), key=lambda line: float(line.y))
        middle = (float(upper.y) + float(lower.y)) / 2
        moved = {
            id(upper): _num(middle - 2),
            id(lower): _num(middle + 10),
        }
        target = ReferenceLine(target.y, target.label, moved[id(target)])
        baseline = ReferenceLine(baseline.y, baseline.label, moved[id(baseline)])
    labels_width = max(
        (CHAR_WIDTH * 0.9 * len(line.label) + 8 for line in (target, baseline) if line),
        default=0,
    )
    width = right + 8 + labels_width
    height = bottom + 24
    return IndicatorChart(
        width=_num(width),
        height=_num(height),
        display_width=_num(DISPLAY_SCALE * width),
        display_height=_num(DISPLAY_SCALE * height),
        plot_left=_num(left),
        plot_right=_num(right),
        plot_bottom=_num(bottom),
        label_y=_num(bottom + 16),
        gridlines=[
            (_num(y_of(v)), label)
            for v, label in zip(grid_values, grid_labels, strict=True)
        ],
        bars=bars,
        target=target,
        baseline=baseline,
    )


def with_charts(series_list: list[IndicatorSeries]) -> list[IndicatorSeries]:
    """Attach each series' chart (for the templates) and return the list."""
    for series in series_list:
        series.chart = indicator_chart(series)
    return series_list
