from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm as UserCreationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from . import services
from .actors import admin_save
from .models import (
    Membership,
    Municipality,
    MunicipalityAdministrator,
    Partner,
    PartnerName,
)
from .scope import (
    administered_ids,
    is_municipal_admin,
    is_platform_admin,
    may_administer,
    municipality_id_of,
)

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


def scope_q(user, label: str) -> Q | None:
    """The objects of model `label` ("measures.plan") that `user` may see and
    choose in the admin, or None for no limit: a platform administrator, or a
    model shared by every municipality (sources, groups). Regional partners are
    shared: chosen by all, changed only by platform administrators."""
    ids = administered_ids(user)
    if ids is None:
        return None
    ids = sorted(ids)
    paths = {
        "partners.municipality": ["pk"],
        "partners.partner": ["municipality"],
        "partners.partnername": ["partner__municipality"],
        "partners.membership": ["partner__municipality"],
        "partners.municipalityadministrator": ["municipality"],
        "measures.plan": ["municipality"],
        "measures.district": ["municipality"],
        "measures.goal": ["plan__municipality"],
        "measures.measure": ["plan__municipality"],
        "measures.measurepartner": ["measure__plan__municipality"],
        "measures.statusupdate": ["measure__plan__municipality"],
        "measures.budgetline": ["measure__plan__municipality"],
        "measures.indicator": [
            "goal__plan__municipality",
            "measure__plan__municipality",
        ],
        "measures.indicatorvalue": [
            "indicator__goal__plan__municipality",
            "indicator__measure__plan__municipality",
        ],
        "measures.citation": [
            "plan__municipality",
            "goal__plan__municipality",
            "measure__plan__municipality",
            "status_update__measure__plan__municipality",
            "indicator__goal__plan__municipality",
            "indicator__measure__plan__municipality",
            "indicator_value__indicator__goal__plan__municipality",
            "indicator_value__indicator__measure__plan__municipality",
            "budget_line__measure__plan__municipality",
        ],
        "auth.user": [
            "memberships__partner__municipality",
            "administered_municipalities__municipality",
        ],
    }
    if label not in paths:
        return None
    q = Q(pk__in=[])
    for path in paths[label]:
        q |= Q(**{f"{path}__in": ids})
    if label == "partners.partner":
        q |= Q(municipality__isnull=True)
    return q


def scoped(queryset, user):
    """`queryset` limited to what `user` administers (scope_q)."""
    q = scope_q(user, queryset.model._meta.label_lower)
    if q is None:
        return queryset
    if queryset.model._meta.label_lower in ("auth.user", "measures.citation"):
        # Over to-many relations: one row per object.
        return queryset.filter(pk__in=queryset.model._default_manager.filter(q))
    return queryset.filter(q)


