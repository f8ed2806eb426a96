"""The django-otp device pages in Norwegian.

django-otp writes its field names, help texts and fieldset titles as plain
English strings, not marked for translation, so no catalogue can reach them
(decision 48). These admins say them in Bokmål msgids instead; the model names
(«TOTP devices», «Static devices») stay, as the admin guide names them."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

FIELDS = {
    "user": (_("bruker"), _("Brukeren enheten hører til.")),
    "name": (_("navn"), _("Et navn som skiller enhetene fra hverandre.")),
    "confirmed": (_("bekreftet"), _("Er enheten klar til bruk?")),
    "created_at": (_("opprettet"), None),
    "last_used_at": (_("sist brukt"), None),
    "key": (_("nøkkel"), _("Hemmelig nøkkel, heksadesimal, høyst 40 byte.")),
    "step": (_("tidssteg"), _("Sekunder mellom hver nye kode.")),
    "t0": (_("starttid"), _("Unix-tiden stegene telles fra.")),
    "digits": (_("sifre"), _("Antall sifre i koden.")),
    "tolerance": (
        _("toleranse"),
        _("Hvor mange tidssteg før eller etter som godtas."),
    ),
    "drift": (_("avvik"), _("Hvor mange tidssteg enhetens klokke går feil.")),
    "throttling_failure_timestamp": (
        _("siste mislykkede forsøk"),
        _("Tomt hvis siste forsøk lyktes."),
    ),
    "throttling_failure_count": (
        _("mislykkede forsøk på rad"),
        None,
    ),
}
FIELDSETS = {
    "Identity": _("Enhet"),
    "Timestamps": _("Tidspunkter"),
    "Configuration": _("Oppsett"),
    "State": _("Tilstand"),
    "Throttling": _("Sperring etter feil"),
}


def _column(name: str):
    @admin.display(
        description=FIELDS[name][0], ordering=name, boolean=name == "confirmed"
    )
    def column(self, device):
        return getattr(device, name)

    return column


def _filter(name: str, base):
    class Filter(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = FIELDS[name][0]

    return (name, Filter)


class NorwegianDeviceAdmin:
    """Mixed in before django-otp's own device admin."""

    search_help_text = _("Søk på brukernavn eller e-post.")
    list_display = ["otp_user", "otp_name", "otp_created_at", "otp_last_used_at"]
    list_display += ["otp_confirmed"]
    list_filter = [
        _filter("created_at", admin.DateFieldListFilter),
        _filter("last_used_at", admin.DateFieldListFilter),
        _filter("confirmed", admin.BooleanFieldListFilter),
    ]
    otp_user = _column("user")
    otp_name = _column("name")
    otp_created_at = _column("created_at")
    otp_last_used_at = _column("last_used_at")
    otp_confirmed = _column("confirmed")

    def get_fieldsets(self, request, obj=None):
        return [
            (FIELDSETS.get(title, title), options)
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        for name, field in form.base_fields.items():
            if name in FIELDS:
                field.label, help_text = FIELDS[name]
                field.help_text = help_text or ""
        return form


class NorwegianTOTPDeviceAdmin(NorwegianDeviceAdmin, TOTPDeviceAdmin):
    # django-otp's device pages look the device up with .get(): a device that does
    # not exist (deleted, or a typed URL) was a 500. It is a 404, as in the admin.
    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


class NorwegianStaticDeviceAdmin(NorwegianDeviceAdmin, StaticDeviceAdmin):
    pass


def register(site) -> None:
    for model, model_admin in (
        (TOTPDevice, NorwegianTOTPDeviceAdmin),
        (StaticDevice, NorwegianStaticDeviceAdmin),
    ):
        if site.is_registered(model):
            site.unregister(model)
        site.register(model, model_admin)
