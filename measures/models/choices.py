"""The choices and validators the models share: a measure's phase and traffic
light, its category, the progress range."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    NOT_STARTED = "not_started", _("Ikke startet")
    IN_PROGRESS = "in_progress", _("Pågår")
    COMPLETED = "completed", _("Fullført")
    DISCONTINUED = "discontinued", _("Avviklet")
    CONTINUED = "continued", _("Videreført i ny plan")


class Health(models.TextChoices):
    """The traffic light. Always shown with its text, never colour alone."""

    ON_TRACK = "on_track", _("I rute")
    AT_RISK = "at_risk", _("Risiko for avvik")
    OFF_TRACK = "off_track", _("Ikke i rute")


class Category(models.TextChoices):
    MO_CENTRE = "mo_centre", _("MO-senter")
    LAR = "lar", _("LAR")
    OVERDOSE = "overdose", _("Overdose")
    INJECTION_ROOM = "injection_room", _("Sprøyterom/brukerrom")
    HOUSING = "housing", _("Bolig og bo-oppfølging")
    PUBLIC_SPACE = "public_space", _("Byrom og parker")
    POLICE_SAFETY = "police_safety", _("Politi og trygghet")
    WORK_ACTIVITY = "work_activity", _("Arbeid og aktivitet")
    NAV_REHABILITATION = "nav_rehabilitation", _("Rehabilitering i NAV")
    USER_INVOLVEMENT = "user_involvement", _("Brukermedvirkning")
    OTHER = "other", _("Annet")


PROGRESS_VALIDATORS = [
    MinValueValidator(0, _("Fremdriften kan ikke være under %(limit_value)s %%.")),
    MaxValueValidator(100, _("Fremdriften kan ikke være over %(limit_value)s %%.")),
]


def progress_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": 0, f"{field}__lte": 100}
    )


def choice_label(choices: type[models.TextChoices], value: str) -> str | Promise:
    """The label of `value` among `choices`, "" for blank, the value itself when it
    is not one of them (as get_FOO_display() does). From the choice itself:
    get_FOO_display() builds a dict of every choice, translating each label, on
    every call, and a page of 50 updates called it a hundred times.

    The label stays lazy, translated only where it is shown: the plan page labels
    each of its 743 measures and shows 25 of them."""
    if not value:
        return ""
    member = choices._value2member_map_.get(value)
    return value if member is None else member.label


# What a measure with no published update shows instead of a phase.
NO_STATUS_LABEL = _("Ingen status registrert")


# The phases a measure takes updates in; blank is a measure nobody has reported on
# yet ("Ingen status registrert"), as open as one that has not started.
OPEN_PHASES = ("", Phase.NOT_STARTED, Phase.IN_PROGRESS)
