from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from measures import permissions
from measures.models import EDITABLE_STATES, Indicator, IndicatorValue
from measures.periods import period_label
from measures.selectors.small_numbers import format_value, public_value
from measures.selectors.workflow import (
    indicator_for_workflow,
    indicator_value_for_workflow,
    open_value_for_period,
    published_value_for_period,
    recent_published_values,
)
from measures.services import indicator_values as value_services
from measures.services import plan_status
from measures.services.base import ConflictError, require
from measures.services.indicator_values import PERIOD_OPEN, PERIOD_TAKEN
from measures.workflow.forms.indicator_values import IndicatorValueForm
from measures.workflow.forms.sources import SUBMIT
from measures.workflow.views import plan_closed

FORM_TEMPLATE = "measures/workflow/indicators/indicatorvalue_form.html"


CONFLICT_TEMPLATE = "measures/workflow/indicators/indicatorvalue_conflict.html"


State = IndicatorValue.State


# Where a service's field error goes in the form (the form has one "period" field
# for the period type and number).
_FORM_FIELD = {
    "period_type": "period",
    "number": "period",
    "year": "year",
    "value": "value",
    "qualifier": "qualifier",
    "note": "note",
    "sources": "sources",
    "new_source_url": "new_source_url",
    "new_source_publisher": "new_source_publisher",
    "new_source_title": "new_source_title",
    "new_source_kind": "new_source_kind",
    "new_source_published_on": "new_source_published_on",
}


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def _add_service_errors(form: IndicatorValueForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(_FORM_FIELD.get(field), errors)
    else:
        form.add_error(None, error)


def _form_kwargs(indicator: Indicator, user) -> dict:
    return {
        "indicator": indicator,
        "publishes": not indicator.plan.requires_review,
        "user": user,
    }


def _success_message(value: IndicatorValue) -> str:
    period = value.period_label
    if value.state == State.PUBLISHED:
        return _(
            "Verdien for %(period)s er publisert og vises nå på de offentlige sidene."
        ) % {"period": period}
    if value.state == State.SUBMITTED:
        return _("Verdien for %(period)s er sendt til godkjenning.") % {
            "period": period
        }
    return _(
        "Utkastet for %(period)s er lagret. Det er ikke sendt til godkjenning ennå."
    ) % {"period": period}


def _period_taken_again(form: IndicatorValueForm, indicator: Indicator) -> bool:
    """After an IntegrityError: did someone else just take the period? (Two people
    saving a value for the same period at the same moment.)"""
    period = form.period_fields()
    return (
        open_value_for_period(indicator=indicator, **period) is not None
        or published_value_for_period(indicator=indicator, **period) is not None
    )


SAVED_MEANWHILE = _(
    "Noen andre lagret en verdi for samme periode akkurat nå. Ingenting er lagret; "
    "det du skrev står i skjemaet. Se Mine tiltak før du prøver igjen."
)


def _aside(indicator: Indicator, user) -> dict:
    """Context for the facts beside the form: latest values, baseline, target."""
    recent = recent_published_values(indicator=indicator, user=user)
    return {
        "indicator": indicator,
        "recent": recent,
        "baseline": public_value(indicator, indicator.baseline_value, user=user),
        "target_text": (
            format_value(indicator.kind, indicator.target_value)
            if indicator.target_value is not None
            else ""
        ),
    }


def _plan_takes_values(indicator: Indicator, user) -> bool:
    return plan_status.takes_reports(
        indicator.plan, user, may_correct=permissions.can_review_indicator_values
    )


def _refuse_closed_plan(request: HttpRequest, indicator: Indicator) -> HttpResponse:
    return plan_closed.refuse(
        request,
        indicator.plan,
        subject=indicator.measure,
        typed=request.POST.get("note", ""),
    )


def _replacing(request: HttpRequest, indicator: Indicator) -> IndicatorValue | None:
    """The published value named by ?erstatter=<pk>, when it is this indicator's."""
    raw = request.GET.get("erstatter", "")
    if not raw.isdigit():
        return None
    return IndicatorValue.objects.filter(
        pk=int(raw), indicator=indicator, state=State.PUBLISHED
    ).first()


# --- caseworker (and coordinator for goal-level indicators) -------------------------


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a value of an indicator for a period that has ended."""
    indicator = indicator_for_workflow(slug=slug)
    require(permissions.can_edit_indicator_values(request.user, indicator))
    if not _plan_takes_values(indicator, request.user):
        return _refuse_closed_plan(request, indicator)
    context = _aside(indicator, request.user) | {"value": None}
    recent = context["recent"]
    form_kwargs = _form_kwargs(indicator, request.user)
    if request.method != "POST":
        replacing = _replacing(request, indicator)
        if replacing is not None:
            initial = IndicatorValueForm.initial_for_value(replacing)
            initial |= {"replace": True, "version": None}
        else:
            latest = recent[0].value if recent else None
            initial = IndicatorValueForm.initial_for_indicator(latest)
        form = IndicatorValueForm(initial=initial, **form_kwargs)
        if replacing is not None:
            form.offer_replace()
        return render(request, FORM_TEMPLATE, {**context, "form": form})

    form = IndicatorValueForm(request.POST, **form_kwargs)
    if form.is_valid():
        submit = SUBMIT in request.POST
        try:
            old = None
            if form.cleaned_data["replace"]:
                old = published_value_for_period(
                    indicator=indicator, **form.period_fields()
                )
            if old is not None:
                saved = value_services.indicator_value_replace(
                    old=old,
                    author=request.user,
                    actor=request.user,
                    submit=submit,
                    **form.content_fields(),
                )
            else:
                saved = value_services.indicator_value_create(
                    indicator=indicator,
                    author=request.user,
                    actor=request.user,
                    submit=submit,
                    **form.service_fields(),
                )
        except ValidationError as error:
            codes = _codes(error)
            if PERIOD_TAKEN in codes:
                form.refuse_taken_period(period_label(**form.period_fields()))
            else:
                _add_service_errors(form, error)
            if PERIOD_OPEN in codes:
                context["open_value"] = open_value_for_period(
                    indicator=indicator, **form.period_fields()
                )
        except IntegrityError:
            if not _period_taken_again(form, indicator):
                raise
            form.add_error(None, SAVED_MEANWHILE)
        else:
            messages.success(request, _success_message(saved))
            return redirect("measures:my-measures")
    return render(request, FORM_TEMPLATE, {**context, "form": form})


def _sources_text(fields: dict) -> str:
    urls = [source.url for source in fields.get("sources", [])]
    urls += [new.url for new in fields.get("new_sources", [])]
    return ", ".join(urls) or "–"


def _conflict_rows(form: IndicatorValueForm, current: IndicatorValue, user) -> list:
    """Rows of what was typed beside what is saved now."""
    indicator = current.indicator
    typed = form.cleaned_data
    typed_period = form.period_fields()
    qualifiers = dict(IndicatorValue.Qualifier.choices)

    def period(fields) -> str:
        return period_label(fields["period_type"], fields["year"], fields["number"])

    rows = [
        (
            _("Periode"),
            period(typed_period),
            current.period_label,
        ),
        (
            _("Verdi"),
            public_value(
                indicator, typed["value"], user=user, qualifier=typed["qualifier"]
            ).text,
            public_value(indicator, current, user=user).text,
        ),
        (
            _("Presisjon"),
            qualifiers.get(typed["qualifier"], ""),
            current.get_qualifier_display(),
        ),
        (
            _("Kilder"),
            _sources_text(form.source_service_fields()),
            _sources_text({"sources": [c.source for c in current.citations.all()]}),
        ),
        (_("Merknad"), typed["note"] or "–", current.note or "–"),
    ]
    return [
        {"label": label, "before": before, "after": after, "changed": before != after}
        for label, before, after in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a draft or a returned value, and optionally send it in."""
    value = indicator_value_for_workflow(pk=pk)
    indicator = value.indicator
    if request.method == "POST":
        # Who may edit. The state is the service's to check, so that a value a
        # colleague sent in meanwhile gives the conflict page with what was
        # typed, not a 403 that loses it.
        require(permissions.can_edit_indicator_values(request.user, indicator))
    else:
        require(permissions.can_edit_indicator_value(request.user, value))
    if not _plan_takes_values(indicator, request.user):
        return _refuse_closed_plan(request, indicator)
    context = _aside(indicator, request.user) | {"value": value}
    initial = IndicatorValueForm.initial_for_value(value)
    form_kwargs = _form_kwargs(indicator, request.user) | {
        "editing": value,
        "initial": initial,
    }
    if request.method != "POST":
        form = IndicatorValueForm(**form_kwargs)
        return render(request, FORM_TEMPLATE, {**context, "form": form})

    form = IndicatorValueForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            saved = value_services.indicator_value_edit(
                indicator_value=value,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                submit=SUBMIT in request.POST,
                **form.service_fields(),
            )
        except ConflictError as conflict:
            return _render_conflict(request, form, conflict.current)
        except ValidationError as error:
            _add_service_errors(form, error)
        except IntegrityError:
            if not _period_taken_again(form, indicator):
                raise
            form.add_error(None, SAVED_MEANWHILE)
        else:
            messages.success(request, _success_message(saved))
            return redirect("measures:my-measures")
    return render(request, FORM_TEMPLATE, {**context, "form": form})


def _render_conflict(
    request: HttpRequest, form: IndicatorValueForm, current: IndicatorValue
) -> HttpResponse:
    """The conflict page: what changed, and the form with what was typed and the
    version now seen, so that saving again is a deliberate choice."""
    editable = current.state in EDITABLE_STATES
    data = request.POST.copy()
    data["version"] = str(current.version)
    rebound = IndicatorValueForm(
        data,
        **_form_kwargs(current.indicator, request.user),
        editing=current,
        initial=IndicatorValueForm.initial_for_value(current),
        allow_submit=editable,
    )
    rebound.is_valid()
    return render(
        request,
        CONFLICT_TEMPLATE,
        {
            "indicator": current.indicator,
            "value": current,
            "form": rebound,
            "editable": editable,
            "rows": _conflict_rows(form, current, request.user),
        },
        status=409,
    )


@login_required
def indicator_value_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One value, whatever its state, for those who may see it; with its history
    for those who work on the indicator."""
    value = indicator_value_for_workflow(pk=pk)
    require(permissions.can_view_indicator_value(request.user, value))
    indicator = value.indicator
    user = request.user
    may_record = permissions.can_edit_indicator_values(user, indicator)
    may_review = permissions.can_review_indicator_values(user, indicator.plan)
    history = []
    if may_record or may_review:
        for record in value.history.select_related("history_user").order_by(
            "history_date", "history_id"
        ):
            history.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "state": State(record.state).label,
                    "value": public_value(
                        indicator, record.value, user=user, qualifier=record.qualifier
                    ).text,
                    "comment": record.review_comment,
                }
            )
    replaced_by = (
        list(value.replaced_by.filter(state=State.PUBLISHED))
        if value.state == State.REPLACED
        else []
    )
    return render(
        request,
        "measures/workflow/indicators/indicatorvalue_detail.html",
        {
            "value": value,
            "indicator": indicator,
            "shown": public_value(indicator, value, user=user),
            "replaces_shown": public_value(indicator, value.replaces, user=user),
            "replaced_by": replaced_by,
            "history": history,
            "can_edit": permissions.can_edit_indicator_value(user, value)
            and _plan_takes_values(indicator, user),
            "can_replace": value.state == State.PUBLISHED
            and may_record
            and _plan_takes_values(indicator, user),
            "can_review": value.state == State.SUBMITTED and may_review,
        },
    )
