"""Reads that cross relations. Each selector owns its joins and prefetching so that
pages run a constant number of queries whatever the amount of data.

Roll-ups (progress and status distribution) have one implementation, `rollup()`,
which every page, and later the API and reports, use.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    CharField,
    Count,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import (
    NO_STATUS_LABEL,
    OPEN_PHASES,
    District,
    Goal,
    Health,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    StatusUpdate,
    plan_hidden,
)
from measures.periods import Period
from measures.reporting_periods import ReportingStatus, reporting_status
from partners.models import Partner

NOT_ASSESSED = ""
NOT_ASSESSED_LABEL = _("Ikke vurdert")
# The phase bucket of measures with no published update: its own state, never
# counted as "not started".
NO_STATUS = ""
# A weighted progress is shown as a plan's (or goal's, partner's...) progress only
# when it covers at least this share of the measures, counted by weight: a figure
# for 1 of 7 measures says nothing about the plan. See docs/decisions.md.
PROGRESS_MIN_COVERAGE = Decimal("0.5")

# The fields a roll-up reads: lists fetch only these (with .values()).
ROLLUP_FIELDS = ("id", "weight", "current_progress", "current_phase", "current_health")
MEASURE_ROW_FIELDS = (*ROLLUP_FIELDS, "slug", "identifier", "title", "plan_id")
# Marks a row of rollup_groups(): how many measures the row stands for.
GROUP_SIZE = "group_size"


# Roll-ups ---------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """How many measures have one phase (or one health)."""

    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class Rollup:
    """Progress and status distribution of a set of measures.

    `progress` is the mean of the measures' current progress weighted by
    Measure.weight, over the measures that have a progress value; `assessed` says
    how many those are, so a page can be honest about the rest. `covers_enough`
    says whether the assessed measures carry enough of the weight
    (PROGRESS_MIN_COVERAGE) for the figure to stand for the whole set.
    """

    total: int
    assessed: int
    progress: int | None
    progress_exact: Decimal | None
    phases: tuple[Share, ...]
    healths: tuple[Share, ...]
    assessed_weight: int = 0
    total_weight: int = 0

    @property
    def unassessed(self) -> int:
        return self.total - self.assessed

    @property
    def covers_enough(self) -> bool:
        if self.progress is None or not self.total_weight:
            return False
        return Decimal(self.assessed_weight) >= (
            PROGRESS_MIN_COVERAGE * self.total_weight
        )

    @property
    def without_status(self) -> int:
        return self.phase_count(NO_STATUS)

    def phase_count(self, phase: str) -> int:
        return next((s.count for s in self.phases if s.key == phase), 0)

    def health_count(self, health: str) -> int:
        return next((s.count for s in self.healths if s.key == health), 0)


def phase_label(phase: str) -> str:
    """A phase's label; «Ingen status registrert» for a measure with none."""
    return Phase(phase).label if phase else NO_STATUS_LABEL


def _status(row) -> tuple:
    """(phase, health, progress, weight) of a measure given as a dict or an object.
    A plain dict is checked first: the Mapping check is slow, and pages roll up
    thousands of rows."""
    if type(row) is dict or isinstance(row, Mapping):
        return (
            row["current_phase"],
            row["current_health"],
            row["current_progress"],
            row["weight"],
        )
    return row.current_phase, row.current_health, row.current_progress, row.weight


def _percent(count: int, total: int) -> int:
    if not total:
        return 0
    return int((Decimal(100 * count) / total).quantize(Decimal(1), ROUND_HALF_UP))


def rollup_groups(queryset: QuerySet[Measure], *keys: str) -> QuerySet:
    """The measures of `queryset` counted by the database, per `keys` (if any),
    phase and health: rows that rollup() takes in place of one row per measure, so a
    roll-up of thousands of measures moves a few dozen rows, not thousands."""
    return (
        queryset.order_by()
        .values(*keys, "current_phase", "current_health")
        .annotate(
            # COUNT(*), not COUNT(id): the index measure_rollup holds no id.
            **{GROUP_SIZE: Count("*")},
            group_assessed=Count("current_progress"),
            group_weight_sum=Sum("weight", filter=Q(current_progress__isnull=False)),
            group_weighted=Sum(F("weight") * F("current_progress")),
            group_total_weight=Sum("weight"),
        )
    )


