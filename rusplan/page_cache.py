"""Whole-page cache for anonymous visitors, made fresh by content generations.

Public pages are stored in the cache (Redis in production) under a key made of the
content *generations* the page depends on, the language, the host and the full
path with its query string. A generation is one integer in the cache, shared by
every process; bumping it makes the next request for every page that depends on
it miss and render fresh data: publishing is visible on the very next request,
with no list of pages to purge.

There is one global generation, one per municipality and one for the national
pages (decision 55). A municipality's pages (/bergen/...) depend on the global
one and their municipality's; the national pages (/, /aktorer/<partner>/, the
accessibility statement) on the global one and the national one. A write is
traced to the municipalities whose pages may show it
(measures/selectors/freshness.py): it bumps theirs and the national generation,
so publishing in Bergen leaves every other municipality's cached pages in place.
A write that cannot be traced (a source, a municipality's own record, a model
added later) bumps the global generation: every page.

Why signals here: invalidation is a cross-cutting concern (services, the admin and
imports all write), so one post_save/post_delete/m2m_changed receiver on the
models of the public apps catches every write path, including ones added later
(status updates that were never published are skipped: saving a draft changes no
public page). Queryset ``update()``/``bulk_create()`` send no signals: code that
writes public data that way must call ``content_changed()`` or, from an app that
must not import rusplan, send ``measures.signals.public_data_changed``, which is
received here and calls it. Saves inside ``measures.signals.written_in_bulk()``
(the shipped data's loader) are not traced: the block sends that signal once, at
its end.

Rules, in ``PublicPageCacheMiddleware``: only GET requests for the views in
CACHED_VIEWS that rusplan/http_cache.py found public (an anonymous visitor with no
pending messages), only 200 responses that set no cookie of their own. A page is
the same bytes for every visitor (the language is in its address, and it holds no
CSRF token), so it is stored and served as it is. The headers that let browsers
and shared caches keep it (Cache-Control, ETag, 304) are http_cache.py's.
"""

import functools
import hashlib
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from measures.selectors.freshness import municipalities_touched
from measures.signals import in_bulk_write, public_data_changed
from partners.models import Municipality
from rusplan.release import release_id

GENERATION_KEY = "rusplan:content-generation"
NATIONAL_SCOPE = "national"
MUNICIPALITY_SCOPE = "kommune:"
PAGE_KEY_PREFIX = "rusplan:page:"

# The public pages (URL names). A new public page joins by adding its name here.
CACHED_VIEWS = frozenset(
    {
        "home",
        "municipality-home",
        "accessibility",
        "measures:plan-detail",
        "measures:measure-list",
        "measures:measure-detail",
        "measures:partner-detail",
        "measures:partner-national",
        "measures:district-detail",
        "measures:source-list",
        "measures:plan-sources",
    }
)
# Apps whose models the public pages show, and models in them they never show.
PUBLIC_APPS = frozenset({"measures", "partners"})
NOT_PUBLIC_MODELS = frozenset(
    {"partners.membership", "measures.remindersent", "measures.importjob"}
)

CACHE_STATUS_HEADER = "X-Rusplan-Cache"

# Headers the outer middleware sets again on every response.
_NOT_STORED_HEADERS = frozenset({"content-length", "set-cookie"})

_pending_bump = threading.Event()


# --- The content generation -------------------------------------------------------


def _fresh_generation() -> int:
    """A starting value larger than any earlier one: if the key is evicted or the
    cache restarted with old pages still in it, the new keys cannot collide."""
    return time.time_ns() // 1000


def generation_key(scope: str | None = None) -> str:
    """The global generation's key, or a scope's: NATIONAL_SCOPE or
    MUNICIPALITY_SCOPE + a municipality's slug."""
    return GENERATION_KEY if scope is None else f"{GENERATION_KEY}:{scope}"


def current_generation(scope: str | None = None) -> int:
    key = generation_key(scope)
    value = cache.get(key)
    if value is not None:
        return value
    fresh = _fresh_generation()
    if cache.add(key, fresh, timeout=None):
        return fresh
    return cache.get(key) or fresh


def current_generations(scope: str) -> tuple[int, int]:
    """(the global generation, the scope's), in one round trip when both exist."""
    keys = [generation_key(), generation_key(scope)]
    found = cache.get_many(keys)
    if len(found) == len(keys):
        return found[keys[0]], found[keys[1]]
    return current_generation(), current_generation(scope)


def _bump_one(key: str) -> bool:
    try:
        cache.incr(key)
    except ValueError:
        # Missing (first write, evicted) or the cache is unreachable.
        if not cache.add(key, _fresh_generation(), timeout=None):
            try:
                cache.incr(key)
            except ValueError:
                return False
    return True


def _bump(scopes: frozenset[str] | None = None) -> bool:
    """Bump the scopes' generations, or the global one when `scopes` is None."""
    keys = [generation_key()] if scopes is None else map(generation_key, scopes)
    # Every key is tried, even after one fails.
    bumped = [_bump_one(key) for key in keys]
    if all(bumped):
        if scopes is None:
            _pending_bump.clear()
        return True
    # The cache is unreachable (the backend has said so in the log); the pages
    # in it cannot be read either. Make every page stale on the next request, in
    # case it comes back with its old pages.
    _pending_bump.set()
    return False


