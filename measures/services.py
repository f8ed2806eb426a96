"""Every write to plans, goals, measures and status updates goes through here.

Each service is keyword-only, validates with full_clean() before saving, and runs in
one transaction. django-simple-history records each save; inside a request the
HistoryRequestMiddleware supplies the user.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from measures import permissions
from measures.models import (
    EDITABLE_STATES,
    OPEN_PHASES,
    Citation,
    District,
    Goal,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from partners.models import Partner

# Sentinel: the caller did not name an actor, so no permission check is made (data
# loaders, shell use). Every view and API endpoint passes actor=request.user.
UNCHECKED = object()


class ConflictError(Exception):
    """Someone changed the object since the form was loaded (version mismatch).

    `current` is the object as it is in the database now.
    """

    def __init__(self, current):
        super().__init__("version conflict")
        self.current = current


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _validated_save(instance, **save_kwargs) -> None:
    instance.full_clean()
    instance.save(**save_kwargs)


@transaction.atomic
def district_create(
    *, name: str, slug: str, municipality: Partner | None = None
) -> District:
    district = District(name=name, slug=slug, municipality=municipality)
    _validated_save(district)
    return district


@transaction.atomic
def plan_create(
    *, title: str, slug: str, start_year: int, owner: Partner, **fields
) -> Plan:
    plan = Plan(title=title, slug=slug, start_year=start_year, owner=owner, **fields)
    _validated_save(plan)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, **fields) -> Plan:
    for name, value in fields.items():
        setattr(plan, name, value)
    _validated_save(plan)
    return plan


@transaction.atomic
def district_update(*, district: District, **fields) -> District:
    for name, value in fields.items():
        setattr(district, name, value)
    _validated_save(district)
    return district


@transaction.atomic
def goal_update(*, goal: Goal, **fields) -> Goal:
    for name, value in fields.items():
        setattr(goal, name, value)
    if goal.parent is not None and goal.parent.plan_id != goal.plan_id:
        raise ValidationError(
            {"parent": _("Det overordnede målet må høre til samme plan.")}
        )
    _validated_save(goal)
    return goal


@transaction.atomic
def goal_create(
    *, plan: Plan, title: str, slug: str, parent: Goal | None = None, **fields
) -> Goal:
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError(
            {"parent": _("Det overordnede målet må høre til samme plan.")}
        )
    goal = Goal(plan=plan, title=title, slug=slug, parent=parent, **fields)
    _validated_save(goal)
    return goal


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
    plan: Plan,
    title: str,
    slug: str,
    lead: Partner | None,
    contributors: Iterable[Partner] = (),
    goals: Iterable[Goal] = (),
    districts: Iterable[District] = (),
    **fields,
) -> Measure:
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
    _validated_save(measure)
    measure.goals.set(goals)
    measure.districts.set(list(districts))
    _save_partner_roles(measure, lead, contributors)
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, **fields) -> Measure:
    """Change a measure's own fields; the version bump marks the write for CAS."""
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.version = F("version") + 1
    measure.full_clean(exclude=["version"])
    measure.save()
    measure.refresh_from_db(fields=["version"])
    return measure


@transaction.atomic
def measure_set_partners(
    *, measure: Measure, lead: Partner | None, contributors: Iterable[Partner] = ()
) -> Measure:
    contributors = _check_partner_roles(lead, contributors)
    # Delete one by one so that each removal leaves a history row.
    for role in measure.partner_roles.all():
        role.delete()
    _save_partner_roles(measure, lead, contributors)
    return measure


def _save_partner_roles(measure: Measure, lead: Partner, contributors: list) -> None:
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
        _validated_save(role)


def _check_publishable(update: StatusUpdate) -> None:
    if update.progress is None and update.health == "" and update.author_id is not None:
        # A caseworker's update must carry an assessment; only shipped historical
        # events (no author) may state a fact without one.
        raise ValidationError(
            _("Angi fremdrift og helse før oppdateringen publiseres.")
        )


def _check_measure_open(measure: Measure) -> None:
    """A completed, discontinued or continued measure takes no more updates."""
    phase = (
        Measure.objects.filter(pk=measure.pk)
        .values_list("current_phase", flat=True)
        .first()
    )
    if phase is not None and phase not in OPEN_PHASES:
        raise ValidationError(
            _(
                "Tiltaket har status «%(phase)s» og tar ikke imot flere "
                "oppdateringer. Kontakt planens koordinator om statusen er feil."
            )
            % {"phase": Phase(phase).label}
        )