def rollup(rows: Iterable) -> Rollup:
    """Roll up measures given as model instances or .values() dicts that carry
    ROLLUP_FIELDS, or as groups from rollup_groups(). Each measure counts once."""
    total = assessed = weight_sum = total_weight = 0
    weighted = 0
    phases: dict[str, int] = defaultdict(int)
    healths: dict[str, int] = defaultdict(int)
    for row in rows:
        if type(row) is dict and GROUP_SIZE in row:
            size = row[GROUP_SIZE]
            total += size
            phases[row["current_phase"]] += size
            healths[row["current_health"] or NOT_ASSESSED] += size
            assessed += row["group_assessed"]
            weight_sum += row["group_weight_sum"] or 0
            weighted += row["group_weighted"] or 0
            total_weight += row.get("group_total_weight") or 0
            continue
        total += 1
        phase, health, progress, weight = _status(row)
        total_weight += weight
        phases[phase or NO_STATUS] += 1
        healths[health or NOT_ASSESSED] += 1
        if progress is not None:
            assessed += 1
            weight_sum += weight
            weighted += weight * progress
    exact = Decimal(weighted) / weight_sum if weight_sum else None
    return Rollup(
        total=total,
        assessed=assessed,
        progress=int(exact.quantize(Decimal(1), ROUND_HALF_UP))
        if exact is not None
        else None,
        progress_exact=exact,
        phases=tuple(
            Share(key, label, phases[key], _percent(phases[key], total))
            for key, label in [*Phase.choices, (NO_STATUS, NO_STATUS_LABEL)]
        ),
        healths=tuple(
            Share(key, label, healths[key], _percent(healths[key], total))
            for key, label in [*Health.choices, (NOT_ASSESSED, NOT_ASSESSED_LABEL)]
        ),
        assessed_weight=weight_sum,
        total_weight=total_weight,
    )


# Public querysets ---------------------------------------------------------------


def public_plans() -> QuerySet[Plan]:
    """Plans anyone may read: every plan that is neither a draft nor a training
    plan."""
    return Plan.objects.exclude(plan_hidden())


def public_measures() -> QuerySet[Measure]:
    return Measure.objects.exclude(plan_hidden("plan__"))


def published_updates() -> QuerySet[StatusUpdate]:
    return StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED).exclude(
        plan_hidden("measure__plan__")
    )


def plan_reference_date(plan: Plan) -> datetime.date:
    """The day a plan's names are read on: its adoption, else 1 January of its
    first year."""
    return plan.adopted_on or datetime.date(plan.start_year, 1, 1)


def _lead_roles_prefetch() -> Prefetch:
    return Prefetch(
        "partner_roles",
        queryset=MeasurePartner.objects.filter(role=MeasurePartner.Role.LEAD)
        .select_related("partner")
        .prefetch_related("partner__former_names"),
        to_attr="lead_roles",
    )


def measure_list_queryset() -> QuerySet[Measure]:
    """Public measures for lists and tables: current status from the denormalised
    fields, the plan and the lead partner (with former names) prefetched."""
    return (
        public_measures()
        .select_related("plan")
        .prefetch_related(_lead_roles_prefetch())
        .order_by("-plan__start_year", "plan__title", "identifier", "title", "pk")
    )


def measures_rollup(queryset: QuerySet[Measure]) -> Rollup:
    """Roll up a (filtered) measure queryset in one query."""
    return rollup(rollup_groups(queryset))


# Home page ---------------------------------------------------------------------


def plans_overview() -> QuerySet[Plan]:
    """Every public plan, newest first, with its measure count (one query)."""
    return (
        public_plans()
        .select_related("owner", "predecessor")
        .annotate(n_measures=Count("measures"))
        .order_by("-start_year", "title")
    )


@dataclass(frozen=True)
class PlanSummary:
    plan: Plan
    rollup: Rollup


def plan_summaries() -> list[PlanSummary]:
    """Every public plan with its roll-up (two queries). The plans carry
    n_measures as plans_overview() gives it, counted here with the roll-up rather
    than by a second join over every measure."""
    plans = list(
        public_plans()
        .select_related("owner", "predecessor")
        .order_by("-start_year", "title")
    )
    rows: dict[int, list] = defaultdict(list)
    measures = Measure.objects.filter(plan__in=[p.pk for p in plans])
    for row in rollup_groups(measures, "plan_id"):
        rows[row["plan_id"]].append(row)
    summaries = [PlanSummary(plan=plan, rollup=rollup(rows[plan.pk])) for plan in plans]
    for summary in summaries:
        summary.plan.n_measures = summary.rollup.total
    return summaries


