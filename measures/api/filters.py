"""Filters for the API lists that have no page of their own. Measures are filtered
with the pages' own MeasureFilter (measures/filters.py); these follow its rules:
plans and measures by slug, a value that does not exist is an error.

Every list takes ?municipality=<slug>: the objects of the plans that appear in
that municipality (its own and those shared with it), as its pages show them.
Plans', measures' and districts' slugs are unique only within a municipality:
with ?municipality= they are looked up there; without it, a slug that two
municipalities use is a 400 that asks for the municipality."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from measures.api.selectors import public_indicators
from measures.filters import MeasureFilter, UniqueSlugChoiceFilter
from measures.models import (
    BudgetLine,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    StatusUpdate,
)
from measures.selectors.public import plans_of, public_measures, public_plans
from partners.models import Municipality, Partner

# The years the models accept (their check constraints).
YEAR_RANGE = (1900, 2200)


def _plan_filter(field_name: str, **kwargs) -> django_filters.ModelChoiceFilter:
    return UniqueSlugChoiceFilter(
        label=_("Plan"),
        field_name=field_name,
        **kwargs,
        queryset=public_plans(),
        to_field_name="slug",
        help_text=_("Planens nettadressenavn (slug)."),
        error_messages={"invalid_choice": _("Planen finnes ikke.")},
    )


def _measure_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    return UniqueSlugChoiceFilter(
        label=_("Tiltak"),
        field_name=field_name,
        queryset=public_measures(),
        to_field_name="slug",
        help_text=_("Tiltakets nettadressenavn (slug)."),
        error_messages={"invalid_choice": _("Tiltaket finnes ikke.")},
    )


def _municipality_filter(method: str = "filter_municipality"):
    return django_filters.ModelChoiceFilter(
        label=_("Kommune"),
        queryset=Municipality.objects.all(),
        to_field_name="slug",
        method=method,
        help_text=_("Kommunens nettadressenavn (slug), for eksempel bergen."),
        error_messages={"invalid_choice": _("Kommunen finnes ikke.")},
    )


def named_municipality(data) -> QuerySet[Municipality] | None:
    """The municipality ?municipality= names, as a subquery (no query of its own:
    the filter itself checks that it exists), or None."""
    slug = data.get("municipality") if data is not None else None
    if not slug or not isinstance(slug, str):
        return None
    return Municipality.objects.filter(slug=slug)[:1]


class MunicipalFilterSet(django_filters.FilterSet):
    """?municipality=: the objects of the plans that appear in the municipality,
    found through `plan_path` (the lookup path to the plan). The plans and
    measures a value of the other filters names are looked up in it."""

    plan_path = "plan__"
    municipality = _municipality_filter()

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        named = named_municipality(data)
        if named is not None:
            for name in ("plan", "measure"):
                if name in self.filters:
                    path = "" if name == "plan" else "plan__"
                    scoped = self.filters[name].queryset.filter(plans_of(named, path))
                    self.filters[name].queryset = scoped

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        return queryset.filter(plans_of(value, self.plan_path))


class PlanFilter(MunicipalFilterSet):
    plan_path = ""

    class Meta:
        model = Plan
        fields: list[str] = []


class ApiMeasureFilter(MeasureFilter):
    """The pages' measure filter, and ?municipality=, which also narrows the
    plans, goals, partners and districts the other filters look up, as the
    municipality's own list does."""

    municipality = _municipality_filter()

    def __init__(self, data=None, queryset=None, **kwargs):
        named = named_municipality(data)
        if named is not None:
            kwargs.setdefault("municipality", named)
        super().__init__(data, queryset, **kwargs)

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        return queryset.filter(plans_of(value, "plan__"))


class DistrictFilter(django_filters.FilterSet):
    municipality = _municipality_filter(method=None)

    class Meta:
        model = District
        fields: list[str] = []


class PartnerFilter(django_filters.FilterSet):
    municipality = _municipality_filter()

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        # Its own partners and the regional ones that serve it; a subquery, not
        # a join, so that no partner is listed twice.
        serving = Partner.serves.through.objects.filter(municipality=value)
        return queryset.filter(
            Q(municipality=value) | Q(pk__in=serving.values("partner_id"))
        )


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _year_filter(lookup_expr: str, help_text: str) -> YearFilter:
    # Bounded like the model's years, so that no number reaches the database
    # that it cannot hold.
    return YearFilter(
        field_name="year",
        lookup_expr=lookup_expr,
        help_text=help_text,
        min_value=YEAR_RANGE[0],
        max_value=YEAR_RANGE[1],
    )


class GoalFilter(MunicipalFilterSet):
    plan = _plan_filter("plan")

    class Meta:
        model = Goal
        fields: list[str] = []


class StatusUpdateFilter(MunicipalFilterSet):
    plan_path = "measure__plan__"
    plan = _plan_filter("measure__plan")
    measure = _measure_filter("measure")
    as_of = django_filters.DateFromToRangeFilter(
        label=_("Status per"),
        help_text=_(
            "Oppdateringer med status per fra og med as_of_after og til og med "
            "as_of_before (ÅÅÅÅ-MM-DD)."
        ),
    )

    class Meta:
        model = StatusUpdate
        fields: list[str] = []


class IndicatorFilter(MunicipalFilterSet):
    plan = _plan_filter("plan", method="filter_plan")
    goal = django_filters.ModelChoiceFilter(
        label=_("Mål"),
        queryset=Goal.objects.filter(plan__in=public_plans()),
        help_text=_("Målets id: effektindikatorene for målet."),
        error_messages={"invalid_choice": _("Målet finnes ikke.")},
    )
    measure = _measure_filter("measure")

    class Meta:
        model = Indicator
        fields: list[str] = []

    def filter_plan(self, queryset: QuerySet, name: str, value: Plan) -> QuerySet:
        # An indicator belongs to a plan through its goal or its measure.
        return queryset.filter(Q(goal__plan=value) | Q(measure__plan=value))

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        plans = Plan.objects.filter(plans_of(value))
        return queryset.filter(Q(goal__plan__in=plans) | Q(measure__plan__in=plans))


class IndicatorValueFilter(MunicipalFilterSet):
    indicator = django_filters.ModelChoiceFilter(
        label=_("Indikator"),
        queryset=public_indicators(),
        to_field_name="slug",
        help_text=_("Indikatorens nettadressenavn (slug)."),
        error_messages={"invalid_choice": _("Indikatoren finnes ikke.")},
    )
    plan = _plan_filter("plan", method="filter_plan")
    year_min = _year_filter("gte", _("Verdier fra og med dette året."))
    year_max = _year_filter("lte", _("Verdier til og med dette året."))

    class Meta:
        model = IndicatorValue
        fields: list[str] = []

    def filter_plan(self, queryset: QuerySet, name: str, value: Plan) -> QuerySet:
        return queryset.filter(
            Q(indicator__goal__plan=value) | Q(indicator__measure__plan=value)
        )

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        plans = Plan.objects.filter(plans_of(value))
        return queryset.filter(
            Q(indicator__goal__plan__in=plans) | Q(indicator__measure__plan__in=plans)
        )


class BudgetLineFilter(MunicipalFilterSet):
    plan_path = "measure__plan__"
    plan = _plan_filter("measure__plan")
    measure = _measure_filter("measure")
    year_min = _year_filter("gte", _("Budsjettår fra og med dette året."))
    year_max = _year_filter("lte", _("Budsjettår til og med dette året."))

    class Meta:
        model = BudgetLine
        fields: list[str] = []
