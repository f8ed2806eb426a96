"""Which municipalities' public pages a written object may appear on, so that the
page cache makes only those pages stale (rusplan/page_cache.py, decision 55).

A municipality's pages show its own plans and the plans shared with it, with
their goals, measures, updates, indicators, budget lines and citations, its
districts, and the partners working there (their current and former names).
`municipalities_touched()` answers with their slugs, or None when it cannot
tell or any page may show the object (a source, a municipality's own record, a
model it does not know): then every page is made stale, which is always safe.
"""

from django.db.models import Q

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
from partners.models import Municipality, Partner, PartnerName

EVERYWHERE = None
# No public page shows it: a citation of an update or value never published.
NOWHERE: frozenset[str] = frozenset()


def _of_plans(plan_ids) -> set[str] | None:
    plan_ids = [pk for pk in plan_ids if pk is not None]
    if not plan_ids:
        return EVERYWHERE
    return set(
        Municipality.objects.filter(
            Q(plans__in=plan_ids) | Q(shared_plans__in=plan_ids)
        ).values_list("slug", flat=True)
    )


def _of_measure(measure_id) -> set[str] | None:
    plan_id = (
        Measure.objects.filter(pk=measure_id).values_list("plan_id", flat=True).first()
    )
    return _of_plans([plan_id])


def _of_indicator(indicator: Indicator) -> set[str] | None:
    if indicator.goal_id is not None:
        return _of_plans(
            Goal.objects.filter(pk=indicator.goal_id).values_list("plan_id", flat=True)
        )
    if indicator.measure_id is not None:
        return _of_measure(indicator.measure_id)
    return EVERYWHERE


def _of_partner(partner_id) -> set[str] | None:
    """Where a partner's name shows: the municipality it belongs to, those it
    serves, and those whose plans give it a measure (or its units one)."""
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        return EVERYWHERE
    slugs = set(
        Municipality.objects.filter(
            Q(partners=partner)
            | Q(regional_partners=partner)
            | Q(
                plans__measures__partner_roles__partner__in=[
                    partner_id,
                    *partner.units.values_list("pk", flat=True),
                ]
            )
        ).values_list("slug", flat=True)
    )
    if partner.parent_id is not None:
        # The organisation's page lists its units' measures.
        slugs |= _of_partner(partner.parent_id) or set()
    return slugs


def _never_published(target) -> bool:
    return (
        isinstance(target, StatusUpdate | IndicatorValue)
        and target.published_at is None
        and target.state != target.State.PUBLISHED
    )


def _of_citation(citation: Citation) -> set[str] | None:
    for name, pk in (
        ("plan", citation.plan_id),
        ("goal", citation.goal_id),
        ("measure", citation.measure_id),
        ("status_update", citation.status_update_id),
        ("indicator", citation.indicator_id),
        ("indicator_value", citation.indicator_value_id),
        ("budget_line", citation.budget_line_id),
        ("partner", citation.partner_id),
        ("partner_name", citation.partner_name_id),
    ):
        if pk is None:
            continue
        model = Citation._meta.get_field(name).related_model
        target = model.objects.filter(pk=pk).first()
        if target is None:
            return EVERYWHERE
        if _never_published(target):
            return NOWHERE
        return municipalities_touched(target)
    return EVERYWHERE


def municipalities_touched(instance) -> set[str] | None:
    """The slugs of the municipalities whose public pages may show `instance`
    (one to three small queries), or None for every page. Found none (the plan
    was deleted with it, say): every page, to be safe."""
    found = _touched(instance)
    if found is NOWHERE:
        return NOWHERE
    return found or EVERYWHERE


def _touched(instance) -> set[str] | None:
    if isinstance(instance, Plan):
        return _of_plans([instance.pk])
    if isinstance(instance, Goal):
        return _of_plans([instance.plan_id])
    if isinstance(instance, Measure):
        return _of_plans([instance.plan_id])
    if isinstance(instance, MeasurePartner | StatusUpdate | BudgetLine):
        return _of_measure(instance.measure_id)
    if isinstance(instance, District):
        slug = (
            Municipality.objects.filter(pk=instance.municipality_id)
            .values_list("slug", flat=True)
            .first()
        )
        return EVERYWHERE if slug is None else {slug}
    if isinstance(instance, Indicator):
        return _of_indicator(instance)
    if isinstance(instance, IndicatorValue):
        indicator = Indicator.objects.filter(pk=instance.indicator_id).first()
        return EVERYWHERE if indicator is None else _of_indicator(indicator)
    if isinstance(instance, Citation):
        return _of_citation(instance)
    if isinstance(instance, Partner):
        return _of_partner(instance.pk)
    if isinstance(instance, PartnerName):
        return _of_partner(instance.partner_id)
    # Sources (cited anywhere), municipalities (their names and slugs are on the
    # national pages and in every one of their addresses), anything new.
    return EVERYWHERE
