from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import services
from .actors import admin_save
from .models import Membership, Municipality, Partner, PartnerName

EMPTY = "–"


def user_name(user) -> str:
    return user.get_full_name() or user.get_username()


class HistoryChanges(HistoricalRecordContextHelper):
    """The «Endringer» column of a history page in words: «–» for an empty value
    (not «None», nor «Slettet bruker (pk=None)» for an empty link), a choice's
    label instead of its stored code, Ja/Nei, and people by name."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject) and value.pk is None:
            return EMPTY
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return _("Ja") if value else _("Nei")
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, get_user_model()):
            return user_name(value)
        return value


class AddLabelAdmin(admin.ModelAdmin):
    """The admin's «Add %(name)s» with the model's own phrase.

    Django's Norwegian catalogue makes it «Legg til ny %(name)s», wrong for
    neuter nouns («ny tiltak»). `add_label` («Nytt tiltak») is what the add
    button, the add page's title and its breadcrumb say (templates/admin/
    change_list_object_tools.html and change_form.html); models without one get
    the gender-neutral «Legg til %(name)s» from locale_overrides/ (decision 48).
    """

    add_label = None

    def render_change_form(self, request, context, add=False, **kwargs):
        if add and self.add_label:
            context["title"] = self.add_label
        return super().render_change_form(request, context, add=add, **kwargs)


class HistoryAdmin(AddLabelAdmin, SimpleHistoryAdmin):
    """SimpleHistoryAdmin that only lets people who may change an object revert it.

    simple_history's history form view saves a POST for anyone who may merely view
    the object, so a read-only record (a published status update) could be
    "reverted". Here a revert needs the same permission as an edit.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, unquote(object_id))
            if (
                current is None
                or not self.has_change_permission(request, current)
                or self.revert_disabled(request, current)
            ):
                raise PermissionDenied
        return super().history_form_view(
            request, object_id, version_id, extra_context=extra_context
        )

    def get_historical_record_context_helper(self, request, historical_record):
        return HistoryChanges(self.model, historical_record)


class PartnerAdminForm(forms.ModelForm):
    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        # Walk up from the chosen parent: meeting this partner means a cycle.
        node, seen = parent, set()
        while node is not None and node.pk not in seen:
            if self.instance.pk is not None and node.pk == self.instance.pk:
                raise forms.ValidationError(
                    _(
                        "En partner kan ikke høre til seg selv eller til en av sine "
                        "egne enheter. Velg en annen overordnet partner, eller la "
                        "feltet stå tomt."
                    )
                )
            seen.add(node.pk)
            node = node.parent
        return parent


@admin.register(Municipality)
class MunicipalityAdmin(HistoryAdmin):
    add_label = _("Ny kommune")
    list_display = ["name", "number", "county", "slug"]
    search_fields = ["name", "number", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "number",
        "county",
        "slug",
        "contact_email",
        "accessibility_email",
    ]

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=services.municipality_create,
            update=services.municipality_update,
            name="municipality",
        )


class PartnerNameInline(admin.TabularInline):
    model = PartnerName
    extra = 0
    fields = ["name", "valid_from", "valid_until", "dates_approximate"]


@admin.register(Partner)
class PartnerAdmin(HistoryAdmin):
    add_label = _("Ny partner")
    form = PartnerAdminForm
    list_display = ["name", "short_name", "kind", "municipality", "parent"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["parent", "municipality"]
    search_fields = ["name", "short_name", "slug", "former_names__name"]
    autocomplete_fields = ["parent", "municipality"]
    filter_horizontal = ["serves"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PartnerNameInline]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "kind", "parent"]}),
        (_("Kommuner"), {"fields": ["municipality", "serves"]}),
        (_("Mer om partneren"), {"fields": ["website", "description"]}),
    ]

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=services.partner_create,
            update=services.partner_update,
            name="partner",
        )


@admin.register(PartnerName)
class PartnerNameAdmin(HistoryAdmin):
    add_label = _("Nytt tidligere navn")
    list_display = ["name", "partner", "valid_from", "valid_until", "dates_approximate"]
    list_select_related = ["partner"]
    search_fields = ["name", "partner__name"]
    autocomplete_fields = ["partner"]

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=services.partner_name_add,
            update=services.partner_name_update,
            name="former",
        )


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    add_label = _("Nytt medlemskap")
    list_display = ["user", "partner", "role"]
    list_filter = ["role"]
    list_select_related = ["user", "partner"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "partner__name",
    ]
    autocomplete_fields = ["user", "partner"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["partner"]
    verbose_name = _("rolle hos en partner")
    verbose_name_plural = _("roller hos partnere")


User = get_user_model()


class RusplanUserAdmin(AddLabelAdmin, UserAdmin):
    """Django's user admin with the user's partner roles on the same page."""

    add_label = _("Ny bruker")

    inlines = [*UserAdmin.inlines, MembershipInline]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RusplanUserAdmin)
