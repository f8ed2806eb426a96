from django import forms
from django.utils.translation import gettext_lazy as _

from partners.text import VisibleTextFormMixin


class CodeForm(VisibleTextFormMixin, forms.Form):
    """One code: six digits from the app, or (when ``recovery`` is allowed) a
    recovery code."""

    code = forms.CharField(label=_("Kode"), max_length=32, strip=True)

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget.attrs.update(
            {
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        )
        if recovery:
            # The code page is a login form's second step: the field is its point.
            field.widget.attrs["autofocus"] = True
            field.help_text = _(
                "Sekssifret kode fra autentiseringsappen, eller en av reservekodene "
                "dine (åtte tegn)."
            )
        else:
            field.widget.attrs["inputmode"] = "numeric"
            field.help_text = _("De seks sifrene appen viser nå.")
        field.error_messages["required"] = _("Skriv inn koden.")
