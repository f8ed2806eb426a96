"""Public pages. Rule for every view here: anyone may read them, and only read them
(GET and HEAD: any other method is a 405, `require_safe`), and they show only plans
that are not drafts and only published updates (the selectors enforce it)."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from measures.charts import indicators as indicator_charts
from measures.charts.status import district_bars, progress_columns, stacked_bar
from measures.filters import MeasureFilter, NationalMeasureFilter
from measures.municipal import municipal_view
from measures.paging import KeysFirstPaginator
from measures.selectors import citations
from measures.selectors.budgets import measure_budget_lines, partner_budget, plan_budget
from measures.selectors.changes import (
    district_latest_updates,
    partner_latest_updates,
    plan_changes,
    plan_latest_updates,
)
from measures.selectors.districts import district_measures, district_page
from measures.selectors.indicators import measure_output_indicators, plan_effect_section
from measures.selectors.measures import measure_page
from measures.selectors.partners import partner_page, partner_roles
from measures.selectors.plans import PlanPage, plan_for_page, plan_page
from measures.selectors.public import measure_list_queryset, plans_of, set_lead_roles
from measures.selectors.rollups import measures_rollup
from partners.models import Municipality, Partner

PAGE_SIZE = 25
# The most rows of one kind a plan, partner or district page lists: up to it, every
# measure (or indicator value) is on the page, as on every page of Bergen (17
# measures at most); above it the page shows roll-ups and pages through the
# measures. Rendered rows were most of those pages' time at national scale, about a
# quarter of a millisecond each (docs/benchmarks.md).
LIST_PAGE_SIZE = 50
# ?page=alle lists every row on one page, to print.
ALL_ROWS = "alle"


def _filtered_page(
    request: HttpRequest,
    *,
    municipality: Municipality,
    plan_data: PlanPage | None = None,
) -> tuple[MeasureFilter, Page]:
    """The measure filter and the page of measures it gives: of the municipality,
    or on a plan's page (`plan_data`: what plan_page() read) of that plan."""
    queryset = measure_list_queryset()
    if plan_data is None:
        filterset = MeasureFilter(
            request.GET,
            queryset=queryset.filter(plans_of(municipality, "plan__")),
            municipality=municipality,
        )
        # get_page() turns garbage, negative and too large page numbers into the
        # nearest valid page instead of an error. The list sorts across plans.
        paginator = KeysFirstPaginator(filterset.qs, PAGE_SIZE)
        return filterset, paginator.get_page(request.GET.get("page"))
    plan = plan_data.plan
    # The plan and its municipality are known: set on the page's measures below
    # rather than joined and built again for each, and so are the lead partners
    # (among the plan's partners, read with their former names). In one plan the
    # lists' order is by identifier and title (no join to the plan to sort).
    queryset = (
        queryset.filter(plan=plan)
        .select_related(None)
        .prefetch_related(None)
        .order_by("identifier", "title", "pk")
    )
    # The filter offers the partners, districts and goals the page lists already.
    filterset = MeasureFilter(
        request.GET,
        queryset=queryset,
        plan=plan,
        municipality=municipality,
        choice_objects={
            "partner": plan_data.partners,
            "district": plan_data.districts,
            "goal": plan_data.goal_list,
        },
    )
    paginator = Paginator(filterset.qs, PAGE_SIZE)
    if not filterset.narrows:
        # Every measure of the plan: the page has counted them (a query less).
        paginator.count = plan_data.rollup.total
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for measure in page.object_list:
        # A measure's municipality is its plan's (Measure.save() copies it).
        measure.plan = plan
        measure.municipality = plan.municipality
    set_lead_roles(page.object_list, partners=plan_data.partners)
    return filterset, page


