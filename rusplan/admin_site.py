"""The Django admin, requiring a second factor (django-otp) when
RUSPLAN_REQUIRE_OTP is true, which is the default in production mode.

Installed through Django's documented hook (an AdminConfig with ``default_site``),
so ``django.contrib.admin.site`` is this site and every ``admin.register`` lands on
it. The setting is read on every request, so tests can switch it.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class RusplanAdminConfig(AdminConfig):
    default_site = "rusplan.admin_site.RusplanAdminSite"


def _otp_required() -> bool:
    return settings.RUSPLAN_REQUIRE_OTP


class RusplanAdminSite(AdminSite):
    """Like django_otp.admin.OTPAdminSite, but switchable by a setting.

    With OTP required, a staff user counts as staff only once a confirmed device
    (TOTP, or a one-time static token for the first login) has verified them in
    this session; the admin login form then asks for the code.
    """

    @property
    def login_form(self):
        # Both validate the username's length first (rusplan/auth_forms.py).
        from .auth_forms import AdminLoginForm, otp_admin_login_form

        return otp_admin_login_form() if _otp_required() else AdminLoginForm

    @property
    def login_template(self):
        return "otp/admin111/login.html" if _otp_required() else None

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not _otp_required() or request.user.is_verified()