class MunicipalScopeMixin:
    """What a municipal administrator sees and chooses in the admin: the
    changelist, the objects behind change, history and delete URLs (404 for
    another municipality's, nothing shown), every foreign-key and many-to-many
    choice, the autocomplete results (they come from the related admin's
    get_queryset) and the list filters' choices (decision 56). Platform
    administrators see everything, as before.

    `shared_view`: objects of no municipality (regional partners) may be looked
    at, never changed."""

    shared_view = False

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped(field.queryset, request.user)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped(field.queryset, request.user)
        return field

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        ids = administered_ids(request.user)
        fields = {field.name for field in self.model._meta.get_fields()}
        if ids is not None and len(ids) == 1 and "municipality" in fields:
            initial.setdefault("municipality", next(iter(ids)))
        return initial

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if not is_municipal_admin(request.user):
            return filters
        # Offer only the related objects that occur in the (scoped) list.
        return [_related_only(self.model, entry) for entry in filters]

    def _object_in_scope(self, request, obj, *, viewing: bool = False) -> bool:
        if obj is None or not is_municipal_admin(request.user):
            return True
        municipality_id = municipality_id_of(obj)
        if municipality_id is None:
            return viewing and self.shared_view
        return may_administer(request.user, municipality_id)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._object_in_scope(
            request, obj, viewing=True
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._object_in_scope(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._object_in_scope(
            request, obj
        )

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects with «... does not exist»; a municipal administrator
        # gets a plain 404 whether the object is missing or another
        # municipality's, so they learn nothing about it.
        if is_municipal_admin(request.user):
            raise Http404
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)


def _related_only(model, entry):
    if not isinstance(entry, str):
        return entry
    try:
        field = get_fields_from_path(model, entry)[-1]
    except Exception:  # not a field path: a filter of another kind
        return entry
    if getattr(field, "is_relation", False):
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


class ScopedTabularInline(MunicipalScopeMixin, admin.TabularInline):
    """An inline whose rows and choices follow the municipal scope."""


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


class HistoryAdmin(MunicipalScopeMixin, AddLabelAdmin, SimpleHistoryAdmin):
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

    def has_add_permission(self, request):
        # A new municipality is the platform administrators' work (decision 56).
        return super().has_add_permission(request) and not is_municipal_admin(
            request.user
        )

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


class PartnerNameInline(ScopedTabularInline):
    model = PartnerName
    extra = 0
    fields = ["name", "valid_from", "valid_until", "dates_approximate"]


@admin.register(Partner)
class PartnerAdmin(HistoryAdmin):
    add_label = _("Ny partner")
    form = PartnerAdminForm
    # Regional partners are shared: a municipal administrator sees them (to
    # choose them on measures) but cannot change them.
    shared_view = True
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

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind" and is_municipal_admin(request.user):
            # A municipal administrator adds their municipality's units; regional
            # partners are a platform administrator's (decision 56).
            kwargs["choices"] = [
                (value, label)
                for value, label in Partner.Kind.choices
                if value in Partner.MUNICIPAL_KINDS
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if request.GET.get("model_name") in ("membership", "user"):
            # The autocomplete of a membership's partner: own partners only.
            queryset = own_partners(queryset, request.user)
        return queryset, may_have_duplicates

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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "partner":
            field.queryset = own_partners(field.queryset, request.user)
        return field

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=services.membership_create,
            update=services.membership_update,
            name="membership",
        )

    def delete_model(self, request, obj):
        services.membership_delete(actor=request.user, membership=obj)


def own_partners(queryset, user):
    """Memberships are the municipality's own business: a municipal administrator
    gives roles in their municipality and its units, not in a regional partner
    (whose people a platform administrator manages)."""
    ids = administered_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(municipality__in=sorted(ids))


@admin.register(MunicipalityAdministrator)
class MunicipalityAdministratorAdmin(HistoryAdmin):
    """Who administers which municipality: platform administrators only (the
    municipal administrators' group has no permission here). Added and removed
    through the services, which also give and take the admin access."""

    add_label = _("Ny kommuneadministrator")
    list_display = ["user", "municipality"]
    list_select_related = ["user", "municipality"]
    search_fields = ["user__username", "user__email", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # remove one and add another

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_platform_admin(
            request.user
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service
        return actions

    def save_model(self, request, obj, form, change):
        saved = services.municipality_administrator_add(
            actor=request.user,
            user=form.cleaned_data["user"],
            municipality=form.cleaned_data["municipality"],
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.municipality_administrator_remove(
            actor=request.user, administrator=obj
        )


class MembershipInline(ScopedTabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["partner"]
    verbose_name = _("rolle hos en partner")
    verbose_name_plural = _("roller hos partnere")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "partner":
            field.queryset = own_partners(field.queryset, request.user)
        return field


User = get_user_model()


class MunicipalUserCreationForm(UserCreationForm):
    """A municipal administrator's new user comes with a role in one of the
    municipality's partners: that role is what makes the user theirs."""

    partner = forms.ModelChoiceField(
        label=_("partner"),
        queryset=Partner.objects.none(),
        help_text=_("Kommunen eller enheten brukeren arbeider i."),
    )
    role = forms.ChoiceField(label=_("rolle"), choices=Membership.Role.choices)


class RusplanUserAdmin(MunicipalScopeMixin, AddLabelAdmin, UserAdmin):
    """Django's user admin with the user's partner roles on the same page.

    A municipal administrator sees the users with a role in their municipality's
    partners (and its administrators), changes only those whose every role is
    there and who are not administrators themselves, and never sets staff,
    superuser, group or permission fields (decision 56)."""

    add_label = _("Ny bruker")

    inlines = [*UserAdmin.inlines, MembershipInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not is_municipal_admin(request.user):
            return fieldsets
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "username",
                            "usable_password",
                            "password1",
                            "password2",
                            "partner",
                            "role",
                        ]
                    },
                )
            ]
        return [
            (None, {"fields": ["username", "password"]}),
            (
                _("Personlig informasjon"),
                {"fields": ["first_name", "last_name", "email"]},
            ),
            (_("Tilgang"), {"fields": ["is_active"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None and is_municipal_admin(request.user):
            kwargs["form"] = MunicipalUserCreationForm
        form = super().get_form(request, obj, **kwargs)
        if "partner" in form.base_fields:
            form.base_fields["partner"].queryset = own_partners(
                Partner.objects.all(), request.user
            )
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and "partner" in form.cleaned_data:
            services.membership_create(
                actor=request.user,
                user=obj,
                partner=form.cleaned_data["partner"],
                role=form.cleaned_data["role"],
            )

    def _object_in_scope(self, request, obj, *, viewing: bool = False) -> bool:
        ids = administered_ids(request.user)
        if obj is None or ids is None:
            return True
        if not self.get_queryset(request).filter(pk=obj.pk).exists():
            return False
        if viewing or obj.pk == request.user.pk:
            return True
        outside = obj.memberships.exclude(partner__municipality__in=sorted(ids))
        return not (obj.is_staff or obj.is_superuser or outside.exists())


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, RusplanUserAdmin)
