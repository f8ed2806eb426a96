"""Filters for the public measure lists (django-filter).

Parameters are stable because people share and cite filtered URLs:
q, plan, goal, phase, health, partner, district, category, sort (and page, read by
the view). Plans, partners and districts are given by slug, goals by id. A value
that does not validate is left out of the filtering and reported on the form.
"""

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField
from django_filters.fields import ModelChoiceIterator as FilterModelChoiceIterator

from measures.models import (
    NO_STATUS_LABEL,
    Category,
    District,
    Goal,
    Health,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
)
from measures.selectors.plans import goal_descendant_ids
from measures.selectors.public import plans_of, public_plans
from measures.selectors.rollups import NOT_ASSESSED_LABEL
from measures.widgets import LeanSelect
from partners.models import Municipality, Partner

SEARCH_MAX_LENGTH = 200
NOT_ASSESSED_PARAM = "none"

SORTS = {
    "identifier": ("identifier", "title", "pk"),
    "title": ("title", "pk"),
    "-progress": (F("current_progress").desc(nulls_last=True), "title", "pk"),
    "progress": (F("current_progress").asc(nulls_last=True), "title", "pk"),
    "-updated": (F("current_as_of").desc(nulls_last=True), "title", "pk"),
}
SORT_CHOICES = [
    ("identifier", _("Tiltaksnummer")),
    ("title", _("Tittel (A–Å)")),
    ("-progress", _("Høyest fremdrift først")),
    ("progress", _("Lavest fremdrift først")),
    ("-updated", _("Sist oppdatert først")),
]


