import datetime
import itertools
from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from measures import permissions
from measures.models import District, Goal, Measure, MeasurePartner, Plan, StatusUpdate
from measures.services.base import check, record_actor, validate, validated_save
from measures.signals import public_data_changed
from measures.year_ends import format_year_ends, year_end_statuses
from partners.models import Municipality, Partner


def _require_admin(actor, action: str, model) -> None:
    check(actor, lambda user: permissions.can_admin(user, action, model))


@transaction.atomic
def district_create(
    *, actor, name: str, slug: str, municipality: Municipality
) -> District:
    district = District(name=name, slug=slug, municipality=municipality)
    _require_admin(actor, "add", district)
    validated_save(district, actor=actor)
    return district


@transaction.atomic
def plan_create(
    *, actor, title: str, slug: str, start_year: int, owner: Partner, **fields
) -> Plan:
    plan = Plan(title=title, slug=slug, start_year=start_year, owner=owner, **fields)
    _require_admin(actor, "add", plan)
    validated_save(plan, actor=actor)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, **fields) -> Plan:
    for name, value in fields.items():
        setattr(plan, name, value)
    _require_admin(actor, "change", plan)
    validated_save(plan, actor=actor)
    return plan


@transaction.atomic
def district_update(*, actor, district: District, **fields) -> District:
    for name, value in fields.items():
        setattr(district, name, value)
    _require_admin(actor, "change", district)
    validated_save(district, actor=actor)
    return district


@transaction.atomic
def goal_update(*, actor, goal: Goal, **fields) -> Goal:
    for name, value in fields.items():
        setattr(goal, name, value)
    _require_admin(actor, "change", goal)
    if goal.parent is not None and goal.parent.plan_id != goal.plan_id:
        raise ValidationError(
            {"parent": _("Det overordnede målet må høre til samme plan.")}
        )
    validated_save(goal, actor=actor)
    return goal


@transaction.atomic
def goal_create(
    *, actor, plan: Plan, title: str, slug: str, parent: Goal | None = None, **fields
) -> Goal:
    _require_admin(actor, "add", Goal(plan=plan))
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError(
            {"parent": _("Det overordnede målet må høre til samme plan.")}
        )
    goal = Goal(plan=plan, title=title, slug=slug, parent=parent, **fields)
    validated_save(goal, actor=actor)
    return goal


def _require_new_or_change(actor, measure: Measure, has_any: bool) -> None:
    """The right to change measures, or to add them while the relation is still
    empty (the admin saves a new measure's goals and partners just after it)."""
    if has_any:
        _require_admin(actor, "change", measure)
        return
    check(
        actor,
        lambda user: (
            permissions.can_admin(user, "add", measure)
            or permissions.can_admin(user, "change", measure)
        ),
    )


def _check_partner_roles(lead: Partner | None, contributors: Iterable[Partner]) -> list:
    contributors = list(contributors)
    if lead is None:
        raise ValidationError(
            {"partners": _("Velg én ansvarlig partner for tiltaket.")}
        )
    if lead in contributors:
        raise ValidationError(
            {
                "partners": _(
                    "%(partner)s kan ikke være både ansvarlig og bidragsyter."
                )
                % {"partner": lead}
            }
        )
    if len(set(contributors)) != len(contributors):
        raise ValidationError(
            {"partners": _("Samme bidragsyter er valgt flere ganger.")}
        )
    return contributors


@transaction.atomic
def measure_create(
    *,
    actor,
    plan: Plan,
    title: str,
    slug: str,
    lead: Partner | None,
    contributors: Iterable[Partner] = (),
    goals: Iterable[Goal] = (),
    districts: Iterable[District] = (),
    **fields,
) -> Measure:
    _require_admin(actor, "add", Measure(plan=plan))
    contributors = _check_partner_roles(lead, contributors)
    goals = list(goals)
    if any(goal.plan_id != plan.pk for goal in goals):
        raise ValidationError({"goals": _("Målene må høre til tiltakets plan.")})
    continues = fields.get("continues")
    if continues is not None and continues.plan_id == plan.pk:
        raise ValidationError(
            {"continues": _("«Videreført fra» må være et tiltak i en annen plan.")}
        )
    measure = Measure(plan=plan, title=title, slug=slug, **fields)
    validated_save(measure, actor=actor)
    measure.goals.set(goals)
    measure.districts.set(list(districts))
    _save_partner_roles(measure, lead, contributors, actor)
    return measure


@transaction.atomic
def measure_update(*, actor, measure: Measure, **fields) -> Measure:
    """Change a measure's own fields; the version bump marks the write for CAS."""
    for name, value in fields.items():
        setattr(measure, name, value)
    _require_admin(actor, "change", measure)
    record_actor(measure, actor)
    measure.version = F("version") + 1
    validate(measure, exclude=["version"])
    measure.save()
    measure.refresh_from_db(fields=["version"])
    return measure


@transaction.atomic
def measure_set_goals(*, actor, measure: Measure, goals: Iterable[Goal]) -> Measure:
    """Place a measure under goals of its own plan (a goal of another plan is
    refused, as in measure_create).

    Changing a measure's goals needs the right to change measures; giving goals to
    a measure that has none yet (the admin's add form saves them just after the
    measure) is also allowed to whoever may add measures."""
    _require_new_or_change(actor, measure, measure.goals.exists())
    goals = list(goals)
    foreign = [goal for goal in goals if goal.plan_id != measure.plan_id]
    if foreign:
        raise ValidationError(
            {
                "goals": _(
                    "Målene må høre til tiltakets plan («%(plan)s»). Fjern: %(goals)s."
                )
                % {
                    "plan": measure.plan,
                    "goals": ", ".join(str(goal) for goal in foreign),
                }
            }
        )
    measure.goals.set(goals)
    return measure


