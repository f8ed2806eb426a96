from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

# Every service takes a required keyword `actor`: request.user from views, the API
# and the admin, a SystemActor("<command>") from commands that load shipped data.
from partners.actors import SystemActor as SystemActor
from partners.actors import check as check
from partners.actors import is_system as is_system
from partners.actors import record_actor as record_actor
from partners.text import full_clean_visible


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


def validated_save(instance, *, actor=None, **save_kwargs) -> None:
    """full_clean() and save(); with `actor`, history records who made the write."""
    if actor is not None:
        record_actor(instance, actor)
    validate(instance)
    instance.save(**save_kwargs)


NO_SOURCE_MESSAGE = _(
    "Legg til minst én kilde: velg en kilde fra listen eller lim inn en lenke."
)


def field_error(field: str, message, code: str) -> ValidationError:
    """A field error that keeps its code (a dict of plain messages loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})
