"""Reads for the partner pages: a partner's measures by plan, its roles and
which of its measures are unreported this period."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from measures.models import Measure, MeasurePartner, Plan, plan_hidden
from measures.periods import Period
from measures.selectors.due import ReportingStatus, reporting_status, takes_reports
from measures.selectors.public import (
    PlanGroup,
    draft_measure_ids,
    plan_reference_date,
    plans_of,
    public_plan_ids_of,
)
from measures.selectors.rollups import Rollup, rollup
from partners.models import Partner


def partners_with_measures(*, municipality=None) -> QuerySet[Partner]:
    """Partners with measures in public plans (of the municipality, when given),
    with how many (one query). A partner has one role per measure at most.

    In a municipality, only the roles in its plans are joined (the municipality's
    plans first, then their measures' roles by index). Across the country the
    roles are counted on their own, leaving out the measures of draft plans (a
    few, if any): a join through every measure and plan in the country took three
    times as long at national scale."""
    if municipality is not None:
        return (
            Partner.objects.filter(
                measure_roles__measure__plan__in=public_plan_ids_of(municipality)
            )
            .annotate(n_measures=Count("measure_roles"))
            .order_by("name")
        )
    counted = ~Q(measure_roles__measure_id__in=draft_measure_ids())
    return (
        Partner.objects.annotate(n_measures=Count("measure_roles", filter=counted))
        .filter(n_measures__gt=0)
        .order_by("name")
    )


@dataclass(frozen=True)
class ReportingMeasure:
    """What reporting_status() reads of a measure (its id, plan and phase), for
    the measures a partner page has read as rows: a model instance each cost
    50 µs, and the busiest partner at ten times national scale has 2,048 open
    measures."""

    pk: int
    plan: Plan
    current_phase: str

    @property
    def plan_id(self) -> int:
        return self.plan.pk


@dataclass(frozen=True)
class UnreportedGroup:
    """A plan's measures of one partner not yet reported in the current period."""

    plan: Plan
    period: Period
    # The measures themselves when the page names them (_load_measures()), else
    # what their status was worked out from (ReportingMeasure).
    rows: list[tuple[Measure | ReportingMeasure, ReportingStatus]]

    @property
    def overdue(self) -> int:
        """How many of them did not report for the previous period either."""
        return sum(1 for _measure, status in self.rows if status.overdue)


@dataclass(frozen=True)
class PartnerPage:
    partner: Partner
    rollup: Rollup
    groups: list[PlanGroup]
    units: list[Partner]
    # Plans where the partner's measures take reports now (adopted plans, open
    # measures), each with the measures still due this period; None if none do.
    unreported: list[UnreportedGroup] | None = None
    # Whether the unreported measures are named (few enough), or counted per plan.
    unreported_listed: bool = False
    # {plan id: plan} for the plans of groups (partner_roles() reads it).
    plans: dict[int, Plan] = field(default_factory=dict)
    # One row per measure listed (the partner's or a unit's role): its ids,
    # plan and current status.
    measure_rows: list[dict] = field(default_factory=list)


def partner_page(
    *, slug: str, municipality=None, list_unreported_up_to: int
) -> PartnerPage:
    """A partner, its measures and its units' measures (a unit belongs to its parent
    organisation: Partner.parent) across public plans with the role and the
    measures' current status, the name it had at each plan's time, and its
    measures not yet reported this period, named when there are at most
    `list_unreported_up_to` (at most eight queries: one fewer when none is named;
    the page's roles: partner_roles()). A measure both the partner and a unit
    have a role in is listed once, with the partner's own role."""
    try:
        partner = (
            Partner.objects.select_related("parent")
            .prefetch_related(
                "former_names",
                Prefetch("units", queryset=Partner.objects.order_by("name")),
            )
            .get(slug=slug)
        )
    except Partner.DoesNotExist as error:
        raise Http404(_("Fant ingen partner med denne adressen.")) from error
    in_municipality = Q()
    if municipality is not None:
        # Only the municipality's plans; a partner with no part in the
        # municipality has no page there.
        in_municipality = Q(
            measure__plan_id__in=Plan.objects.filter(plans_of(municipality)).values(
                "pk"
            )
        )
        if not (
            partner.municipality_id == municipality.pk
            or partner.serves.filter(pk=municipality.pk).exists()
            or MeasurePartner.objects.filter(partner=partner)
            .filter(in_municipality)
            .exists()
        ):
            raise Http404(_("Partneren har ingen tiltak i denne kommunen."))
    # Every role as a small dict: what the roll-ups need, and the role's id for
    # partner_roles() to load the page's rows. A partner has thousands of roles; a
    # role and a measure object each was most of the page's time.
    units = list(partner.units.all())
    # Without direct units there are none deeper: no query for the tree.
    partner_ids = [partner.pk, *(unit_ids(partner) if units else [])]
    rows = list(
        MeasurePartner.objects.filter(partner_id__in=partner_ids)
        .filter(in_municipality)
        .exclude(plan_hidden("measure__plan__"))
        .order_by(
            "-measure__plan__start_year",
            "measure__plan__title",
            "measure__identifier",
            "measure__title",
        )
        .values(
            "pk",
            "measure_id",
            "partner_id",
            plan_id=F("measure__plan_id"),
            current_phase=F("measure__current_phase"),
            current_health=F("measure__current_health"),
            current_progress=F("measure__current_progress"),
            weight=F("measure__weight"),
            # For the newest updates (changes.partner_latest_updates()).
            current_update_id=F("measure__current_update_id"),
            current_as_of=F("measure__current_as_of"),
        )
    )
    rows = _one_role_per_measure(rows, own=partner.pk)
    plans = (
        Plan.objects.select_related("municipality").in_bulk(
            {row["plan_id"] for row in rows}
        )
        if rows
        else {}
    )
    # The rows by plan, in the order of the rows (a dict keeps it).
    group_rows: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        group_rows[row["plan_id"]].append(row)
    groups = [
        PlanGroup(
            plan=plans[plan_id],
            rows=[row["pk"] for row in plan_rows],
            rollup=rollup(plan_rows),
            name_then=partner.name_on(plan_reference_date(plans[plan_id])),
        )
        for plan_id, plan_rows in group_rows.items()
    ]
    unreported, unreported_listed = _unreported_by_plan(
        _reporting_measures(rows, plans), list_up_to=list_unreported_up_to
    )
    return PartnerPage(
        partner=partner,
        rollup=rollup(rows),
        groups=groups,
        units=units,
        unreported=unreported,
        unreported_listed=unreported_listed,
        plans=plans,
        measure_rows=rows,
    )


def unit_ids(partner: Partner) -> list[int]:
    """The ids of every unit below `partner`, at any depth (one query over the
    partners that have a parent; a cycle in bad data cannot hang the page)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in Partner.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id"
    ):
        children[parent_id].append(pk)
    found: list[int] = []
    seen = {partner.pk}
    todo = list(children[partner.pk])
    while todo:
        pk = todo.pop(0)
        if pk in seen:
            continue
        seen.add(pk)
        found.append(pk)
        todo.extend(children[pk])
    return found


def _one_role_per_measure(rows: list[dict], *, own: int) -> list[dict]:
    """One row per measure, in the given order: the partner's own role where it
    has one, else the first unit's."""
    chosen: dict[int, dict] = {}
    for row in rows:
        kept = chosen.get(row["measure_id"])
        if kept is None or (kept["partner_id"] != own and row["partner_id"] == own):
            chosen[row["measure_id"]] = row
    return [row for row in rows if chosen[row["measure_id"]] is row]


def _reporting_measures(
    rows: list[dict], plans: dict[int, Plan]
) -> list[ReportingMeasure]:
    """The measures of `rows` that take reports (due.takes_reports(): open
    measures in adopted plans with a reporting interval), with their plans, in the
    order of `rows`: built from the rows, no query; _unreported_by_plan() loads
    those it names."""
    measures = []
    for row in rows:
        plan = plans[row["plan_id"]]
        if plan.status != Plan.Status.ADOPTED or not plan.reporting_interval:
            continue  # the plan takes no reports: no need to look at the measure
        measure = ReportingMeasure(
            pk=row["measure_id"], plan=plan, current_phase=row["current_phase"]
        )
        if takes_reports(measure):
            measures.append(measure)
    return measures


def partner_roles(pks: list[int], *, plans: dict[int, Plan]) -> list[MeasurePartner]:
    """The roles (ids from PartnerPage.groups' rows) with their measures and
    partners (the unit, for a unit's role), in the given order (one query);
    `plans` is PartnerPage.plans."""
    roles = (
        MeasurePartner.objects.select_related(
            "measure", "measure__municipality", "partner"
        )
        .defer("measure__description")
        .in_bulk(pks)
    )
    for role in roles.values():
        role.measure.plan = plans[role.measure.plan_id]
    return [roles[pk] for pk in pks]


def _unreported_by_plan(
    measures: list[ReportingMeasure], *, list_up_to: int
) -> tuple[list[UnreportedGroup] | None, bool]:
    """The measures (with their plan) that have not reported in their plan's
    current period, grouped by plan in the given order, and whether they are few
    enough to be named (at most `list_up_to`; else the page counts them per plan).
    None for the groups when no measure takes reports at all. One query, and one
    more for the measures named, loaded then."""
    statuses = reporting_status(measures)
    if not statuses:
        return None, False
    groups: dict[int, UnreportedGroup] = {}
    for measure in measures:
        status = statuses.get(measure.pk)
        if status is None or not status.due:
            continue
        group = groups.get(measure.plan_id)
        if group is None:
            group = UnreportedGroup(plan=measure.plan, period=status.period, rows=[])
            groups[measure.plan_id] = group
        group.rows.append((measure, status))
    due = sum(len(group.rows) for group in groups.values())
    listed = due <= list_up_to
    if listed and due:
        _load_measures(list(groups.values()))
    return [group for group in groups.values() if group.rows], listed


def _load_measures(groups: list[UnreportedGroup]) -> None:
    """Replace the groups' measures with the measures themselves, with what the
    page shows of them (one query); one deleted since the page read its rows is
    left out of its group."""
    loaded = (
        Measure.objects.select_related("municipality")
        .only("identifier", "title", "slug", "plan_id", "municipality__slug")
        .in_bulk([measure.pk for group in groups for measure, _status in group.rows])
    )
    for group in groups:
        rows = []
        for measure, status in group.rows:
            found = loaded.get(measure.pk)
            if found is not None:
                found.plan = measure.plan
                rows.append((found, status))
        group.rows[:] = rows
