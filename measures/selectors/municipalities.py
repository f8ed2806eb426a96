"""Reads for the national front page: every municipality with its current plans
and each plan's roll-up."""

from collections import defaultdict
from dataclasses import dataclass

from measures.models import Measure, Plan
from measures.selectors.public import public_plans
from measures.selectors.rollups import Rollup, rollup, rollup_groups
from partners.models import Municipality


@dataclass(frozen=True)
class CurrentPlan:
    plan: Plan
    rollup: Rollup


@dataclass(frozen=True)
class MunicipalitySummary:
    municipality: Municipality
    current_plans: list[CurrentPlan]


def municipality_summaries() -> list[MunicipalitySummary]:
    """Every municipality, by name, with its adopted public plans (its own and
    those shared with it) and their roll-ups (four queries, whatever the number
    of municipalities)."""
    municipalities = list(Municipality.objects.order_by("name"))
    plans = list(
        public_plans()
        .filter(status=Plan.Status.ADOPTED)
        .select_related("municipality")
        .prefetch_related("shared_with")
        .order_by("-start_year", "title")
    )
    rows: dict[int, list] = defaultdict(list)
    for row in rollup_groups(
        Measure.objects.filter(plan__in=[plan.pk for plan in plans]), "plan_id"
    ):
        rows[row["plan_id"]].append(row)
    by_municipality: dict[int, list[CurrentPlan]] = defaultdict(list)
    for plan in plans:
        current = CurrentPlan(plan=plan, rollup=rollup(rows[plan.pk]))
        by_municipality[plan.municipality_id].append(current)
        for other in plan.shared_with.all():
            by_municipality[other.pk].append(current)
    return [
        MunicipalitySummary(
            municipality=municipality,
            current_plans=by_municipality[municipality.pk],
        )
        for municipality in municipalities
    ]
