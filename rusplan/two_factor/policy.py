"""Who must pass a second factor, and whether it is asked for at all."""

from django.conf import settings
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Membership


def otp_required() -> bool:
    """RUSPLAN_REQUIRE_OTP, read on every call so that tests can switch it."""
    return settings.RUSPLAN_REQUIRE_OTP


def needs_second_factor(user) -> bool:
    """Everyone who can change public data: staff, and anyone with a membership
    (caseworkers and coordinators). Others only read what is public anyway."""
    if not otp_required() or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user).exists()


def has_device(user) -> bool:
    """A confirmed device: an authenticator app or recovery codes."""
    return user_has_device(user, confirmed=True)


def has_app(user) -> bool:
    """A confirmed authenticator app (TOTP device)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