def _check_update_content(*, measure: Measure, as_of) -> None:
    """Rules a caseworker's update must follow beyond the model's own."""
    errors = {}
    if isinstance(as_of, datetime.date):
        if as_of > timezone.localdate():
            errors["as_of"] = _("Datoen kan ikke være fram i tid.")
        elif as_of.year < measure.plan.start_year:
            errors["as_of"] = _(
                "Datoen kan ikke være før planen startet (%(year)s)."
            ) % {"year": measure.plan.start_year}
    if errors:
        raise ValidationError(errors)


NO_SOURCE_MESSAGE = _(
    "Legg til minst én kilde: velg en kilde fra listen eller lim inn en lenke."
)


def _check_cited(update: StatusUpdate) -> None:
    """An update is sent in only with at least one source (a draft may wait)."""
    if not Citation.objects.filter(status_update=update).exists():
        raise ValidationError({"sources": NO_SOURCE_MESSAGE})


def _cite(update: StatusUpdate, *, actor, sources, new_sources) -> None:
    """Store what the update cites: the chosen sources, then the typed links."""
    if sources is None and not new_sources:
        return
    chosen = (
        list(sources)
        if sources is not None
        else [
            citation.source
            for citation in Citation.objects.filter(
                status_update=update, field=""
            ).select_related("source")
        ]
    )
    resolved = source_services.resolve_sources(
        actor=actor, sources=chosen, new_sources=new_sources
    )
    source_services.cite(target=update, sources=resolved)


def _mark_submitted(update: StatusUpdate, reviewer=None) -> None:
    """Set the fields of a submitted update, or of a published one when the plan
    needs no review, without saving: the caller saves once, so one history row."""
    update.submitted_at = timezone.now()
    if update.measure.plan.requires_review:
        update.state = StatusUpdate.State.SUBMITTED
    else:
        update.state = StatusUpdate.State.PUBLISHED
        update.reviewer = reviewer
        update.published_at = update.submitted_at
        _check_publishable(update)


def _claim_measure_version(measure: Measure, expected_version: int) -> None:
    """Compare-and-swap on the measure's version: fails when anyone changed the
    measure or started an update on it since the form was loaded."""
    claimed = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise ConflictError(Measure.objects.select_related("plan").get(pk=measure.pk))


@transaction.atomic
def status_update_create(
    *,
    measure: Measure,
    author,
    as_of,
    phase: str,
    summary: str,
    health: str = "",
    progress: int | None = None,
    external_id: str = "",
    uncertainty: str = "",
    actor=UNCHECKED,
    expected_measure_version: int | None = None,
    submit: bool = False,
    sources: Sequence[Source] = (),
    new_sources: Sequence["source_services.NewSource"] = (),
) -> StatusUpdate:
    """Start an update on a measure: a draft, or with submit=True a submitted one
    (published at once when the plan needs no review). Saved once, so it leaves one
    history row.

    It cites `sources` and the typed links `new_sources` (found or created by URL);
    a submitted update needs at least one of them (NO_SOURCE_MESSAGE).

    With `expected_measure_version` the write is a compare-and-swap on the measure's
    version: ConflictError if the measure changed since the form was loaded.
    """
    if actor is not UNCHECKED:
        _require(permissions.can_edit_measure_status(actor, measure))
    _check_measure_open(measure)
    _check_update_content(measure=measure, as_of=as_of)
    update = StatusUpdate(
        measure=measure,
        author=author,
        as_of=as_of,
        phase=phase,
        health=health,
        progress=progress,
        summary=summary,
        external_id=external_id,
        uncertainty=uncertainty,
        state=StatusUpdate.State.DRAFT,
    )
    update.full_clean()
    resolved = source_services.resolve_sources(
        actor=actor, sources=sources, new_sources=new_sources
    )
    if submit and not resolved:
        raise ValidationError({"sources": NO_SOURCE_MESSAGE})
    if submit:
        _mark_submitted(update)
    if expected_measure_version is not None:
        _claim_measure_version(measure, expected_measure_version)
    _validated_save(update)
    source_services.cite(target=update, sources=resolved)
    if update.state == StatusUpdate.State.PUBLISHED:
        measure_sync_current_status(measure=measure)
    return update


