"""Every write to a user's second-factor devices (django-otp)."""

import enum
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..security_log import log_event
from .sessions import end_sessions

APP_DEVICE_NAME = _("Autentiseringsapp")
RECOVERY_DEVICE_NAME = _("Reservekoder")
RESET_PERMISSIONS = ("otp_totp.delete_totpdevice", "otp_static.delete_staticdevice")


class Verification(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    # django-otp waits longer after each wrong code (1, 2, 4, ... seconds); a code
    # typed inside that wait is not checked, so it does not count as wrong either.
    THROTTLED = "throttled"


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed from paper: spaces and case do not matter."""
    return "".join(code.split()).lower()


@transaction.atomic
def totp_device_for_enrolment(*, user, device_id: int | None) -> TOTPDevice:
    """The unconfirmed app device one enrolment session shows (``device_id``,
    kept in that session), or a new one with a new key. Each session gets its
    own key: someone else who knows only the password and opens the enrolment page
    sees another key than the user does, so the app the user scans and confirms
    is never one they also hold. Devices left unconfirmed longer than a pending
    login lasts are removed here, so abandoned enrolments do not pile up."""
    unconfirmed = TOTPDevice.objects.select_for_update().filter(
        user=user, confirmed=False
    )
    if device_id is not None:
        device = unconfirmed.filter(pk=device_id).first()
        if device is not None:
            return device
    stale = timezone.now() - timedelta(seconds=settings.RUSPLAN_SESSION_IDLE_SECONDS)
    unconfirmed.filter(created_at__lt=stale).delete()
    return TOTPDevice.objects.create(
        user=user, name=str(APP_DEVICE_NAME), confirmed=False
    )


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> Verification:
    """Confirms the device if ``code`` is the one its app shows now. The user's
    other unconfirmed devices go: a key shown to another session stops working."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return Verification.THROTTLED
    if not device.verify_token(normalise_code(code)):
        return Verification.WRONG
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user_id, confirmed=False).delete()
    return Verification.ACCEPTED


@transaction.atomic
def recovery_codes_create(*, user, keep: object = None) -> list[str]:
    """New recovery codes for ``user``; the old ones stop working. The codes are
    put on one existing recovery-code device (``keep``, the device that verified
    this session, if it is one of the user's; else their first) rather than on a
    new one: a session verified by a recovery code stays verified only while its
    device exists. The user's other recovery-code devices are removed."""
    devices = StaticDevice.objects.select_for_update().filter(user=user)
    device = None
    if isinstance(keep, StaticDevice):
        device = devices.filter(pk=keep.pk).first()
    device = device or devices.order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(
            user=user, name=str(RECOVERY_DEVICE_NAME), confirmed=True
        )
    devices.exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    codes = [
        StaticToken.random_token() for _ in range(settings.RUSPLAN_RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    log_event("recovery_codes_created", user=user)
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def second_factor_verify(*, user, code: str) -> tuple[Verification, object]:
    """Checks a code from the app (six digits) or a recovery code (spent when
    used) against every confirmed device of that kind the user has (an
    administrator may have added one in the admin). Only that kind is tried, so a
    wrong app code does not throttle the recovery codes, or the other way round.
    THROTTLED if no device took the code and one was waiting (django-otp): the
    code was not checked against it, so it does not count as wrong."""
    code = normalise_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    devices = (
        model.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
    )
    throttled = False
    for device in devices:
        allowed, _extra = device.verify_is_allowed()
        if not allowed:
            throttled = True
        elif device.verify_token(code):
            return Verification.ACCEPTED, device
    return (Verification.THROTTLED if throttled else Verification.WRONG), None


def can_reset_second_factor(actor) -> bool:
    return actor.is_active and actor.is_staff and actor.has_perms(RESET_PERMISSIONS)


@transaction.atomic
def second_factor_reset(*, actor, user) -> int:
    """Removes every device of ``user`` (a lost phone) and ends every session
    they have (sessions.py), so an old session on the lost phone must type the
    password again; they enrol again at their next login. Needs permission to
    delete both kinds of device. Returns how many devices were removed."""
    if not can_reset_second_factor(actor):
        raise PermissionDenied
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    end_sessions(user=user)
    log_event(
        "second_factor_reset",
        user=actor,
        reason=f"user_id={user.pk}",
        level=logging.WARNING,
    )
    return removed
