"""Third-party apps under Norwegian headings in the admin: their own AppConfig
has no verbose name, so the admin showed «Axes», «Otp_Static», «Otp_Totp».
Same name and label, so their models, tables and migrations are unchanged. In
a module of their own: rusplan/apps.py must hold one AppConfig, Rusplan's."""

from axes import apps as axes_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class AxesConfig(axes_apps.AppConfig):
    verbose_name = _("Innloggingsforsøk og sperring")


class OtpStaticConfig(otp_static_apps.DefaultConfig):
    verbose_name = _("Reservekoder for totrinnsinnlogging")


class OtpTotpConfig(otp_totp_apps.DefaultConfig):
    verbose_name = _("Kodeapper for totrinnsinnlogging")