@transaction.atomic
def status_update_edit(
    *,
    update: StatusUpdate,
    expected_version: int,
    actor=UNCHECKED,
    submit: bool = False,
    sources: Sequence[Source] | None = None,
    new_sources: Sequence["source_services.NewSource"] = (),
    **fields,
) -> StatusUpdate:
    """Change a draft or returned update (and with submit=True send it in).

    A compare-and-swap on the update's version: ConflictError when someone changed
    it since the form was loaded. One save, so one history row. `sources` (None:
    unchanged) and `new_sources` replace what it cites; sent in, it must cite one.
    """
    allowed = {
        "as_of",
        "phase",
        "health",
        "progress",
        "summary",
        "uncertainty",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"status_update_edit() got unexpected fields {unknown}")
    if actor is not UNCHECKED:
        _require(permissions.can_edit_update(actor, update))
    _check_measure_open(update.measure)
    _check_update_content(
        measure=update.measure,
        as_of=fields.get("as_of", update.as_of),
    )
    claimed = StatusUpdate.objects.filter(
        pk=update.pk, version=expected_version, state__in=EDITABLE_STATES
    ).update(version=F("version") + 1)
    if not claimed:
        raise ConflictError(
            StatusUpdate.objects.select_related("measure__plan", "author").get(
                pk=update.pk
            )
        )
    update = StatusUpdate.objects.select_related("measure__plan").get(pk=update.pk)
    for name, value in fields.items():
        setattr(update, name, value)
    update.full_clean()
    _cite(update, actor=actor, sources=sources, new_sources=new_sources)
    if submit:
        _check_cited(update)
        _mark_submitted(update)
    _validated_save(update)
    if update.state == StatusUpdate.State.PUBLISHED:
        measure_sync_current_status(measure=update.measure)
    return update


def _lock_for_review(
    update: StatusUpdate, expected_version: int | None
) -> StatusUpdate:
    update = (
        StatusUpdate.objects.select_for_update()
        .select_related("measure__plan")
        .get(pk=update.pk)
    )
    if expected_version is not None and update.version != expected_version:
        raise ConflictError(update)
    return update


@transaction.atomic
def status_update_submit(
    *, update: StatusUpdate, actor=UNCHECKED, expected_version: int | None = None
) -> StatusUpdate:
    """Send a draft (or a corrected returned update) for review; publish at once
    when the plan needs no review."""
    update = _lock_for_review(update, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_edit_update(actor, update))
    if update.state not in EDITABLE_STATES:
        raise ValidationError(
            _("Bare utkast og returnerte oppdateringer kan sendes inn.")
        )
    _check_measure_open(update.measure)
    _check_cited(update)
    _mark_submitted(update)
    update.version += 1
    _validated_save(update)
    if update.state == StatusUpdate.State.PUBLISHED:
        measure_sync_current_status(measure=update.measure)
    return update


@transaction.atomic
def status_update_publish(
    *,
    update: StatusUpdate,
    reviewer,
    actor=UNCHECKED,
    expected_version: int | None = None,
) -> StatusUpdate:
    """Publish a submitted update and, in the same transaction, refresh the
    measure's current status."""
    update = _lock_for_review(update, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_review(actor, update.measure.plan))
    if update.state != StatusUpdate.State.SUBMITTED:
        raise ValidationError(_("Bare innsendte oppdateringer kan publiseres."))
    _check_measure_open(update.measure)
    _check_publishable(update)
    update.state = StatusUpdate.State.PUBLISHED
    update.reviewer = reviewer
    update.published_at = timezone.now()
    update.version += 1
    _validated_save(update)
    measure_sync_current_status(measure=update.measure)
    return update


@transaction.atomic
def status_update_return(
    *,
    update: StatusUpdate,
    reviewer,
    comment: str,
    actor=UNCHECKED,
    expected_version: int | None = None,
) -> StatusUpdate:
    update = _lock_for_review(update, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_review(actor, update.measure.plan))
    if update.state != StatusUpdate.State.SUBMITTED:
        raise ValidationError(_("Bare innsendte oppdateringer kan returneres."))
    if not comment.strip():
        raise ValidationError(
            {
                "review_comment": _(
                    "Skriv hva som må rettes før oppdateringen returneres."
                )
            }
        )
    update.state = StatusUpdate.State.RETURNED
    update.reviewer = reviewer
    update.review_comment = comment.strip()
    update.version += 1
    _validated_save(update)
    return update


