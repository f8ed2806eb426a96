"""Views around login that Django does not ship: the lockout page (django-axes)
and the CSRF failure page. Login, logout, password change and reset are Django's
own views (rusplan/auth_urls.py) with our templates in templates/registration/.
"""

import logging
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .security_log import log_event


def lockout(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """Rendered by django-axes (AXES_LOCKOUT_CALLABLE) instead of the login page."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    context = {
        "cooloff_minutes": minutes,
        "support_email": settings.RUSPLAN_SUPPORT_EMAIL,
    }
    return render(request, "registration/lockout.html", context, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a Norwegian page; the reason goes to the log only."""
    log_event(
        "csrf_failure",
        request=request,
        status=403,
        reason=reason,
        level=logging.WARNING,
    )
    response = render(request, "403_csrf.html", status=403)
    # SecurityEventMiddleware would otherwise log this 403 a second time.
    response.rusplan_security_logged = True
    return response
