"""Reads for the district (bydel) pages and the comparison of districts."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from measures.models import District, Measure, Plan
from measures.selectors.public import (
    PlanGroup,
    draft_measure_ids,
    measure_list_queryset,
)
from measures.selectors.rollups import ROLLUP_FIELDS, Rollup, rollup, rollup_groups
from partners.models import Municipality


def districts_with_counts(*, municipality) -> QuerySet[District]:
    """A municipality's districts with their number of measures in public plans
    (one query), counted like partners_with_measures()."""
    return (
        District.objects.filter(municipality=municipality)
        # The district's link reads its municipality (/bergen/bydeler/...).
        .select_related("municipality")
        .annotate(
            n_measures=Count(
                "measures", filter=~Q(measures__id__in=draft_measure_ids())
            )
        )
        .order_by("name")
    )


@dataclass(frozen=True)
class DistrictPage:
    district: District
    rollup: Rollup
    # Per plan, the ids of its measures that reach the district.
    groups: list[PlanGroup]
    # Every such measure's id, in the order of the page's table:
    # district_measures() loads a page of them.
    measure_ids: list[int] = field(default_factory=list)
    # One row per measure with its plan and current status and update (for the
    # newest updates: changes.district_latest_updates()), and {plan id: plan}.
    measure_rows: list[dict] = field(default_factory=list)
    plans: dict[int, Plan] = field(default_factory=dict)


def district_page(*, municipality, slug: str) -> DistrictPage:
    """A district and the public measures that reach it, rolled up in all and per
    plan (three queries; the table's measures: district_measures()). The roll-ups
    read a small row per measure: the table shows 50 at a time, and a model object
    with its lead partners for each of a large district's measures was most of the
    page's time."""
    try:
        district = District.objects.select_related("municipality").get(
            municipality=municipality, slug=slug
        )
    except District.DoesNotExist as error:
        raise Http404(_("Fant ingen bydel med denne adressen.")) from error
    rows = list(
        measure_list_queryset()
        .filter(districts=district)
        .values(*ROLLUP_FIELDS, "plan_id", "current_update_id", "current_as_of")
    )
    plans = Plan.objects.select_related("municipality").in_bulk(
        {row["plan_id"] for row in rows}
    )
    groups: dict[int, PlanGroup] = {}
    for row in rows:
        group = groups.get(row["plan_id"])
        if group is None:
            group = groups[row["plan_id"]] = PlanGroup(
                plan=plans[row["plan_id"]], rows=[], rollup=rollup([])
            )
        group.rows.append(row)
    for group in groups.values():
        group.rollup = rollup(group.rows)
        group.rows = [row["id"] for row in group.rows]
    return DistrictPage(
        district=district,
        rollup=rollup(rows),
        groups=list(groups.values()),
        measure_ids=[row["id"] for row in rows],
        measure_rows=rows,
        plans=plans,
    )


def district_measures(ids: list[int]) -> list[Measure]:
    """The measures of `ids` (a page of DistrictPage.measure_ids) for the table,
    in that order (three queries: the measures, their lead partners and their
    former names)."""
    by_id = measure_list_queryset().in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


# Comparison of districts ------------------------------------------------------------


@dataclass(frozen=True)
class DistrictStatus:
    """The measures that reach one district, rolled up; district None stands for the
    measures tied to no district (city-wide ones)."""

    district: District | None
    rollup: Rollup


# Norwegian alphabetical order: Æ, Ø and Å come after Z (Unicode puts Å first).
_NORWEGIAN_LETTERS = str.maketrans({"æ": "z\x01", "ø": "z\x02", "å": "z\x03"})


def norwegian_sort_key(name: str) -> str:
    return name.casefold().translate(_NORWEGIAN_LETTERS)


def district_comparison(*, plan: Plan | None = None) -> list[DistrictStatus]:
    """Every district that `plan`'s measures reach (or, with no plan, those of every
    public plan), with the measures' phases counted, «Ingen status registrert»
    included, in Norwegian alphabetical order, then the measures tied to no
    district, if any (one query, however many districts and measures).

    A measure in two districts counts in both: the comparison says what reaches
    each district, not a share of the plan.

    Each district carries its pk, name, slug and municipality (pk, name and slug
    only): enough for its link and its name, which is all the plan page shows of
    it, without a second query for the plan's list of districts."""
    if plan is not None:
        measures = Measure.objects.filter(plan=plan)
    else:
        measures = Measure.objects.exclude(id__in=draft_measure_ids())
    groups: dict[int | None, list[dict]] = defaultdict(list)
    districts: dict[int, District] = {}
    municipalities: dict[int, Municipality] = {}
    for row in rollup_groups(
        measures,
        "districts__id",
        "districts__name",
        "districts__slug",
        "districts__municipality_id",
        "districts__municipality__name",
        "districts__municipality__slug",
    ):
        pk = row["districts__id"]
        if pk is not None and pk not in districts:
            municipality_id = row["districts__municipality_id"]
            municipality = municipalities.get(municipality_id)
            if municipality is None:
                municipality = municipalities[municipality_id] = Municipality(
                    pk=municipality_id,
                    name=row["districts__municipality__name"],
                    slug=row["districts__municipality__slug"],
                )
            districts[pk] = District(
                pk=pk,
                name=row["districts__name"],
                slug=row["districts__slug"],
                municipality=municipality,
            )
        groups[pk].append(row)
    result = [
        DistrictStatus(district=district, rollup=rollup(groups[district.pk]))
        for district in sorted(
            districts.values(), key=lambda d: norwegian_sort_key(d.name)
        )
    ]
    if None in groups:
        result.append(DistrictStatus(district=None, rollup=rollup(groups[None])))
    return result
