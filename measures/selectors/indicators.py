"""Reads for the public indicator sections: a plan's outcome indicators by goal and
a measure's output indicators, with their published values as series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)

from measures.models import Goal, Indicator, IndicatorValue, Measure, PeriodType, Plan
from measures.selectors.small_numbers import PublicValue, format_value, public_value

# Indicator series -------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorPoint:
    value: IndicatorValue
    shown: PublicValue


@dataclass
class IndicatorSeries:
    """An indicator with its published values in period order, as `user` sees them."""

    indicator: Indicator
    points: list[IndicatorPoint]
    baseline: PublicValue | None
    target: PublicValue | None
    # Set by the view: measures.charts.indicators.indicator_chart(series).
    chart: object | None = None
    # How many values the indicator has published; more than len(points) when only
    # the latest was loaded (plan_outcome_indicators' latest_only_above).
    value_count: int | None = None

    @property
    def has_suppressed(self) -> bool:
        return any(p.shown.suppressed for p in self.points) or bool(
            self.baseline and self.baseline.suppressed
        )


def published_values_prefetch() -> Prefetch:
    return Prefetch(
        "values",
        queryset=IndicatorValue.objects.filter(
            state=IndicatorValue.State.PUBLISHED
        ).order_by("year", "period_type", "number", "id"),
        to_attr="published_values",
    )


def indicator_series(
    indicator: Indicator, user, values: list[IndicatorValue] | None = None
) -> IndicatorSeries:
    if values is None:
        values = indicator.published_values
    values = sorted(values, key=lambda v: (v.start, v.end))
    return IndicatorSeries(
        indicator=indicator,
        points=[
            IndicatorPoint(value=v, shown=public_value(indicator, v, user=user))
            for v in values
        ],
        baseline=public_value(indicator, indicator.baseline_value, user=user),
        # A target is a decision, not data about people: never hidden.
        target=(
            PublicValue(
                text=format_value(indicator.kind, indicator.target_value),
                number=indicator.target_value,
            )
            if indicator.target_value is not None
            else None
        ),
        value_count=len(values),
    )


# A value's period as months from January of its year: where it starts and where it
# ends, so that SQL orders values as (start, end) does in Python (period_bounds).
_START_MONTH = Case(
    When(period_type=PeriodType.TERTIAL, then=(F("number") - 1) * 4),
    When(period_type=PeriodType.MONTH, then=F("number") - 1),
    default=Value(0),
)


_MONTHS = Case(
    When(period_type=PeriodType.TERTIAL, then=Value(4)),
    When(period_type=PeriodType.MONTH, then=Value(1)),
    default=Value(12),
)


def _latest_published_value_id() -> Subquery:
    """The id of the indicator's (OuterRef) latest published value."""
    return Subquery(
        IndicatorValue.objects.filter(
            indicator=OuterRef("pk"), state=IndicatorValue.State.PUBLISHED
        )
        .annotate(start_month=_START_MONTH, end_month=_START_MONTH + _MONTHS)
        .order_by("-year", "-start_month", "-end_month")
        .values("pk")[:1]
    )


def plan_outcome_indicators(
    *, plan: Plan, user, latest_only_above: int | None = None
) -> dict[int, list[IndicatorSeries]]:
    """{goal id: its indicators' series} for the plan's goals (two queries).

    When the plan's indicators have more than `latest_only_above` published values
    in all, each series holds only its indicator's latest value (value_count says
    how many there are): the plan page then shows one row per indicator."""
    indicators = list(
        Indicator.objects.filter(goal__plan=plan)
        .select_related("goal")
        .annotate(
            n_published=Count(
                "values", filter=Q(values__state=IndicatorValue.State.PUBLISHED)
            ),
            latest_id=_latest_published_value_id(),
        )
        .order_by("order", "title", "id")
    )
    total = sum(indicator.n_published for indicator in indicators)
    latest_only = latest_only_above is not None and total > latest_only_above
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    if total:
        values = (
            IndicatorValue.objects.filter(
                pk__in=[i.latest_id for i in indicators if i.latest_id]
            )
            if latest_only
            else IndicatorValue.objects.filter(
                indicator_id__in=[i.pk for i in indicators],
                state=IndicatorValue.State.PUBLISHED,
            )
        )
        for value in values.order_by("year", "period_type", "number", "id"):
            by_indicator[value.indicator_id].append(value)
    by_goal: dict[int, list[IndicatorSeries]] = defaultdict(list)
    for indicator in indicators:
        indicator.goal.plan = plan  # the plan is known: no query per indicator
        values = by_indicator.get(indicator.pk, [])
        for value in values:
            value.indicator = indicator  # public_value reads the threshold
        series = indicator_series(indicator, user, values)
        series.value_count = indicator.n_published
        by_goal[indicator.goal_id].append(series)
    return dict(by_goal)


@dataclass
class GoalIndicators:
    goal: Goal
    series: list[IndicatorSeries]


def plan_effect_section(
    *, plan: Plan, user, latest_only_above: int | None = None, goals=None
) -> list[GoalIndicators]:
    """The plan's outcome indicators grouped by goal, in goal order (three
    queries; two given `goals`, every goal of the plan in order, as the plan page
    has them); latest_only_above as in plan_outcome_indicators."""
    by_goal = plan_outcome_indicators(
        plan=plan, user=user, latest_only_above=latest_only_above
    )
    if not by_goal:
        return []
    if goals is None:
        goals = Goal.objects.filter(pk__in=by_goal).order_by("order", "id")
    return [
        GoalIndicators(goal=goal, series=by_goal[goal.pk])
        for goal in goals
        if goal.pk in by_goal
    ]


def measure_output_indicators(*, measure: Measure, user) -> list[IndicatorSeries]:
    """The measure's indicators with their published values (two queries). The
    measure should come with plan and partner_roles loaded (measure_page does)."""
    indicators = (
        Indicator.objects.filter(measure=measure)
        .prefetch_related(published_values_prefetch())
        .order_by("order", "title", "id")
    )
    series = []
    for indicator in indicators:
        indicator.measure = measure
        series.append(indicator_series(indicator, user))
    return series
