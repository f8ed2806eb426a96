"""Reads for the district (bydel) pages."""

from dataclasses import dataclass

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from measures.models import District
from measures.selectors.public import (
    PlanGroup,
    draft_measure_ids,
    group_by_plan,
    measure_list_queryset,
)
from measures.selectors.rollups import Rollup, rollup


def districts_with_counts() -> QuerySet[District]:
    """Every district with its number of measures in public plans (one query),
    counted like partners_with_measures()."""
    return District.objects.annotate(
        n_measures=Count("measures", filter=~Q(measures__id__in=draft_measure_ids()))
    ).order_by("name")


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
        groups=group_by_plan(measures, measure_of=lambda measure: measure),
    )
