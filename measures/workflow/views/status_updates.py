"""A caseworker's status updates in the browser: start one on a measure, edit a draft
or returned update (a second editor gets the conflict page), see one."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from measures import permissions
from measures.models import (
    EDITABLE_STATES,
    OPEN_PHASES,
    Health,
    Measure,
    Phase,
    StatusUpdate,
)
from measures.models.choices import choice_label
from measures.municipal import municipal_view
from measures.selectors import workflow as workflow_selectors
from measures.services import plan_status
from measures.services.base import ConflictError, require
from measures.services.status_updates import (
    status_update_create,
    status_update_edit,
)
from measures.workflow.forms.sources import SUBMIT
from measures.workflow.forms.status_updates import StatusUpdateForm
from measures.workflow.views import plan_closed

FORM_TEMPLATE = "measures/workflow/statusupdate_form.html"


CONFLICT_TEMPLATE = "measures/workflow/statusupdate_conflict.html"


def _measure(municipality, slug: str) -> Measure:
    return get_object_or_404(
        Measure.objects.select_related(
            "municipality", "plan", "plan__owner", "current_update"
        ),
        municipality=municipality,
        slug=slug,
    )


def load_update(pk: int) -> StatusUpdate:
    return get_object_or_404(
        StatusUpdate.objects.select_related(
            "measure", "measure__plan", "measure__current_update", "author", "reviewer"
        ).prefetch_related(workflow_selectors.CITATIONS),
        pk=pk,
    )


def _is_open(measure: Measure) -> bool:
    """The measure is not closed (completed, discontinued, continued). Whether its
    plan takes the user's update is _plan_takes_updates()."""
    return measure.current_phase in OPEN_PHASES


def _plan_takes_updates(measure: Measure, user) -> bool:
    return plan_status.takes_reports(
        measure.plan, user, may_correct=permissions.can_review
    )


def _refuse_closed_plan(request: HttpRequest, measure: Measure) -> HttpResponse:
    return plan_closed.refuse(
        request, measure.plan, subject=measure, typed=request.POST.get("summary", "")
    )


def _form_kwargs(measure: Measure, user, *, allow_submit: bool | None = None) -> dict:
    return {
        "measure": measure,
        "user": user,
        "publishes": not measure.plan.requires_review,
        "allow_submit": _is_open(measure) if allow_submit is None else allow_submit,
    }


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _success_message(update: StatusUpdate) -> str:
    if update.state == StatusUpdate.State.PUBLISHED:
        return _("Oppdateringen er publisert og vises nå på tiltakets side.")
    if update.state == StatusUpdate.State.SUBMITTED:
        return _("Oppdateringen er sendt til godkjenning.")
    return _("Utkastet er lagret. Det er ikke sendt til godkjenning ennå.")


def _rebind_with_version(request, form_kwargs: dict, version: int) -> StatusUpdateForm:
    """The user's typed data with the version they have now seen, so that sending
    again after reading the conflict page is a deliberate choice."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = StatusUpdateForm(data, **form_kwargs)
    form.is_valid()
    return form


def status_rows(before, after) -> list[dict]:
    """Rows of phase, health, progress and as-of: before -> after."""

    def show(obj, name):
        if obj is None:
            return "–"
        value = getattr(obj, name)
        if value in ("", None):
            return "–"
        if name == "phase":
            return choice_label(Phase, value)
        if name == "health":
            return choice_label(Health, value)
        if name == "progress":
            return f"{value} %"
        return date_format(value, "SHORT_DATE_FORMAT")

    labels = {
        "phase": _("Fase"),
        "health": _("Vurdering"),
        "progress": _("Fremdrift"),
        "as_of": _("Status per"),
    }
    rows = []
    for name, label in labels.items():
        old, new = show(before, name), show(after, name)
        rows.append(
            {"label": label, "before": old, "after": new, "changed": old != new}
        )
    return rows


def _typed(form: StatusUpdateForm) -> SimpleNamespace:
    return SimpleNamespace(**form.service_fields())


class CurrentStatus:
    """A measure's denormalised current status, shaped like an update."""

    def __init__(self, measure: Measure):
        if measure.current_update_id is None:
            self.phase = self.health = self.progress = self.as_of = None
        else:
            self.phase = measure.current_phase
            self.health = measure.current_health
            self.progress = measure.current_progress
            self.as_of = measure.current_as_of


def saved_now(measure: Measure):
    """What is saved on the measure now, for the conflict page: the update
    started most recently (most often the colleague's, still a draft or sent in,
    which the published status does not show yet), else the current status."""
    newest = measure.updates.order_by("-created_at", "-id").first()
    return newest if newest is not None else CurrentStatus(measure)


