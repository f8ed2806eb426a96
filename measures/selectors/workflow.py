"""Reads for Mine tiltak and the review queue. Each selector owns its joins, so the
pages run a constant number of queries however many measures and updates there are.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from measures import permissions
from measures.models import (
    OPEN_PHASES,
    Citation,
    Measure,
    MeasurePartner,
    Plan,
    Source,
    StatusUpdate,
)
from measures.selectors import citations
from measures.selectors.due import ReportingStatus, reporting_status
from partners.models import Partner

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
        .select_related("plan", "plan__owner", "current_update")
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
            "measure", "measure__plan", "author", "measure__current_update"
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
        measures.select_related("plan")
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
        .select_related("plan")
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
