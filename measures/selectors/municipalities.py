"""Reads for the national front page: every municipality with its current plans
and each plan's roll-up."""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from measures.models import Measure, Plan
from measures.selectors.public import public_plans
from measures.selectors.rollups import GROUP_SIZE, Rollup, rollup
from partners.models import Municipality


@dataclass(frozen=True)
class CurrentPlan:
    plan: Plan
    # Its measures by phase (no progress or assessment: the page shows neither).
    rollup: Rollup


@dataclass(frozen=True)
class MunicipalitySummary:
    municipality: Municipality
    current_plans: list[CurrentPlan]


def municipality_summaries() -> list[MunicipalitySummary]:
    """Every municipality, by name, with its adopted public plans (its own and
    those shared with it) and their roll-ups (four queries, whatever the number
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
    rows: dict[int, list] = defaultdict(list)
    for row in (
        Measure.objects.filter(plan__in=[plan.pk for plan in plans])
        .order_by()
        .values("plan_id", "current_phase")
        .annotate(size=Count("*"))
        .values_list("plan_id", "current_phase", "size")
    ):
        plan_id, phase, size = row
        rows[plan_id].append(
            {
                "current_phase": phase,
                "current_health": "",
                GROUP_SIZE: size,
                "group_assessed": 0,
                "group_weight_sum": 0,
                "group_weighted": 0,
            }
        )
    shared_with: dict[int, list[int]] = defaultdict(list)
    for plan_id, municipality_id in Plan.shared_with.through.objects.filter(
        plan__in=[plan.pk for plan in plans]
    ).values_list("plan_id", "municipality_id"):
        shared_with[plan_id].append(municipality_id)
    by_municipality: dict[int, list[CurrentPlan]] = defaultdict(list)
    for plan in plans:
        plan.municipality = by_id[plan.municipality_id]
        current = CurrentPlan(plan=plan, rollup=rollup(rows[plan.pk]))
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