@transaction.atomic
def measure_set_partners(
    *,
    actor,
    measure: Measure,
    lead: Partner | None,
    contributors: Iterable[Partner] = (),
) -> Measure:
    """Make `lead` the measure's one lead and `contributors` its contributors. As
    for goals, a measure with no partners yet (just added in the admin) may get
    them from whoever may add measures; changing them needs the right to change."""
    _require_new_or_change(actor, measure, measure.partner_roles.exists())
    contributors = _check_partner_roles(lead, contributors)
    # Delete one by one so that each removal leaves a history row.
    for role in measure.partner_roles.all():
        record_actor(role, actor)
        role.delete()
    _save_partner_roles(measure, lead, contributors, actor)
    return measure


def _save_partner_roles(
    measure: Measure, lead: Partner, contributors: list, actor
) -> None:
    roles = [
        MeasurePartner(measure=measure, partner=lead, role=MeasurePartner.Role.LEAD)
    ]
    roles += [
        MeasurePartner(
            measure=measure, partner=partner, role=MeasurePartner.Role.CONTRIBUTOR
        )
        for partner in contributors
    ]
    for role in roles:
        validated_save(role, actor=actor)


@transaction.atomic
def measure_sync_current_status(*, actor, measure: Measure) -> Measure:
    """Copy the latest published update (by as-of date) onto the measure, for an
    actor who may publish on its plan or change it."""
    check(actor, lambda user: permissions.can_sync_measure_status(user, measure))
    return refresh_current_status(measure)


@transaction.atomic
def year_ends_rebuild(*, actor) -> int:
    """Bring every measure's year-end statuses in line with its published updates,
    for an administrator of the installation (the command
    rebuild_year_end_statuses): after upgrading to the release that added them,
    during which servers of the release before published updates (docs/deploy.md),
    or to check. Reads the published updates once, in order, without locking; then
    refreshes only the measures whose year-end statuses differ (their current
    status with them), each under its row lock (refresh_current_status()), so that
    an update published meanwhile is not overwritten. Those few locks are held
    until the end, a moment after the read. Returns how many were refreshed."""
    check(actor, lambda user: user.is_superuser)
    stored = dict(Measure.objects.values_list("pk", "year_end_statuses"))
    updates = (
        StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED)
        .order_by("measure_id", "as_of", "published_at", "id")
        .values_list("measure_id", "as_of", "phase", "health", "progress")
        .iterator(chunk_size=10_000)
    )
    computed: dict[int, str] = {}
    for measure_id, group in itertools.groupby(updates, key=lambda row: row[0]):
        computed[measure_id] = format_year_ends(
            year_end_statuses(_PublishedUpdate(*row[1:]) for row in group)
        )
    differing = [pk for pk, text in stored.items() if computed.get(pk, "") != text]
    for measure in Measure.objects.filter(pk__in=differing):
        refresh_current_status(measure)
    if differing:
        # A derived-only change is saved without model signals: cached pages must
        # still be made stale (rusplan/page_cache.py).
        public_data_changed.send(sender=__name__)
    return len(differing)


class _PublishedUpdate(NamedTuple):
    as_of: datetime.date
    phase: str
    health: str
    progress: int | None


@transaction.atomic
def refresh_current_status(measure: Measure) -> Measure:
    """Copy the latest published update (by as-of date) onto the measure, and
    where its published updates stood at each earlier year-end
    (Measure.year_end_statuses). No permission check: for services that checked
    their actor (publishing, recording a published update) and then refresh what
    follows from it.

    An update published late with an older as-of date does not displace a newer one,
    but it can change where the measure stood at the end of a past year: both are
    computed from all its published updates every time.
    """
    # The lock first, so that two editors publishing on one measure at once each
    # read the other's committed update.
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    published = list(
        StatusUpdate.objects.filter(measure=measure, state=StatusUpdate.State.PUBLISHED)
        .order_by("as_of", "published_at", "id")
        .only("as_of", "phase", "health", "progress")
    )
    latest = published[-1] if published else None
    year_ends = format_year_ends(year_end_statuses(published))
    if latest is not None and measure.current_update_id == latest.pk:
        if measure.year_end_statuses != year_ends:
            # Only derived data changed (a late update dated in a past year): no new
            # version, which would make an editor with the measure's form open
            # meet a conflict, and no history row (the update has its own).
            Measure.objects.filter(pk=measure.pk).update(year_end_statuses=year_ends)
            measure.year_end_statuses = year_ends
        return measure
    measure.year_end_statuses = year_ends
    if latest is None:
        measure.current_update = None
        measure.current_phase = ""  # no published update: no status
        measure.current_health = ""
        measure.current_progress = None
        measure.current_as_of = None
    else:
        measure.current_update = latest
        measure.current_phase = latest.phase
        measure.current_health = latest.health
        measure.current_progress = latest.progress
        measure.current_as_of = latest.as_of
    measure.version = F("version") + 1
    measure.save()
    measure.refresh_from_db(fields=["version"])
    return measure
