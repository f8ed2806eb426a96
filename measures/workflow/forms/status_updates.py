"""The caseworker's status update form."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import Health, Measure, Phase, StatusUpdate
from measures.selectors.workflow import sources_for_measure
from measures.workflow.forms.review import SAVE_DRAFT, SecondarySubmit
from measures.workflow.forms.sources import SUBMIT, CitedForm

SUMMARY_MAX_LENGTH = 5000


class StatusUpdateForm(CitedForm):
    as_of = forms.DateField(
        label=_("Status per"),
        input_formats=["%d.%m.%Y"],
        help_text=_("Datoen statusen gjelder for, skrevet dd.mm.åååå."),
        error_messages={
            "required": _("Skriv inn datoen statusen gjelder for."),
            "invalid": _("Skriv datoen som dd.mm.åååå, for eksempel 30.04.2025."),
        },
        widget=forms.DateInput(
            format="%d.%m.%Y",
            attrs={"inputmode": "numeric", "autocomplete": "off"},
        ),
    )
    phase = forms.ChoiceField(
        label=_("Fase"),
        choices=Phase.choices,
        error_messages={"required": _("Velg fase.")},
    )
    health = forms.ChoiceField(
        label=_("Vurdering"),
        choices=[("", _("Velg vurdering")), *Health.choices],
        help_text=_("Er tiltaket i rute?"),
        error_messages={"required": _("Velg om tiltaket er i rute.")},
    )
    progress = forms.IntegerField(
        label=_("Fremdrift (%)"),
        min_value=0,
        max_value=100,
        help_text=_("Et helt tall fra 0 til 100."),
        error_messages={
            "required": _("Skriv inn fremdriften som et tall fra 0 til 100."),
            "invalid": _("Fremdriften må være et helt tall fra 0 til 100."),
            "min_value": _("Fremdriften kan ikke være under %(limit_value)s %%."),
            "max_value": _("Fremdriften kan ikke være over %(limit_value)s %%."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    summary = forms.CharField(
        label=_("Sammendrag"),
        max_length=SUMMARY_MAX_LENGTH,
        help_text=_("Hva er gjort siden sist, og hva gjenstår? Høyst 5 000 tegn."),
        error_messages={
            "required": _("Skriv et sammendrag av status."),
            "max_length": _(
                "Sammendraget kan ha høyst %(limit_value)d tegn (det har "
                "%(show_value)d)."
            ),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self,
        *args,
        measure: Measure,
        publishes: bool,
        allow_submit: bool = True,
        user=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.set_source_choices(
            sources_for_measure(
                measure=measure,
                user=user,
                extra_ids=self.initial.get("sources") or (),
            )
        )
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.form_method = "post"
        # The server's messages say what to fix, in Norwegian, next to the field
        # and stay on screen; the browser's own bubbles do neither (as on login).
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field("as_of", placeholder=_("dd.mm.åååå")),
            Div(
                Div("phase", css_class="col-sm-6"),
                Div("health", css_class="col-sm-6"),
                css_class="row",
            ),
            "progress",
            "summary",
            self.source_layout(),
            "version",
        )
        if allow_submit:
            self.helper.layout.append(
                Div(
                    Submit(
                        SUBMIT,
                        _("Publiser") if publishes else _("Send til godkjenning"),
                        css_class="btn-primary",
                    ),
                    SecondarySubmit(
                        SAVE_DRAFT, _("Lagre utkast"), css_class="btn-outline-primary"
                    ),
                    css_class="d-flex flex-wrap gap-2 mt-3",
                )
            )

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(_("Datoen kan ikke være fram i tid."))
        if as_of.year < self.measure.plan.start_year:
            raise forms.ValidationError(
                _("Datoen kan ikke være før planen startet (%(year)s)."),
                params={"year": self.measure.plan.start_year},
            )
        return as_of

    def clean_summary(self):
        summary = self.cleaned_data["summary"].strip()
        if not summary:
            raise forms.ValidationError(_("Skriv et sammendrag av status."))
        return summary

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "as_of": data["as_of"],
            "phase": data["phase"],
            "health": data["health"],
            "progress": data["progress"],
            "summary": data["summary"],
            **self.source_service_fields(),
        }

    @classmethod
    def initial_for_measure(cls, measure: Measure) -> dict:
        """Start from the measure's current status so a routine update is quick."""
        return {
            "as_of": timezone.localdate(),
            "phase": measure.current_phase,
            "health": measure.current_health,
            "progress": measure.current_progress,
            "version": measure.version,
        }

    @classmethod
    def initial_for_update(cls, update: StatusUpdate) -> dict:
        return {
            "as_of": update.as_of,
            "phase": update.phase,
            "health": update.health,
            "progress": update.progress,
            "summary": update.summary,
            "sources": [
                citation.source_id
                for citation in update.citations.all()
                if citation.field == ""
            ],
            "version": update.version,
        }
