from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from partners.text import full_clean_visible

# Sentinel: the caller did not name an actor, so no permission check is made (data
# loaders, shell use). Every view and API endpoint passes actor=request.user.
UNCHECKED = object()


class ConflictError(Exception):
    """Someone changed the object since the form was loaded (version mismatch).

    `current` is the object as it is in the database now.
    """

    def __init__(self, current):
        super().__init__("version conflict")
        self.current = current


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# full_clean(), and no invisible characters in any text field (partners/text.py).
validate = full_clean_visible


def validated_save(instance, **save_kwargs) -> None:
    validate(instance)
    instance.save(**save_kwargs)


NO_SOURCE_MESSAGE = _(
    "Legg til minst én kilde: velg en kilde fra listen eller lim inn en lenke."
)


def field_error(field: str, message, code: str) -> ValidationError:
    """A field error that keeps its code (a dict of plain messages loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})