class ListedChoiceIterator(FilterModelChoiceIterator):
    """A model filter's choices read in one query.

    Django's iterator reads them with QuerySet.iterator(), which on PostgreSQL is
    a server-side cursor: DECLARE, FETCH and CLOSE for each of a measure list's
    four choice lists, and a plan made for reading the first rows fast. Read as
    a plain query, the filter form of the largest municipality's list took about
    5 ms less (docs/benchmarks.md, the tenth round). The lists are short (a
    municipality's plans, goals, partners and districts), so nothing is gained by
    streaming them."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedChoiceField(FilterModelChoiceField):
    iterator = ListedChoiceIterator


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField


class UniqueSlugChoiceField(ListedChoiceField):
    """A plan or district by slug. Slugs are unique within a municipality only, so
    a list across municipalities (the API's) may find two: that is the client's
    to resolve with ?municipality=, not a server error."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except self.queryset.model.MultipleObjectsReturned as error:
            raise forms.ValidationError(
                _(
                    "Flere kommuner har dette nettadressenavnet. Oppgi kommunen "
                    "med municipality=<kommune>."
                ),
                code="ambiguous",
            ) from error


class UniqueSlugChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UniqueSlugChoiceField


class GoalChoiceField(ListedChoiceField):
    def label_from_instance(self, obj: Goal) -> str:
        plan = obj.plan.short_title or obj.plan.title
        return f"{obj.title} ({plan})"


class GoalChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = GoalChoiceField


class MeasureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Søk i tittel og beskrivelse"),
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Søketeksten kan ha høyst %(limit_value)d tegn.")
        },
    )
    plan = UniqueSlugChoiceFilter(
        label=_("Plan"),
        widget=LeanSelect,
        queryset=public_plans().order_by("-start_year", "title"),
        to_field_name="slug",
        empty_label=_("Alle planer"),
        error_messages={"invalid_choice": _("Planen finnes ikke.")},
    )
    goal = GoalChoiceFilter(
        label=_("Mål"),
        widget=LeanSelect,
        queryset=Goal.objects.none(),
        method="filter_goal",
        empty_label=_("Alle mål"),
        error_messages={"invalid_choice": _("Målet finnes ikke.")},
    )
    phase = django_filters.ChoiceFilter(
        label=_("Fase"),
        widget=LeanSelect,
        choices=[*Phase.choices, (NOT_ASSESSED_PARAM, NO_STATUS_LABEL)],
        method="filter_phase",
        empty_label=_("Alle faser"),
        error_messages={"invalid_choice": _("Ukjent fase.")},
    )
    health = django_filters.ChoiceFilter(
        label=_("Vurdering (trafikklys)"),
        widget=LeanSelect,
        choices=[*Health.choices, (NOT_ASSESSED_PARAM, NOT_ASSESSED_LABEL)],
        method="filter_health",
        empty_label=_("Alle"),
        error_messages={"invalid_choice": _("Ukjent verdi for vurdering.")},
    )
    partner = ListedChoiceFilter(
        label=_("Partner"),
        widget=LeanSelect,
        field_name="partners",
        queryset=Partner.objects.none(),
        to_field_name="slug",
        empty_label=_("Alle partnere"),
        error_messages={"invalid_choice": _("Partneren finnes ikke.")},
    )
    district = UniqueSlugChoiceFilter(
        label=_("Bydel"),
        widget=LeanSelect,
        field_name="districts",
        queryset=District.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("Alle bydeler"),
        error_messages={"invalid_choice": _("Bydelen finnes ikke.")},
    )
    category = django_filters.ChoiceFilter(
        label=_("Kategori"),
        widget=LeanSelect,
        choices=Category.choices,
        empty_label=_("Alle kategorier"),
        error_messages={"invalid_choice": _("Ukjent kategori.")},
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sorter etter"),
        widget=LeanSelect,
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=_("Plan og nummer"),
        error_messages={"invalid_choice": _("Ukjent sortering.")},
    )

    class Meta:
        model = Measure
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        municipality=None,
        plan: Plan | None = None,
        choice_objects: dict[str, list] | None = None,
        **kw,
    ):
        """choice_objects: {filter name: the objects its choices offer, in order},
        objects the page has already loaded (the plan page's partners and
        districts), offered instead of querying them again; the filter's queryset
        still checks a submitted value."""
        super().__init__(data, queryset, **kw)
        if plan is None:
            # A municipality's list offers its own plans, goals, partners and
            # districts; a slug of another municipality's is not a choice.
            plans = public_plans()
            if municipality is not None:
                plans = plans.filter(plans_of(municipality))
                self.filters["plan"].queryset = plans.order_by("-start_year", "title")
                self.filters["district"].queryset = District.objects.filter(
                    municipality=municipality
                ).order_by("name")
            # Only what the labels read: every public plan's goals (650 at national
            # scale) with a whole plan object each cost more than the query.
            self.filters["goal"].queryset = (
                Goal.objects.filter(plan__in=plans)
                .select_related("plan")
                .only("title", "plan_id", "plan__title", "plan__short_title")
                .order_by("-plan__start_year", "plan__title", "order", "id")
            )
            # EXISTS stops at a partner's first public measure; a join with
            # DISTINCT read every partner role in the country.
            self.filters["partner"].queryset = Partner.objects.filter(
                Exists(
                    MeasurePartner.objects.filter(
                        partner=OuterRef("pk"), measure__plan__in=plans
                    )
                )
            ).order_by("name")
        else:
            # On a plan's own page the plan is fixed and the choices are its own.
            del self.filters["plan"]
            self.filters["goal"].queryset = (
                Goal.objects.filter(plan=plan)
                .select_related("plan")
                .order_by("order", "id")
            )
            self.filters["partner"].queryset = Partner.objects.filter(
                pk__in=MeasurePartner.objects.filter(measure__plan=plan).values(
                    "partner_id"
                )
            ).order_by("name")
            # On the plan page the choices shown are the page's own districts
            # (choice_objects): this queryset only checks a submitted slug. A join
            # rather than pk__in was chosen when the choices were read through a
            # server-side cursor, for which PostgreSQL planned the semi-join ten
            # times slower (ListedChoiceIterator reads them without one now).
            self.filters["district"].queryset = (
                District.objects.filter(measures__plan=plan).distinct().order_by("name")
            )
        for name, objects in (choice_objects or {}).items():
            form_field = self.form.fields[name]
            empty = (
                [] if form_field.empty_label is None else [("", form_field.empty_label)]
            )
            # The widget's, not the field's: the field keeps its queryset and its
            # iterator for checking a submitted value.
            form_field.widget.choices = empty + [
                (
                    getattr(obj, form_field.to_field_name or "pk"),
                    form_field.label_from_instance(obj),
                )
                for obj in objects
            ]
        self.style_fields()

    def style_fields(self) -> None:
        """Bootstrap's classes, ids the error summary links to, and the error
        state for assistive technology."""
        for name, form_field in self.form.fields.items():
            css = "form-select" if isinstance(form_field, forms.ChoiceField) else ""
            form_field.widget.attrs["class"] = css or "form-control"
            form_field.widget.attrs["id"] = f"filter-{name}"
        for name in self.errors:
            attrs = self.form.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"filter-{name}-error"

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:10]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(identifier__iexact=word)
            )
        return queryset

    def filter_goal(self, queryset: QuerySet, name: str, value: Goal) -> QuerySet:
        # A goal covers the measures of the goals below it, as in its roll-up.
        through = Measure.goals.through.objects.filter(
            goal_id__in=goal_descendant_ids(value)
        )
        return queryset.filter(pk__in=through.values("measure_id"))

    def filter_phase(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # ?phase=none: the measures with no status registered (a blank phase).
        if value == NOT_ASSESSED_PARAM:
            return queryset.filter(current_phase="")
        return queryset.filter(current_phase=value)

    def filter_health(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NOT_ASSESSED_PARAM:
            return queryset.filter(current_health="")
        return queryset.filter(current_health=value)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value])

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in self.form.cleaned_data.values())

    @property
    def narrows(self) -> bool:
        """Whether a valid value given leaves measures out (a sort only orders
        them; an invalid value filters nothing and is reported on the form)."""
        return any(
            value not in (None, "")
            for name, value in self.form.cleaned_data.items()
            if name != "sort"
        )


class NationalMeasureFilter(MeasureFilter):
    """The search across every municipality on the national front page: the
    words, the municipality, phase, traffic light and category. A plan's, goal's,
    partner's or district's choices belong on a municipality's own list."""

    kommune = ListedChoiceFilter(
        label=_("Kommune"),
        widget=LeanSelect,
        queryset=Municipality.objects.order_by("name"),
        to_field_name="slug",
        method="filter_municipality",
        empty_label=_("Alle kommuner"),
        error_messages={"invalid_choice": _("Kommunen finnes ikke.")},
    )
    plan = None
    goal = None
    partner = None
    district = None

    class Meta(MeasureFilter.Meta):
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kw):
        django_filters.FilterSet.__init__(self, data, queryset, **kw)
        # The words first, then where: the order people narrow a search in.
        self.filters = {
            "q": self.filters.pop("q"),
            "kommune": self.filters.pop("kommune"),
            **self.filters,
        }
        self.style_fields()

    def filter_municipality(
        self, queryset: QuerySet, name: str, value: Municipality
    ) -> QuerySet:
        # Its own plans' measures and those of plans shared with it.
        return queryset.filter(plans_of(value, "plan__"))
