"""The licence of the data Rusplan publishes (the API, and any export): NLOD 2.0,
the Norwegian licence for open government data. It asks users to name the source.

The data is compiled by Rusplan from public sources, each cited with its URL, unless
an administrator has stated that a plan's owner publishes the data itself
(Plan.published_by_owner): only then does the attribution name the owner."""

from django.utils.translation import gettext_lazy as _

LICENCE_NAME = "NLOD 2.0"
LICENCE_TITLE = _("Norsk lisens for offentlige data (NLOD) 2.0")
LICENCE_URL = "https://data.norge.no/nlod/no/2.0"

COMPILED_ATTRIBUTION = _(
    "Sammenstilt av Rusplan fra offentlige kilder, som er oppgitt med nettadresse "
    "for hver opplysning. Lisens: Norsk lisens for offentlige data (NLOD) 2.0."
)


def attribution(plan=None) -> str:
    """The attribution NLOD 2.0 asks for: the owner only when it publishes the
    plan's data itself, otherwise Rusplan's compilation from public sources."""
    if plan is not None and plan.published_by_owner:
        return str(
            _(
                "Inneholder data under Norsk lisens for offentlige data (NLOD) "
                "tilgjengeliggjort av %(publisher)s."
            )
            % {"publisher": plan.owner.name}
        )
    return str(COMPILED_ATTRIBUTION)