@login_required
@require_http_methods(["GET", "POST"])
@municipal_view
def measure_update(request: HttpRequest, municipality, slug: str) -> HttpResponse:
    """Start a new status update on a measure."""
    measure = _measure(municipality, slug)
    require(permissions.can_edit_measure_status(request.user, measure))
    if not _plan_takes_updates(measure, request.user):
        return _refuse_closed_plan(request, measure)
    form_kwargs = _form_kwargs(measure, request.user)
    context = {"measure": measure, "is_open": _is_open(measure), "update": None}
    if request.method != "POST":
        form = StatusUpdateForm(
            initial=StatusUpdateForm.initial_for_measure(measure), **form_kwargs
        )
        return render(request, FORM_TEMPLATE, {**context, "form": form})

    form = StatusUpdateForm(request.POST, **form_kwargs)
    if not context["is_open"]:
        # Marked completed (or similar) while the form was open: keep their text.
        form.is_valid()
        return render(request, FORM_TEMPLATE, {**context, "form": form}, status=409)
    if form.is_valid():
        try:
            update = status_update_create(
                measure=measure,
                author=request.user,
                actor=request.user,
                expected_measure_version=form.cleaned_data["version"],
                submit=SUBMIT in request.POST,
                **form.service_fields(),
            )
        except ConflictError as conflict:
            current = conflict.current
            return render(
                request,
                CONFLICT_TEMPLATE,
                {
                    "measure": current,
                    "update": None,
                    "form": _rebind_with_version(
                        request, _form_kwargs(current, request.user), current.version
                    ),
                    "is_open": _is_open(current),
                    "rows": status_rows(_typed(form), saved_now(current)),
                    "others": current.updates.exclude(
                        state=StatusUpdate.State.PUBLISHED
                    )
                    .select_related("author")
                    .order_by("-created_at")[:10],
                },
                status=409,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _success_message(update))
            return redirect("measures:my-measures")
    return render(request, FORM_TEMPLATE, {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft or a returned update, and optionally send it in."""
    update = load_update(pk)
    require(permissions.can_edit_update(request.user, update))
    measure = update.measure
    if not _plan_takes_updates(measure, request.user):
        return _refuse_closed_plan(request, measure)
    form_kwargs = _form_kwargs(measure, request.user)
    context = {"measure": measure, "is_open": _is_open(measure), "update": update}
    if request.method != "POST":
        form = StatusUpdateForm(
            initial=StatusUpdateForm.initial_for_update(update), **form_kwargs
        )
        return render(request, FORM_TEMPLATE, {**context, "form": form})

    form = StatusUpdateForm(request.POST, **form_kwargs)
    if not context["is_open"]:
        form.is_valid()
        return render(request, FORM_TEMPLATE, {**context, "form": form}, status=409)
    if form.is_valid():
        try:
            saved = status_update_edit(
                update=update,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                submit=SUBMIT in request.POST,
                **form.service_fields(),
            )
        except ConflictError as conflict:
            current = conflict.current
            editable = current.state in EDITABLE_STATES
            can_resend = _is_open(measure) and editable
            return render(
                request,
                CONFLICT_TEMPLATE,
                {
                    "measure": measure,
                    "update": current,
                    "form": _rebind_with_version(
                        request,
                        _form_kwargs(measure, request.user, allow_submit=can_resend),
                        current.version,
                    ),
                    "is_open": can_resend,
                    "rows": status_rows(_typed(form), current),
                    "current_summary": current.summary,
                    "others": [],
                },
                status=409,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _success_message(saved))
            return redirect("measures:my-measures")
    return render(request, FORM_TEMPLATE, {**context, "form": form})


@login_required
def update_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One update, whatever its state, for those who may see it."""
    update = load_update(pk)
    user = request.user
    require(permissions.can_view_update(user, update))
    # Who saved, sent in, returned (with what comment) and published: for those
    # who report on the measure or review it, as on an indicator value's page. A
    # return comment lives here once the update is sent in again.
    history = []
    if permissions.can_edit_measure_status(user, update.measure) or (
        permissions.can_review(user, update.measure.plan)
    ):
        history = [
            {
                "date": record.history_date,
                "user": record.history_user,
                "state": StatusUpdate.State(record.state).label,
                "comment": record.review_comment,
            }
            for record in update.history.select_related("history_user").order_by(
                "history_date", "history_id"
            )
        ]
    return render(
        request,
        "measures/workflow/statusupdate_detail.html",
        {
            "update": update,
            "measure": update.measure,
            "can_edit": permissions.can_edit_update(user, update)
            and _plan_takes_updates(update.measure, user),
            "history": history,
        },
    )
