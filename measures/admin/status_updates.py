"""The Django admin for status updates and the reminder log.

Every write to an update goes through measures/services/status_updates.py, and the
measure's current status is re-derived after each, so the status shown everywhere
never drifts from the updates. Updates are imported from CSV/XLSX through
measures/admin/imports/ (docs/exports.md, "Import"). See docs/admin-guide.md.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from measures.admin.forms import (
    UPDATE_CONTENT,
    StatusUpdateAddForm,
    StatusUpdateChangeForm,
)
from measures.admin.imports.mixin import ServiceImportMixin
from measures.admin.imports.status_updates import StatusUpdateResource
from measures.admin.sources import CitationAdminMixin, citation_inline
from measures.models import EDITABLE_STATES, Plan, ReminderSent, StatusUpdate
from measures.services.base import ConflictError
from measures.services.status_updates import (
    status_update_create,
    status_update_edit,
    status_update_publish,
    status_update_record_published,
)
from partners.admin import HistoryAdmin

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

    add_label = _("Ny statusoppdatering")

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
        if obj is None:
            # The add form offers «Publisert» only to someone who may publish.
            kwargs["form"] = type(
                "StatusUpdateAddForm", (StatusUpdateAddForm,), {"user": request.user}
            )
        else:
            kwargs["form"] = StatusUpdateChangeForm
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
        # The services refresh the measure's current status when what they save
        # is published; a draft leaves it as it is.
        _become(obj, saved)

    def delete_model(self, request, obj):
        # Only drafts are deleted (has_delete_permission), and a draft is never a
        # measure's current status, so nothing public follows from the delete.
        obj._history_user = request.user
        super().delete_model(request, obj)

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
