from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import otp_admin

admin.site.site_header = _("Rusplan – administrasjon")
admin.site.site_title = _("Rusplan-administrasjon")
admin.site.index_title = _("Planer, tiltak, partnere og brukere")

otp_admin.register(admin.site)
