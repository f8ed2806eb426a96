"""The source fields of the caseworker's forms (status updates, indicator values).

A fact sent in needs at least one source: one or more chosen from a short list (the
sources already cited for the measure, its plan or its indicator), and/or one new
link typed in with its publisher, title, kind and date. A link that is already a
source is found by its URL, so its other fields may be left empty. The services
check the same rules again (measures/source_services.py).
"""

from __future__ import annotations

from crispy_forms.layout import HTML, Div, Field, Fieldset
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import Source
from measures.services.base import NO_SOURCE_MESSAGE
from measures.services.sources import NewSource, check_url, normalise_url
from partners.text import VisibleTextFormMixin

# The name of the button that sends a form in (measures/forms.py re-exports it).
SUBMIT = "submit"
SOURCE_FIELDS = (
    "sources",
    "new_source_url",
    "new_source_publisher",
    "new_source_title",
    "new_source_kind",
    "new_source_published_on",
)


class SourceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, source: Source) -> str:
        return f"{source.publisher}: {source.title} ({source.date_label})"


class CitedForm(VisibleTextFormMixin, forms.Form):
    """A form whose fact must cite a source when it is sent in."""

    sources = SourceChoiceField(
        label=_("Velg kilder"),
        queryset=Source.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kilder som allerede er brukt for tiltaket eller planen."),
        error_messages={"invalid_choice": _("Velg kilder fra listen.")},
    )
    new_source_url = forms.CharField(
        label=_("Lenke til kilden"),
        required=False,
        max_length=500,
        help_text=_(
            "En lenke som begynner med https:// eller http://, kopiert fra nettleseren."
        ),
        error_messages={"max_length": _("Lenken kan ha høyst %(limit_value)d tegn.")},
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    new_source_publisher = forms.CharField(
        label=_("Utgiver"),
        required=False,
        max_length=200,
        help_text=_("Hvem som har publisert kilden, for eksempel «Bergen kommune»."),
        error_messages={"max_length": _("Skriv høyst %(limit_value)d tegn.")},
    )
    new_source_title = forms.CharField(
        label=_("Tittel"),
        required=False,
        max_length=500,
        help_text=_("Tittelen slik den står på kilden."),
        error_messages={"max_length": _("Skriv høyst %(limit_value)d tegn.")},
    )
    new_source_kind = forms.ChoiceField(
        label=_("Type kilde"),
        required=False,
        choices=[("", _("Velg type kilde")), *Source.Kind.choices],
        error_messages={"invalid_choice": _("Velg en type fra listen.")},
    )
    new_source_published_on = forms.DateField(
        label=_("Publisert (valgfritt)"),
        required=False,
        input_formats=["%d.%m.%Y"],
        help_text=_("Datoen på kilden, dd.mm.åååå. Tomt om kilden ikke er datert."),
        error_messages={
            "invalid": _("Skriv datoen som dd.mm.åååå, for eksempel 30.04.2025.")
        },
        widget=forms.DateInput(
            format="%d.%m.%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}
        ),
    )

    def set_source_choices(self, queryset) -> None:
        self.fields["sources"].queryset = queryset
        if not queryset.exists():
            self.fields["sources"].help_text = _(
                "Ingen kilder er brukt for tiltaket eller planen ennå. Lim inn en "
                "lenke under."
            )

    def source_layout(self) -> Fieldset:
        return Fieldset(
            _("Kilder"),
            HTML(
                '<p class="form-text mt-0">{}</p>'.format(
                    _(
                        "Hvor står det du rapporterer? Velg en kilde fra listen, lim "
                        "inn en lenke, eller begge deler."
                    )
                )
            ),
            "sources",
            Fieldset(
                _("Ny kilde"),
                Field("new_source_url", placeholder="https://"),
                Div(
                    Div("new_source_publisher", css_class="col-sm-6"),
                    Div("new_source_kind", css_class="col-sm-6"),
                    css_class="row",
                ),
                "new_source_title",
                Field("new_source_published_on", placeholder=_("dd.mm.åååå")),
                css_class="border rounded p-3 mb-3",
            ),
            css_class="mb-3",
            css_id="sources-fieldset",
        )

    @property
    def sends_in(self) -> bool:
        """Sending in (or publishing) needs a source; saving a draft does not."""
        return SUBMIT in self.data

    def clean_new_source_url(self) -> str:
        url = normalise_url(self.cleaned_data["new_source_url"])
        if url:
            try:
                check_url(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _(
                        "Lenken må være en nettadresse som begynner med http:// "
                        "eller https://. Kopier den fra nettleseren."
                    )
                ) from None
        return url

    def clean_new_source_published_on(self):
        day = self.cleaned_data["new_source_published_on"]
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError(
                _(
                    "Publiseringsdatoen kan ikke være i fremtiden. Skriv datoen som "
                    "står på kilden, eller la feltet stå tomt om kilden er udatert."
                )
            )
        return day

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("new_source_url", "")
        described = any(
            cleaned.get(name)
            for name in (
                "new_source_publisher",
                "new_source_title",
                "new_source_kind",
                "new_source_published_on",
            )
        )
        if url and not Source.objects.filter(url=url).exists():
            required = {
                "new_source_publisher": _("Skriv hvem som har publisert kilden."),
                "new_source_title": _("Skriv tittelen på kilden."),
                "new_source_kind": _("Velg hva slags kilde det er."),
            }
            for name, message in required.items():
                if name in cleaned and not cleaned[name].strip():
                    self.add_error(name, message)
        elif not url and described and "new_source_url" not in self.errors:
            self.add_error(
                "new_source_url",
                _("Lim inn lenken til kilden, eller tøm feltene for ny kilde."),
            )
        has_source = bool(cleaned.get("sources")) or bool(url)
        if (
            self.sends_in
            and not has_source
            and not any(name in self.errors for name in SOURCE_FIELDS)
        ):
            self.add_error("sources", NO_SOURCE_MESSAGE)
        return cleaned

    def source_service_fields(self) -> dict:
        data = self.cleaned_data
        new = []
        if data.get("new_source_url"):
            new.append(
                NewSource(
                    url=data["new_source_url"],
                    publisher=data["new_source_publisher"],
                    title=data["new_source_title"],
                    kind=data["new_source_kind"],
                    published_on=data["new_source_published_on"],
                )
            )
        return {"sources": list(data.get("sources") or []), "new_sources": new}