def latest_updates(*, limit: int = 8) -> list[StatusUpdate]:
    """The newest published updates (by as-of date) of public plans."""
    return list(
        published_updates()
        .select_related("measure", "measure__plan")
        .order_by("-as_of", "-published_at", "-id")[:limit]
    )


def _draft_measures() -> QuerySet[Measure]:
    return Measure.objects.filter(plan_hidden("plan__")).values("id")


def partners_with_measures() -> QuerySet[Partner]:
    """Partners with measures in public plans, with how many (one query). The roles
    are counted on their own, leaving out the measures of draft plans (a few, if
    any): a join through every measure and plan in the country took three times
    as long at national scale. A partner has one role per measure at most."""
    return (
        Partner.objects.annotate(
            n_measures=Count(
                "measure_roles",
                filter=~Q(measure_roles__measure_id__in=_draft_measures()),
            )
        )
        .filter(n_measures__gt=0)
        .order_by("name")
    )


def districts_with_counts() -> QuerySet[District]:
    """Every district with its number of measures in public plans (one query),
    counted like partners_with_measures()."""
    return District.objects.annotate(
        n_measures=Count("measures", filter=~Q(measures__id__in=_draft_measures()))
    ).order_by("name")


# Plan page ---------------------------------------------------------------------


@dataclass
class GoalNode:
    goal: Goal
    level: int
    measures: list = field(default_factory=list)
    children: list["GoalNode"] = field(default_factory=list)
    rollup: Rollup | None = None

    @property
    def heading_level(self) -> int:
        # The plan page puts "Mål" at h2, so the top goals are h3.
        return min(3 + self.level, 6)


@dataclass(frozen=True)
class TimePoint:
    day: datetime.date
    rollup: Rollup


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    rollup: Rollup
    goals: list[GoalNode]
    measures_without_goal: list
    partners: list
    districts: list
    successors: list[Plan]
    progress_over_time: list[TimePoint]
    reference_date: datetime.date


def plan_for_page(*, slug: str) -> Plan:
    try:
        return (
            public_plans()
            .select_related("owner", "predecessor")
            .prefetch_related(
                Prefetch(
                    "successors",
                    queryset=public_plans().order_by("start_year"),
                    to_attr="public_successors",
                )
            )
            .get(slug=slug)
        )
    except Plan.DoesNotExist as error:
        raise Http404(_("Fant ingen plan med denne adressen.")) from error


def plan_page(*, plan: Plan) -> PlanPage:
    """Everything the plan page shows beside the filtered table (seven queries)."""
    rows = plan_measure_rows(plan=plan)
    tree = plan_goal_tree(plan=plan, rows=rows)
    reference_date = plan_reference_date(plan)
    partners = list(
        Partner.objects.filter(measure_roles__measure__plan=plan)
        .annotate(n_measures=Count("measure_roles", distinct=True))
        .prefetch_related("former_names")
        .order_by("name")
    )
    for partner in partners:
        partner.name_then = partner.name_on(reference_date)
    districts = list(
        District.objects.filter(measures__plan=plan)
        .annotate(n_measures=Count("measures"))
        .order_by("name")
    )
    return PlanPage(
        plan=plan,
        rollup=rollup(rows),
        goals=tree.goals,
        measures_without_goal=tree.without_goal,
        partners=partners,
        districts=districts,
        successors=getattr(plan, "public_successors", []),
        progress_over_time=plan_progress_over_time(plan=plan, rows=rows),
        reference_date=reference_date,
    )


def plan_measure_rows(
    *, plan: Plan, status_on: Mapping[int, Mapping] | None = None
) -> list[dict]:
    """The plan's measures as rows with MEASURE_ROW_FIELDS and status labels, for
    rollup() and plan_goal_tree() (one query).

    A row holds the measure's denormalised current status, or, given `status_on`
    (measure id -> the phase, health and progress of the update in force on a day:
    measures.reports.published_status_on()), the status then: a measure missing from
    it had no update by that day and has no status (NO_STATUS) and no assessment. The
    update itself is kept in row["update"]. One roll-up for both, so a report "as of"
    a date and the plan page can never compute progress differently.
    """
    rows = list(
        Measure.objects.filter(plan=plan)
        .order_by("identifier", "title", "pk")
        .values(*MEASURE_ROW_FIELDS)
    )
    for row in rows:
        if status_on is not None:
            update = status_on.get(row["id"])
            row["update"] = update
            row["current_phase"] = update["phase"] if update else NO_STATUS
            row["current_health"] = update["health"] if update else ""
            row["current_progress"] = update["progress"] if update else None
        row["phase_label"] = phase_label(row["current_phase"])
        row["health_label"] = (
            Health(row["current_health"]).label if row["current_health"] else ""
        )
    return rows


