"""The Django admin for districts, plans, goals, measures and a measure's partners;
a measure's page also lists its status updates, read-only (they are changed under
Statusoppdateringer, measures/admin/status_updates.py).

Plain records (plans, goals, districts) are saved by Django's ModelAdmin after the
form's full_clean(). A measure is saved through measures/services/plans.py, and its
current status is re-derived from the updates, so the status shown everywhere never
drifts from them. Measures are imported from CSV/XLSX through
measures/admin/imports/ (docs/exports.md, "Import"). See docs/admin-guide.md.
"""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from measures.admin.forms import (
    GoalAdminForm,
    MeasureAdminForm,
    MeasurePartnerFormSet,
    PlanAdminForm,
)
from measures.admin.imports.measures import MeasureResource
from measures.admin.imports.mixin import ServiceImportMixin
from measures.admin.sources import CitationAdminMixin, citation_inline
from measures.models import District, Goal, Measure, MeasurePartner, Plan, StatusUpdate
from measures.services.plans import (
    district_create,
    district_update,
    goal_create,
    goal_update,
    measure_set_goals,
    measure_set_partners,
    measure_sync_current_status,
    measure_update,
    plan_create,
    plan_update,
)
from partners.actors import admin_save
from partners.admin import HistoryAdmin, ScopedTabularInline
from partners.scope import is_municipal_admin


