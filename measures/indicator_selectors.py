"""Reads for indicators and budgets, and the one rule for small numbers.

public_value() is the only place that decides how an indicator value is shown to a
user: every channel (pages, SVG charts, data tables, and later CSV, API and PDF)
goes through it, so a count of people below the indicator's threshold is never
shown exactly to someone who may not see it. docs/council-guide.md explains the
"< 5" convention to readers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from measures import permissions
from measures.models import (
    BudgetLine,
    Citation,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    PeriodType,
    Plan,
    plan_hidden,
)
from partners.models import Partner

NBSP = "\u00a0"


# Formatting ----------------------------------------------------------------------


def format_number(number: Decimal | int) -> str:
    """Norwegian style: groups of three with a no-break space, decimal comma,
    no trailing zeros ("1 060", "18,3")."""
    number = Decimal(number)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _sep, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = NBSP.join(groups)
    if fraction:
        result += "," + fraction
    return sign + result


def format_nok(amount: Decimal | int | None) -> str:
    """Money as "kr 1 234 567"; empty for None."""
    if amount is None:
        return ""
    return f"kr{NBSP}{format_number(amount)}"


def format_value(kind: str, number: Decimal) -> str:
    """A value with the unit its kind implies (kroner, percent)."""
    if kind == Indicator.Kind.NOK:
        return format_nok(number)
    if kind == Indicator.Kind.PERCENT:
        return f"{format_number(number)}{NBSP}%"
    return format_number(number)


# The small-number rule ------------------------------------------------------------


@dataclass(frozen=True)
class PublicValue:
    """A value as one user may see it. `number` is None when it is hidden; a chart
    then draws up to `ceiling` (the threshold), hatched, with `text` ("< 5")."""

    text: str
    number: Decimal | None
    suppressed: bool = False
    ceiling: Decimal | None = None


def is_small_number(indicator: Indicator, number: Decimal) -> bool:
    """A count of people below the indicator's threshold (0 counts too)."""
    return (
        indicator.kind == Indicator.Kind.PEOPLE
        and indicator.small_number_threshold > 0
        and number < indicator.small_number_threshold
    )


def public_value(
    indicator: Indicator,
    value: IndicatorValue | Decimal | int | None,
    *,
    user,
    qualifier: str | None = None,
) -> PublicValue | None:
    """How `value` (an IndicatorValue or a bare number, e.g. a baseline) of
    `indicator` is shown to `user`.

    A count of people below the indicator's threshold is shown as "< N" unless the
    user is staff of the responsible partner or an administrator
    (permissions.can_see_exact_small_numbers). The indicator must come with its
    goal__plan or measure__plan (and measure partner roles) loaded.
    """
    if value is None:
        return None
    if isinstance(value, IndicatorValue):
        qualifier = value.qualifier if qualifier is None else qualifier
        value = value.value
    number = Decimal(value)
    if is_small_number(indicator, number) and not (
        permissions.can_see_exact_small_numbers(user, indicator)
    ):
        threshold = indicator.small_number_threshold
        return PublicValue(
            text=f"<{NBSP}{threshold}",
            number=None,
            suppressed=True,
            ceiling=Decimal(threshold),
        )
    text = format_value(indicator.kind, number)
    if qualifier == IndicatorValue.Qualifier.APPROXIMATELY:
        text = _("ca. %(value)s") % {"value": text}
    elif qualifier == IndicatorValue.Qualifier.MORE_THAN:
        text = _("over %(value)s") % {"value": text}
    return PublicValue(text=text, number=number)


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
    # Set by the view: measures.indicator_charts.indicator_chart(series).
    chart: object | None = None
    # How many values the indicator has published; more than len(points) when only
    # the latest was loaded (plan_outcome_indicators' latest_only_above).
    value_count: int | None = None

    @property
    def has_suppressed(self) -> bool:
        return any(p.shown.suppressed for p in self.points) or bool(
            self.baseline and self.baseline.suppressed
        )


def _published_values() -> Prefetch:
    return Prefetch(
        "values",
        queryset=IndicatorValue.objects.filter(
            state=IndicatorValue.State.PUBLISHED
        ).order_by("year", "period_type", "number", "id"),
        to_attr="published_values",
    )


