"""The Django admin for indicators, their values and budget lines. Every save goes
through the services (measures/services/indicators.py, indicator_values.py and
budgets.py).

Indicator values are facts with a review lifecycle: in the admin an administrator
records a published value with its source (on the indicator's page or the value's
add page); values are never edited here afterwards (a correction is a replacement,
see docs/data-model.md), and only drafts can be deleted. Values are imported in
bulk from CSV/XLSX through measures/admin/imports/ (docs/exports.md, "Import").
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from measures.admin.forms import published_sources_field
from measures.admin.imports.indicator_values import IndicatorValueResource
from measures.admin.imports.mixin import ServiceImportMixin
from measures.admin.sources import CitationAdminMixin, citation_inline
from measures.models import BudgetLine, Indicator, IndicatorValue
from measures.numbers import format_nok
from measures.services.budgets import budget_line_create, budget_line_update
from measures.services.indicator_values import (
    indicator_value_record_published,
    indicator_value_validate,
)
from measures.services.indicators import indicator_create, indicator_update
from partners.admin import HistoryAdmin, ScopedTabularInline

VALUE_FIELDS = [
    "period_type",
    "year",
    "number",
    "value",
    "qualifier",
    "note",
    "uncertainty",
]
VALUE_RECORD = [
    "state",
    "replaces",
    "author",
    "created_at",
    "submitted_at",
    "reviewer",
    "review_comment",
    "published_at",
]


class NewValueForm(forms.ModelForm):
    """A published value with its sources, checked by the service's own rules."""

    sources = published_sources_field()

    class Meta:
        model = IndicatorValue
        fields = ["indicator", *VALUE_FIELDS]

    def clean(self):
        data = super().clean()
        indicator = data.get("indicator") or getattr(self.instance, "indicator", None)
        if indicator is None or self.errors:
            return data
        if not data.get("sources"):
            self.add_error(
                "sources",
                _(
                    "Et publisert tall må ha en kilde. Velg minst én kilde under "
                    "«Kilder»."
                ),
            )
            return data
        try:
            indicator_value_validate(
                indicator=indicator, **{name: data.get(name) for name in VALUE_FIELDS}
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return data

    def validate_unique(self):
        # The period checks above give the clearer message.
        pass


class PublishedValuesInline(ScopedTabularInline):
    """The indicator's values, read-only (corrections are replacements)."""

    model = IndicatorValue
    fk_name = "indicator"
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("verdier")
    fields = ["period_type", "year", "number", "value", "qualifier", "state"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("year", "period_type", "number")


class NewValueInline(ScopedTabularInline):
    """Empty rows for recording published values (with source) on the indicator's
    page."""

    model = IndicatorValue
    fk_name = "indicator"
    form = NewValueForm
    extra = 1
    can_delete = False
    verbose_name = _("ny publisert verdi")
    verbose_name_plural = _("nye publiserte verdier (med kilde)")
    fields = [*VALUE_FIELDS, "sources"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()


INDICATOR_FIELDS = [
    "title",
    "slug",
    "description",
    "order",
    "goal",
    "measure",
    "kind",
    "unit",
    "direction",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "small_number_threshold",
    "source_organisation",
    "uncertainty",
]


class IndicatorAdminForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS

    def clean(self):
        data = super().clean()
        if bool(data.get("goal")) == bool(data.get("measure")):
            raise ValidationError(
                _("Knytt indikatoren til enten et mål eller et tiltak, ikke begge.")
            )
        return data


@admin.register(Indicator)
class IndicatorAdmin(CitationAdminMixin, HistoryAdmin):
    add_label = _("Ny indikator")
    form = IndicatorAdminForm
    list_display = ["title", "kind", "attached_to", "plan", "direction", "n_values"]
    list_filter = ["kind", "direction", "goal__plan", "measure__plan"]
    list_select_related = ["goal__plan", "measure__plan"]
    search_fields = ["title", "slug", "description", "source_organisation"]
    autocomplete_fields = ["goal", "measure"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PublishedValuesInline, NewValueInline, citation_inline("indicator")]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "order"]}),
        (_("Hører til (velg ett)"), {"fields": ["goal", "measure"]}),
        (
            _("Tall"),
            {
                "fields": [
                    "kind",
                    "unit",
                    "direction",
                    ("baseline_value", "baseline_year"),
                    ("target_value", "target_year"),
                    "small_number_threshold",
                ]
            },
        ),
        (
            _("Kilde"),
            {
                "fields": [
                    "source_organisation",
                    "uncertainty",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(value_count=Count("values"))
            .order_by("order", "title", "id")
        )

    def get_inlines(self, request, obj):
        # Values are recorded once the indicator exists (they are checked against
        # it: a count may not be negative).
        return self.inlines if obj is not None else []

    @admin.display(description=_("hører til"))
    def attached_to(self, indicator: Indicator) -> str:
        if indicator.goal_id:
            return _("Mål: %(title)s") % {"title": indicator.goal.title}
        return _("Tiltak: %(title)s") % {"title": indicator.measure.title}

    @admin.display(description=_("plan"))
    def plan(self, indicator: Indicator):
        return indicator.plan

    @admin.display(description=_("verdier"), ordering="value_count")
    def n_values(self, indicator: Indicator) -> int:
        return indicator.value_count

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        fields = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name not in ("title", "slug", "goal", "measure")
        }
        if change:
            saved = indicator_update(indicator=obj, actor=request.user)
        else:
            saved = indicator_create(
                title=obj.title,
                slug=obj.slug,
                goal=obj.goal,
                measure=obj.measure,
                actor=request.user,
                **fields,
            )
            obj.pk = saved.pk
        obj._state.adding = False

    def save_formset(self, request, form, formset, change):
        if formset.model is not IndicatorValue:
            return super().save_formset(request, form, formset, change)
        for value_form in formset.forms:
            if not value_form.has_changed() or value_form.instance.pk:
                continue
            data = value_form.cleaned_data
            indicator_value_record_published(
                indicator=form.instance,
                actor=request.user,
                sources=list(data["sources"]),
                **{name: data[name] for name in VALUE_FIELDS},
            )
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            [],
            [],
        )
        return None


