"""Who may do what with measures and status updates: every rule in one place.

The rules follow the table in docs (design.md, "Who may do what"), deny by default:

- anyone may read adopted plans and published updates;
- drafts, submitted and returned updates are read by caseworkers of a partner that is
  lead or contributor of the measure, by coordinators of the plan's owner, and by
  staff with the model permission;
- the same people may create, edit and submit updates;
- only coordinators of the plan's owner, and staff with the model permission, may
  publish or return an update.

An inactive or anonymous user may do nothing beyond reading public pages. A
membership only grants what its role says: a coordinator of a partner that does not
own the plan has no rights on that plan's measures through that membership.

Memberships are read once per request user and cached on the user object, so a page
that checks many objects costs one query.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from measures.models import Indicator, IndicatorValue, Measure, Plan, StatusUpdate
from partners.actors import staff_may, staff_may_object
from partners.models import Membership
from partners.scope import (
    administered_ids,
    is_municipal_admin,
    may_administer,
    municipality_id_of,
)

_CACHE_ATTR = "_rusplan_memberships"


def _active(user) -> bool:
    return bool(
        user is not None
        and not isinstance(user, AnonymousUser)
        and user.is_authenticated
        and user.is_active
    )


def _memberships(user) -> dict[int, str]:
    """{partner_id: role} for the user, cached on the user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = dict(
            Membership.objects.filter(user=user).values_list("partner_id", "role")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    """Drop the cached memberships (after adding or removing one)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def caseworker_partner_ids(user) -> set[int]:
    if not _active(user):
        return set()
    return {
        pk
        for pk, role in _memberships(user).items()
        if role == Membership.Role.CASEWORKER
    }


def coordinator_partner_ids(user) -> set[int]:
    if not _active(user):
        return set()
    return {
        pk
        for pk, role in _memberships(user).items()
        if role == Membership.Role.COORDINATOR
    }


def _is_staff_with(user, codename: str, obj=None) -> bool:
    """The model permission of an active staff user; with `obj`, a municipal
    administrator's only within their municipalities (partners/scope.py)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if not (user.is_staff and user.has_perm(f"measures.{codename}")):
        return False
    if obj is None or not is_municipal_admin(user):
        return True
    return may_administer(user, municipality_id_of(obj))


def _measure_partner_ids(measure: Measure) -> set[int]:
    """Lead and contributor partners; uses a prefetch of partner_roles if present."""
    cache = getattr(measure, "_prefetched_objects_cache", {})
    if "partner_roles" in cache:
        return {role.partner_id for role in cache["partner_roles"]}
    return set(measure.partner_roles.values_list("partner_id", flat=True))


def is_coordinator_of_plan(user, plan: Plan) -> bool:
    return plan.owner_id in coordinator_partner_ids(user)


# --- the rules ----------------------------------------------------------------------


def can_use_workspace(user) -> bool:
    """Mine tiltak: any active, logged-in user (it lists only what they may edit)."""
    return _active(user)


def can_edit_measure_status(user, measure: Measure) -> bool:
    """Create, edit and submit status updates on `measure`."""
    if not _active(user):
        return False
    if _is_staff_with(user, "add_statusupdate", measure):
        return True
    if is_coordinator_of_plan(user, measure.plan):
        return True
    return bool(caseworker_partner_ids(user) & _measure_partner_ids(measure))


def can_edit_update(user, update: StatusUpdate) -> bool:
    """Change an existing update: only drafts and returned updates, by the people
    who may report on its measure. Published updates are never edited."""
    if update.state not in (StatusUpdate.State.DRAFT, StatusUpdate.State.RETURNED):
        return False
    return can_edit_measure_status(user, update.measure)


def can_view_update(user, update: StatusUpdate) -> bool:
    """Published updates of non-draft plans are public; the rest follows editing."""
    if update.state == StatusUpdate.State.PUBLISHED:
        if update.measure.plan.is_public:
            return True
        return can_edit_measure_status(user, update.measure) or can_review(
            user, update.measure.plan
        )
    if _is_staff_with(user, "view_statusupdate", update.measure):
        return True
    return can_edit_measure_status(user, update.measure) or can_review(
        user, update.measure.plan
    )


def can_review(user, plan: Plan) -> bool:
    """Publish or return submitted updates on `plan`'s measures."""
    if not _active(user):
        return False
    if _is_staff_with(user, "change_statusupdate", plan):
        return True
    return is_coordinator_of_plan(user, plan)


def can_publish_some_updates(user) -> bool:
    """Whether `user` may publish status updates on any plan: whether the admin
    offers «record as published» (can_review decides per plan)."""
    return _is_staff_with(user, "change_statusupdate") or bool(
        coordinator_partner_ids(user)
    )


def can_use_review_queue(user) -> bool:
    """The review queue: staff with the permission (on status updates or indicator
    values), or a coordinator of some partner (the queue shows only the plans that
    partner owns)."""
    return (
        _is_staff_with(user, "change_statusupdate")
        or _is_staff_with(user, "change_indicatorvalue")
        or bool(coordinator_partner_ids(user))
    )


def _scoped_plans(user) -> dict | None:
    """Every plan, or a municipal administrator's municipalities' plans."""
    ids = administered_ids(user)
    return None if ids is None else {"municipality_id__in": sorted(ids)}


def reviewable_plans_filter(user) -> dict | None:
    """Queryset filter kwargs for the plans `user` reviews: None means every plan,
    an impossible filter means none."""
    if _is_staff_with(user, "change_statusupdate"):
        return _scoped_plans(user)
    return {"owner_id__in": sorted(coordinator_partner_ids(user))}


# --- indicators and budgets -----------------------------------------------------
# The same people as for status updates: caseworkers of a measure's lead and
# contributor partners record values of the measure's (output) indicators;
# coordinators of the plan's owner record values of every indicator of the plan,
# including the goals' (outcome) indicators, and publish or return them. The
# indicator must come with goal__plan / measure__plan loaded (and, for many
# indicators, measure__partner_roles prefetched) to keep the checks query-free.


def can_edit_indicator_values(user, indicator: Indicator) -> bool:
    """Create, edit and submit values of `indicator`."""
    if not _active(user):
        return False
    if _is_staff_with(user, "add_indicatorvalue", indicator):
        return True
    if is_coordinator_of_plan(user, indicator.plan):
        return True
    if indicator.measure_id is None:
        return False
    return bool(caseworker_partner_ids(user) & _measure_partner_ids(indicator.measure))


def can_edit_indicator_value(user, value: IndicatorValue) -> bool:
    """Only drafts and returned values are changed; published ones never."""
    if value.state not in (IndicatorValue.State.DRAFT, IndicatorValue.State.RETURNED):
        return False
    return can_edit_indicator_values(user, value.indicator)


def can_review_indicator_values(user, plan: Plan) -> bool:
    """Publish or return submitted values of the plan's indicators."""
    if not _active(user):
        return False
    if _is_staff_with(user, "change_indicatorvalue", plan):
        return True
    return is_coordinator_of_plan(user, plan)


def reviewable_indicator_plans_filter(user) -> dict | None:
    """Queryset filter kwargs for the plans whose indicator values `user` reviews
    (the queue's list of can_review_indicator_values): None means every plan."""
    if _is_staff_with(user, "change_indicatorvalue"):
        return _scoped_plans(user)
    return {"owner_id__in": sorted(coordinator_partner_ids(user))}


def can_view_indicator_value(user, value: IndicatorValue) -> bool:
    """Published values of non-draft plans are public; the rest follows editing."""
    plan = value.indicator.plan
    if value.state == IndicatorValue.State.PUBLISHED and plan.is_public:
        return True
    if _is_staff_with(user, "view_indicatorvalue", plan):
        return True
    return can_edit_indicator_values(user, value.indicator) or (
        can_review_indicator_values(user, plan)
    )


def can_manage_indicators(user, plan: Plan) -> bool:
    """Create and change the indicators of `plan` (not their values)."""
    if not _active(user):
        return False
    if _is_staff_with(user, "change_indicator", plan):
        return True
    return is_coordinator_of_plan(user, plan)


def can_manage_budget(user, plan: Plan) -> bool:
    """Create and change the budget lines of `plan`'s measures."""
    if not _active(user):
        return False
    if _is_staff_with(user, "change_budgetline", plan):
        return True
    return is_coordinator_of_plan(user, plan)


def can_see_exact_small_numbers(user, indicator: Indicator) -> bool:
    """Counts of people below the indicator's threshold are shown exactly only to
    staff of the responsible partner (any role in the plan's owner, or in a lead or
    contributor partner of the indicator's measure) and to staff administrators."""
    if not _active(user):
        return False
    if _is_staff_with(user, "view_indicatorvalue", indicator):
        return True
    partner_ids = set(_memberships(user))
    if not partner_ids:
        return False
    if indicator.plan.owner_id in partner_ids:
        return True
    if indicator.measure_id is None:
        return False
    return bool(partner_ids & _measure_partner_ids(indicator.measure))


# --- sources and citations ----------------------------------------------------------
# A source is a public document: anyone who may report on something may add one
# (it says nothing until a fact cites it). Changing or deleting a source, and
# citing on plans, goals, measures and partners, is the admin's work.


def can_add_source(user) -> bool:
    if not _active(user):
        return False
    if _is_staff_with(user, "add_source"):
        return True
    return bool(_memberships(user))


def can_change_sources(user) -> bool:
    return _is_staff_with(user, "change_source")


def can_delete_sources(user) -> bool:
    return _is_staff_with(user, "delete_source")


def can_cite(user, target) -> bool:
    """Change what `target` cites: whoever may change the target itself. Published
    updates and values are fixed for everyone but staff with the model permission."""
    from measures.models import BudgetLine, Goal

    if not _active(user):
        return False
    if isinstance(target, StatusUpdate):
        return _is_staff_with(user, "change_statusupdate", target) or can_edit_update(
            user, target
        )
    if isinstance(target, IndicatorValue):
        return _is_staff_with(user, "change_indicatorvalue", target) or (
            can_edit_indicator_value(user, target)
        )
    if isinstance(target, Indicator):
        return can_manage_indicators(user, target.plan)
    if isinstance(target, BudgetLine):
        return can_manage_budget(user, target.measure.plan)
    if isinstance(target, (Plan, Goal, Measure)):
        return _is_staff_with(user, f"change_{target._meta.model_name}", target)
    return staff_may(user, "change", target)


# --- admin-only records ---------------------------------------------------------------
# Plans, goals, measures, districts, their partners and the partners app's records
# are changed only by administrators: the Django model permission, for an active
# staff user (superusers have every permission).


def can_admin(user, action: str, model) -> bool:
    """`action` ("add", "change", "delete") on `model` (a class or an instance).
    For an instance, a municipal administrator's permission reaches only their
    municipalities' objects, as they are and as stored (partners/scope.py)."""
    if isinstance(model, type):
        return staff_may(user, action, model)
    return staff_may_object(user, action, model)


def can_sync_measure_status(user, measure: Measure) -> bool:
    """Re-derive a measure's current status from its published updates: whoever
    may publish on its plan or change the measure."""
    return can_review(user, measure.plan) or can_admin(user, "change", measure)
