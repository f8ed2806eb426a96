"""The uncertainty field every sourced fact has.

A fact the sources disagree on, or that no source confirms, says so in words
("Kildene oppgir 2016 og 2017"); pages show it as «Usikkert: …», the API as
`uncertain` and `uncertainty`, exports in a column. Blank means the sources agree.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

UNCERTAINTY_HELP = _(
    "Fyll ut når kildene er uenige eller opplysningen ikke er bekreftet, og forklar "
    "med ord, for eksempel «Kildene oppgir 2016 og 2017». Vises for publikum som "
    "«Usikkert: …»."
)


def uncertainty_field() -> models.TextField:
    return models.TextField(
        _("usikkerhet"), blank=True, max_length=1000, help_text=UNCERTAINTY_HELP
    )
