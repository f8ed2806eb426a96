"""Status updates: a caseworker's dated report on a measure, from draft to
published (the review steps are services/review.py), and already-public events
recorded by the admin and imports. Publishing refreshes the measure's current
status (services/plans.py: measure_sync_current_status)."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures import permissions
from measures.models import (
    EDITABLE_STATES,
    OPEN_PHASES,
    Citation,
    Measure,
    Phase,
    Source,
    StatusUpdate,
)
from measures.services import plan_status, review
from measures.services import sources as source_services
from measures.services.base import (
    NO_SOURCE_MESSAGE,
    ConflictError,
    check,
    validate,
    validated_save,
)
from measures.services.plans import refresh_current_status


def _check_publishable(update: StatusUpdate) -> None:
    if update.progress is None and update.health == "" and update.author_id is not None:
        # A caseworker's update must carry an assessment; only shipped historical
        # events (no author) may state a fact without one.
        raise ValidationError(
            _("Angi fremdrift og vurdering før oppdateringen publiseres.")
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


def _check_plan_open(measure: Measure, actor) -> None:
    """New updates only on adopted plans; on a completed plan only from those who
    review it (services/plan_status.py)."""
    plan_status.check_takes_reports(
        measure.plan, actor, may_correct=permissions.can_review
    )


def _check_open(update: StatusUpdate, actor) -> None:
    """What must hold to send an update in or publish it: its plan takes reports
    from the actor and its measure is not closed."""
    _check_plan_open(update.measure, actor)
    _check_measure_open(update.measure)


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


def _mark_published(update: StatusUpdate, reviewer) -> None:
    update.state = StatusUpdate.State.PUBLISHED
    update.reviewer = reviewer
    update.published_at = timezone.now()
    _check_publishable(update)


def _sync_measure(update: StatusUpdate) -> None:
    refresh_current_status(update.measure)


STATUS_UPDATES = review.ReviewKind(
    model=StatusUpdate,
    related=("measure__plan",),
    lock_of=(),
    citation_field="status_update",
    plan=lambda update: update.measure.plan,
    can_edit=permissions.can_edit_update,
    can_review=permissions.can_review,
    only_editable_can_submit=gettext_lazy(
        "Bare utkast og returnerte oppdateringer kan sendes inn."
    ),
    only_submitted_can_publish=gettext_lazy(
        "Bare innsendte oppdateringer kan publiseres."
    ),
    only_submitted_can_return=gettext_lazy(
        "Bare innsendte oppdateringer kan returneres."
    ),
    return_needs_comment=gettext_lazy(
        "Skriv hva som må rettes før oppdateringen returneres."
    ),
    check_submit=_check_open,
    check_publish=_check_open,
    mark_published=_mark_published,
    after_publish=_sync_measure,
)


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
    actor,
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
    Refused (ValidationError, code plan_status.PLAN_CLOSED) on a plan that takes no
    reports from the actor, and on a closed measure.
    """
    check(actor, lambda user: permissions.can_edit_measure_status(user, measure))
    _check_plan_open(measure, actor)
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
    validate(update)
    resolved = source_services.resolve_sources(
        actor=actor, sources=sources, new_sources=new_sources
    )
    if submit and not resolved:
        raise ValidationError({"sources": NO_SOURCE_MESSAGE})
    if submit:
        review.mark_submitted(STATUS_UPDATES, update)
    if expected_measure_version is not None:
        _claim_measure_version(measure, expected_measure_version)
    validated_save(update)
    source_services.cite(target=update, sources=resolved)
    if update.state == StatusUpdate.State.PUBLISHED:
        refresh_current_status(measure)
    return update


@transaction.atomic
def status_update_edit(
    *,
    update: StatusUpdate,
    expected_version: int,
    actor,
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
    check(actor, lambda user: permissions.can_edit_update(user, update))
    _check_plan_open(update.measure, actor)
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
    validate(update)
    _cite(update, actor=actor, sources=sources, new_sources=new_sources)
    if submit:
        review.check_cited(STATUS_UPDATES, update)
        review.mark_submitted(STATUS_UPDATES, update)
    validated_save(update)
    if update.state == StatusUpdate.State.PUBLISHED:
        refresh_current_status(update.measure)
    return update


@transaction.atomic
def status_update_submit(
    *, update: StatusUpdate, actor, expected_version: int | None = None
) -> StatusUpdate:
    """Send a draft (or a corrected returned update) for review; publish at once
    when the plan needs no review."""
    return review.submit(
        STATUS_UPDATES, update, actor=actor, expected_version=expected_version
    )


@transaction.atomic
def status_update_publish(
    *,
    update: StatusUpdate,
    reviewer,
    actor,
    expected_version: int | None = None,
) -> StatusUpdate:
    """Publish a submitted update and, in the same transaction, refresh the
    measure's current status."""
    return review.publish(
        STATUS_UPDATES,
        update,
        reviewer=reviewer,
        actor=actor,
        expected_version=expected_version,
    )


@transaction.atomic
def status_update_return(
    *,
    update: StatusUpdate,
    reviewer,
    comment: str,
    actor,
    expected_version: int | None = None,
) -> StatusUpdate:
    """Send a submitted update back to its author with what to correct."""
    return review.return_to_author(
        STATUS_UPDATES,
        update,
        reviewer=reviewer,
        comment=comment,
        actor=actor,
        expected_version=expected_version,
    )


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
    actor,
) -> StatusUpdate:
    """Record an already-public fact (the admin, tests) as a published update.

    No author and no review: the source carries the authority, so it must cite at
    least one of `sources` or the typed links `new_sources` (found or created by
    URL).

    It publishes without review, so it needs the right to publish through review
    on the measure's plan (permissions.can_review), not merely to add updates.
    """
    check(actor, lambda user: permissions.can_review(user, measure.plan))
    cited = source_services.resolve_sources(
        actor=actor,
        sources=sources,
        new_sources=new_sources,
        permission_checked=True,
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
    validated_save(update, actor=actor)
    source_services.cite(target=update, sources=cited)
    refresh_current_status(measure)
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
    """A published update from an administrator's import
    (measures/admin/imports/status_updates.py). It cites `new_sources` (found or
    created by URL; the column source_urls).

    The importing user is its author and reviewer, so they need the right to
    publish on the plan. The content follows the rules of a caseworker's update;
    one without an assessment states a fact and needs a source, like a shipped
    event. The external id keeps a file from adding the update twice. Saved
    once, so it leaves one history row.
    """
    check(actor, lambda user: permissions.can_review(user, measure.plan))
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
                "Angi fremdrift og vurdering, eller en kilde (source_urls) for en "
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
    validated_save(update)
    source_services.cite(target=update, sources=cited)
    refresh_current_status(measure)
    return update