@admin.register(District)
class DistrictAdmin(HistoryAdmin):
    add_label = _("Ny bydel")
    list_display = ["name", "slug", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["municipality"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=district_create,
            update=district_update,
            name="district",
        )


class GoalInline(ScopedTabularInline):
    model = Goal
    form = GoalAdminForm
    extra = 0
    fields = ["order", "title", "slug", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A goal's parent is another goal of the same plan.
        parent = formset.form.base_fields["parent"]
        parent.queryset = (
            Goal.objects.filter(plan=obj) if obj is not None else Goal.objects.none()
        )
        return formset


@admin.register(Plan)
class PlanAdmin(CitationAdminMixin, HistoryAdmin):
    add_label = _("Ny plan")
    form = PlanAdminForm
    list_display = [
        "title",
        "period",
        "status",
        "owner",
        "measure_count",
        "adopted_on",
    ]
    list_filter = [
        "municipality",
        "status",
        "is_training",
        "reporting_interval",
        "requires_review",
    ]
    list_select_related = ["owner"]
    search_fields = ["title", "short_title", "slug", "council_case_reference"]
    autocomplete_fields = ["municipality", "owner", "predecessor"]
    filter_horizontal = ["shared_with"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "adopted_on"
    inlines = [GoalInline, citation_inline("plan")]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    # Required since plans belong to a municipality: without it
                    # here no plan could be added in the admin.
                    "municipality",
                    "title",
                    "short_title",
                    "slug",
                    "description",
                    "status",
                    "is_training",
                ]
            },
        ),
        (
            _("Periode og vedtak"),
            {
                "fields": [
                    "start_year",
                    "end_year",
                    "adopted_on",
                    "adopted_by",
                    "council_case_reference",
                    "adoption_note",
                ]
            },
        ),
        (
            _("Ansvar og rapportering"),
            {
                "fields": [
                    "shared_with",
                    "owner",
                    "predecessor",
                    "reporting_interval",
                    "requires_review",
                    "published_by_owner",
                ]
            },
        ),
        (_("Usikkerhet"), {"fields": ["uncertainty"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Sharing a plan with another municipality is a platform administrator's
        # choice: a municipal administrator is offered only their own
        # municipality, so saving the field would drop the others (decision 56).
        readonly = list(super().get_readonly_fields(request, obj))
        if is_municipal_admin(request.user):
            readonly.append("shared_with")
        return readonly

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(measure_count=Count("measures", distinct=True))
            # Meta.ordering is not applied to a GROUP BY query; autocomplete pages
            # need an ordered queryset.
            .order_by(*Plan._meta.ordering)
        )

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=plan_create,
            update=plan_update,
            name="plan",
        )

    @admin.display(description=_("periode"), ordering="start_year")
    def period(self, plan: Plan) -> str:
        return plan.period_label

    @admin.display(description=_("antall tiltak"), ordering="measure_count")
    def measure_count(self, plan: Plan) -> int:
        return plan.measure_count


@admin.register(Goal)
class GoalAdmin(CitationAdminMixin, HistoryAdmin):
    add_label = _("Nytt mål")
    form = GoalAdminForm
    list_display = ["title", "plan", "parent", "order"]
    list_filter = ["plan"]
    list_select_related = ["plan", "parent"]
    search_fields = ["title", "slug", "plan__title"]
    autocomplete_fields = ["plan", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [citation_inline("goal")]

    def save_model(self, request, obj, form, change):
        admin_save(
            request,
            obj,
            form,
            change,
            create=goal_create,
            update=goal_update,
            name="goal",
        )


class MeasurePartnerInline(ScopedTabularInline):
    model = MeasurePartner
    formset = MeasurePartnerFormSet
    extra = 0
    min_num = 1
    fields = ["partner", "role"]
    autocomplete_fields = ["partner"]

    def get_queryset(self, request):
        # The lead first: a formset saves its rows in this order, so changing the
        # lead demotes the old one before promoting the new (one lead at a time is
        # a database constraint).
        return (
            super()
            .get_queryset(request)
            .select_related("partner")
            .order_by("-role", "partner__name")
        )


class StatusUpdateInline(ScopedTabularInline):
    """The measure's updates, newest first, read-only: a published update is never
    changed, and new ones are added under Statusoppdateringer."""

    model = StatusUpdate
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["as_of", "state", "phase", "health", "progress", "summary_excerpt"]
    readonly_fields = fields
    ordering = ["-as_of", "-published_at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("sammendrag"))
    def summary_excerpt(self, update: StatusUpdate) -> str:
        return Truncator(update.summary).chars(120)


@admin.register(Measure)
class MeasureAdmin(CitationAdminMixin, ServiceImportMixin, HistoryAdmin):
    add_label = _("Nytt tiltak")
    form = MeasureAdminForm
    resource_classes = [MeasureResource]  # import from CSV/XLSX: docs/exports.md
    list_display = [
        "title",
        "plan",
        "lead_partner",
        "current_phase",
        "current_health",
        "progress",
        "last_updated",
    ]
    list_filter = ["plan", "category", "current_phase", "current_health", "districts"]
    list_select_related = ["plan"]
    search_fields = ["title", "slug", "identifier", "description"]
    # Goals are a list of the measure's own plan's goals (MeasureAdminForm), not a
    # search across every plan's goals.
    autocomplete_fields = ["plan", "continues"]
    filter_horizontal = ["districts", "goals"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "current_phase",
        "current_health",
        "current_progress",
        "current_as_of",
        "current_update_link",
    ]
    inlines = [MeasurePartnerInline, citation_inline("measure"), StatusUpdateInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "plan",
                    "identifier",
                    "title",
                    "slug",
                    "description",
                    "category",
                ]
            },
        ),
        (_("Mål og bydeler"), {"fields": ["goals", "districts"]}),
        (
            _("Periode, vekt og videreføring"),
            {"fields": ["planned_start", "planned_end", "weight", "continues"]},
        ),
        (_("Usikkerhet"), {"fields": ["uncertainty"]}),
        (
            _("Gjeldende status"),
            {
                "fields": readonly_fields,
                "description": _(
                    "Hentes fra den nyeste publiserte statusoppdateringen og kan "
                    "ikke endres her. Legg inn en ny statusoppdatering for å endre "
                    "den."
                ),
            },
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The form offers goals by the user's municipal scope.
        kwargs["form"] = type("MeasureAdminForm", (self.form,), {"user": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request):
        lead = MeasurePartner.objects.filter(
            measure=OuterRef("pk"), role=MeasurePartner.Role.LEAD
        ).values("partner__name")[:1]
        return super().get_queryset(request).annotate(lead_partner_name=Subquery(lead))

    @admin.display(description=_("ansvarlig"), ordering="lead_partner_name")
    def lead_partner(self, measure: Measure) -> str | None:
        return measure.lead_partner_name

    @admin.display(description=_("fremdrift"), ordering="current_progress")
    def progress(self, measure: Measure) -> str | None:
        if measure.current_progress is None:
            return None
        return f"{measure.current_progress} %"

    @admin.display(description=_("sist oppdatert"), ordering="current_as_of")
    def last_updated(self, measure: Measure):
        return measure.current_as_of

    @admin.display(description=_("gjeldende statusoppdatering"))
    def current_update_link(self, measure: Measure):
        if measure.current_update_id is None:
            return "–"  # a callable's None is shown as «None»
        url = reverse(
            "admin:measures_statusupdate_change", args=[measure.current_update_id]
        )
        return format_html('<a href="{}">{}</a>', url, _("Vis oppdateringen"))

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            # Through the service, so the version bump tells caseworker forms
            # loaded before this edit that the measure changed.
            measure_update(actor=request.user, measure=obj)
            # The object may carry current status read before this request's
            # save; re-derive it from the updates so it never drifts.
            measure_sync_current_status(actor=request.user, measure=obj)
        else:
            # A new measure has no updates, so no status to derive. It is saved
            # here (the admin checked add_measure) because its lead partner comes
            # from the inline, saved after it; measure_create needs the lead.
            obj.save()

    def save_formset(self, request, form, formset, change):
        if formset.model is not MeasurePartner:
            return super().save_formset(request, form, formset, change)
        # The admin's log message reads these; the service saved the rows.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        if not formset.has_changed():
            return None
        # The whole set at once through measure_set_partners (exactly one lead,
        # its permission check); the formset has checked the same rules.
        rows = [
            row.cleaned_data
            for row in formset.forms
            if row.cleaned_data and not formset._should_delete_form(row)
        ]
        measure_set_partners(
            actor=request.user,
            measure=form.instance,
            lead=next(
                (r["partner"] for r in rows if r["role"] == MeasurePartner.Role.LEAD),
                None,
            ),
            contributors=[
                r["partner"]
                for r in rows
                if r["role"] == MeasurePartner.Role.CONTRIBUTOR
            ],
        )
        return None

    def save_related(self, request, form, formsets, change):
        # Goals go through measure_set_goals (its plan rule and permission check),
        # not the form's m2m save; districts and the inlines follow Django's.
        goals = form.cleaned_data.pop("goals", None)
        super().save_related(request, form, formsets, change)
        if goals is not None:
            measure_set_goals(actor=request.user, measure=form.instance, goals=goals)


@admin.register(MeasurePartner)
class MeasurePartnerAdmin(HistoryAdmin):
    """Read-only overview: a measure's partners are changed on the measure, where
    the rule "exactly one lead" is checked for the whole set."""

    add_label = _("Nytt ansvar for tiltak")

    list_display = ["measure", "plan", "partner", "role"]
    list_filter = ["role"]
    list_select_related = ["measure__plan", "partner"]
    search_fields = ["measure__title", "partner__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("plan"), ordering="measure__plan__title")
    def plan(self, role: MeasurePartner) -> Plan:
        return role.measure.plan