@require_safe
@municipal_view
def plan_detail(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    """The answer first (what the plan is, its measures' states, what changed and
    the newest updates), then the sections in the order of the in-page
    navigation (docs/decisions.md)."""
    plan = plan_for_page(municipality=municipality, slug=slug)
    data = plan_page(plan=plan)
    filterset, page = _filtered_page(request, municipality=municipality, plan_data=data)
    # One row per indicator with its latest value; the charts and every value are
    # on the plan's indicator page (plan_indicators), so only the latest values
    # are loaded here.
    effect = plan_effect_section(
        plan=plan, user=request.user, latest_only_above=0, goals=data.goal_list
    )
    # On a phone a long description pushed the summary off the first screen: the
    # first paragraph leads, the rest is a click away (both in the page).
    lead, _newline, description_rest = plan.description.strip().partition("\n")
    context = {
        "plan": plan,
        "description_lead": lead.strip(),
        "description_rest": description_rest.strip(),
        "data": data,
        "filter": filterset,
        "page_obj": page,
        "changes": plan_changes(plan=plan, measure_rows=data.measure_rows),
        "latest_updates": plan_latest_updates(
            plan=plan, measure_rows=data.measure_rows
        ),
        "phase_segments": stacked_bar(data.rollup.phases),
        "health_segments": stacked_bar(data.rollup.healths),
        "timeline_chart": progress_columns(data.progress_over_time),
        # Measures per district by phase (templates/measures/includes/
        # district_comparison.html, in the "Bydeler" section).
        "district_comparison": district_bars(data.district_comparison),
        # The goal tree names each measure when they all fit; else the goals show
        # their roll-ups and link to their measures in the table.
        "goal_tree_lists_measures": data.rollup.total <= LIST_PAGE_SIZE,
        # Effect (indicators) and money, kept apart from delivery (status).
        "effect": effect,
        "budget": plan_budget(plan=plan),
        "citations": citations.plan_page_citations(
            plan=plan,
            goals=data.goal_list,
            series=[series for group in effect for series in group.series],
        ),
    }
    return render(request, "measures/public/plan_detail.html", context)


@require_safe
@municipal_view
def plan_indicators(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    """The plan's outcome indicators by goal: each with its chart and every value
    when the values fit; else one row per indicator with its latest value (the
    report has every value), and only the latest values are loaded."""
    plan = plan_for_page(municipality=municipality, slug=slug)
    effect = plan_effect_section(
        plan=plan, user=request.user, latest_only_above=LIST_PAGE_SIZE
    )
    effect_in_full = (
        sum(series.value_count for group in effect for series in group.series)
        <= LIST_PAGE_SIZE
    )
    return render(
        request,
        "measures/public/plan_indicators.html",
        {
            "plan": plan,
            "effect": _with_charts(effect) if effect_in_full else effect,
            "effect_in_full": effect_in_full,
            "citations": citations.citations_for(
                goal=[group.goal.pk for group in effect],
                **_indicator_targets(
                    series for group in effect for series in group.series
                ),
            ),
        },
    )


def _indicator_targets(series_list) -> dict[str, list[int]]:
    """The indicators and values a page shows, for citations_for()."""
    indicators, values = [], []
    for series in series_list:
        indicators.append(series.indicator.pk)
        values.extend(point.value.pk for point in series.points)
    return {"indicator": indicators, "indicator_value": values}


def _list_page(request: HttpRequest, rows: list) -> Page:
    """Pages of LIST_PAGE_SIZE rows, numbered by ?page= as on the measure list, or
    every row on one page for ?page=alle."""
    if request.GET.get("page") == ALL_ROWS:
        return Paginator(rows, max(len(rows), 1)).page(1)
    return Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def _with_charts(groups: list) -> list:
    for group in groups:
        indicator_charts.with_charts(group.series)
    return groups


@require_safe
def national_search(request: HttpRequest) -> HttpResponse:
    """Measures of every municipality by words, municipality, phase, traffic
    light and category: the search on the national front page."""
    filterset = NationalMeasureFilter(request.GET, queryset=measure_list_queryset())
    page = KeysFirstPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "measures/public/national_search.html",
        {"filter": filterset, "page_obj": page},
    )


@require_safe
@municipal_view
def measure_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    filterset, page = _filtered_page(request, municipality=municipality)
    result_rollup = measures_rollup(filterset.qs)
    context = {
        "filter": filterset,
        "page_obj": page,
        "rollup": result_rollup,
        "phase_segments": stacked_bar(result_rollup.phases),
    }
    return render(request, "measures/public/measure_list.html", context)


@require_safe
@municipal_view
def measure_detail(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    data = measure_page(municipality=municipality, slug=slug)
    indicators = measure_output_indicators(measure=data.measure, user=request.user)
    budget_lines = measure_budget_lines(measure=data.measure)
    return render(
        request,
        "measures/public/measure_detail.html",
        {
            "measure": data.measure,
            "data": data,
            "indicators": indicator_charts.with_charts(indicators),
            "budget_lines": budget_lines,
            "citations": citations.measure_page_citations(
                measure=data.measure,
                updates=data.updates,
                budget_lines=budget_lines,
                series=indicators,
            ),
        },
    )


@require_safe
@municipal_view
def partner_detail(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    """A partner's measures in one municipality's plans."""
    return _partner_page(
        request,
        partner_page(
            slug=slug,
            municipality=municipality,
            list_unreported_up_to=LIST_PAGE_SIZE,
        ),
        municipality=municipality,
    )


@require_safe
def partner_national(request: HttpRequest, slug: str) -> HttpResponse:
    """A partner's measures in every municipality's plans: the page a police
    district or a health trust serving many municipalities links to. A
    municipality's own organisation and units have their page there."""
    home = (
        Partner.objects.filter(slug=slug, municipality__isnull=False)
        .values_list("municipality__slug", flat=True)
        .first()
    )
    if home is not None:
        return redirect(
            "measures:partner-detail", kommune=home, slug=slug, permanent=True
        )
    return _partner_page(
        request, partner_page(slug=slug, list_unreported_up_to=LIST_PAGE_SIZE)
    )


def _partner_page(
    request: HttpRequest, data, *, municipality: Municipality | None = None
) -> HttpResponse:
    # The groups hold role ids; only the page's roles are loaded.
    page = _list_page(request, [pk for group in data.groups for pk in group.rows])
    page.object_list = partner_roles(list(page.object_list), plans=data.plans)
    return render(
        request,
        "measures/public/partner_detail.html",
        {
            "partner": data.partner,
            "data": data,
            "latest_updates": partner_latest_updates(
                measure_rows=data.measure_rows, plans=data.plans
            ),
            "page_obj": page,
            "all_rows": ALL_ROWS,
            # Measures not reported this period, named when they fit; else counted
            # per plan (at the start of a period that is nearly all of them).
            "unreported_listed": data.unreported_listed,
            "phase_segments": stacked_bar(data.rollup.phases),
            "health_segments": stacked_bar(data.rollup.healths),
            "budget": partner_budget(partner=data.partner, municipality=municipality),
            "citations": citations.citations_for(
                partner=[data.partner.pk],
                partner_name=[name.pk for name in data.partner.former_names.all()],
            ),
        },
    )


@require_safe
@municipal_view
def district_detail(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    data = district_page(municipality=municipality, slug=slug)
    # Only the page's measures are loaded whole.
    page = _list_page(request, data.measure_ids)
    page.object_list = district_measures(list(page.object_list))
    return render(
        request,
        "measures/public/district_detail.html",
        {
            "district": data.district,
            "data": data,
            "latest_updates": district_latest_updates(
                measure_rows=data.measure_rows, plans=data.plans
            ),
            "page_obj": page,
            "all_rows": ALL_ROWS,
            "phase_segments": stacked_bar(data.rollup.phases),
            "health_segments": stacked_bar(data.rollup.healths),
        },
    )


@require_safe
@municipal_view
def source_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Every source a public fact of the municipality cites, by publisher, a page
    at a time."""
    page = Paginator(
        citations.public_sources(municipality=municipality), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "measures/public/source_list.html", {"page_obj": page})


@require_safe
@municipal_view
def plan_sources(
    request: HttpRequest, municipality: Municipality, slug: str
) -> HttpResponse:
    """The sources of one plan's public facts: the plan, its goals, measures,
    published updates, indicators and values, and budget lines."""
    plan = plan_for_page(municipality=municipality, slug=slug)
    return render(
        request,
        "measures/public/plan_sources.html",
        {"plan": plan, "sources": citations.plan_sources(plan)},
    )
