"""The interface language: Bokmål unless the visitor chose another.

Django's LocaleMiddleware picks the language from the language cookie, then from the
browser's Accept-Language. Many Norwegians run an English browser, and a Norwegian
public service speaks Norwegian first, so Rusplan skips the second step: the language
is the one chosen in the switcher (the ``django_language`` cookie that Django's
``set_language`` view sets), otherwise ``LANGUAGE_CODE`` (Bokmål). The open-data
API under /api/ is the exception: a program that sends ``Accept-Language`` asks for
that language on purpose, and has no switcher. See docs/decisions.md, "Bokmål unless
the visitor chooses".
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    """The switcher's choice if it is one of LANGUAGES, else the default."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code in dict(settings.LANGUAGES) and translation.check_for_language(code):
        return code
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without Accept-Language (no i18n_patterns in Rusplan)."""

    def process_request(self, request) -> None:
        if _is_api(request):
            language = translation.get_language_from_request(request)
        else:
            language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # Pages depend on the cookie alone; the API also on Accept-Language.
        if _is_api(request):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")
