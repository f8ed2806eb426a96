"""Reads for the plan pages: the plan list with its roll-ups and a plan's page
(goal tree, measure rows, progress over time)."""

import bisect
import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import Goal, Health, Measure, Plan
from measures.models.choices import choice_label
from measures.selectors.districts import DistrictStatus, district_comparison
from measures.selectors.public import (
    MEASURE_ROW_FIELDS,
    plan_reference_date,
    plans_of,
    public_plans,
)
from measures.selectors.rollups import (
    GROUP_SIZE,
    NO_STATUS,
    Rollup,
    phase_label,
    rollup,
    rollup_groups,
)
from measures.selectors.status_on import StatusOn, split_status
from measures.year_ends import status_text, year_end_texts
from partners.models import Partner

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


def plan_summaries(*, municipality=None) -> list[PlanSummary]:
    """Every public plan (of the municipality, when given) with its roll-up (two
    queries). The plans carry n_measures as plans_overview() gives it, counted
    here with the roll-up rather than by a second join over every measure."""
    plans = public_plans()
    if municipality is not None:
        plans = plans.filter(plans_of(municipality))
    plans = list(
        plans.select_related(
            "municipality", "owner", "predecessor__municipality"
        ).order_by("-start_year", "title")
    )
    rows: dict[int, list] = defaultdict(list)
    measures = Measure.objects.filter(plan__in=[p.pk for p in plans])
    for row in rollup_groups(measures, "plan_id"):
        rows[row["plan_id"]].append(row)
    summaries = [PlanSummary(plan=plan, rollup=rollup(rows[plan.pk])) for plan in plans]
    for summary in summaries:
        summary.plan.n_measures = summary.rollup.total
    return summaries


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

    @property
    def has_data(self) -> bool:
        """Whether any measure had a published update in force on the day."""
        return self.rollup.without_status < self.rollup.total


@dataclass(frozen=True)
class PlanPage:
    plan: Plan
    rollup: Rollup
    goals: list[GoalNode]
    goal_list: list[Goal]
    measures_without_goal: list
    partners: list
    # The districts the plan's measures reach, in Norwegian alphabetical order, each
    # with n_measures; and every district's phases (selectors.districts).
    districts: list
    district_comparison: list[DistrictStatus]
    successors: list[Plan]
    progress_over_time: list[TimePoint]
    reference_date: datetime.date
    # Every measure of the plan as plan_measure_rows() gives it (for the newest
    # updates: changes.plan_latest_updates()).
    measure_rows: list[dict]


def plan_for_page(*, municipality, slug: str) -> Plan:
    """A public plan of the municipality (its own, or one shared with it; its own
    first when both have the slug). Two queries: the plan, and its public
    successors.

    The plans with the slug are few (slugs are unique within a municipality), so
    the OR of "its own" and "shared with it" is cheap here, and the choice between
    two is made in Python: an ordering by a Case cost more to build and compile
    than the query took to run."""
    # Shared with it: a subquery, not a join, so that one plan is one row without
    # a DISTINCT over every column (PostgreSQL spent a millisecond planning it).
    shared = Plan.shared_with.through.objects.filter(
        plan_id=OuterRef("pk"), municipality_id=municipality.pk
    )
    candidates = list(
        public_plans()
        .filter(Q(municipality=municipality) | Q(Exists(shared)), slug=slug)
        .select_related("municipality", "owner", "predecessor__municipality")
        .prefetch_related(
            Prefetch(
                "successors",
                queryset=public_plans()
                .select_related("municipality")
                .order_by("start_year"),
                to_attr="public_successors",
            )
        )
        .order_by("pk")
    )
    if not candidates:
        raise Http404(_("Fant ingen plan med denne adressen."))
    return min(candidates, key=lambda plan: plan.municipality_id != municipality.pk)


def plan_page(*, plan: Plan) -> PlanPage:
    """Everything the plan page shows beside the filtered table (six queries)."""
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
    # The plan's list of districts is the comparison's (one query for both).
    comparison = district_comparison(plan=plan)
    districts = []
    for status in comparison:
        if status.district is not None:
            status.district.n_measures = status.rollup.total
            districts.append(status.district)
    return PlanPage(
        plan=plan,
        rollup=rollup(rows),
        goals=tree.goals,
        goal_list=tree.goal_list,
        measures_without_goal=tree.without_goal,
        partners=partners,
        districts=districts,
        district_comparison=comparison,
        successors=getattr(plan, "public_successors", []),
        progress_over_time=plan_progress_over_time(plan=plan, rows=rows),
        reference_date=reference_date,
        measure_rows=rows,
    )


