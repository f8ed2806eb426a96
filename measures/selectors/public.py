"""What the public may see, once: public plans, measures and published updates
(drafts and training plans hidden), the measure list's rows and the newest updates."""

import datetime
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from measures.models import Measure, MeasurePartner, Plan, StatusUpdate, plan_hidden
from measures.selectors.rollups import ROLLUP_FIELDS, Rollup
from measures.selectors.status_on import UpdateInForce
from partners.models import Partner

MEASURE_ROW_FIELDS = (*ROLLUP_FIELDS, "slug", "identifier", "title", "plan_id")


# Public querysets ---------------------------------------------------------------


def public_plans() -> QuerySet[Plan]:
    """Plans anyone may read: every plan that is neither a draft nor a training
    plan."""
    return Plan.objects.exclude(plan_hidden())


def public_measures() -> QuerySet[Measure]:
    return Measure.objects.exclude(plan_hidden("plan__"))


def published_updates() -> QuerySet[StatusUpdate]:
    return StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED).exclude(
        plan_hidden("measure__plan__")
    )


def plan_reference_date(plan: Plan) -> datetime.date:
    """The day a plan's names are read on: its adoption, else 1 January of its
    first year."""
    return plan.adopted_on or datetime.date(plan.start_year, 1, 1)


def lead_roles_prefetch() -> Prefetch:
    return Prefetch(
        "partner_roles",
        queryset=MeasurePartner.objects.filter(role=MeasurePartner.Role.LEAD)
        .select_related("partner")
        .prefetch_related("partner__former_names"),
        to_attr="lead_roles",
    )


def set_lead_roles(measures: list[Measure], *, partners: Iterable[Partner]) -> None:
    """Give each of `measures` its `lead_roles`, as lead_roles_prefetch() does,
    with each role's partner taken from `partners`: partners a page has read
    already with their former names (the plan page's). One query for the roles,
    and one more only if a lead partner is not among `partners`.

    The prefetch read each lead partner again and made a queryset of its former
    names per measure: about 4 ms of a plan page for 25 measures, against 1 for
    the roles alone (docs/benchmarks.md, the tenth round)."""
    by_id = {partner.pk: partner for partner in partners}
    roles = list(
        MeasurePartner.objects.filter(
            role=MeasurePartner.Role.LEAD, measure__in=[m.pk for m in measures]
        ).order_by()  # one lead per measure (measurepartner_one_lead)
    )
    missing = {role.partner_id for role in roles} - by_id.keys()
    if missing:
        by_id.update(Partner.objects.prefetch_related("former_names").in_bulk(missing))
    of_measure: dict[int, list[MeasurePartner]] = defaultdict(list)
    for role in roles:
        role.partner = by_id[role.partner_id]
        of_measure[role.measure_id].append(role)
    for measure in measures:
        measure.lead_roles = of_measure[measure.pk]


def measure_list_queryset() -> QuerySet[Measure]:
    """Public measures for lists and tables: current status from the denormalised
    fields, the plan and the lead partner (with former names) prefetched."""
    return (
        public_measures()
        .select_related("municipality", "plan", "plan__municipality")
        .prefetch_related(lead_roles_prefetch())
        .order_by("-plan__start_year", "plan__title", "identifier", "title", "pk")
    )


def latest_updates(*, municipality=None, limit: int = 8) -> list[StatusUpdate]:
    """The newest published updates (by as-of date) of public plans, of one
    municipality's plans when given (one query)."""
    if municipality is not None:
        return newest_updates_of(
            Measure.objects.filter(plan__in=public_plan_ids_of(municipality)),
            limit=limit,
        )
    return list(
        published_updates()
        .select_related("measure", "measure__municipality", "measure__plan")
        .order_by("-as_of", "-published_at", "-id")[:limit]
    )


def newest_updates_of(
    measures: QuerySet[Measure], *, limit: int, until: datetime.date | None = None
) -> list[StatusUpdate]:
    """The `limit` newest published updates of `measures` (by as-of date, then
    publication), dated on or before `until` when given, with their measures and
    plans (one query).

    Why not simply the newest updates filtered to these measures: PostgreSQL walks
    the index of every published update in the country, newest first, until it has
    found enough of these measures' (two seconds for a small municipality among a
    million updates). Instead: the newest updates all belong to the `limit`
    measures whose own newest update is newest (any other measure has `limit`
    newer updates before its first); so the query reads those few measures'
    updates. Each measure's newest is its current_update, or, for a day before
    today, one step back in the index statusupdate_published_measure.
    """
    updates = published_updates()
    if until is not None:
        updates = updates.filter(as_of__lte=until)
    # A measure's newest published update is its current_update (kept by
    # refresh_current_status()). Only when that is dated after `until` (a plan
    # whose period has ended, reported on since) is its newest by then looked up:
    # one step back in the index statusupdate_published_measure.
    newest_ids = measures.values("current_update_id")
    if until is not None:
        newest_ids = measures.annotate(newest_id=UpdateInForce(until)).values(
            "newest_id"
        )
    return _updates_of_newest(updates, newest_ids, limit=limit)


