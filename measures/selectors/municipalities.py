"""Reads for the national front page: every municipality with its current plans
and how many of each plan's measures are in each phase."""

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count
from django.utils.functional import Promise

from measures.models import Measure, Plan
from measures.selectors.public import public_plans
from measures.selectors.rollups import PHASE_CHOICES
from partners.models import Municipality


class PhaseCount(NamedTuple):
    key: str  # the phase; "" for measures with no published status
    label: Promise | str
    count: int


@dataclass(frozen=True)
class CurrentPlan:
    plan: Plan
    # How many measures it has, and how many in each phase that has any, in the
    # phases' order ("no status" last). Not a roll-up: the page shows neither
    # progress nor assessment, and a roll-up of each of some 300 plans was a
    # tenth of the page's time.
    total: int
    phases: tuple[PhaseCount, ...]


@dataclass(frozen=True)
class MunicipalitySummary:
    municipality: Municipality
    current_plans: list[CurrentPlan]


def municipality_summaries() -> list[MunicipalitySummary]:
    """Every municipality, by name, with its adopted public plans (its own and
    those shared with it) and their measures by phase (four queries, whatever the number
    of municipalities). The page lists every municipality in the country: the
    plans carry only what it shows, and their municipalities are the ones
    already loaded, not a join and an object each again."""
    municipalities = list(Municipality.objects.order_by("name"))
    by_id = {municipality.pk: municipality for municipality in municipalities}
    plans = list(
        public_plans()
        .filter(status=Plan.Status.ADOPTED)
        .only("title", "slug", "status", "start_year", "municipality_id")
        .order_by("-start_year", "title")
    )
    # The page shows each plan's measures by phase, not their progress or
    # assessment: counted per phase only, a third of the rows rollup_groups()
    # would send (one per phase and assessment).
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    for plan_id, phase, size in (
        Measure.objects.filter(plan__in=[plan.pk for plan in plans])
        .order_by()
        .values("plan_id", "current_phase")
        .annotate(size=Count("*"))
        .values_list("plan_id", "current_phase", "size")
    ):
        sizes[plan_id][phase] = size
    shared_with: dict[int, list[int]] = defaultdict(list)
    for plan_id, municipality_id in Plan.shared_with.through.objects.filter(
        plan__in=[plan.pk for plan in plans]
    ).values_list("plan_id", "municipality_id"):
        shared_with[plan_id].append(municipality_id)
    by_municipality: dict[int, list[CurrentPlan]] = defaultdict(list)
    for plan in plans:
        plan.municipality = by_id[plan.municipality_id]
        current = _current_plan(plan, sizes[plan.pk])
        by_municipality[plan.municipality_id].append(current)
        for other in shared_with[plan.pk]:
            by_municipality[other].append(current)
    return [
        MunicipalitySummary(
            municipality=municipality,
            current_plans=by_municipality[municipality.pk],
        )
        for municipality in municipalities
    ]


def _current_plan(plan: Plan, sizes: dict[str, int]) -> CurrentPlan:
    """`plan` with its measures counted by phase from `sizes` (phase -> how many)."""
    return CurrentPlan(
        plan=plan,
        total=sum(sizes.values()),
        phases=tuple(
            PhaseCount(key, label, sizes[key])
            for key, label in PHASE_CHOICES
            if sizes.get(key)
        ),
    )
