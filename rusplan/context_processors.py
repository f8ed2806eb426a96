"""Template context shared by every page."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from measures import permissions


def workspace(request):
    """Which staff links the header shows. Lazy, so that pages which never render
    the links (and anonymous visitors, who have no memberships) cost no query."""
    user = getattr(request, "user", None)

    def links():
        return {
            "my_measures": permissions.can_use_workspace(user),
            "review_queue": permissions.can_use_review_queue(user),
        }

    return {"workspace_links": SimpleLazyObject(links)}


def municipality(request):
    """The municipality whose page this is (measures/municipal.py sets it from
    the address), for the header's links; None on the national pages."""
    return {"municipality": getattr(request, "municipality", None)}


def languages(request):
    """The page in every language, for the switcher's links and the head's
    hreflang alternates. Lazy: a page that renders neither costs nothing."""
    return {"language_links": SimpleLazyObject(lambda: language_links(request))}


def language_links(request) -> list[dict]:
    current = translation.get_language()
    here = request.get_full_path()
    links = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(here, code)
        if url == here and code != current:
            # Not a page that exists in every language (a 404, the API's
            # pages): that language's front page.
            with translation.override(code):
                url = reverse("home")
        info = translation.get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "current": code == current,
            }
        )
    return links