def newest_updates_of_rows(
    rows: list[dict], *, limit: int, plans: Mapping[int, Plan]
) -> list[StatusUpdate]:
    """newest_updates_of() for measures a page has read already, as rows with
    their `current_update_id` and `current_as_of` (a partner page's thousands of
    measures): only the measures whose current update is dated on or after the
    `limit`-th newest date can own the newest updates, so only their current
    updates are sorted (one query, none if no measure has a published update).

    Without it PostgreSQL joined the partner's roles to every measure in the
    country to find their current updates: 10 of a regional partner's 58 ms at
    national scale, growing with the country (docs/benchmarks.md).

    `plans`: {plan id: plan} with its municipality, for every plan of the rows'
    measures, all public (the plan page's plan, a partner or district page's
    plans). The updates are read with their measures only, each measure's plan
    and municipality set from it rather than joined and checked again:
    PostgreSQL spent 2 ms planning the four-table join for five rows. An update
    whose measure is in none of them (moved to another plan since the page read
    its rows) is left out."""
    dated = [
        (row["current_as_of"], row["current_update_id"])
        for row in rows
        if row["current_update_id"] is not None and row["current_as_of"]
    ]
    if not dated:
        return []
    # Ties on the date are all kept: which of them is newer is decided by the
    # update's publication time and id, in the query. Reports for a period often
    # share its last day, so this may be hundreds of ids: each a lookup by key.
    # The `limit`-th newest date found without sorting them all (a third of the
    # time for a partner's 4,149 measures).
    threshold = heapq.nlargest(limit, (as_of for as_of, _pk in dated))[-1]
    newest_ids = [pk for as_of, pk in dated if as_of >= threshold]
    updates = _updates_of_newest(
        StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED),
        newest_ids,
        limit=limit,
        related=("measure",),
    )
    shown = []
    for update in updates:
        measure = update.measure
        plan = plans.get(measure.plan_id)
        if plan is None:
            continue
        measure.plan = plan
        # A measure's municipality is its plan's (Measure.save() copies it).
        measure.municipality = plan.municipality
        shown.append(update)
    return shown


def _updates_of_newest(
    updates,
    newest_ids,
    *,
    limit: int,
    related: tuple[str, ...] = ("measure", "measure__municipality", "measure__plan"),
) -> list[StatusUpdate]:
    """The `limit` newest of `updates` among the measures whose newest update is
    one of `newest_ids` (a subquery or a list), with `related` joined: by default
    each update's measure with its municipality (the measure's link reads it,
    /bergen/tiltak/...) and plan."""
    newest_measures = (
        StatusUpdate.objects.filter(pk__in=newest_ids)
        .order_by("-as_of", "-published_at", "-id")
        .values("measure_id")[:limit]
    )
    deferred = ["measure__description"]
    if "measure__plan" in related:
        deferred.append("measure__plan__description")
    return list(
        updates.filter(measure__in=newest_measures)
        .select_related(*related)
        .defer(*deferred)
        .order_by("-as_of", "-published_at", "-id")[:limit]
    )


def draft_measure_ids() -> QuerySet[Measure]:
    return Measure.objects.filter(plan_hidden("plan__")).values("id")


# Partner and district pages ----------------------------------------------------


@dataclass
class PlanGroup:
    """A plan's measures on a partner or district page (on a partner page, the
    ids of the partner's roles in them: partner_roles() loads a page of them)."""

    plan: Plan
    rows: list
    rollup: Rollup
    name_then: str = ""


def default_report_date(plan: Plan, today: datetime.date) -> datetime.date:
    """Today, or for a plan whose period has ended, its last day (31.12 of its end
    year): a finished plan's report is about the plan's period."""
    if plan.end_year is not None and plan.end_year < today.year:
        return datetime.date(plan.end_year, 12, 31)
    return today


def public_plan_ids_of(municipality) -> list[int]:
    """The ids of the public plans that appear in a municipality (one query).
    Filtering measures or roles by `plan__in=` these ids lets PostgreSQL find
    them by index; plans_of() in the same query is an OR with a subquery, which
    PostgreSQL expects to match half the plans in the country, so it reads every
    measure or role to join them (10–15 ms at national scale, for a handful)."""
    return list(
        public_plans().filter(plans_of(municipality)).values_list("pk", flat=True)
    )


def plans_of(municipality, prefix: str = "") -> Q:
    """The plans that appear in a municipality: its own and those shared with it.
    `prefix` is the lookup path to the plan, e.g. "plan__".

    One IN over a UNION of the two, not an OR of two conditions: no row is counted
    twice, and PostgreSQL estimates the few plan ids from its statistics and finds
    their measures or roles by index. The OR it took for half the plans in the
    country, and read every measure and role to join them (10-20 ms at national
    scale, for a handful)."""
    own = Plan.objects.filter(municipality=municipality).order_by().values("pk")
    shared = (
        Plan.shared_with.through.objects.filter(municipality=municipality)
        .order_by()
        .values("plan_id")
    )
    return Q(**{f"{prefix}pk__in": own.union(shared)})
