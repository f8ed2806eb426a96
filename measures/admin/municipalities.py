"""The admin's «Ny kommune» page: onboards a municipality through the same
service as `manage.py create_municipality` (measures/services/municipalities.py):
the municipality, its own partner, its first administrator (mailed a link to set
a password) and its training plan. Changing a municipality stays partners'
MunicipalityAdmin. Platform administrators only (decision 56)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from measures.services.municipalities import municipality_onboard
from partners.admin import MunicipalityAdmin
from partners.models import Municipality


class MunicipalityAddForm(forms.ModelForm):
    admin_username = forms.CharField(
        label=_("brukernavn for kommunens administrator"),
        max_length=150,
        help_text=_("Kommunens første administrator. Flere kan legges til senere."),
    )
    admin_email = forms.EmailField(
        label=_("e-post for kommunens administrator"),
        help_text=_(
            "Administratoren får en e-post med lenke for å velge passord. Ingen "
            "andre får vite passordet."
        ),
    )

    class Meta:
        model = Municipality
        fields = [
            "name",
            "number",
            "county",
            "slug",
            "contact_email",
            "accessibility_email",
        ]

    def clean_admin_username(self):
        username = self.cleaned_data["admin_username"].strip()
        if get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(
                _("Brukernavnet er tatt. Velg et annet."), code="taken"
            )
        return username


class OnboardingMunicipalityAdmin(MunicipalityAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MunicipalityAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*self.fields, "admin_username", "admin_email"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        done = municipality_onboard(
            actor=request.user,
            name=data["name"],
            number=data["number"],
            slug=data["slug"],
            county=data["county"],
            contact_email=data["contact_email"],
            accessibility_email=data["accessibility_email"],
            admin_username=data["admin_username"],
            admin_email=data["admin_email"],
            domain=request.get_host(),
            use_https=request.is_secure(),
        )
        obj.pk = done.municipality.pk
        obj._state.adding = False
        obj._state.db = done.municipality._state.db
        return None


admin.site.unregister(Municipality)
admin.site.register(Municipality, OnboardingMunicipalityAdmin)