@transaction.atomic
def status_update_record_published(
    *,
    measure: Measure,
    as_of,
    phase: str,
    summary: str,
    health: str = "",
    progress: int | None = None,
    external_id: str = "",
    uncertainty: str = "",
    published_at=None,
    sources: Sequence[Source] = (),
    new_sources: Sequence["source_services.NewSource"] = (),
    actor=UNCHECKED,
) -> StatusUpdate:
    """Record an already-public fact (the admin, tests) as a published update.

    No author and no review: the source carries the authority, so it must cite at
    least one of `sources` or the typed links `new_sources` (found or created by
    URL).
    """
    cited = source_services.resolve_sources(
        actor=actor, sources=sources, new_sources=new_sources
    )
    if not cited:
        raise ValidationError({"sources": _("En historisk hendelse må ha en kilde.")})
    update = StatusUpdate(
        measure=measure,
        as_of=as_of,
        phase=phase,
        health=health,
        progress=progress,
        summary=summary,
        external_id=external_id,
        uncertainty=uncertainty,
        state=StatusUpdate.State.PUBLISHED,
        published_at=published_at or timezone.now(),
    )
    _validated_save(update)
    source_services.cite(target=update, sources=cited)
    measure_sync_current_status(measure=measure)
    return update


@transaction.atomic
def status_update_import(
    *,
    measure: Measure,
    actor,
    external_id: str,
    as_of,
    phase: str,
    summary: str,
    health: str = "",
    progress: int | None = None,
    uncertainty: str = "",
    new_sources: Sequence["source_services.NewSource"] = (),
) -> StatusUpdate:
    """A published update from an administrator's import (measures/resources.py).
    It cites `new_sources` (found or created by URL; the column source_urls).

    The importing user is its author and reviewer, so they need the right to
    publish on the plan. The content follows the rules of a caseworker's update;
    one without an assessment states a fact and needs a source, like a shipped
    event. The external id keeps a file from adding the update twice. Saved
    once, so it leaves one history row.
    """
    _require(permissions.can_review(actor, measure.plan))
    if not external_id.strip():
        raise ValidationError(
            {"external_id": _("En ny oppdatering må ha en ekstern nøkkel.")}
        )
    _check_measure_open(measure)
    _check_update_content(measure=measure, as_of=as_of)
    cited = source_services.resolve_sources(
        actor=actor,
        new_sources=new_sources,
        field_prefix="source_urls:",
        permission_checked=True,
    )
    if progress is None and not health and not cited:
        raise ValidationError(
            _(
                "Angi fremdrift og helse, eller en kilde (source_urls) for en "
                "hendelse uten vurdering."
            )
        )
    now = timezone.now()
    update = StatusUpdate(
        measure=measure,
        author=actor,
        reviewer=actor,
        as_of=as_of,
        phase=phase,
        health=health,
        progress=progress,
        summary=summary,
        uncertainty=uncertainty,
        external_id=external_id.strip(),
        state=StatusUpdate.State.PUBLISHED,
        submitted_at=now,
        published_at=now,
    )
    _validated_save(update)
    source_services.cite(target=update, sources=cited)
    measure_sync_current_status(measure=measure)
    return update


@transaction.atomic
def measure_sync_current_status(*, measure: Measure) -> Measure:
    """Copy the latest published update (by as-of date) onto the measure.

    An update published late with an older as-of date does not displace a newer one.
    """
    latest = (
        StatusUpdate.objects.filter(measure=measure, state=StatusUpdate.State.PUBLISHED)
        .order_by("-as_of", "-published_at", "-id")
        .first()
    )
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if latest is None:
        measure.current_update = None
        measure.current_phase = ""  # no published update: no status
        measure.current_health = ""
        measure.current_progress = None
        measure.current_as_of = None
    elif measure.current_update_id == latest.pk:
        return measure
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


# Indicators, indicator values and budget lines: measures/indicator_services.py,
# reachable from here as services.indicator_services; sources and citations:
# measures/source_services.py (imported last: both import this module).
from measures import indicator_services, source_services  # noqa: E402, F401
