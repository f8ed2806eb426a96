"""Reads for Mine tiltak and the review queue, for status updates and indicator
values (the indicators a user may report on, the values of a period, the queue of
values). Each selector owns its joins, so the pages run a constant number of
queries however many measures and updates there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from measures import permissions
from measures.models import (
    OPEN_PHASES,
    Citation,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Plan,
    Source,
    StatusUpdate,
)
from measures.selectors import citations
from measures.selectors.districts import norwegian_sort_key
from measures.selectors.due import ReportingStatus, reporting_status
from measures.selectors.indicators import IndicatorPoint, published_values_prefetch
from measures.selectors.small_numbers import PublicValue, public_value
from partners.models import Municipality, Partner

_ROLES = Prefetch(
    "partner_roles",
    queryset=MeasurePartner.objects.select_related("partner").order_by(
        "role", "partner__name"
    ),
)


def _editable_measures_filter(user) -> Q:
    caseworker_of = permissions.caseworker_partner_ids(user)
    coordinator_of = permissions.coordinator_partner_ids(user)
    return Q(partner_roles__partner_id__in=sorted(caseworker_of)) | Q(
        plan__owner_id__in=sorted(coordinator_of)
    )


def measures_for_user(*, user) -> QuerySet[Measure]:
    """Measures of adopted plans the user reports on through a membership."""
    if not permissions.can_use_workspace(user):
        return Measure.objects.none()
    ids = (
        Measure.objects.filter(_editable_measures_filter(user))
        .filter(plan__status=Plan.Status.ADOPTED)
        .values("pk")
    )
    return (
        Measure.objects.filter(pk__in=ids)
        # The municipality names the measure's addresses (/<kommune>/tiltak/...).
        .select_related("municipality", "plan", "plan__owner", "current_update")
        .prefetch_related(_ROLES)
        .order_by("plan__title", "identifier", "title")
    )


@dataclass
class MyMeasureRow:
    measure: Measure
    status: ReportingStatus | None
    open_updates: list[StatusUpdate] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple:
        status = self.status
        return (
            0 if status and status.overdue else 1 if status and status.due else 2,
            self.measure.plan.title,
            self.measure.identifier,
            self.measure.title,
        )


def my_measures(*, user, today: datetime.date | None = None) -> list[MyMeasureRow]:
    """Mine tiltak: overdue first, then due, then the rest; with each measure's
    drafts, submitted and returned updates. Four queries."""
    measures = list(measures_for_user(user=user))
    statuses = reporting_status(measures, today or timezone.localdate())
    rows = {m.pk: MyMeasureRow(measure=m, status=statuses.get(m.pk)) for m in measures}
    updates = (
        StatusUpdate.objects.filter(
            measure_id__in=list(rows),
            state__in=(
                StatusUpdate.State.DRAFT,
                StatusUpdate.State.SUBMITTED,
                StatusUpdate.State.RETURNED,
            ),
        )
        .select_related("author", "reviewer")
        .order_by("-as_of", "-id")
    )
    for update in updates:
        rows[update.measure_id].open_updates.append(update)
    return sorted(rows.values(), key=lambda row: row.sort_key)


@dataclass
class MunicipalityRows:
    municipality: Municipality
    rows: list[MyMeasureRow]


def my_measures_by_municipality(rows: list[MyMeasureRow]) -> list[MunicipalityRows]:
    """Mine tiltak's rows per municipality, by name, each in the rows' order: a
    caseworker of a regional partner (a police district) reports on measures of
    every municipality it serves. No queries: the measures come with their
    municipality (measures_for_user)."""
    groups: dict[int, MunicipalityRows] = {}
    for row in rows:
        municipality = row.measure.municipality
        groups.setdefault(
            municipality.pk, MunicipalityRows(municipality=municipality, rows=[])
        ).rows.append(row)
    return sorted(
        groups.values(), key=lambda group: norwegian_sort_key(group.municipality.name)
    )


# A fact's citations in order, with their sources: one query for a whole list.
CITATIONS = Prefetch(
    "citations",
    queryset=Citation.objects.select_related("source").order_by("position", "id"),
)


def review_queue(*, user) -> QuerySet[StatusUpdate]:
    """Submitted updates on the plans the user reviews, oldest first."""
    if not permissions.can_use_review_queue(user):
        return StatusUpdate.objects.none()
    queryset = StatusUpdate.objects.filter(state=StatusUpdate.State.SUBMITTED)
    plan_filter = permissions.reviewable_plans_filter(user)
    if plan_filter is not None:
        queryset = queryset.filter(
            **{f"measure__plan__{key}": value for key, value in plan_filter.items()}
        )
    return (
        queryset.select_related(
            "measure",
            "measure__municipality",
            "measure__plan",
            "author",
            "measure__current_update",
        )
        .prefetch_related(CITATIONS)
        .order_by("submitted_at", "id")
    )


@dataclass
class PartnerGap:
    partner: Partner
    measures: list[Measure] = field(default_factory=list)


@dataclass
class PlanGaps:
    plan: Plan
    period_label: str
    partners: list[PartnerGap]


def unreported_by_plan(*, user, today: datetime.date | None = None) -> list[PlanGaps]:
    """For each adopted plan the user reviews: the partners (lead or contributor)
    with measures not yet reported this period, and those measures. Three queries."""
    if not permissions.can_use_review_queue(user):
        return []
    measures = Measure.objects.filter(plan__status=Plan.Status.ADOPTED)
    plan_filter = permissions.reviewable_plans_filter(user)
    if plan_filter is not None:
        measures = measures.filter(
            **{f"plan__{key}": value for key, value in plan_filter.items()}
        )
    measures = list(
        measures.select_related("municipality", "plan")
        .prefetch_related(_ROLES)
        .order_by("plan__title", "identifier", "title")
    )
    statuses = reporting_status(measures, today or timezone.localdate())
    result: dict[int, PlanGaps] = {}
    for measure in measures:
        status = statuses.get(measure.pk)
        if status is None or not status.due:
            continue
        gaps = result.setdefault(
            measure.plan_id,
            PlanGaps(plan=measure.plan, period_label=status.period.label, partners=[]),
        )
        for role in measure.partner_roles.all():
            gap = next(
                (g for g in gaps.partners if g.partner.pk == role.partner_id), None
            )
            if gap is None:
                gap = PartnerGap(partner=role.partner)
                gaps.partners.append(gap)
            gap.measures.append(measure)
    for gaps in result.values():
        gaps.partners.sort(key=lambda g: g.partner.name)
    return list(result.values())


def due_measures_by_caseworker(
    *, today: datetime.date | None = None
) -> dict[int, list[tuple[Measure, ReportingStatus]]]:
    """{user id: [(measure, status), ...]} of due measures for every active
    caseworker, for the reminder digest. Three queries. Training plans are left
    out: their measures are led by real partners, whose real caseworkers must not
    be emailed about invented measures."""
    from partners.models import Membership

    today = today or timezone.localdate()
    measures = list(
        Measure.objects.filter(
            plan__status=Plan.Status.ADOPTED,
            plan__is_training=False,
            current_phase__in=OPEN_PHASES,
        )
        # The digest links each measure under its municipality's address.
        .select_related("municipality", "plan")
        .prefetch_related(_ROLES)
        .order_by("plan__title", "identifier", "title")
    )
    statuses = reporting_status(measures, today)
    due_by_partner: dict[int, list[tuple[Measure, ReportingStatus]]] = {}
    for measure in measures:
        status = statuses.get(measure.pk)
        if status is None or not status.due:
            continue
        for role in measure.partner_roles.all():
            due_by_partner.setdefault(role.partner_id, []).append((measure, status))
    result: dict[int, list[tuple[Measure, ReportingStatus]]] = {}
    memberships = Membership.objects.filter(
        role=Membership.Role.CASEWORKER,
        user__is_active=True,
        partner_id__in=list(due_by_partner),
    ).values_list("user_id", "partner_id")
    for user_id, partner_id in memberships:
        items = result.setdefault(user_id, [])
        seen = {m.pk for m, _ in items}
        items.extend((m, s) for m, s in due_by_partner[partner_id] if m.pk not in seen)
    return result


# --- sources to choose from ---------------------------------------------------------

# How many sources the update and value forms offer as checkboxes: enough for a
# measure's own documents and its plan's, short enough to read through.
SOURCE_CHOICES_LIMIT = 30


def _ranked_sources(
    near: Q, plan_id: int, user, extra_ids: Iterable[int]
) -> QuerySet[Source]:
    """Sources cited `near` (the measure or indicator) first, then those cited
    anywhere in the plan, then those the user added; newest first within each;
    at most SOURCE_CHOICES_LIMIT, plus `extra_ids` (already chosen) always."""
    in_plan = citations.of_plan(plan_id)
    cited = Citation.objects.filter(source=OuterRef("pk"))
    mine = Q(created_by=user) if user is not None and user.is_authenticated else Q()
    ranked = (
        Source.objects.annotate(
            is_near=Exists(cited.filter(near)), in_plan=Exists(cited.filter(in_plan))
        )
        .filter(Q(is_near=True) | Q(in_plan=True) | (mine if mine else Q(pk=None)))
        .order_by(
            "-is_near", "-in_plan", F("published_on").desc(nulls_last=True), "-id"
        )
        .values_list("pk", flat=True)[:SOURCE_CHOICES_LIMIT]
    )
    ids = list(dict.fromkeys([*ranked, *extra_ids]))
    if not ids:
        return Source.objects.none()
    order = Case(*(When(pk=pk, then=index) for index, pk in enumerate(ids)))
    return Source.objects.filter(pk__in=ids).order_by(order)


def sources_for_measure(
    *, measure: Measure, user=None, extra_ids: Iterable[int] = ()
) -> QuerySet[Source]:
    """The sources a status update on `measure` may choose from."""
    near = (
        Q(measure_id=measure.pk)
        | Q(status_update__measure_id=measure.pk)
        | Q(indicator__measure_id=measure.pk)
        | Q(budget_line__measure_id=measure.pk)
    )
    return _ranked_sources(near, measure.plan_id, user, extra_ids)


def sources_for_indicator(
    *, indicator, user=None, extra_ids: Iterable[int] = ()
) -> QuerySet[Source]:
    """The sources a value of `indicator` may choose from."""
    near = Q(indicator_id=indicator.pk) | Q(indicator_value__indicator_id=indicator.pk)
    if indicator.measure_id is not None:
        near |= Q(measure_id=indicator.measure_id)
    else:
        near |= Q(goal_id=indicator.goal_id)
    return _ranked_sources(near, indicator.plan.pk, user, extra_ids)


# Indicator values ------------------------------------------------------------------


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
