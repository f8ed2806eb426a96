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

from partners.models import Membership

from .models import Measure, Plan, StatusUpdate

_CACHE_ATTR = "_rusplan_memberships"

# Phases in which a measure still takes status updates.
OPEN_PHASES = frozenset({"not_started", "in_progress"})


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


def _is_staff_with(user, codename: str) -> bool:
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and user.has_perm(f"measures.{codename}"))


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
    if _is_staff_with(user, "add_statusupdate"):
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
        if update.measure.plan.status != Plan.Status.DRAFT:
            return True
        return can_edit_measure_status(user, update.measure) or can_review(
            user, update.measure.plan
        )
    if _is_staff_with(user, "view_statusupdate"):
        return True
    return can_edit_measure_status(user, update.measure) or can_review(
        user, update.measure.plan
    )


def can_review(user, plan: Plan) -> bool:
    """Publish or return submitted updates on `plan`'s measures."""
    if not _active(user):
        return False
    if _is_staff_with(user, "change_statusupdate"):
        return True
    return is_coordinator_of_plan(user, plan)


def can_use_review_queue(user) -> bool:
    """The review queue: staff with the permission, or a coordinator of some partner
    (the queue shows only the plans that partner owns)."""
    return _is_staff_with(user, "change_statusupdate") or bool(
        coordinator_partner_ids(user)
    )


def reviewable_plans_filter(user) -> dict | None:
    """Queryset filter kwargs for the plans `user` reviews: None means every plan,
    an impossible filter means none."""
    if _is_staff_with(user, "change_statusupdate"):
        return None
    return {"owner_id__in": sorted(coordinator_partner_ids(user))}
