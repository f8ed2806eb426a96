"""Reads for a measure's page."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from measures.models import District, Goal, Measure, MeasurePartner, StatusUpdate
from measures.selectors.public import plan_reference_date, public_measures

# Measure page ------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurePage:
    measure: Measure
    partner_roles: list[MeasurePartner]
    continues: Measure | None
    continued_by: list[Measure]
    updates: list[StatusUpdate]
    reference_date: datetime.date


def measure_page(*, municipality, slug: str) -> MeasurePage:
    """A public measure with partners (and their names then), districts, goals,
    lineage and its published updates (eight queries)."""
    try:
        measure = (
            public_measures()
            .select_related(
                "municipality",
                "plan",
                "plan__municipality",
                "plan__owner",
                "continues",
                "continues__municipality",
                "continues__plan",
            )
            .prefetch_related(
                Prefetch(
                    "partner_roles",
                    queryset=MeasurePartner.objects.select_related(
                        "partner"
                    ).prefetch_related("partner__former_names"),
                ),
                # The district's link reads its municipality (/bergen/bydeler/...).
                Prefetch(
                    "districts",
                    queryset=District.objects.select_related("municipality").order_by(
                        "name"
                    ),
                ),
                Prefetch("goals", queryset=Goal.objects.order_by("order", "id")),
                Prefetch(
                    "continued_by",
                    queryset=public_measures().select_related("plan", "municipality"),
                    to_attr="public_continued_by",
                ),
            )
            .get(municipality=municipality, slug=slug)
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
