"""Text that looks like what it says: invisible characters are refused.

Bidirectional overrides and isolates can make a text display in another order than
it is stored («Trojan Source», CVE-2021-42574), and zero-width characters make two
texts that look the same differ (a partner name, a username). None of them has a
use in a Norwegian plan's texts, so every text field refuses them with a message
that names the field and the character (docs/decisions.md 54).

This module sits in the lowest app so that every app's forms, services and
imports can use it: the form mixin (every site form, and every admin form through
rusplan/admin_site.py), the services' validated_save (measures/services/base.py),
and the import rows (measures/admin/imports/base.py).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

INVISIBLE_CODE = "invisible_characters"

INVISIBLE_CHARACTERS = frozenset(
    # Bidirectional embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates
    # (LRI, RLI, FSI, PDI).
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    # Zero-width space, non-joiner and joiner, word joiner, byte order mark.
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
    # Left-to-right, right-to-left and Arabic letter marks: invisible too, and they
    # move neutral characters such as digits and hyphens when a text is shown.
    + ["\u200e", "\u200f", "\u061c"]
)

MESSAGE = _(
    "«%(field)s» inneholder usynlige tegn som kan endre hvordan teksten vises "
    "(%(characters)s). Fjern dem og prøv igjen."
)


def invisible_characters(text: str) -> list[str]:
    """The invisible characters in `text` as code points (U+202E), in order of
    first appearance."""
    found = []
    for character in text:
        if character in INVISIBLE_CHARACTERS:
            code = f"U+{ord(character):04X}"
            if code not in found:
                found.append(code)
    return found


def invisible_error(label, value) -> ValidationError | None:
    """The error for `value` in the field called `label`, or None if it has no
    invisible characters (or is not text)."""
    if not isinstance(value, str):
        return None
    found = invisible_characters(value)
    if not found:
        return None
    return ValidationError(
        MESSAGE,
        code=INVISIBLE_CODE,
        params={"field": label, "characters": ", ".join(found)},
    )


class VisibleTextValidator:
    """A field validator that names the field in its message."""

    def __init__(self, label):
        self.label = label

    def __call__(self, value):
        error = invisible_error(self.label, value)
        if error is not None:
            raise error

    def __eq__(self, other):
        return isinstance(other, VisibleTextValidator) and self.label == other.label


def guards_text(field: forms.Field) -> bool:
    """Text typed by a person; passwords are never shown, so they may hold any
    character (the password validators decide what a password may be)."""
    return isinstance(field, forms.CharField) and not isinstance(
        field.widget, forms.PasswordInput
    )


class VisibleTextFormMixin:
    """Every text field of the form refuses invisible characters, with the error
    beside the field; the form keeps what was typed, like any other error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if guards_text(field):
                # Form fields are deep-copied per form instance: this changes only
                # this form's field.
                field.validators.append(VisibleTextValidator(field.label or name))


def visible_text_form(form_class: type) -> type:
    """`form_class` with VisibleTextFormMixin, for forms made by others (the
    admin's generated ModelForms, third-party forms)."""
    if issubclass(form_class, VisibleTextFormMixin):
        return form_class
    return type(
        form_class.__name__,
        (VisibleTextFormMixin, form_class),
        {"__module__": form_class.__module__},
    )


def model_text_errors(instance: models.Model) -> dict[str, list[ValidationError]]:
    """Invisible characters in the text fields of a model instance, by field; the
    services check this before they save, so nothing reaches the database by a
    way that has no form."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            error = invisible_error(
                field.verbose_name, getattr(instance, field.attname)
            )
            if error is not None:
                errors[field.name] = [error]
    return errors


def full_clean_visible(instance: models.Model, **full_clean_kwargs) -> None:
    """instance.full_clean(), and no invisible characters in any text field: the
    services' last line, whichever way the text came in. Both kinds of error are
    reported together."""
    errors = model_text_errors(instance)
    try:
        instance.full_clean(**full_clean_kwargs)
    except ValidationError as error:
        for field, messages in error.update_error_dict({}).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
