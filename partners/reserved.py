"""The first path segments the site itself uses, which no municipality's slug may
take: /bergen/ is a municipality, /api/ is not (docs/municipalities.md)."""

from functools import cache

from django.conf import settings

# Written out rather than read from the URLconf: the old addresses (/planer/,
# /tiltak/ ...) keep redirecting forever and must stay reserved even if a route is
# renamed, and language prefixes (/nn/, /en/) are reserved before they exist.
SITE_WORDS = frozenset(
    {
        "admin",
        "aktorer",
        "api",
        "bydeler",
        "eksport",
        "gjennomgang",
        "healthz",
        "i18n",
        "indikatorer",
        "indikatorverdier",
        "kilder",
        "kommuner",
        "konto",
        "logg-inn",
        "logg-ut",
        "media",
        "mine-tiltak",
        "oppdateringer",
        "partnere",
        "passord",
        "planer",
        "sok",
        "static",
        "tilgjengelighet",
        "tiltak",
    }
)


@cache
def reserved_first_segments() -> frozenset[str]:
    languages = {code.lower() for code, _name in settings.LANGUAGES}
    return SITE_WORDS | languages | {code.split("-")[0] for code in languages}
