"""Reads for the public indicator sections: a plan's outcome indicators by goal and
a measure's output indicators, with their published values as series.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Expression, F, IntegerField, Prefetch

from measures.models import Goal, Indicator, IndicatorValue, Measure, PeriodType, Plan
from measures.selectors.small_numbers import PublicValue, format_value, public_value
from measures.selectors.status_on import compile_columns

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


class PublishedValues(Expression):
    """For a query over indicators: how many published values the indicator has
    ("count"), or the id of its latest published value ("latest": the latest year,
    then the period that starts last, then the one that ends last, as
    period_bounds() orders them in Python).

    The SQL is written out, as StatusOn's is (docs/decisions.md, decision 58):
    composed from Case, When, Subquery and Count, Django built and compiled it anew
    on every plan page, 2.6 ms of the query's 5 (and the count made the query
    GROUP BY every indicator and value). A correlated subquery each, over the
    index on (indicator, state, year)."""

    output_field = IntegerField()

    def __init__(self, what: str):
        if what not in ("count", "latest"):
            raise ValueError(what)
        super().__init__()
        self.what = what
        self.pk = None

    def resolve_expression(self, query=None, *args, **kwargs):
        if self.pk is not None:
            return self  # resolved already (as StatusOn says)
        clone = self.copy()
        # The outer indicator's id, with whatever alias the query gives it.
        clone.pk = F("pk").resolve_expression(query, *args, **kwargs)
        return clone

    # As StatusOn's: a subquery renames the outer column through these.
    def get_source_expressions(self):
        return [] if self.pk is None else [self.pk]

    def set_source_expressions(self, exprs):
        self.pk = exprs[0] if exprs else None

    def as_sql(self, compiler, connection):
        pk = compile_columns(compiler, {"pk": self.pk})["pk"]
        quote = connection.ops.quote_name
        table = quote(IndicatorValue._meta.db_table)
        where = f"v.{quote('indicator_id')} = {pk} AND v.{quote('state')} = %s"
        published = IndicatorValue.State.PUBLISHED.value
        if self.what == "count":
            return f"(SELECT COUNT(*) FROM {table} v WHERE {where})", [published]  # noqa: S608
        kind, number = f"v.{quote('period_type')}", f"v.{quote('number')}"
        start = (
            f"CASE {kind} WHEN %s THEN ({number} - 1) * 4"
            f" WHEN %s THEN {number} - 1 ELSE 0 END"
        )
        months = f"CASE {kind} WHEN %s THEN 4 WHEN %s THEN 1 ELSE 12 END"
        # Only names from the models and the query's own column reference are
        # written in; the state and the period types are parameters.
        sql = (
            f"(SELECT v.{quote('id')} FROM {table} v WHERE {where}"  # noqa: S608
            f" ORDER BY v.{quote('year')} DESC, {start} DESC,"
            f" {start} + {months} DESC LIMIT 1)"
        )
        types = [PeriodType.TERTIAL.value, PeriodType.MONTH.value]
        return sql, [published, *types, *types, *types]


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
            n_published=PublishedValues("count"),
            latest_id=PublishedValues("latest"),
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
