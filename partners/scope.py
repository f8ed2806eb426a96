"""Which municipalities an administrator administers (docs/decisions.md 56).

- A *platform administrator* is an active superuser, or an active staff user who
  administers no municipality in particular (no MunicipalityAdministrator row).
  They see and change everything their model permissions allow, as before.
- A *municipal administrator* is an active staff user (not a superuser) with one
  or more MunicipalityAdministrator rows. Their model permissions hold only for
  objects of those municipalities: plans, goals, measures, districts, municipal
  units and their memberships, and what hangs on the plans (indicators, values,
  budget lines, status updates). Regional and national partners belong to no
  municipality: they may be chosen, never changed.

The rows are read once per request user and cached on the user object.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

_CACHE_ATTR = "_rusplan_administered"


def _active_staff(user) -> bool:
    return bool(
        user is not None
        and not isinstance(user, AnonymousUser)
        and user.is_authenticated
        and user.is_active
        and user.is_staff
    )


def administered_ids(user) -> frozenset[int] | None:
    """The ids of the municipalities `user` administers, or None for every one
    (a platform administrator, or a user to whom the question does not apply:
    they have no admin rights to scope)."""
    if not _active_staff(user) or user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import MunicipalityAdministrator

        cached = frozenset(
            MunicipalityAdministrator.objects.filter(user=user).values_list(
                "municipality_id", flat=True
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached or None


def forget_administered(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_municipal_admin(user) -> bool:
    return administered_ids(user) is not None


def is_platform_admin(user) -> bool:
    return _active_staff(user) and not is_municipal_admin(user)


def may_administer(user, municipality_id: int | None) -> bool:
    """Whether `user`'s admin rights reach objects of `municipality_id` (None: an
    object of no municipality, a regional partner: platform administrators only)."""
    ids = administered_ids(user)
    if ids is None:
        return True
    return municipality_id is not None and municipality_id in ids


def _related(obj, name: str):
    try:
        return getattr(obj, name, None)
    except Exception:  # an unset required relation (RelatedObjectDoesNotExist)
        return None


def municipality_id_of(obj) -> int | None:
    """The municipality an object belongs to, through its plan, measure,
    indicator or partner (a measure through its plan, which decides it). None
    for a regional or national partner and what hangs on one."""
    from .models import Municipality

    if isinstance(obj, Municipality):
        return obj.pk
    for name in ("plan", "measure", "indicator", "partner"):
        related = _related(obj, name)
        if related is not None and not isinstance(related, type(obj)):
            return municipality_id_of(related)
    return getattr(obj, "municipality_id", None)


def scope_filter(user, path: str) -> dict | None:
    """Queryset filter kwargs that keep the objects `user` administers, whose
    municipality is at lookup `path` ("municipality", "plan__municipality"...);
    None: no filter."""
    ids = administered_ids(user)
    if ids is None:
        return None
    return {f"{path}__in": sorted(ids)}