def content_changed(
    *, using: str | None = None, municipalities: set[str] | None = None
) -> None:
    """Make cached public pages stale. Call after writing public data.

    `municipalities` (slugs) limits it to those municipalities' pages and the
    national pages; None makes every page stale.

    Bumps at once and again when the transaction commits: the first bump keeps a
    page rendered inside the same transaction (and tests, which never commit) from
    being served stale; the second makes sure that a page another request rendered
    from the not yet committed data is not served after the commit.
    """
    scopes = None
    if municipalities is not None:
        scopes = frozenset(
            {NATIONAL_SCOPE, *(MUNICIPALITY_SCOPE + slug for slug in municipalities)}
        )
    _bump(scopes)
    if transaction.get_connection(using).in_atomic_block:
        transaction.on_commit(lambda: _bump(scopes), using=using)


@functools.cache
def _affects_public_pages(model) -> bool:
    from simple_history.models import HistoricalChanges

    meta = model._meta
    return (
        meta.app_label in PUBLIC_APPS
        and meta.label_lower not in NOT_PUBLIC_MODELS
        # The history tables are written with every save; the save itself counts.
        and not issubclass(model, HistoricalChanges)
    )


def _never_public(instance) -> bool:
    """A status update that has never been published (a draft, submitted or
    returned) is not on any public page: caseworkers saving their work must not
    empty the page cache for everyone."""
    from measures.models import StatusUpdate

    return (
        isinstance(instance, StatusUpdate)
        and instance.state != StatusUpdate.State.PUBLISHED
        and instance.published_at is None
    )


def _is_new_source(instance, created: bool) -> bool:
    """A source just recorded is cited by nothing yet (a caseworker adding one to
    a draft): no page shows it. Its citation, when published, is traced to its
    municipality like any other write."""
    from measures.models import Source

    return created and isinstance(instance, Source)


def _on_save_or_delete(
    sender, instance=None, using=None, created=False, **kwargs
) -> None:
    if in_bulk_write() or _is_new_source(instance, created):
        return  # a bulk write announces itself when it ends
    if _affects_public_pages(sender) and not _never_public(instance):
        touched = municipalities_touched(instance)
        if touched is not None and not touched:
            return  # on no public page (a draft's citation)
        content_changed(using=using, municipalities=touched)


def _on_m2m_changed(sender, action, instance=None, using=None, **kwargs) -> None:
    if in_bulk_write():
        return
    if not (action.startswith("post_") and _affects_public_pages(sender)):
        return
    if any(field.related_model is Municipality for field in sender._meta.fields):
        # Which municipalities a plan is shared with, or a partner serves: things
        # move between municipalities' pages, every page is made stale.
        content_changed(using=using)
        return
    content_changed(using=using, municipalities=municipalities_touched(instance))


def _on_public_data_changed(sender, using=None, **kwargs) -> None:
    # Sent by measures after writes that send no model signals (bulk inserts, raw
    # deletes, queryset updates: the demo data generator, the rebuild of the
    # year-end statuses) and at the end of a written_in_bulk() block (the loader).
    content_changed(using=using)


def connect_receivers() -> None:
    uid = "rusplan.page_cache"
    post_save.connect(_on_save_or_delete, dispatch_uid=uid)
    post_delete.connect(_on_save_or_delete, dispatch_uid=uid)
    m2m_changed.connect(_on_m2m_changed, dispatch_uid=uid)
    public_data_changed.connect(_on_public_data_changed, dispatch_uid=uid)


# --- The middleware ---------------------------------------------------------------


def page_scope(request: HttpRequest) -> str:
    """The generation a page depends on beside the global one: its
    municipality's, for a page under /<kommune>/, else the national pages'."""
    kommune = request.resolver_match.kwargs.get("kommune")
    return MUNICIPALITY_SCOPE + kommune if kommune else NATIONAL_SCOPE


def content_version(request: HttpRequest) -> str:
    """What a public page's bytes depend on, as a digest: the generations of its
    scope, the language, the scheme and host (the print footer shows the address),
    the full path with its query string, the release, and today's date (pages say
    things relative to today: what is due, what changed since the last period),
    so that neither a stored page nor an ETag outlives the day."""
    identity = "\n".join(
        [
            timezone.localdate().isoformat(),
            str(current_generations(page_scope(request))),
            request.LANGUAGE_CODE,
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            release_id(),
        ]
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def page_key(version: str) -> str:
    return PAGE_KEY_PREFIX + version


def _is_cacheable_request(request: HttpRequest) -> bool:
    if settings.RUSPLAN_PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    match = request.resolver_match
    # The content version is there only for a public request (http_cache.py).
    return (
        match is not None
        and match.view_name in CACHED_VIEWS
        and getattr(request, "rusplan_content_version", None) is not None
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    storage = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(storage, "added_new", False)
    )


class PublicPageCacheMiddleware:
    """Serves and stores public pages for anonymous visitors (see module docstring).

    Must come after http_cache.PublicHttpCacheMiddleware (which finds the request
    public and its content version), the session, authentication and message
    middleware, and before anything that would make a page personal.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _pending_bump.is_set():
            _bump()
        response = self.get_response(request)
        status = getattr(request, "_rusplan_page_cache", None)
        if status == "miss" and _storable(request, response):
            self._store(request._rusplan_page_key, response)
        if status is not None and response.status_code == 200:
            response.headers[CACHE_STATUS_HEADER] = status
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not _is_cacheable_request(request):
            return None
        key = page_key(request.rusplan_content_version)
        entry = cache.get(key)
        if entry is None:
            request._rusplan_page_cache = "miss"
            request._rusplan_page_key = key
            return None
        request._rusplan_page_cache = "hit"
        return self._rebuild(entry)

    @staticmethod
    def _store(key: str, response: HttpResponse) -> None:
        headers = [
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _NOT_STORED_HEADERS
        ]
        cache.set(key, (response.content, headers), settings.RUSPLAN_PAGE_CACHE_SECONDS)

    @staticmethod
    def _rebuild(entry) -> HttpResponse:
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response.headers[name] = value
        return response
