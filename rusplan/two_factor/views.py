"""The second step of a login (a code, or enrolling an app first) and the page
where users make new recovery codes. Who may be here is decided at the top of
each view: a pending login (pending.py) for the first two, a login for the last."""

import base64
import logging
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from ..auth_views import lockout
from ..security_log import log_event
from . import pending, services
from .forms import CodeForm
from .policy import has_app, has_device

CODES_KEY = "_rusplan_new_recovery_codes"
V = services.Verification


def next_url(request: HttpRequest) -> str:
    """``next`` if it points into this site, else Mine tiltak."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def with_next(name: str, next_to: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_to})}"


def _refused_by_axes(request: HttpRequest, user) -> HttpResponse | None:
    """A wrong code counts as a failed login: the username's and the address's
    lockouts (rusplan/lockout.py) hold here too."""
    if AxesProxyHandler.is_allowed(request, {"username": user.get_username()}):
        return None
    return lockout(request)


def _count_failure(request: HttpRequest, user) -> None:
    log_event("otp_failed", request=request, user=user, level=logging.WARNING)
    # Recorded like a wrong password; when this one locks the pair or the address
    # out, AxesMiddleware replaces the response with the lockout page.
    AxesProxyHandler.user_login_failed(
        sender=verify, credentials={"username": user.get_username()}, request=request
    )


def _error(form: CodeForm, verification) -> None:
    if verification is V.THROTTLED:
        form.add_error(
            "code", _("For mange feil koder på rad. Vent noen sekunder og prøv igjen.")
        )
    else:
        form.add_error(
            "code",
            _(
                "Koden stemmer ikke. Skriv inn koden appen viser nå, eller en "
                "reservekode du ikke har brukt."
            ),
        )


def _log_in(request: HttpRequest, user, device) -> None:
    pending.clear(request)
    # django-otp's receiver of user_logged_in marks the session verified by it.
    user.otp_device = device
    auth_login(request, user, backend=user.backend)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Rule: a pending login whose user has a device."""
    next_to = next_url(request)
    user = pending.pending_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(next_to)
        return redirect(with_next("login", next_to))
    if not has_device(user):
        return redirect(with_next("second_factor_enrol", next_to))
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if refused := _refused_by_axes(request, user):
            return refused
        if form.is_valid():
            verification, device = services.second_factor_verify(
                user=user, code=form.cleaned_data["code"]
            )
            if verification is V.ACCEPTED:
                _log_in(request, user, device)
                if not has_app(user):
                    # In with a recovery code (or a one-time code from an
                    # administrator) and no app yet: set one up now.
                    return redirect(with_next("second_factor_enrol", next_to))
                return redirect(next_to)
            if verification is V.WRONG:
                _count_failure(request, user)
            _error(form, verification)
    context = {
        "form": form,
        "next": next_to,
        "pending_user": user,
        "support_email": settings.RUSPLAN_SUPPORT_EMAIL,
    }
    return render(request, "registration/second_factor_verify.html", context)


def _grouped(key: bytes) -> str:
    """The key as an authenticator app takes it by hand: base32, in fours."""
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Rule: a pending login whose user has no device at all (a first login, or
    the first after an administrator reset their devices); or a user logged in
    (with a recovery code, where a second factor is required: the middleware) who
    has no app yet. A pending user with recovery codes must use one first."""
    next_to = next_url(request)
    user = pending.pending_user(request)
    if user is not None and has_device(user):
        return redirect(with_next("second_factor_verify", next_to))
    if user is None:
        if not request.user.is_authenticated:
            return redirect(with_next("login", next_to))
        if has_app(request.user):
            return redirect(next_to)
        user = request.user
    device = services.totp_device_for_enrolment(
        user=user, device_id=request.session.get(pending.ENROLMENT_KEY)
    )
    request.session[pending.ENROLMENT_KEY] = device.pk
    form = CodeForm(request.POST or None, recovery=False)
    if request.method == "POST":
        if refused := _refused_by_axes(request, user):
            return refused
        if form.is_valid():
            verification = services.totp_device_confirm(
                device=device, code=form.cleaned_data["code"]
            )
            if verification is V.ACCEPTED:
                request.session.pop(pending.ENROLMENT_KEY, None)
                codes = services.recovery_codes_create(user=user)
                if request.user.is_authenticated:
                    otp_login(request, device)
                else:
                    _log_in(request, user, device)
                request.session[CODES_KEY] = codes
                return redirect(with_next("recovery_codes", next_to))
            if verification is V.WRONG:
                _count_failure(request, user)
            _error(form, verification)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": next_to,
        "qr_data_uri": qr.svg_data_uri(scale=5, dark="#000", light="#fff"),
        "key": _grouped(device.bin_key),
        "pending_user": user,
    }
    return render(request, "registration/second_factor_enrol.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Rule: logged in (and, where a second factor is required, verified: the
    middleware). New codes are made by POST and shown once, by the GET after it."""
    next_to = next_url(request)
    if request.method == "POST":
        # On the device that verified this session, if it was a recovery code:
        # a new device would leave the session unverified (logged out).
        request.session[CODES_KEY] = services.recovery_codes_create(
            user=request.user, keep=getattr(request.user, "otp_device", None)
        )
        return redirect(with_next("recovery_codes", next_to))
    context = {
        "codes": request.session.pop(CODES_KEY, None),
        "left": services.recovery_codes_left(user=request.user),
        "next": next_to,
    }
    return render(request, "registration/recovery_codes.html", context)