@admin.register(IndicatorValue)
class IndicatorValueAdmin(CitationAdminMixin, ServiceImportMixin, HistoryAdmin):
    """Adding records a published value with its source; a value is never changed
    here (a correction replaces it), and only drafts can be deleted."""

    add_label = _("Ny indikatorverdi")

    resource_classes = [IndicatorValueResource]
    inlines = [citation_inline("indicator_value")]

    list_display = [
        "indicator",
        "period_label",
        "value",
        "qualifier",
        "state",
        "published_at",
    ]
    list_filter = ["state", "period_type", "indicator"]
    list_select_related = ["indicator"]
    search_fields = ["indicator__title", "note"]
    autocomplete_fields = ["indicator"]

    @admin.display(description=_("periode"), ordering="year")
    def period_label(self, value: IndicatorValue) -> str:
        return value.period_label

    def get_inlines(self, request, obj):
        # A new value cites the sources chosen on its form (the service needs them
        # to publish); the citation inline is for an existing value.
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = NewValueForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["indicator", *VALUE_FIELDS, "sources"]
        return ["indicator", *VALUE_FIELDS, *VALUE_RECORD]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != IndicatorValue.State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        return True

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = indicator_value_record_published(
            indicator=data["indicator"],
            actor=request.user,
            sources=list(data["sources"]),
            **{name: data[name] for name in VALUE_FIELDS},
        )
        for field in IndicatorValue._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False


@admin.register(BudgetLine)
class BudgetLineAdmin(CitationAdminMixin, HistoryAdmin):
    add_label = _("Ny budsjettlinje")
    inlines = [citation_inline("budget_line")]
    list_display = [
        "measure",
        "plan",
        "years",
        "kind",
        "allocated",
        "spent",
        "council_decision_reference",
    ]
    list_filter = ["year", "kind", "measure__plan"]
    list_select_related = ["measure__plan"]
    search_fields = ["measure__title", "council_decision_reference", "note"]
    autocomplete_fields = ["measure"]

    @admin.display(description=_("plan"), ordering="measure__plan__title")
    def plan(self, line: BudgetLine):
        return line.measure.plan

    @admin.display(description=_("år"), ordering="year")
    def years(self, line: BudgetLine) -> str:
        return line.years_label

    @admin.display(description=_("beløp"), ordering="allocated_nok")
    def allocated(self, line: BudgetLine) -> str:
        return format_nok(line.allocated_nok)

    @admin.display(description=_("brukt"), ordering="spent_nok")
    def spent(self, line: BudgetLine) -> str:
        return format_nok(line.spent_nok) or "–"

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        fields = {
            name: form.cleaned_data[name]
            for name in form.cleaned_data
            if name not in ("measure", "year", "allocated_nok")
        }
        if change:
            budget_line_update(budget_line=obj, actor=request.user)
        else:
            saved = budget_line_create(
                measure=obj.measure,
                year=obj.year,
                allocated_nok=obj.allocated_nok,
                actor=request.user,
                **fields,
            )
            obj.pk = saved.pk
            obj._state.adding = False