# The plan page's rows: its progress over time and newest updates read them too.
LIVE_ROW_FIELDS = (
    *MEASURE_ROW_FIELDS,
    "current_as_of",
    "current_update_id",
    "year_end_statuses",
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

    Without `status_on` a row also has what the plan page reads beside the roll-up
    (LIVE_ROW_FIELDS): the date and id of the current update and the year-end
    statuses, for progress over time and the newest updates.
    """
    fields = MEASURE_ROW_FIELDS if status_on is not None else LIVE_ROW_FIELDS
    rows = list(
        Measure.objects.filter(plan=plan)
        .order_by("identifier", "title", "pk")
        .values(*fields)
    )
    for row in rows:
        if status_on is not None:
            update = status_on.get(row["id"])
            row["update"] = update
            row["current_phase"] = update["phase"] if update else NO_STATUS
            row["current_health"] = update["health"] if update else ""
            row["current_progress"] = update["progress"] if update else None
        row["phase_label"] = phase_label(row["current_phase"])
        row["health_label"] = choice_label(Health, row["current_health"])
    return rows


@dataclass(frozen=True)
class GoalTree:
    goals: list[GoalNode]
    without_goal: list
    # Every goal of the plan in its order, with its plan set: for the measure
    # filter's choices and the indicators by goal, without reading them again.
    goal_list: list[Goal]


def plan_goal_tree(*, plan: Plan, rows: list) -> GoalTree:
    """The plan's goals as a tree over `rows` (from plan_measure_rows()), each goal
    with its roll-up, and the rows linked to no goal (two queries)."""
    by_id = {row["id"]: row for row in rows}
    # Each row's place in the natural order, worked out once: a goal's measures and
    # those without a goal are sorted by it (the key took a regular expression per
    # row and sort, a third of the tree's time on the largest plan).
    rank = {row["id"]: i for i, row in enumerate(sorted(rows, key=natural_order))}
    links = Measure.goals.through.objects.filter(measure__plan=plan).values_list(
        "goal_id", "measure_id"
    )
    measures_of_goal: dict[int, list[int]] = defaultdict(list)
    for goal_id, measure_id in links:
        measures_of_goal[goal_id].append(measure_id)
    goals = list(Goal.objects.filter(plan=plan).order_by("order", "id"))
    for goal in goals:
        goal.plan = plan  # the filter's choice labels read it
    with_goal = {m for ids in measures_of_goal.values() for m in ids}
    return GoalTree(
        goals=_goal_tree(goals, measures_of_goal, by_id, rank),
        without_goal=sorted(
            (r for r in rows if r["id"] not in with_goal), key=lambda r: rank[r["id"]]
        ),
        goal_list=goals,
    )


def _goal_tree(
    goals: list[Goal], measures_of_goal, by_id, rank: dict[int, int]
) -> list[GoalNode]:
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
        node.measures.sort(key=lambda r: rank[r["id"]])
        ids = {r["id"] for r in node.measures}
        for child in children[goal.pk]:
            if child.pk in seen:  # a cycle in bad data must not hang the page
                continue
            child_node, child_ids = build(child, level + 1, seen | {child.pk})
            node.children.append(child_node)
            ids |= child_ids
        node.rollup = rollup(by_id[m] for m in ids)
        return node, ids

    return [build(goal, 0, frozenset({goal.pk}))[0] for goal in children[None]]


_NUMBERS = re.compile(r"(\d+)")


def natural_order(row) -> tuple:
    """Sort "2" before "10" and "1.2" before "1.10"."""
    parts = _NUMBERS.split(row["identifier"])
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
    """The plan's roll-up at the end of each year of the plan's period, from its
    start year to its end year, or to today for an open plan (no end year) or one
    still running, today standing for the current year, over the plan page's
    `rows` (plan_measure_rows() without a day: LIVE_ROW_FIELDS). No query; one
    when a measure's current status is dated after today.

    The chart draws nothing outside the plan's period: an update dated before the
    start still counts at the first year-end while it is in force, and one dated
    after the end year is not shown. A year-end at which no measure has a published
    update in force is a point with no data (TimePoint.has_data), drawn as unknown,
    never as 0 %. A plan with no published update at all has no points: the page
    says so in words.

    On a day a measure stands where its last published update dated on or before
    that day put it: its current status when that was dated by then, else, on 31
    December, its year-end status (Measure.year_end_statuses, kept by the services
    that publish and read with the measure: an index step per measure and year-end
    into the updates took 14 ms on the largest national plan),
    else, on today's date, the update in force today (StatusOn(), only for measures
    whose current status is dated after today: rare). Updates dated after today
    count at no point."""
    today = timezone.localdate()
    last_year = min(plan.end_year or today.year, today.year)
    if plan.start_year > last_year:
        return []  # a plan that has not begun has no past
    days = [
        min(datetime.date(year, 12, 31), today)
        for year in range(plan.start_year, last_year + 1)
    ]
    # The year-end days' years as the year-end texts name them.
    year_keys = [
        str(day.year) if (day.month, day.day) == (12, 31) else None for day in days
    ]
    # Per day: (status text, weight) -> how many measures stood there.
    counts: list[Counter] = [Counter() for _day in days]
    # The current statuses by the first day they are in force on: from then on
    # they stand on every later day (added up below), so a measure is one step
    # here rather than one per day.
    current_from: list[Counter] = [Counter() for _day in days]
    ahead: dict[int, int] = {}  # measures whose current status is dated after today
    for row in rows:
        as_of = row["current_as_of"]
        if as_of is None:
            continue  # no published update: no status on any day
        weight = row["weight"]
        first = bisect.bisect_left(days, as_of)  # the first day on or after as_of
        if first < len(days):
            status = status_text(
                row["current_phase"], row["current_health"], row["current_progress"]
            )
            current_from[first][(status, weight)] += 1
        if not first:
            continue
        year_ends = year_end_texts(row["year_end_statuses"])
        for index in range(first):
            if year_keys[index] is None:
                ahead[row["id"]] = weight
                continue
            status = year_ends.get(year_keys[index])
            if status is not None:
                # Without its date: measures that stood alike count together.
                counts[index][(status.rpartition("|")[0], weight)] += 1
    standing: Counter = Counter()
    for index, started in enumerate(current_from):
        standing.update(started)
        counts[index].update(standing)
    if ahead:
        _count_in_force(days[-1], ahead, counts[-1])
    if not any(counts):
        return []  # no update published by the last day: nothing to draw
    total = len(rows)
    total_weight = sum(row["weight"] for row in rows)
    split: dict[str, tuple] = {}  # each status text split once for every day
    return [
        TimePoint(
            day=day,
            rollup=rollup(_status_groups(counts[index], total, total_weight, split)),
        )
        for index, day in enumerate(days)
    ]


def _count_in_force(day: datetime.date, weights: dict[int, int], counts: Counter):
    """Add the measures (id -> weight) at the update in force on `day`, a day not a
    year-end, for those whose current status is dated after it (one query)."""
    in_force = (
        Measure.objects.filter(pk__in=weights)
        .order_by()
        .annotate(status=StatusOn(day, with_as_of=False))
        .values_list("id", "status")
    )
    for pk, text in in_force:
        if text:
            counts[(text, weights[pk])] += 1


def _status_groups(
    counts: Counter, total: int, total_weight: int, split: dict[str, tuple]
) -> list[dict]:
    """The counts of one day as rollup_groups() rows, one per phase and health, and
    the measures with no status then as one more (NO_STATUS). `split`: the status
    texts split so far."""
    groups: dict[tuple[str, str], dict] = {}
    counted = counted_weight = 0
    for (text, weight), count in counts.items():
        parts = split.get(text)
        if parts is None:
            parts = split[text] = split_status(text)
        phase, health, progress = parts
        group = groups.get((phase, health))
        if group is None:
            group = groups[(phase, health)] = _empty_group(phase, health)
        group[GROUP_SIZE] += count
        group["group_total_weight"] += weight * count
        counted += count
        counted_weight += weight * count
        if progress is not None:
            group["group_assessed"] += count
            group["group_weight_sum"] += weight * count
            group["group_weighted"] += weight * progress * count
    if counted < total:
        group = groups[(NO_STATUS, "")] = _empty_group(NO_STATUS, "")
        group[GROUP_SIZE] = total - counted
        group["group_total_weight"] = total_weight - counted_weight
    return list(groups.values())


def _empty_group(phase: str, health: str) -> dict:
    return {
        "current_phase": phase,
        "current_health": health,
        GROUP_SIZE: 0,
        "group_assessed": 0,
        "group_weight_sum": 0,
        "group_weighted": 0,
        "group_total_weight": 0,
    }
