"""Deny by default: until a user who needs a second factor has passed it, every
view sees an anonymous visitor. Public pages stay public; every page behind a
login sends them to /logg-inn/, which asks for the password and then the code (or
enrolment).

A session that is logged in but not verified is logged out, not continued as a
pending login: it may be an old session on a stolen phone whose device an
administrator has just reset, and a pending login without a device may enrol an
app. Only a password typed in this session (auth_views.LoginView) starts one.
"""

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import pending
from .policy import needs_second_factor, otp_required
from .views import next_url, with_next


def _anonymous() -> AnonymousUser:
    user = AnonymousUser()
    # What django_otp.middleware.OTPMiddleware gives every user.
    user.otp_device = None
    user.is_verified = lambda: False
    return user


class SecondFactorMiddleware:
    """After AuthenticationMiddleware, OTPMiddleware and the session timeout."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if otp_required():
            user = request.user
            if (
                user.is_authenticated
                and not user.is_verified()
                and needs_second_factor(user)
                # Logging out needs the user it logs out, for the security log.
                and request.path_info != reverse("logout")
            ):
                # Logged in some other way, or its device was removed by an
                # administrator: the password must be typed again (module doc).
                logout(request)
                request.user = _anonymous()
            if (
                request.path_info == reverse("admin:login")
                and pending.PENDING_KEY in request.session
            ):
                # The admin's own login form cannot enrol an app; ours can.
                return redirect(with_next("second_factor_verify", next_url(request)))
        return self.get_response(request)
