from django.contrib import admin, messages
from django.contrib.auth import get_user_model, logout
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import otp_admin
from .two_factor import services as two_factor

admin.site.site_header = _("Rusplan – administrasjon")
admin.site.site_title = _("Rusplan-administrasjon")
admin.site.index_title = _("Planer, tiltak, partnere og brukere")

otp_admin.register(admin.site)


@admin.action(
    description=_("Nullstill andre faktor (mistet telefon)"),
    permissions=["reset_second_factor"],
)
def reset_second_factor(modeladmin, request, queryset):
    """Removes the chosen users' apps and recovery codes and ends their sessions;
    each enrols again at their next login. The service checks the permission
    again."""
    for user in queryset:
        two_factor.second_factor_reset(actor=request.user, user=user)
        modeladmin.log_change(request, user, str(_("Nullstilte andre faktor.")))
    count = len(queryset)
    modeladmin.message_user(
        request,
        ngettext(
            "Andre faktor er nullstilt for %(count)d bruker, og brukeren er logget "
            "ut overalt. Neste gang de logger inn, skriver de passordet og tar i "
            "bruk appen på nytt.",
            "Andre faktor er nullstilt for %(count)d brukere, og brukerne er logget "
            "ut overalt. Neste gang de logger inn, skriver de passordet og tar i "
            "bruk appen på nytt.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )
    if any(user.pk == request.user.pk for user in queryset):
        # The reset deleted this very session; logging out gives the response a
        # new one to save (else Django answers 400, «session deleted»).
        logout(request)


def _with_reset_action(user_admin_class):
    """The user admin registered by partners (which cannot import rusplan), with
    the reset action for those allowed to delete devices."""

    class UserAdmin(user_admin_class):
        actions = [*(user_admin_class.actions or []), reset_second_factor]

        def has_reset_second_factor_permission(self, request) -> bool:
            return two_factor.can_reset_second_factor(request.user)

    return UserAdmin


User = get_user_model()
_registered = type(admin.site.get_model_admin(User))
admin.site.unregister(User)
admin.site.register(User, _with_reset_action(_registered))
