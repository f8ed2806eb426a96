"""The licence of the data Rusplan publishes (the API, and any export): NLOD 2.0,
the Norwegian licence for open government data. It asks users to name the source
("tilgjengeliggjort av ..."): the owner of each plan."""

from django.utils.translation import gettext_lazy as _

LICENCE_NAME = "NLOD 2.0"
LICENCE_TITLE = _("Norsk lisens for offentlige data (NLOD) 2.0")
LICENCE_URL = "https://data.norge.no/nlod/no/2.0"


def attribution(publisher: str) -> str:
    """The attribution NLOD 2.0 asks for, naming who made the data available."""
    return _(
        "Inneholder data under Norsk lisens for offentlige data (NLOD) "
        "tilgjengeliggjort av %(publisher)s."
    ) % {"publisher": publisher}
