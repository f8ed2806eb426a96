"""Session timeouts and 403 logging.

A session ends after RUSPLAN_SESSION_IDLE_SECONDS without a request and, however
active, RUSPLAN_SESSION_ABSOLUTE_SECONDS after the login (ASVS 3.3). The times are
stored in the session itself, as Unix seconds, so that a test can move them back.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .security_log import log_event

LOGIN_AT_KEY = "_rusplan_login_at"
LAST_ACTIVITY_KEY = "_rusplan_last_activity"


def record_login_time(sender, request, user, **kwargs) -> None:
    """Receiver for user_logged_in: the absolute timeout counts from here."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    """Logs out a user whose session has been idle or alive too long.

    Must come after AuthenticationMiddleware and MessageMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = int(time.time())
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        last_activity = session.get(LAST_ACTIVITY_KEY, now)
        if now - login_at > settings.RUSPLAN_SESSION_ABSOLUTE_SECONDS:
            reason = "absolute_timeout"
            message = _("Du er logget ut fordi økten varte for lenge. Logg inn igjen.")
        elif now - last_activity > settings.RUSPLAN_SESSION_IDLE_SECONDS:
            reason = "idle_timeout"
            message = _(
                "Du er logget ut fordi du ikke har vært aktiv på en stund. "
                "Logg inn igjen."
            )
        else:
            # Saving the session on every request also moves its stored expiry
            # (SESSION_COOKIE_AGE) forward, so the database agrees with this check.
            session[LAST_ACTIVITY_KEY] = now
            return
        request.rusplan_logout_reason = reason
        logout(request)
        messages.info(request, message)


class SecurityEventMiddleware:
    """Logs every 403 response as a security event, whatever produced it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(
            response, "rusplan_security_logged", False
        ):
            log_event("permission_denied", request=request, status=403)
        return response
