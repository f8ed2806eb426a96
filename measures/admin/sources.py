"""The Django admin for sources, and the citation inlines of the facts that cite
them (used by the other admin modules of this package).

Every write goes through measures/services/sources.py with request.user: a source
is created by its URL (the same URL is the same source), and a source that facts
cite cannot be deleted; the admin says so instead of showing Django's list of
protected objects. See docs/admin-guide.md, "Kilder".
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from measures.models import Citation, Source
from measures.selectors.citations import public_citations
from measures.services import sources as source_services
from partners.admin import HistoryAdmin, ScopedTabularInline
from partners.scope import administered_ids

SOURCE_FIELDS = [
    "publisher",
    "title",
    "url",
    "kind",
    "published_on",
    "date_precision",
    "date_note",
    "accessed_on",
    "external_id",
]


def _of_municipalities(ids) -> Q:
    """Citations of facts of the municipalities `ids`."""
    return (
        Q(plan__municipality_id__in=ids)
        | Q(goal__plan__municipality_id__in=ids)
        | Q(measure__municipality_id__in=ids)
        | Q(status_update__measure__municipality_id__in=ids)
        | Q(indicator__goal__plan__municipality_id__in=ids)
        | Q(indicator__measure__municipality_id__in=ids)
        | Q(indicator_value__indicator__goal__plan__municipality_id__in=ids)
        | Q(indicator_value__indicator__measure__municipality_id__in=ids)
        | Q(budget_line__measure__municipality_id__in=ids)
        | Q(partner__municipality_id__in=ids)
        | Q(partner_name__partner__municipality_id__in=ids)
    )


def sources_seen_by(queryset, user):
    """The sources a municipal administrator may see: those cited by a public
    fact, by a fact of their own municipality, or by nothing. A source cited
    only by another municipality's draft status update or indicator value (or
    its non-public plan) is private until that is published. Platform
    administrators see every source."""
    ids = administered_ids(user)
    if ids is None:
        return queryset
    citing = Citation.objects.filter(source=OuterRef("pk"))
    return queryset.filter(
        Exists(public_citations().filter(source=OuterRef("pk")))
        | Exists(citing.filter(_of_municipalities(ids)))
        | ~Exists(citing)
    )


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    add_label = _("Ny kilde")
    list_display = [
        "publisher",
        "title",
        "kind",
        "date",
        "link",
        "citation_count",
    ]
    list_filter = ["kind", "date_precision"]
    search_fields = ["publisher", "title", "url"]
    readonly_fields = ["created_by", "created_at", "citation_count"]
    fieldsets = [
        (None, {"fields": ["publisher", "title", "url", "kind"]}),
        (
            _("Dato"),
            {"fields": ["published_on", "date_precision", "date_note", "accessed_on"]},
        ),
        (
            _("Registrering"),
            {"fields": ["external_id", "created_by", "created_at", "citation_count"]},
        ),
    ]

    def get_queryset(self, request):
        # Also the citation inlines' autocomplete: both read this queryset.
        return (
            sources_seen_by(super().get_queryset(request), request.user)
            .annotate(n_citations=Count("citations"))
            # A GROUP BY query loses Meta.ordering; autocomplete needs an order.
            .order_by(*Source._meta.ordering)
        )

    def get_list_display_links(self, request, list_display):
        # No links to change pages the user cannot open.
        if not self.has_view_or_change_permission(request):
            return None
        return super().get_list_display_links(request, list_display)

    @admin.display(description=_("dato"), ordering="published_on")
    def date(self, source: Source) -> str:
        return source.date_label

    @admin.display(description=_("nettadresse"), ordering="url")
    def link(self, source: Source) -> str:
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', source.url, source.url
        )

    @admin.display(description=_("brukt av"), ordering="n_citations")
    def citation_count(self, source: Source) -> str:
        count = getattr(source, "n_citations", None)
        if count is None:
            count = source.citations.count() if source.pk else 0
        return ngettext("%(count)d opplysning", "%(count)d opplysninger", count) % {
            "count": count
        }

    def get_actions(self, request):
        # The bulk delete would go around the per-source refusal below.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        fields = {name: form.cleaned_data[name] for name in SOURCE_FIELDS}
        if change:
            source_services.source_update(actor=request.user, source=obj, **fields)
        else:
            saved, _created = source_services.source_get_or_create(
                actor=request.user, **fields
            )
            obj.pk = saved.pk
            obj._state.adding = False

    def delete_view(self, request, object_id, extra_context=None):
        source = self.get_object(request, object_id)
        if source is not None and source.citations.exists():
            self.message_user(
                request, source_services.cited_message(source), messages.ERROR
            )
            return HttpResponseRedirect(
                reverse("admin:measures_source_change", args=[source.pk])
            )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        try:
            source_services.source_delete(actor=request.user, source=obj)
        except PermissionDenied:
            raise
        except ValidationError as error:
            # Cited between the confirmation page and the delete.
            self.message_user(request, " ".join(error.messages), messages.ERROR)


class CitationInline(ScopedTabularInline):
    """The sources a fact cites, in order; saved through citations_set()."""

    model = Citation
    extra = 0
    fields = ["source", "field", "position"]
    autocomplete_fields = ["source"]
    verbose_name = _("kilde")
    verbose_name_plural = _("kilder (kildehenvisninger)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A forged id of a source the user may not see is refused, not cited
        # (citing it would make it theirs to see).
        if db_field.name == "source":
            kwargs["queryset"] = sources_seen_by(Source.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def citation_inline(target: str) -> type[CitationInline]:
    """A citation inline for the fact named `target` (a Citation field name)."""
    return type(
        f"{target.title().replace('_', '')}CitationInline",
        (CitationInline,),
        {"fk_name": target, "__module__": __name__},
    )


class CitationAdminMixin:
    """Saves the citation inline through source_services.citations_set with
    request.user, field by field, in the order of the position column."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "sources" not in form.base_fields:
            return form
        user = request.user

        class SeenSourcesForm(form):
            # The add forms' list of sources (published_sources_field): only
            # those the user may see (sources_seen_by).
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields["sources"].queryset = sources_seen_by(
                    Source.objects.all(), user
                )

        SeenSourcesForm.__name__ = form.__name__
        return SeenSourcesForm

    def save_formset(self, request, form, formset, change):
        if formset.model is not Citation:
            return super().save_formset(request, form, formset, change)
        target = form.instance
        wanted: dict[str, list[tuple[int, int, Source]]] = {}
        for index, citation_form in enumerate(formset.forms):
            data = getattr(citation_form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or data.get("source") is None:
                continue
            field = data.get("field") or ""
            position = data.get("position") or 0
            wanted.setdefault(field, []).append((position, index, data["source"]))
        existing_fields = set(
            Citation.objects.filter(**{formset.fk.name: target}).values_list(
                "field", flat=True
            )
        )
        for field in existing_fields | set(wanted):
            sources = [source for _p, _i, source in sorted(wanted.get(field, []))]
            source_services.citations_set(
                actor=request.user, target=target, sources=sources, field=field
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        return None
