"""The addresses from before municipalities (/planer/<plan>/, /tiltak/<measure>/
...) answer 301 to the same page under the municipality that had them, forever:
council documents cite them (docs/municipalities.md, decision 55)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.utils import translation
from django.views.decorators.http import require_safe

# Every first path segment a municipality's page had at the top of the site. Kept
# reserved for municipalities' slugs (partners/reserved.py).
OLD_FIRST_SEGMENTS = ("planer", "tiltak", "partnere", "bydeler", "kilder", "eksport")
OLD_ADDRESS_PATTERN = r"^(?:" + "|".join(OLD_FIRST_SEGMENTS) + r")(?:/.*)?\Z"


@require_safe
def redirect_to_municipality(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """/planer/x/rapport/?per=2020-01-01 → /bergen/planer/x/rapport/?per=2020-01-01.

    The path and query are kept as they came (get_full_path() is already
    percent-encoded); the target page answers 404 for a slug that does not
    exist, as the old address did. Under a language prefix the municipality
    goes after it: /nn/planer/x/ → /nn/bergen/planer/x/."""
    slug = settings.RUSPLAN_OLD_ADDRESSES_MUNICIPALITY
    language = translation.get_language()
    prefix = "" if language == settings.LANGUAGE_CODE else f"/{language}"
    rest = request.get_full_path().removeprefix(prefix)
    return HttpResponsePermanentRedirect(f"{prefix}/{slug}{rest}")