@dataclass(frozen=True)
class GoalTree:
    goals: list[GoalNode]
    without_goal: list


def plan_goal_tree(*, plan: Plan, rows: list) -> GoalTree:
    """The plan's goals as a tree over `rows` (from plan_measure_rows()), each goal
    with its roll-up, and the rows linked to no goal (two queries)."""
    by_id = {row["id"]: row for row in rows}
    links = Measure.goals.through.objects.filter(measure__plan=plan).values_list(
        "goal_id", "measure_id"
    )
    measures_of_goal: dict[int, list[int]] = defaultdict(list)
    for goal_id, measure_id in links:
        measures_of_goal[goal_id].append(measure_id)
    goals = list(Goal.objects.filter(plan=plan).order_by("order", "id"))
    with_goal = {m for ids in measures_of_goal.values() for m in ids}
    return GoalTree(
        goals=_goal_tree(goals, measures_of_goal, by_id),
        without_goal=sorted(
            (r for r in rows if r["id"] not in with_goal), key=_natural_order
        ),
    )


def _goal_tree(goals: list[Goal], measures_of_goal, by_id) -> list[GoalNode]:
    """Build the goal tree; each node's roll-up covers its own measures and those
    of every goal below it, counting a measure once."""
    children: dict[int | None, list[Goal]] = defaultdict(list)
    known = {goal.pk for goal in goals}
    for goal in goals:
        parent = goal.parent_id if goal.parent_id in known else None
        children[parent].append(goal)

    def build(goal: Goal, level: int, seen: frozenset) -> tuple[GoalNode, set]:
        node = GoalNode(
            goal=goal,
            level=level,
            measures=[by_id[m] for m in measures_of_goal[goal.pk] if m in by_id],
        )
        node.measures.sort(key=_natural_order)
        ids = {r["id"] for r in node.measures}
        for child in children[goal.pk]:
            if child.pk in seen:  # a cycle in bad data must not hang the page
                continue
            child_node, child_ids = build(child, level + 1, seen | {child.pk})
            node.children.append(child_node)
            ids |= child_ids
        node.rollup = rollup(by_id[m] for m in sorted(ids))
        return node, ids

    return [build(goal, 0, frozenset({goal.pk}))[0] for goal in children[None]]


def _natural_order(row) -> tuple:
    """Sort "2" before "10" and "1.2" before "1.10"."""
    parts = re.split(r"(\d+)", row["identifier"])
    key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)
    return (key, row["title"], row["id"])


