"""The coordinator's review queue, for both kinds of reviewed record: status updates
and indicator values waiting for review, each with its publish and return forms,
and the actions that publish or return them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures import permissions
from measures.selectors import workflow as workflow_selectors
from measures.selectors.workflow import (
    indicator_review_queue,
    indicator_value_for_workflow,
)
from measures.services import indicator_values as value_services
from measures.services import plan_status
from measures.services.base import ConflictError, require
from measures.services.status_updates import (
    status_update_publish,
    status_update_return,
)
from measures.workflow.forms.indicator_values import IndicatorReturnForm
from measures.workflow.forms.review import PublishForm, ReturnForm
from measures.workflow.views.status_updates import (
    CurrentStatus,
    load_update,
    status_rows,
)


def render_queue(
    request: HttpRequest,
    *,
    bound: tuple[int, ReturnForm] | None = None,
    indicator_bound=None,
    status=200,
) -> HttpResponse:
    items = []
    for update in workflow_selectors.review_queue(user=request.user):
        # Per-update ids, so the page has no duplicate ids.
        auto_id = f"id_u{update.pk}_%s"
        return_form = ReturnForm(initial={"version": update.version}, auto_id=auto_id)
        if bound and bound[0] == update.pk:
            return_form = bound[1]
            return_form.auto_id = auto_id
        items.append(
            {
                "update": update,
                "rows": status_rows(CurrentStatus(update.measure), update),
                # A plan closed since the update was sent in: say so instead of
                # offering a Publiser button that can only be refused.
                "closed": plan_status.closed_for(
                    update.measure.plan,
                    request.user,
                    may_correct=permissions.can_review,
                ),
                "publish_form": PublishForm(
                    initial={"version": update.version}, auto_id=f"id_p{update.pk}_%s"
                ),
                "return_form": return_form,
            }
        )
    return render(
        request,
        "measures/workflow/review_queue.html",
        {
            "items": items,
            "gaps": workflow_selectors.unreported_by_plan(user=request.user),
            # Submitted indicator values beside the updates (indicator_views.py).
            "indicator_items": review_items(request.user, bound=indicator_bound),
        },
        status=status,
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    require(permissions.can_use_review_queue(request.user))
    return render_queue(request)


# The indicator values in the queue, and the steps for either kind --------------


def review_items(user, *, bound: tuple[int, IndicatorReturnForm] | None = None):
    """The review queue's indicator values, each with its publish and return forms
    (ids unique on the page, beside the status updates' forms)."""
    items = []
    queue = list(indicator_review_queue(user=user))
    # Their citations in one query (the selector does not load them).
    prefetch_related_objects(
        [queued.value for queued in queue], workflow_selectors.CITATIONS
    )
    for queued in queue:
        value = queued.value
        auto_id = f"id_iv{value.pk}_%s"
        return_form = IndicatorReturnForm(
            initial={"version": value.version}, auto_id=auto_id
        )
        if bound and bound[0] == value.pk:
            return_form = bound[1]
            return_form.auto_id = auto_id
        items.append(
            {
                "queued": queued,
                "closed": plan_status.closed_for(
                    value.indicator.plan,
                    user,
                    may_correct=permissions.can_review_indicator_values,
                ),
                "publish_form": PublishForm(
                    initial={"version": value.version}, auto_id=f"id_ivp{value.pk}_%s"
                ),
                "return_form": return_form,
            }
        )
    return items


def _publish(request: HttpRequest, publish, *, changed, published) -> HttpResponse:
    """The publish step, for either kind: `publish(version)` calls the kind's
    service; `changed` and `published` are the messages in the kind's words."""
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skjemaet var ufullstendig. Prøv igjen."))
        return render_queue(request, status=400)
    try:
        publish(form.cleaned_data["version"])
    except ConflictError:
        return _refused(request, changed)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    messages.success(request, published)
    return redirect("measures:review-queue")


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """A step the record's state (or its plan's) does not allow now: the queue
    again with the reason, as a 409, and nothing changed."""
    messages.error(request, message)
    return render_queue(request, status=409)


def _return(request: HttpRequest, form, return_, *, changed, returned) -> HttpResponse:
    """The return step, for either kind: `return_(comment, version)` calls the
    kind's service. A form with an error shows the queue again by the caller."""
    try:
        return_(form.cleaned_data["comment"], form.cleaned_data["version"])
    except ConflictError:
        return _refused(request, changed)
    except ValidationError as error:
        return _refused(request, " ".join(error.messages))
    messages.success(request, returned)
    return redirect("measures:review-queue")


@require_POST
@login_required
def update_publish(request: HttpRequest, pk: int) -> HttpResponse:
    update = load_update(pk)
    require(permissions.can_review(request.user, update.measure.plan))
    return _publish(
        request,
        lambda version: status_update_publish(
            update=update,
            reviewer=request.user,
            actor=request.user,
            expected_version=version,
        ),
        changed=_(
            "Oppdateringen er endret siden du åpnet siden. Se over den nye "
            "versjonen før du publiserer."
        ),
        published=(
            _("«%(measure)s» er publisert og vises nå på de offentlige sidene.")
            if update.measure.plan.is_public
            # A training plan never reaches the public: say so, not the opposite.
            else _(
                "«%(measure)s» er publisert i øvingsplanen, "
                "som aldri vises for publikum."
            )
        )
        % {"measure": update.measure},
    )


@require_POST
@login_required
def update_return(request: HttpRequest, pk: int) -> HttpResponse:
    update = load_update(pk)
    require(permissions.can_review(request.user, update.measure.plan))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return render_queue(request, bound=(update.pk, form))
    return _return(
        request,
        form,
        lambda comment, version: status_update_return(
            update=update,
            reviewer=request.user,
            comment=comment,
            actor=request.user,
            expected_version=version,
        ),
        changed=_("Oppdateringen er endret siden du åpnet siden. Se over den på nytt."),
        returned=_("Oppdateringen av «%(measure)s» er returnert til saksbehandler.")
        % {"measure": update.measure},
    )


@require_POST
@login_required
def indicator_value_publish(request: HttpRequest, pk: int) -> HttpResponse:
    value = indicator_value_for_workflow(pk=pk)
    require(permissions.can_review_indicator_values(request.user, value.indicator.plan))
    return _publish(
        request,
        lambda version: value_services.indicator_value_publish(
            indicator_value=value,
            reviewer=request.user,
            actor=request.user,
            expected_version=version,
        ),
        changed=_(
            "Verdien er endret siden du åpnet siden. Se over den nye versjonen "
            "før du publiserer."
        ),
        published=_(
            "«%(indicator)s» for %(period)s er publisert og vises nå på de "
            "offentlige sidene."
        )
        % {"indicator": value.indicator, "period": value.period_label},
    )


@require_POST
@login_required
def indicator_value_return(request: HttpRequest, pk: int) -> HttpResponse:
    value = indicator_value_for_workflow(pk=pk)
    require(permissions.can_review_indicator_values(request.user, value.indicator.plan))
    form = IndicatorReturnForm(request.POST)
    if not form.is_valid():
        # The queue again, with the comment field's error where it was typed.
        return render_queue(request, indicator_bound=(value.pk, form))
    return _return(
        request,
        form,
        lambda comment, version: value_services.indicator_value_return(
            indicator_value=value,
            reviewer=request.user,
            comment=comment,
            actor=request.user,
            expected_version=version,
        ),
        changed=_("Verdien er endret siden du åpnet siden. Se over den på nytt."),
        returned=_("Verdien for «%(indicator)s» %(period)s er returnert med kommentar.")
        % {"indicator": value.indicator, "period": value.period_label},
    )
