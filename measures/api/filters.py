"""Filters for the API lists that have no page of their own. Measures are filtered
with the pages' own MeasureFilter (measures/filters.py); these follow its rules:
plans and measures by slug, a value that does not exist is an error."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from measures.api.selectors import public_indicators
from measures.models import (
    BudgetLine,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    StatusUpdate,
)
from measures.selectors.public import public_measures, public_plans

# The years the models accept (their check constraints).
YEAR_RANGE = (1900, 2200)


def _plan_filter(field_name: str, **kwargs) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("Plan"),
        field_name=field_name,
        **kwargs,
        queryset=public_plans(),
        to_field_name="slug",
        help_text=_("Planens nettadressenavn (slug)."),
        error_messages={"invalid_choice": _("Planen finnes ikke.")},
    )


def _measure_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("Tiltak"),
        field_name=field_name,
        queryset=public_measures(),
        to_field_name="slug",
        help_text=_("Tiltakets nettadressenavn (slug)."),
        error_messages={"invalid_choice": _("Tiltaket finnes ikke.")},
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


class GoalFilter(django_filters.FilterSet):
    plan = _plan_filter("plan")

    class Meta:
        model = Goal
        fields: list[str] = []


class StatusUpdateFilter(django_filters.FilterSet):
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


class IndicatorFilter(django_filters.FilterSet):
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


class IndicatorValueFilter(django_filters.FilterSet):
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


class BudgetLineFilter(django_filters.FilterSet):
    plan = _plan_filter("measure__plan")
    measure = _measure_filter("measure")
    year_min = _year_filter("gte", _("Budsjettår fra og med dette året."))
    year_max = _year_filter("lte", _("Budsjettår til og med dette året."))

    class Meta:
        model = BudgetLine
        fields: list[str] = []
