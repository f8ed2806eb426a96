"""Reads for the indicator workflow: the indicators a user may report on, the
values of a period, and the coordinators' review queue of values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    Q,
)
from django.shortcuts import get_object_or_404

from measures import permissions
from measures.models import Citation, Indicator, IndicatorValue, MeasurePartner, Plan
from measures.selectors.indicators import IndicatorPoint, published_values_prefetch
from measures.selectors.small_numbers import PublicValue, public_value

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
            published_values_prefetch(),
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
