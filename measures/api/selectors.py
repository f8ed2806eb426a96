"""Reads for the API. Every queryset starts from the public selectors in
measures/selectors.py (no draft plan, no unpublished update ever) and owns its
joins and prefetching, so that a page of any size costs the same queries."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from measures.models import (
    BudgetLine,
    Citation,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Plan,
    StatusUpdate,
)
from measures.selectors.public import (
    measure_list_queryset,
    public_measures,
    public_plans,
    published_updates,
)
from measures.selectors.rollups import Rollup, rollup, rollup_groups
from partners.models import Municipality, Partner, PartnerName

# Every object the API shows comes with its citations and their sources.
CITATIONS = Prefetch(
    "citations",
    queryset=Citation.objects.select_related("source").order_by("position", "id"),
)

# The measure list's relations are prefetched into plain lists (Prefetch's
# to_attr), which MeasureSerializer reads by these names: it serializes only
# measures from api_measures(). Into the related managers, Django built a
# manager and a queryset for each relation of each measure: about 280 on a page
# of 50, some 5 ms of the page (docs/benchmarks.md, the eleventh round).
LISTED_ROLES = "listed_partner_roles"
LISTED_DISTRICTS = "listed_districts"
LISTED_GOALS = "listed_goals"
LISTED_CITATIONS = "listed_citations"


def api_municipalities() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("name", "pk")


def api_plans() -> QuerySet[Plan]:
    return (
        public_plans()
        .select_related("municipality", "owner", "predecessor")
        .prefetch_related("owner__former_names", "shared_with", CITATIONS)
        .order_by("-start_year", "title", "pk")
    )


def plan_rollups(plans: Iterable[Plan]) -> dict[int, Rollup]:
    """The roll-up of each plan's measures, as on the plan page (one query)."""
    ids = [plan.pk for plan in plans]
    rows: dict[int, list] = defaultdict(list)
    if ids:
        measures = Measure.objects.filter(plan__in=ids)
        for row in rollup_groups(measures, "plan_id"):
            rows[row["plan_id"]].append(row)
    return {pk: rollup(rows[pk]) for pk in ids}


def api_goals() -> QuerySet[Goal]:
    return (
        Goal.objects.filter(plan__in=public_plans())
        .select_related("plan__municipality")
        .prefetch_related(CITATIONS)
        .order_by("-plan__start_year", "plan__title", "plan_id", "order", "id")
    )


def api_measures() -> QuerySet[Measure]:
    """The measures of the public lists, in the same order (measure_list_queryset),
    with everything the API shows of each one prefetched."""
    roles = (
        MeasurePartner.objects.select_related("partner")
        .prefetch_related("partner__former_names")
        .order_by("-role", "partner__name", "pk")  # "lead" before "contributor"
    )
    return (
        measure_list_queryset()
        .select_related("continues__plan")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("partner_roles", queryset=roles, to_attr=LISTED_ROLES),
            Prefetch(
                "districts",
                queryset=District.objects.order_by("name"),
                to_attr=LISTED_DISTRICTS,
            ),
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("order", "id"),
                to_attr=LISTED_GOALS,
            ),
            Prefetch(
                "citations", queryset=CITATIONS.queryset, to_attr=LISTED_CITATIONS
            ),
        )
    )


def api_partners() -> QuerySet[Partner]:
    return (
        Partner.objects.select_related("parent", "municipality")
        .prefetch_related(
            Prefetch("serves", queryset=Municipality.objects.order_by("name")),
            Prefetch(
                "former_names",
                queryset=PartnerName.objects.prefetch_related(CITATIONS),
            ),
        )
        .order_by("name", "pk")
    )


def api_districts() -> QuerySet[District]:
    return District.objects.select_related("municipality").order_by("name", "pk")


def api_status_updates() -> QuerySet[StatusUpdate]:
    return (
        published_updates()
        .select_related("measure__municipality", "measure__plan")
        .prefetch_related(CITATIONS)
        .order_by("-as_of", "-published_at", "-id")
    )


def public_indicators() -> QuerySet[Indicator]:
    """Indicators of a goal or a measure in a plan that is not a draft."""
    return Indicator.objects.filter(
        Q(goal__plan__in=public_plans()) | Q(measure__plan__in=public_plans())
    )


def api_indicators() -> QuerySet[Indicator]:
    return (
        public_indicators()
        .select_related(
            "goal__plan__municipality",
            "measure__municipality",
            "measure__plan__municipality",
        )
        .prefetch_related(CITATIONS)
        .order_by("order", "title", "id")
    )


def api_indicator_values() -> QuerySet[IndicatorValue]:
    """Published values of public indicators, by indicator and period."""
    return (
        IndicatorValue.objects.filter(
            state=IndicatorValue.State.PUBLISHED, indicator__in=public_indicators()
        )
        .select_related(
            "indicator__goal__plan__municipality",
            "indicator__measure__municipality",
            "indicator__measure__plan__municipality",
        )
        .prefetch_related(CITATIONS)
        .order_by("indicator__slug", "year", "period_type", "number", "id")
    )


def api_budget_lines() -> QuerySet[BudgetLine]:
    return (
        BudgetLine.objects.filter(measure__in=public_measures())
        .select_related("measure__municipality", "measure__plan")
        .prefetch_related(CITATIONS)
        .order_by("measure__plan__slug", "measure__slug", "year", "id")
    )
