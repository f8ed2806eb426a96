"""The Django admin for plans, goals, measures, districts and status updates.

Plain records (plans, goals, districts) are saved by Django's ModelAdmin after the
form's full_clean(). Writes that feed a measure's current status go through
measures.services, so the status shown everywhere never drifts from the updates.
See docs/admin-guide.md.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from measures.forms_admin import (
    UPDATE_CONTENT,
    GoalAdminForm,
    MeasureAdminForm,
    MeasurePartnerFormSet,
    PlanAdminForm,
    StatusUpdateAddForm,
    StatusUpdateChangeForm,
)
from measures.import_admin import ServiceImportMixin
from measures.models import (
    EDITABLE_STATES,
    District,
    Goal,
    Measure,
    MeasurePartner,
    Plan,
    ReminderSent,
    StatusUpdate,
)
from measures.resources import MeasureResource, StatusUpdateResource
from measures.services.base import ConflictError
from measures.services.plans import measure_sync_current_status, measure_update
from measures.services.status_updates import (
    status_update_create,
    status_update_edit,
    status_update_publish,
    status_update_record_published,
)
from measures.source_admin import CitationAdminMixin, citation_inline
from partners.admin import HistoryAdmin


@admin.register(District)
class DistrictAdmin(HistoryAdmin):
    list_display = ["name", "slug", "municipality"]
    list_select_related = ["municipality"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["municipality"]
    prepopulated_fields = {"slug": ["name"]}


class GoalInline(admin.TabularInline):
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
    form = PlanAdminForm
    list_display = [
        "title",
        "period",
        "status",
        "owner",
        "measure_count",
        "adopted_on",
    ]
    list_filter = ["status", "is_training", "reporting_interval", "requires_review"]
    list_select_related = ["owner"]
    search_fields = ["title", "short_title", "slug", "council_case_reference"]
    autocomplete_fields = ["owner", "predecessor"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "adopted_on"
    inlines = [GoalInline, citation_inline("plan")]
    fieldsets = [
        (
            None,
            {
                "fields": [
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

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(measure_count=Count("measures", distinct=True))
            # Meta.ordering is not applied to a GROUP BY query; autocomplete pages
            # need an ordered queryset.
            .order_by(*Plan._meta.ordering)
        )

    @admin.display(description=_("periode"), ordering="start_year")
    def period(self, plan: Plan) -> str:
        return plan.period_label

    @admin.display(description=_("antall tiltak"), ordering="measure_count")
    def measure_count(self, plan: Plan) -> int:
        return plan.measure_count


@admin.register(Goal)
class GoalAdmin(CitationAdminMixin, HistoryAdmin):
    form = GoalAdminForm
    list_display = ["title", "plan", "parent", "order"]
    list_filter = ["plan"]
    list_select_related = ["plan", "parent"]
    search_fields = ["title", "slug", "plan__title"]
    autocomplete_fields = ["plan", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [citation_inline("goal")]


class MeasurePartnerInline(admin.TabularInline):
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


class StatusUpdateInline(admin.TabularInline):
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
    autocomplete_fields = ["plan", "continues", "goals"]
    filter_horizontal = ["districts"]
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
            return None
        url = reverse(
            "admin:measures_statusupdate_change", args=[measure.current_update_id]
        )
        return format_html('<a href="{}">{}</a>', url, _("Vis oppdateringen"))

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            # Through the service, so the version bump tells caseworker forms
            # loaded before this edit that the measure changed.
            measure_update(measure=obj)
        else:
            obj.save()
        # The object may carry current status read before this request's save;
        # re-derive it from the updates so it never drifts.
        measure_sync_current_status(measure=obj)


@admin.register(MeasurePartner)
class MeasurePartnerAdmin(HistoryAdmin):
    """Read-only overview: a measure's partners are changed on the measure, where
    the rule "exactly one lead" is checked for the whole set."""

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


UPDATE_RECORD = [
    "measure",
    "state",
    "author",
    "created_at",
    "submitted_at",
    "reviewer",
    "review_comment",
    "published_at",
    "external_id",
]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(CitationAdminMixin, ServiceImportMixin, HistoryAdmin):
    """Status updates are append-only once published.

    Adding goes through status_update_create (a draft) or
    status_update_record_published (a public fact with a source); a draft or
    returned update is changed through status_update_edit. Submitted and published
    updates are read-only here, and only drafts can be deleted.
    """

    list_display = [
        "measure",
        "plan",
        "as_of",
        "phase",
        "health",
        "progress",
        "state",
        "author",
        "published_at",
    ]
    list_filter = ["state", "phase", "health", "measure__plan"]
    list_select_related = ["measure__plan", "author"]
    search_fields = ["summary", "measure__title", "external_id"]
    autocomplete_fields = ["measure"]
    date_hierarchy = "as_of"
    actions = ["publish_submitted"]
    resource_classes = [StatusUpdateResource]  # import: docs/exports.md
    inlines = [citation_inline("status_update")]

    @admin.display(description=_("plan"), ordering="measure__plan__title")
    def plan(self, update: StatusUpdate) -> Plan:
        return update.measure.plan

    def get_inlines(self, request, obj):
        # A new update cites the sources chosen on its form (the service needs
        # them to publish); the citation inline is for an existing update.
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StatusUpdateChangeForm if obj else StatusUpdateAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["record_as", "measure", *UPDATE_CONTENT]}),
                (_("Kilder og import"), {"fields": ["sources", "external_id"]}),
            ]
        content = list(UPDATE_CONTENT)
        if self.has_change_permission(request, obj):
            content.append("expected_version")
        return [
            (None, {"fields": content}),
            (_("Registrering og godkjenning"), {"fields": UPDATE_RECORD}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return UPDATE_RECORD if obj is not None else []

    def get_actions(self, request):
        # The bulk delete action would skip the per-object rule below.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state not in EDITABLE_STATES:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != StatusUpdate.State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        # Reverting would bypass the services; a correction is a new update.
        return True

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The forms check the rules an administrator can meet; a service can still
        # refuse (someone changed the update or the measure meanwhile). The
        # transaction is rolled back and the message says what happened.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConflictError:
            self.message_user(
                request,
                _(
                    "Noen endret oppdateringen eller tiltaket mens du arbeidet. "
                    "Ingenting er lagret. Se gjennom den nye versjonen og gjør "
                    "endringen på nytt."
                ),
                messages.ERROR,
            )
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            saved = status_update_edit(
                update=obj,
                expected_version=form.cleaned_data["expected_version"],
                actor=request.user,
                **form.service_fields(),
            )
        else:
            data = form.cleaned_data
            fields = {name: data[name] for name in UPDATE_CONTENT}
            if data["record_as"] == StatusUpdateAddForm.PUBLISHED:
                saved = status_update_record_published(
                    measure=data["measure"],
                    sources=list(data["sources"]),
                    external_id=data["external_id"],
                    actor=request.user,
                    **fields,
                )
            else:
                saved = status_update_create(
                    measure=data["measure"],
                    author=request.user,
                    actor=request.user,
                    sources=list(data["sources"]),
                    external_id=data["external_id"],
                    **fields,
                )
        measure_sync_current_status(measure=saved.measure)
        _become(obj, saved)

    def delete_model(self, request, obj):
        measure = obj.measure
        super().delete_model(request, obj)
        measure_sync_current_status(measure=measure)

    @admin.action(
        description=_("Publiser valgte oppdateringer som er sendt til godkjenning"),
        permissions=["change"],
    )
    def publish_submitted(self, request, queryset):
        published, skipped = 0, 0
        for update in queryset.filter(state=StatusUpdate.State.SUBMITTED):
            try:
                status_update_publish(
                    update=update, reviewer=request.user, actor=request.user
                )
            except ValidationError as error:
                skipped += 1
                self.message_user(
                    request,
                    f"{update}: {' '.join(error.messages)}",
                    messages.WARNING,
                )
            else:
                published += 1
        skipped += queryset.exclude(state=StatusUpdate.State.SUBMITTED).count()
        if published:
            self.message_user(
                request,
                ngettext(
                    "%(count)d oppdatering er publisert.",
                    "%(count)d oppdateringer er publisert.",
                    published,
                )
                % {"count": published},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d valgt oppdatering ble ikke publisert: bare innsendte "
                    "oppdateringer kan publiseres.",
                    "%(count)d valgte oppdateringer ble ikke publisert: bare "
                    "innsendte oppdateringer kan publiseres.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


def _become(obj: StatusUpdate, saved: StatusUpdate) -> None:
    """Make the admin's form instance the row the service saved, so the admin's
    log entry and redirect point at it."""
    for field in StatusUpdate._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    """A log written by send_update_reminders. Deleting a row lets that user be
    reminded again for that period."""

    list_display = ["user", "period_key", "sent_at", "measure_count"]
    list_filter = ["period_key"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "period_key"]
    readonly_fields = ["user", "period_key", "sent_at", "measure_count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Indicators, indicator values and budget lines: measures/indicator_admin.py.
from measures import indicator_admin  # noqa: E402, F401
