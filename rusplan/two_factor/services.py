"""Every write to a user's second-factor devices (django-otp)."""

import enum
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..security_log import log_event

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
def totp_device_for_enrolment(*, user) -> TOTPDevice:
    """The user's unconfirmed app device, made on first use: reloading the
    enrolment page shows the same key, so a scanned code keeps working."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=str(APP_DEVICE_NAME), confirmed=False
        )
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> Verification:
    """Confirms the device if ``code`` is the one its app shows now."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return Verification.THROTTLED
    if not device.verify_token(normalise_code(code)):
        return Verification.WRONG
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return Verification.ACCEPTED


@transaction.atomic
def recovery_codes_create(*, user) -> list[str]:
    """New recovery codes for ``user``; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(
        user=user, name=str(RECOVERY_DEVICE_NAME), confirmed=True
    )
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
    used). Only the device the code's form points to is tried, so a wrong app code
    does not throttle the recovery codes, or the other way round."""
    code = normalise_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    device = (
        model.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        return Verification.WRONG, None
    allowed, _extra = device.verify_is_allowed()
    if not allowed:
        return Verification.THROTTLED, None
    if device.verify_token(code):
        return Verification.ACCEPTED, device
    return Verification.WRONG, None


def can_reset_second_factor(actor) -> bool:
    return actor.is_active and actor.is_staff and actor.has_perms(RESET_PERMISSIONS)


@transaction.atomic
def second_factor_reset(*, actor, user) -> int:
    """Removes every device of ``user`` (a lost phone): they enrol again at their
    next login, and any session they have stops being verified at once. Needs
    permission to delete both kinds of device. Returns how many were removed."""
    if not can_reset_second_factor(actor):
        raise PermissionDenied
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    log_event(
        "second_factor_reset",
        user=actor,
        reason=f"user_id={user.pk}",
        level=logging.WARNING,
    )
    return removed