def goal_descendant_ids(goal: Goal) -> set[int]:
    """The goal and every goal below it (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Goal.objects.filter(plan_id=goal.plan_id).values_list(
        "id", "parent_id"
    ):
        children[parent_id].append(pk)
    found, todo = set(), [goal.pk]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children[pk])
    return found


def plan_progress_over_time(*, plan: Plan, rows: list) -> list[TimePoint]:
    """The plan's roll-up at the end of each year (today, for the current year),
    from the published update history (two queries). The last point equals the
    current roll-up.

    At the end of a year a measure stands where its last published update dated on
    or before that day put it, so the database looks up just that update for each
    measure and year-end, each lookup one step in the index
    statusupdate_published_measure: a few thousand index probes for the
    largest national plan instead of reading its tens of thousands of updates.
    Updates dated after today count at no point."""
    today = timezone.localdate()
    published = StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED)
    # The first and last as-of date, looked up per measure in the same index.
    bounds = Measure.objects.filter(plan=plan).aggregate(
        first=Min(
            Subquery(
                published.filter(measure_id=OuterRef("pk"))
                .order_by("as_of")
                .values("as_of")[:1]
            )
        ),
        last=Max(
            Subquery(
                published.filter(measure_id=OuterRef("pk"))
                .order_by("-as_of")
                .values("as_of")[:1]
            )
        ),
    )
    if bounds["first"] is None:
        return []
    first_year = min(plan.start_year, bounds["first"].year)
    last_year = min(today.year, max(plan.end_year or today.year, bounds["last"].year))
    days = list(
        dict.fromkeys(
            min(datetime.date(year, 12, 31), today)
            for year in range(first_year, last_year + 1)
        )
    )
    # One text column per day, "phase|health|progress": the choice values hold
    # no "|", and a string splits far faster than a JSON value decodes.
    status_text = Concat(
        "phase",
        Value("|"),
        "health",
        Value("|"),
        Coalesce(Cast("progress", CharField()), Value("")),
        output_field=CharField(),
    )
    status_on_days = {
        f"day_{index}": Subquery(
            published.filter(measure_id=OuterRef("pk"), as_of__lte=day)
            .order_by("-as_of", "-published_at", "-id")
            .values(status=status_text)[:1]
        )
        for index, day in enumerate(days)
    }
    history = {
        row[0]: row[1:]
        for row in Measure.objects.filter(plan=plan)
        .order_by()
        .annotate(**status_on_days)
        .values_list("id", *status_on_days)
    }
    no_status = (NO_STATUS, "", None)
    points = []
    for index, day in enumerate(days):
        states = []
        for row in rows:
            text = history[row["id"]][index] if row["id"] in history else None
            if text:
                phase, health, progress = text.split("|")
                status = (phase, health, int(progress) if progress else None)
            else:
                status = no_status
            states.append(
                {
                    "weight": row["weight"],
                    "current_phase": status[0],
                    "current_health": status[1],
                    "current_progress": status[2],
                }
            )
        points.append(TimePoint(day=day, rollup=rollup(states)))
    return points


# Measure page ------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurePage:
    measure: Measure
    partner_roles: list[MeasurePartner]
    continues: Measure | None
    continued_by: list[Measure]
    updates: list[StatusUpdate]
    reference_date: datetime.date


def measure_page(*, slug: str) -> MeasurePage:
    """A public measure with partners (and their names then), districts, goals,
    lineage and its published updates (eight queries)."""
    try:
        measure = (
            public_measures()
            .select_related("plan", "plan__owner", "continues", "continues__plan")
            .prefetch_related(
                Prefetch(
                    "partner_roles",
                    queryset=MeasurePartner.objects.select_related(
                        "partner"
                    ).prefetch_related("partner__former_names"),
                ),
                Prefetch("districts", queryset=District.objects.order_by("name")),
                Prefetch("goals", queryset=Goal.objects.order_by("order", "id")),
                Prefetch(
                    "continued_by",
                    queryset=public_measures().select_related("plan"),
                    to_attr="public_continued_by",
                ),
            )
            .get(slug=slug)
        )
    except Measure.DoesNotExist as error:
        raise Http404(_("Fant ikke noe tiltak med denne adressen.")) from error
    reference_date = plan_reference_date(measure.plan)
    roles = sorted(
        measure.partner_roles.all(),
        key=lambda r: (r.role != MeasurePartner.Role.LEAD, r.partner.name),
    )
    for role in roles:
        role.name_then = role.partner.name_on(reference_date)
    continues = measure.continues
    if continues is not None and not continues.plan.is_public:
        continues = None
    updates = list(
        StatusUpdate.objects.filter(
            measure=measure, state=StatusUpdate.State.PUBLISHED
        ).order_by("-as_of", "-published_at", "-id")
    )
    return MeasurePage(
        measure=measure,
        partner_roles=roles,
        continues=continues,
        continued_by=measure.public_continued_by,
        updates=updates,
        reference_date=reference_date,
    )


# Partner and district pages ----------------------------------------------------


@dataclass
class PlanGroup:
    """A plan's measures on a partner or district page (on a partner page, the
    ids of the partner's roles in them: partner_roles() loads a page of them)."""

    plan: Plan
    rows: list
    rollup: Rollup
    name_then: str = ""


@dataclass(frozen=True)
class UnreportedGroup:
    """A plan's measures of one partner not yet reported in the current period."""

    plan: Plan
    period: Period
    rows: list[tuple[Measure, ReportingStatus]]

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
    # {plan id: plan} for the plans of groups (partner_roles() reads it).
    plans: dict[int, Plan] = field(default_factory=dict)


