"""Reads for budget lines: a measure's lines, and a plan's and a partner's totals
by year and kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Sum,
)

from measures.models import BudgetLine, Goal, Measure, MeasurePartner, Plan, plan_hidden
from measures.selectors.public import plans_of
from partners.models import Partner

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


def partner_budget(*, partner: Partner, municipality=None) -> list[PartnerBudgetRow]:
    """Budget totals per plan and year over the measures the partner leads, in
    public plans (of the municipality, when given) (two queries). Only the lead
    counts, so that a measure's money is never counted for two partners."""
    lines = BudgetLine.objects.filter(
        measure__partner_roles__partner=partner,
        measure__partner_roles__role=MeasurePartner.Role.LEAD,
    )
    if municipality is not None:
        # A regional partner's page in one municipality shows none of another's.
        lines = lines.filter(plans_of(municipality, "measure__plan__"))
    rows = list(
        lines.exclude(plan_hidden("measure__plan__"))
        .values("measure__plan_id", *TOTAL_KEYS)
        .annotate(**_TOTALS)
        .order_by("measure__plan_id", *TOTAL_KEYS)
    )
    if not rows:
        return []
    # The plan's link reads its municipality (/bergen/planer/...): one query per
    # plan otherwise.
    plans = Plan.objects.select_related("municipality").in_bulk(
        {row["measure__plan_id"] for row in rows}
    )
    result = [
        PartnerBudgetRow(plan=plans[row["measure__plan_id"]], total=total)
        for row, total in zip(rows, _totals(rows), strict=True)
    ]
    result.sort(key=lambda r: (-r.plan.start_year, r.plan.title, r.total.year))
    return result
