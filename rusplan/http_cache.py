"""HTTP caching of public responses: Cache-Control, a weak ETag and 304.

A public response (PUBLIC_VIEWS and the open-data API, to an anonymous visitor
with no pending messages) is the same bytes for every visitor: the language is in
its address (rusplan/locale.py) and it holds no CSRF token. So it says
``Cache-Control: public, max-age=0, s-maxage=<RUSPLAN_SHARED_CACHE_SECONDS>``: a
shared cache (nginx, a CDN) may serve it for that long after a publish, and a
browser asks again every time.

Its ETag is computed before the view runs, from the content version that also
keys the page cache (the content generations that every write bumps, the
language, scheme, host, full path, release and today's date:
rusplan/page_cache.py). A GET or HEAD whose If-None-Match
names it answers 304 without rendering and without a database query. The
generations live in the cache backend, so this works with the page cache off.

A public view's response that sets a cookie or adds a message is personal after
all: ``private, no-store`` and no ETag, like every response to a logged-in user
and every response whose view sets no Cache-Control of its own.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from measures.reporting import urls as reporting_urls
from rusplan.page_cache import CACHED_VIEWS, content_version

# Public GET views beside the page-cached ones: a plan's indicators, its report
# and PDF, the CSV/XLSX exports and the national search. A new public view joins
# by adding its name here.
PUBLIC_VIEWS = frozenset(
    {
        *CACHED_VIEWS,
        "measures:plan-indicators",
        "measures:national-search",
        *(f"measures:{pattern.name}" for pattern in reporting_urls.urlpatterns),
    }
)
# The open-data API has no authentication: all of it is public.
PUBLIC_NAMESPACES = frozenset({"api"})

PRIVATE_CACHE_CONTROL = "private, no-store"


def public_cache_control() -> str:
    return f"public, max-age=0, s-maxage={settings.RUSPLAN_SHARED_CACHE_SECONDS}"


def is_public_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    match = request.resolver_match
    if match is None or not (
        match.view_name in PUBLIC_VIEWS or match.namespace in PUBLIC_NAMESPACES
    ):
        return False
    if request.user.is_authenticated:
        return False
    if CookieStorage.cookie_name in request.COOKIES:
        return False  # a message is waiting to be shown to this visitor
    return not (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and request.session.get("_messages")
    )


def entity_tag(version: str) -> str:
    """A weak tag for the content version (page_cache.content_version(), which
    holds the day)."""
    return f'W/"{version[:32]}"'


def _names_our_tag(request: HttpRequest, tag: str) -> bool:
    """If-None-Match compares weakly (RFC 9110 13.1.2): W/ does not count."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    bare = tag.removeprefix("W/")
    return any(sent.removeprefix("W/") == bare for sent in parse_etags(header))


def _is_personal(request: HttpRequest, response: HttpResponse) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(response.cookies) or getattr(storage, "added_new", False)


class PublicHttpCacheMiddleware:
    """Cache-Control and ETag on every response, 304 for a tag the client has.

    Comes before every middleware that may set a cookie (session, language, CSRF,
    messages), so that it sees every cookie a response sets; its process_view
    runs first of all, before the page cache's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        tag = getattr(request, "rusplan_etag", None)
        if tag is not None and response.status_code == 200:
            if _is_personal(request, response):
                response.headers["Cache-Control"] = PRIVATE_CACHE_CONTROL
            else:
                response.headers["ETag"] = tag
                response.headers["Cache-Control"] = public_cache_control()
        else:
            # A 304 from process_view has its own; a view may say otherwise.
            response.headers.setdefault("Cache-Control", PRIVATE_CACHE_CONTROL)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not is_public_request(request):
            return None
        request.rusplan_content_version = content_version(request)
        request.rusplan_etag = entity_tag(request.rusplan_content_version)
        if not _names_our_tag(request, request.rusplan_etag):
            return None
        response = HttpResponseNotModified()
        response.headers["ETag"] = request.rusplan_etag
        # Vary as on the 200: Cookie from the session middleware (the user was
        # looked up), Accept-Language on the API from rusplan/locale.py.
        response.headers["Cache-Control"] = public_cache_control()
        return response