def partner_page(*, slug: str) -> PartnerPage:
    """A partner, its measures across public plans with its role and the measures'
    current status, the name it had at each plan's time, and its measures not yet
    reported this period (seven queries; the page's roles: partner_roles())."""
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
    # Every role as a small dict: what the roll-ups need, and the role's id for
    # partner_roles() to load the page's rows. A partner has thousands of roles; a
    # role and a measure object each was most of the page's time.
    rows = list(
        MeasurePartner.objects.filter(partner=partner)
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
            plan_id=F("measure__plan_id"),
            current_phase=F("measure__current_phase"),
            current_health=F("measure__current_health"),
            current_progress=F("measure__current_progress"),
            weight=F("measure__weight"),
        )
    )
    plans = Plan.objects.in_bulk({row["plan_id"] for row in rows}) if rows else {}
    groups: dict[int, PlanGroup] = {}
    group_rows: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["plan_id"] not in groups:
            plan = plans[row["plan_id"]]
            groups[plan.pk] = PlanGroup(
                plan=plan,
                rows=[],
                rollup=rollup([]),
                name_then=partner.name_on(plan_reference_date(plan)),
            )
        groups[row["plan_id"]].rows.append(row["pk"])
        group_rows[row["plan_id"]].append(row)
    for plan_id, group in groups.items():
        group.rollup = rollup(group_rows[plan_id])
    return PartnerPage(
        partner=partner,
        rollup=rollup(rows),
        groups=list(groups.values()),
        units=list(partner.units.all()),
        unreported=_unreported_by_plan(_reporting_measures(partner, rows, plans)),
        plans=plans,
    )


def _reporting_measures(
    partner: Partner, rows: list[dict], plans: dict[int, Plan]
) -> list[Measure]:
    """The measures of `rows` that take reports (periods.takes_reports: open
    measures in adopted plans), with their plans, in the order of `rows` (one
    query, none if there are none)."""
    ids = [
        row["measure_id"]
        for row in rows
        if row["current_phase"] in OPEN_PHASES
        and plans[row["plan_id"]].status == Plan.Status.ADOPTED
    ]
    if not ids:
        return []
    # Found through the partner's roles, not by a thousand ids.
    measures = {
        measure.pk: measure
        for measure in Measure.objects.filter(
            partner_roles__partner=partner,
            plan__status=Plan.Status.ADOPTED,
            current_phase__in=OPEN_PHASES,
        )
        .exclude(plan_hidden("plan__"))
        .only("plan", "identifier", "title", "slug", "current_phase")
        .order_by()
    }
    for measure in measures.values():
        measure.plan = plans[measure.plan_id]
    return [measures[pk] for pk in ids]


def partner_roles(pks: list[int], *, plans: dict[int, Plan]) -> list[MeasurePartner]:
    """The roles (ids from PartnerPage.groups' rows) with their measures, in the
    given order (one query); `plans` is PartnerPage.plans."""
    roles = (
        MeasurePartner.objects.select_related("measure")
        .defer("measure__description")
        .in_bulk(pks)
    )
    for role in roles.values():
        role.measure.plan = plans[role.measure.plan_id]
    return [roles[pk] for pk in pks]


def _unreported_by_plan(measures: list[Measure]) -> list[UnreportedGroup] | None:
    """The measures (with their plan) that have not reported in their plan's
    current period, grouped by plan in the given order; one query. None when no
    measure takes reports at all."""
    statuses = reporting_status(measures)
    if not statuses:
        return None
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
    return list(groups.values())


@dataclass(frozen=True)
class DistrictPage:
    district: District
    rollup: Rollup
    groups: list[PlanGroup]


def district_page(*, slug: str) -> DistrictPage:
    """A district and the public measures that reach it (four queries)."""
    try:
        district = District.objects.select_related("municipality").get(slug=slug)
    except District.DoesNotExist as error:
        raise Http404(_("Fant ingen bydel med denne adressen.")) from error
    measures = list(
        measure_list_queryset().filter(districts=district),
    )
    return DistrictPage(
        district=district,
        rollup=rollup(measures),
        groups=_group_by_plan(measures, measure_of=lambda measure: measure),
    )


def _group_by_plan(rows: list, *, measure_of) -> list[PlanGroup]:
    groups: dict[int, PlanGroup] = {}
    for row in rows:
        plan = measure_of(row).plan
        if plan.pk not in groups:
            groups[plan.pk] = PlanGroup(plan=plan, rows=[], rollup=rollup([]))
        groups[plan.pk].rows.append(row)
    for group in groups.values():
        group.rollup = rollup(measure_of(row) for row in group.rows)
    return list(groups.values())
