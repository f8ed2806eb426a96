"""A login waiting for its second factor, kept in the session.

The password was right, but the user is not logged in (``request.user`` stays
anonymous, and django-axes has not reset their failures) until a code is.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

PENDING_KEY = "_rusplan_second_factor_pending"
# The pk of the unconfirmed app device this session enrols: its key is shown to
# this session only.
ENROLMENT_KEY = "_rusplan_second_factor_enrolment"


def start(request: HttpRequest, user, backend: str) -> None:
    # A new session key, as login() makes: a session id planted before the
    # password must not let someone else watch the enrolment (its key and QR code).
    request.session.cycle_key()
    # A new pending login gets a key of its own: totp_device_for_enrolment.
    request.session.pop(ENROLMENT_KEY, None)
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "at": int(time.time()),
    }


def pending_user(request: HttpRequest):
    """The user waiting for a second factor, or None. A pending login lasts as
    long as an idle session (RUSPLAN_SESSION_IDLE_SECONDS)."""
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    if time.time() - data["at"] > settings.RUSPLAN_SESSION_IDLE_SECONDS:
        clear(request)
        return None
    user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        clear(request)
        return None
    user.backend = data["backend"]
    return user


def clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