def _series(
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
        series = _series(indicator, user, values)
        series.value_count = indicator.n_published
        by_goal[indicator.goal_id].append(series)
    return dict(by_goal)


@dataclass
class GoalIndicators:
    goal: Goal
    series: list[IndicatorSeries]


def plan_effect_section(
    *, plan: Plan, user, latest_only_above: int | None = None
) -> list[GoalIndicators]:
    """The plan's outcome indicators grouped by goal, in goal order (three
    queries); latest_only_above as in plan_outcome_indicators."""
    by_goal = plan_outcome_indicators(
        plan=plan, user=user, latest_only_above=latest_only_above
    )
    if not by_goal:
        return []
    goals = Goal.objects.filter(pk__in=by_goal).order_by("order", "id")
    return [GoalIndicators(goal=goal, series=by_goal[goal.pk]) for goal in goals]


def measure_output_indicators(*, measure: Measure, user) -> list[IndicatorSeries]:
    """The measure's indicators with their published values (two queries). The
    measure should come with plan and partner_roles loaded (measure_page does)."""
    indicators = (
        Indicator.objects.filter(measure=measure)
        .prefetch_related(_published_values())
        .order_by("order", "title", "id")
    )
    series = []
    for indicator in indicators:
        indicator.measure = measure
        series.append(_series(indicator, user))
    return series


# Budgets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetTotal:
    """The sum of budget lines of one kind (proposal, adopted budget...) for the
    same year or span of years: figures of different kinds or spans are never
    added together."""

    year: int
    allocated: int
    spent: int | None  # None when no line of the year has a spent figure
    lines: int
    lines_with_spent: int
    end_year: int | None = None
    kind: str = ""

    @property
    def years_label(self) -> str:
        return f"{self.year}–{self.end_year}" if self.end_year else str(self.year)

    @property
    def kind_label(self) -> str:
        return BudgetLine.Kind(self.kind).label


# What a budget total groups by, after any grouping of its own.
TOTAL_KEYS = ("year", "end_year", "kind")


def _totals(rows: Iterable[dict]) -> list[BudgetTotal]:
    return [
        BudgetTotal(
            year=row["year"],
            end_year=row.get("end_year"),
            kind=row.get("kind", ""),
            allocated=row["allocated"] or 0,
            spent=row["spent"] if row["with_spent"] else None,
            lines=row["lines"],
            lines_with_spent=row["with_spent"],
        )
        for row in rows
    ]


_TOTALS = {
    "allocated": Sum("allocated_nok"),
    "spent": Sum("spent_nok"),
    "lines": Count("id"),
    "with_spent": Count("spent_nok"),
}


def measure_budget_lines(*, measure: Measure) -> list[BudgetLine]:
    """The measure's budget lines by year (one query)."""
    return list(
        BudgetLine.objects.filter(measure=measure).order_by("year", "end_year", "kind")
    )


@dataclass
class PlanBudget:
    totals: list[BudgetTotal]
    by_goal: list[tuple[Goal, list[BudgetTotal]]] = field(default_factory=list)
    without_goal: list[BudgetTotal] = field(default_factory=list)


def plan_budget(*, plan: Plan) -> PlanBudget:
    """Budget totals per year for the plan and for each of its goals (three
    queries). A goal's total counts the measures linked to it directly; a measure
    linked to two goals counts in both, but once in the plan's total."""
    lines = BudgetLine.objects.filter(measure__plan=plan).order_by()
    totals = _totals(
        lines.values(*TOTAL_KEYS).annotate(**_TOTALS).order_by(*TOTAL_KEYS)
    )
    if not totals:
        return PlanBudget(totals=[])
    per_goal: dict[int | None, list[dict]] = defaultdict(list)
    rows = (
        lines.values("measure__goals", *TOTAL_KEYS)
        .annotate(**_TOTALS)
        .order_by("measure__goals", *TOTAL_KEYS)
    )
    for row in rows:
        per_goal[row["measure__goals"]].append(row)
    goals = Goal.objects.filter(pk__in=[pk for pk in per_goal if pk]).order_by(
        "order", "id"
    )
    return PlanBudget(
        totals=totals,
        by_goal=[(goal, _totals(per_goal[goal.pk])) for goal in goals],
        without_goal=_totals(per_goal.get(None, [])),
    )


@dataclass(frozen=True)
class PartnerBudgetRow:
    plan: Plan
    total: BudgetTotal


def partner_budget(*, partner: Partner) -> list[PartnerBudgetRow]:
    """Budget totals per plan and year over the measures the partner leads, in
    public plans (two queries). Only the lead counts, so that a measure's money is
    never counted for two partners."""
    rows = list(
        BudgetLine.objects.filter(
            measure__partner_roles__partner=partner,
            measure__partner_roles__role=MeasurePartner.Role.LEAD,
        )
        .exclude(plan_hidden("measure__plan__"))
        .values("measure__plan_id", *TOTAL_KEYS)
        .annotate(**_TOTALS)
        .order_by("measure__plan_id", *TOTAL_KEYS)
    )
    if not rows:
        return []
    plans = Plan.objects.in_bulk({row["measure__plan_id"] for row in rows})
    result = [
        PartnerBudgetRow(plan=plans[row["measure__plan_id"]], total=total)
        for row, total in zip(rows, _totals(rows), strict=True)
    ]
    result.sort(key=lambda r: (-r.plan.start_year, r.plan.title, r.total.year))
    return result


# The workflow: Mine tiltak, the value pages and the review queue -------------------

_OPEN_STATES = (
    IndicatorValue.State.DRAFT,
    IndicatorValue.State.SUBMITTED,
    IndicatorValue.State.RETURNED,
)
_MEASURE_ROLES = Prefetch(
    "measure__partner_roles", queryset=MeasurePartner.objects.order_by("id")
)


def indicator_for_workflow(*, slug: str) -> Indicator:
    """An indicator with what the permission and small-number checks read (its
    plan and the measure's partners) loaded; Http404 when there is none."""
    return get_object_or_404(
        Indicator.objects.select_related(
            "goal__plan__owner", "measure__plan__owner"
        ).prefetch_related(_MEASURE_ROLES),
        slug=slug,
    )


def indicator_value_for_workflow(*, pk: int) -> IndicatorValue:
    """One value with its indicator (as indicator_for_workflow), author, reviewer
    and the value it replaces; Http404 when there is none."""
    return get_object_or_404(
        IndicatorValue.objects.select_related(
            "indicator__goal__plan__owner",
            "indicator__measure__plan__owner",
            "author",
            "reviewer",
            "replaces",
        ).prefetch_related(
            Prefetch(
                "indicator__measure__partner_roles",
                queryset=MeasurePartner.objects.order_by("id"),
            )
        ),
        pk=pk,
    )


def published_value_for_period(
    *, indicator: Indicator, period_type: str, year: int, number: int
) -> IndicatorValue | None:
    return IndicatorValue.objects.filter(
        indicator=indicator,
        state=IndicatorValue.State.PUBLISHED,
        period_type=period_type,
        year=year,
        number=number,
    ).first()


def open_value_for_period(
    *, indicator: Indicator, period_type: str, year: int, number: int
) -> IndicatorValue | None:
    """The draft, submitted or returned value of a period, if any (at most one)."""
    return IndicatorValue.objects.filter(
        indicator=indicator,
        state__in=_OPEN_STATES,
        period_type=period_type,
        year=year,
        number=number,
    ).first()


def recent_published_values(
    *, indicator: Indicator, user, limit: int = 5
) -> list[IndicatorPoint]:
    """The indicator's latest published values, newest period first, with the
    sources they cite (two queries)."""
    values = IndicatorValue.objects.filter(
        indicator=indicator, state=IndicatorValue.State.PUBLISHED
    ).prefetch_related(
        Prefetch("citations", queryset=Citation.objects.select_related("source"))
    )
    values = sorted(values, key=lambda v: (v.start, v.end), reverse=True)[:limit]
    return [
        IndicatorPoint(value=v, shown=public_value(indicator, v, user=user))
        for v in values
    ]


def _latest(values: Iterable[IndicatorValue]) -> IndicatorValue | None:
    return max(values, key=lambda v: (v.start, v.end), default=None)


@dataclass
class MyIndicatorRow:
    """An indicator the user records values for, on Mine tiltak."""

    indicator: Indicator
    latest: IndicatorPoint | None
    open_values: list[IndicatorPoint]

    @property
    def sort_key(self) -> tuple:
        indicator = self.indicator
        if indicator.goal_id:
            owner = (0, indicator.goal.order, indicator.goal.title, "")
        else:
            measure = indicator.measure
            owner = (1, 0, measure.identifier, measure.title)
        return (indicator.plan.title, *owner, indicator.order, indicator.title)


def indicators_for_user(*, user) -> list[MyIndicatorRow]:
    """Indicators in adopted plans whose values the user records through a
    membership (as measures_for_user does for status): the output indicators of
    the measures their partner leads or contributes to, and, for a coordinator of
    the plan owner, every indicator of the plan. Each with its latest published
    value and its open (draft, submitted, returned) values. At most five queries."""
    if not permissions.can_use_workspace(user):
        return []
    caseworker_of = sorted(permissions.caseworker_partner_ids(user))
    coordinator_of = sorted(permissions.coordinator_partner_ids(user))
    if not caseworker_of and not coordinator_of:
        return []
    adopted = Plan.Status.ADOPTED
    ids = Indicator.objects.filter(
        Q(
            measure__partner_roles__partner_id__in=caseworker_of,
            measure__plan__status=adopted,
        )
        | Q(measure__plan__owner_id__in=coordinator_of, measure__plan__status=adopted)
        | Q(goal__plan__owner_id__in=coordinator_of, goal__plan__status=adopted)
    ).values("pk")
    indicators = (
        Indicator.objects.filter(pk__in=ids)
        .select_related("goal__plan__owner", "measure__plan__owner")
        .prefetch_related(
            _MEASURE_ROLES,
            _published_values(),
            Prefetch(
                "values",
                queryset=IndicatorValue.objects.filter(state__in=_OPEN_STATES)
                .select_related("author", "reviewer")
                .order_by("-year", "-number", "-id"),
                to_attr="open_values",
            ),
        )
    )
    rows = []
    for indicator in indicators:
        latest = _latest(indicator.published_values)
        rows.append(
            MyIndicatorRow(
                indicator=indicator,
                latest=(
                    IndicatorPoint(
                        value=latest,
                        shown=public_value(indicator, latest, user=user),
                    )
                    if latest
                    else None
                ),
                open_values=[
                    IndicatorPoint(value=v, shown=public_value(indicator, v, user=user))
                    for v in indicator.open_values
                ],
            )
        )
    return sorted(rows, key=lambda row: row.sort_key)


@dataclass
class QueuedValue:
    """A submitted value in the review queue, beside the published value it would
    follow or replace."""

    value: IndicatorValue
    shown: PublicValue
    previous: IndicatorValue | None
    previous_shown: PublicValue | None
    previous_publishers: str = ""


def indicator_review_queue(*, user) -> list[QueuedValue]:
    """Submitted indicator values on the plans the user reviews, oldest first, each
    with the previous published value: the one it replaces, or else the latest
    published value of an earlier period, and who published the sources the
    previous value cites. At most five queries."""
    if not permissions.can_use_review_queue(user):
        return []
    queryset = IndicatorValue.objects.filter(state=IndicatorValue.State.SUBMITTED)
    plan_filter = permissions.reviewable_indicator_plans_filter(user)
    if plan_filter is not None:
        via_goal, via_measure = (
            Q(**{f"indicator__{owner}__plan__{k}": v for k, v in plan_filter.items()})
            for owner in ("goal", "measure")
        )
        queryset = queryset.filter(via_goal | via_measure)
    values = list(
        queryset.select_related(
            "indicator__goal__plan__owner",
            "indicator__measure__plan__owner",
            "author",
            "replaces",
        )
        .prefetch_related(
            Prefetch(
                "indicator__measure__partner_roles",
                queryset=MeasurePartner.objects.order_by("id"),
            )
        )
        .order_by("submitted_at", "id")
    )
    if not values:
        return []
    published: dict[int, list[IndicatorValue]] = defaultdict(list)
    for other in IndicatorValue.objects.filter(
        indicator_id__in={v.indicator_id for v in values},
        state=IndicatorValue.State.PUBLISHED,
    ):
        published[other.indicator_id].append(other)
    previous_of = {
        value.pk: value.replaces
        or _latest(v for v in published[value.indicator_id] if v.start < value.start)
        for value in values
    }
    publishers: dict[int, list[str]] = defaultdict(list)
    for value_id, publisher in (
        Citation.objects.filter(
            indicator_value_id__in={p.pk for p in previous_of.values() if p}
        )
        .order_by("position", "id")
        .values_list("indicator_value_id", "source__publisher")
    ):
        if publisher not in publishers[value_id]:
            publishers[value_id].append(publisher)
    queue = []
    for value in values:
        indicator = value.indicator
        previous = previous_of[value.pk]
        queue.append(
            QueuedValue(
                value=value,
                shown=public_value(indicator, value, user=user),
                previous=previous,
                previous_shown=public_value(indicator, previous, user=user),
                previous_publishers="; ".join(publishers[previous.pk])
                if previous
                else "",
            )
        )
    return queue


__all__ = [
    "BudgetTotal",
    "IndicatorSeries",
    "MyIndicatorRow",
    "PublicValue",
    "QueuedValue",
    "format_nok",
    "format_number",
    "format_value",
    "indicator_for_workflow",
    "indicator_review_queue",
    "indicator_value_for_workflow",
    "indicators_for_user",
    "measure_budget_lines",
    "measure_output_indicators",
    "open_value_for_period",
    "partner_budget",
    "plan_budget",
    "plan_effect_section",
    "plan_outcome_indicators",
    "public_value",
    "published_value_for_period",
    "recent_published_values",
]
