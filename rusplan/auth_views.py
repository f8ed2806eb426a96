"""Views around login that Django does not ship: the login's first step, the
lockout page (django-axes) and the CSRF failure page. Logout, password change and
reset are Django's own views (rusplan/auth_urls.py); the templates are in
templates/registration/.
"""

import logging
import math
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from .auth_forms import LoginForm
from .security_log import log_event
from .two_factor import pending
from .two_factor.policy import has_device, needs_second_factor


class LoginView(auth_views.LoginView):
    """Django's login; with a second factor required, a right password for a user
    who needs one starts a pending login (rusplan/two_factor/) instead."""

    authentication_form = LoginForm

    def get(self, request, *args, **kwargs):
        if pending.PENDING_KEY in request.session:
            return self._second_step("second_factor_verify")
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not needs_second_factor(user):
            pending.clear(self.request)
            return super().form_valid(form)
        pending.start(self.request, user, user.backend)
        if has_device(user):
            return self._second_step("second_factor_verify")
        return self._second_step("second_factor_enrol")

    def _second_step(self, name: str) -> HttpResponse:
        query = urlencode({"next": self.get_success_url()})
        return redirect(f"{reverse(name)}?{query}")


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
