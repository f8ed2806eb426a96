"""The interface language: the address's, Bokmål unless it says otherwise.

The pages are in Bokmål at /bergen/..., in Nynorsk at /nn/bergen/... and in English
at /en/bergen/... (rusplan/urls.py, decision 57): the language is in the address, so
a page is the same bytes for every visitor and a shared HTTP cache may keep it. The
browser's Accept-Language is ignored (many Norwegians run an English browser, and a
Norwegian public service speaks Norwegian first). The open-data API under /api/ is
the exception: a program that sends ``Accept-Language`` asks for that language on
purpose, and has no address per language.

Before decision 57 the switcher set the ``django_language`` cookie. A visitor who
still has it and asks for a page without a prefix is sent to the same page under
their language's prefix, once: the cookie is deleted on the way, so that choosing
Bokmål by a link later sticks.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import get_script_prefix, is_valid_path
from django.utils import translation
from django.utils.cache import patch_vary_headers

REDIRECT_CACHE_CONTROL = "private, no-store"


def cookie_language(request) -> str | None:
    """The old switcher's choice, if it is a language other than the default."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if (
        code != settings.LANGUAGE_CODE
        and code in dict(settings.LANGUAGES)
        and translation.check_for_language(code)
    ):
        return code
    return None


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the language from the address alone (the API: from
    Accept-Language), and the old cookie turned into a redirect."""

    def process_request(self, request):
        if _is_api(request):
            language = translation.get_language_from_request(request)
        else:
            language = (
                translation.get_language_from_path(request.path_info)
                or settings.LANGUAGE_CODE
            )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        if language == settings.LANGUAGE_CODE and not _is_api(request):
            return _redirect_to_cookie_language(request)
        return None

    def process_response(self, request, response):
        if _is_api(request):
            patch_vary_headers(response, ("Accept-Language",))
        elif (
            settings.LANGUAGE_COOKIE_NAME in request.COOKIES
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            # The address chose the language; an old cookie would only send
            # the visitor back to it from a Bokmål link.
            _delete_language_cookie(response)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _redirect_to_cookie_language(request) -> HttpResponseRedirect | None:
    """A GET of /bergen/ with the old cookie saying nn: 302 to /nn/bergen/."""
    code = cookie_language(request)
    if code is None or request.method not in ("GET", "HEAD"):
        return None
    urlconf = getattr(request, "urlconf", None)
    with translation.override(code):
        if not is_valid_path(f"/{code}{request.path_info}", urlconf):
            return None
    script_prefix = get_script_prefix()
    response = HttpResponseRedirect(
        request.get_full_path().replace(script_prefix, f"{script_prefix}{code}/", 1)
    )
    _delete_language_cookie(response)
    response.headers["Cache-Control"] = REDIRECT_CACHE_CONTROL
    patch_vary_headers(response, ("Cookie",))
    return response


def _delete_language_cookie(response) -> None:
    response.delete_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")
