"""The forms of the review steps both kinds share: the buttons (save a draft or send
in), and the coordinator's publish and return forms."""

from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.text import VisibleTextFormMixin

SAVE_DRAFT = "save_draft"


class SecondarySubmit(Submit):
    """A submit button without crispy's "btn-primary": with both, the outline style
    keeps the primary background and its text disappears (same colour)."""

    field_classes = "btn"


class ReturnForm(VisibleTextFormMixin, forms.Form):
    """Return a submitted record to its author with a comment (required). Each
    kind names the author and itself in its own words: these are a status
    update's; IndicatorReturnForm sets a value's."""

    comment_label = _("Kommentar til saksbehandler")
    comment_needed = _("Skriv hva som må rettes før oppdateringen returneres.")

    comment = forms.CharField(
        max_length=2000,
        help_text=_("Skriv hva som må rettes. Kommentaren vises for saksbehandleren."),
        error_messages={
            "max_length": _("Kommentaren kan ha høyst %(limit_value)d tegn."),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields["comment"]
        comment.label = self.comment_label
        comment.error_messages["required"] = self.comment_needed

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if not comment:
            raise forms.ValidationError(self.comment_needed)
        return comment


class PublishForm(VisibleTextFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
