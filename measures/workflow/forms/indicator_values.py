"""Forms for recording indicator values and reviewing them (crispy-forms,
Bootstrap 5), beside the status update forms in measures/forms.py.

The form checks what needs no database, so that every field error shows at once
with a message that says what to fix: the period has ended, the value is a number
(a count whole and not negative, at most two decimals), a value sent in cites a
source (measures/source_forms.py). The
services (measures/indicator_services.py) check the same rules again and add the
one that needs the database: one value per indicator and period.

Numbers: "18,3" and "18.3" are both 18.3 (a comma is the Norwegian decimal sign,
a point is what sources in English use); spaces group thousands ("1 060"). See
docs/decisions.md.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from measures.models import Indicator, IndicatorValue, PeriodType
from measures.numbers import format_number, parse_number
from measures.periods import (
    MONTH_NAMES,
    last_ended_period,
    next_period,
    period_bounds,
    period_label,
)
from measures.selectors.workflow import sources_for_indicator
from measures.workflow.forms.review import SAVE_DRAFT, ReturnForm, SecondarySubmit
from measures.workflow.forms.sources import SUBMIT, CitedForm

COUNT_KINDS = (Indicator.Kind.PEOPLE, Indicator.Kind.COUNT)
# The model's DecimalField(max_digits=15, decimal_places=2).
MAX_DECIMALS = 2
MAX_WHOLE_DIGITS = 13
# "1.060" or "1,060": a thousands separator typed as a point or a comma.
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def period_choices() -> list:
    """One choice per kind of period, grouped: "year-1", "tertial-2", "month-12"."""
    tertials = [
        _("1. tertial (januar–april)"),
        _("2. tertial (mai–august)"),
        _("3. tertial (september–desember)"),
    ]
    return [
        (_("År"), [("year-1", _("Hele året"))]),
        (
            _("Tertial"),
            [(f"tertial-{n}", label) for n, label in enumerate(tertials, start=1)],
        ),
        (
            _("Måned"),
            [
                (f"month-{n}", capfirst(name))
                for n, name in enumerate(MONTH_NAMES, start=1)
            ],
        ),
    ]


def encode_period(period_type: str, number: int) -> str:
    return f"{period_type}-{number}"


def decode_period(code: str) -> tuple[str, int]:
    period_type, _sep, number = code.partition("-")
    return period_type, int(number)


def default_period(
    latest: IndicatorValue | None, today: datetime.date
) -> tuple[str, int, int]:
    """The period a new value most likely is for: the one after the latest
    published value when it has ended, else the latest ended period of that kind
    (a year when the indicator has no value yet)."""
    if latest is None:
        return PeriodType.YEAR, *last_ended_period(PeriodType.YEAR, today)
    period_type = latest.period_type
    year, number = next_period(period_type, latest.year, latest.number)
    if period_bounds(period_type, year, number)[1] < today:
        return period_type, year, number
    return period_type, *last_ended_period(period_type, today)


class IndicatorValueForm(CitedForm):
    period = forms.ChoiceField(
        label=_("Periode"),
        choices=period_choices,
        help_text=_("Hele året, et tertial eller en måned."),
        error_messages={
            "required": _("Velg hvilken periode tallet gjelder."),
            "invalid_choice": _("Velg en periode fra listen."),
        },
    )
    year = forms.IntegerField(
        label=_("År"),
        min_value=1900,
        max_value=2200,
        help_text=_("Året perioden hører til, for eksempel 2024."),
        error_messages={
            "required": _("Skriv inn året, for eksempel 2024."),
            "invalid": _("Året må være et årstall, for eksempel 2024."),
            "min_value": _("Året må være et årstall, for eksempel 2024."),
            "max_value": _("Året må være et årstall, for eksempel 2024."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    value = forms.CharField(
        label=_("Verdi"),
        max_length=40,
        error_messages={
            "required": _("Skriv inn tallet."),
            "max_length": _("Verdien er for lang. Skriv bare tallet."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    qualifier = forms.ChoiceField(
        label=_("Presisjon"),
        choices=IndicatorValue.Qualifier.choices,
        required=False,
        help_text=_("Velg «omtrent» eller «mer enn» når kilden sier det."),
    )
    note = forms.CharField(
        label=_("Merknad"),
        max_length=2000,
        required=False,
        help_text=_(
            "Valgfritt. For eksempel om tallet er foreløpig. Høyst 2 000 tegn."
        ),
        error_messages={
            "max_length": _(
                "Merknaden kan ha høyst %(limit_value)d tegn (den har %(show_value)d)."
            )
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    replace = forms.BooleanField(
        label=_("Erstatt den publiserte verdien for perioden"),
        required=False,
        help_text=_(
            "Den gamle verdien blir tatt vare på i historikken. Den nye går "
            "gjennom godkjenning som andre verdier."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(
        self,
        *args,
        indicator: Indicator,
        publishes: bool,
        allow_submit: bool = True,
        editing: IndicatorValue | None = None,
        today: datetime.date | None = None,
        user=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.set_source_choices(
            sources_for_indicator(
                indicator=indicator,
                user=user,
                extra_ids=self.initial.get("sources") or (),
            )
        )
        self.editing = editing
        self.today = today or timezone.localdate()
        self.fields["value"].label = (
            _("Verdi (%(unit)s)") % {"unit": indicator.unit}
            if indicator.unit
            else _("Verdi")
        )
        self.fields["value"].help_text = (
            _("Et helt tall, 0 eller større, for eksempel 27.")
            if indicator.kind in COUNT_KINDS
            else _("Et tall, for eksempel 18,3. Bruk komma for desimaler.")
        )
        if editing is not None:
            self.fields["version"].required = True
            if editing.replaces_id is not None:
                # A correction keeps the period of the value it corrects.
                for name in ("period", "year"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _(
                        "En rettelse gjelder samme periode som verdien den erstatter."
                    )
        self.offers_replace = bool(self.data.get("replace"))
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.form_method = "post"
        # The server's messages say what to fix, next to the field, and stay on
        # screen; the browser's own bubbles do neither (as on the update form).
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Div(
                Div("period", css_class="col-sm-7"),
                Div("year", css_class="col-sm-5"),
                css_class="row",
            ),
            Div(
                Div("value", css_class="col-sm-7"),
                Div("qualifier", css_class="col-sm-5"),
                css_class="row",
            ),
            "note",
            self.source_layout(),
            "version",
        )
        if self.offers_replace:
            self.offer_replace()
        if allow_submit:
            self.helper.layout.append(
                Div(
                    Submit(
                        SUBMIT,
                        _("Publiser") if publishes else _("Send til godkjenning"),
                    ),
                    SecondarySubmit(
                        SAVE_DRAFT, _("Lagre utkast"), css_class="btn-outline-primary"
                    ),
                    css_class="d-flex flex-wrap gap-2 mt-3",
                )
            )

    def offer_replace(self) -> None:
        """Show the "replace the published value" box (after the period turned out
        to have one, or when correcting a published value)."""
        self.offers_replace = True
        if "replace" not in self.helper.layout:
            self.helper.layout.insert(2, "replace")

    def refuse_taken_period(self, period: str) -> None:
        """The period already has a published value: offer the box and say, in the
        box's own words, what to do (the service's message names no form field)."""
        self.offer_replace()
        self.add_error(
            None,
            _(
                "%(indicator)s har allerede en publisert verdi for %(period)s. Kryss "
                "av for «%(box)s» og send på nytt for å rette den; den gamle verdien "
                "blir tatt vare på i historikken."
            )
            % {
                "indicator": self.indicator.title,
                "period": period,
                "box": self.fields["replace"].label,
            },
        )

    # --- cleaning ----------------------------------------------------------------

    def clean_value(self) -> Decimal:
        raw = self.cleaned_data["value"].strip()
        try:
            number = parse_number(raw)
        except ValidationError:
            raise forms.ValidationError(
                _(
                    "Skriv verdien som et tall, for eksempel 27 eller 18,3. Bruk "
                    "komma for desimaler og ingen bokstaver eller tegn som % og kr."
                ),
                code="not_a_number",
            ) from None
        if self.indicator.kind in COUNT_KINDS:
            if number < 0:
                raise forms.ValidationError(
                    _("Et antall kan ikke være negativt. Skriv 0 eller mer."),
                    code="negative",
                )
            if number != number.to_integral_value():
                if _GROUPED.match(raw.replace(" ", "")):
                    message = _(
                        "Et antall må være et helt tall. Skriv tusener uten skilletegn "
                        "eller med mellomrom, for eksempel 1060 eller 1 060."
                    )
                else:
                    message = _("Et antall må være et helt tall, for eksempel 27.")
                raise forms.ValidationError(message, code="not_whole")
        if abs(number) >= Decimal(10) ** MAX_WHOLE_DIGITS:
            raise forms.ValidationError(
                _("Verdien er for stor. Sjekk at du ikke har skrevet for mange sifre."),
                code="too_large",
            )
        if number != round(number, MAX_DECIMALS):
            raise forms.ValidationError(
                _("Skriv verdien med høyst to desimaler, for eksempel 18,35."),
                code="decimals",
            )
        return round(number, MAX_DECIMALS)

    def clean(self):
        cleaned = super().clean()  # CitedForm: the sources
        if "period" in cleaned and "year" in cleaned:
            period_type, number = decode_period(cleaned["period"])
            year = cleaned["year"]
            if period_bounds(period_type, year, number)[1] >= self.today:
                last_year, last_number = last_ended_period(period_type, self.today)
                self.add_error(
                    "year",
                    forms.ValidationError(
                        _(
                            "%(period)s er ikke over ennå. Et tall kan registreres "
                            "først når perioden er slutt. Velg en periode som er "
                            "avsluttet, for eksempel %(example)s."
                        ),
                        params={
                            "period": capfirst(period_label(period_type, year, number)),
                            "example": period_label(
                                period_type, last_year, last_number
                            ),
                        },
                        code="period_not_ended",
                    ),
                )
        return cleaned

    # --- for the views -----------------------------------------------------------

    def period_fields(self) -> dict:
        period_type, number = decode_period(self.cleaned_data["period"])
        return {
            "period_type": period_type,
            "year": self.cleaned_data["year"],
            "number": number,
        }

    def content_fields(self) -> dict:
        """What indicator_value_replace() takes: all but the period."""
        data = self.cleaned_data
        return {
            "value": data["value"],
            "qualifier": data["qualifier"],
            "note": data["note"].strip(),
            **self.source_service_fields(),
        }

    def service_fields(self) -> dict:
        return self.period_fields() | self.content_fields()

    @classmethod
    def initial_for_indicator(
        cls, latest: IndicatorValue | None, today: datetime.date | None = None
    ) -> dict:
        period_type, year, number = default_period(
            latest, today or timezone.localdate()
        )
        return {"period": encode_period(period_type, number), "year": year}

    @classmethod
    def initial_for_value(cls, value: IndicatorValue) -> dict:
        return {
            "period": encode_period(value.period_type, value.number),
            "year": value.year,
            "value": format_number(value.value).replace("\u00a0", " "),
            "qualifier": value.qualifier,
            "note": value.note,
            "sources": [
                citation.source_id
                for citation in value.citations.all()
                if citation.field == ""
            ],
            "version": value.version,
        }


class IndicatorReturnForm(ReturnForm):
    """Return a submitted value with a comment (required)."""

    comment_label = _("Kommentar til den som registrerte")
    comment_needed = _("Skriv hva som må rettes før verdien returneres.")
