"""Public pages. Rule for every view here: anyone may read them, and they show only
plans that are not drafts and only published updates (the selectors enforce it)."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import charts, indicator_charts, indicator_selectors, selectors
from .filters import MeasureFilter
from .models import Plan

PAGE_SIZE = 25


def _filtered_page(
    request: HttpRequest, *, plan: Plan | None = None
) -> tuple[MeasureFilter, Page]:
    queryset = selectors.measure_list_queryset()
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    filterset = MeasureFilter(request.GET, queryset=queryset, plan=plan)
    # get_page() turns garbage, negative and too large page numbers into the
    # nearest valid page instead of an error.
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return filterset, page


def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = selectors.plan_for_page(slug=slug)
    data = selectors.plan_page(plan=plan)
    filterset, page = _filtered_page(request, plan=plan)
    context = {
        "plan": plan,
        "data": data,
        "filter": filterset,
        "page_obj": page,
        "phase_segments": charts.stacked_bar(data.rollup.phases),
        "health_segments": charts.stacked_bar(data.rollup.healths),
        "timeline_chart": charts.progress_columns(data.progress_over_time),
        # Effect (indicators) and money, kept apart from delivery (status).
        "effect": _with_charts(
            indicator_selectors.plan_effect_section(plan=plan, user=request.user)
        ),
        "budget": indicator_selectors.plan_budget(plan=plan),
    }
    return render(request, "measures/plan_detail.html", context)


def _with_charts(groups: list) -> list:
    for group in groups:
        indicator_charts.with_charts(group.series)
    return groups


def measure_list(request: HttpRequest) -> HttpResponse:
    filterset, page = _filtered_page(request)
    result_rollup = selectors.measures_rollup(filterset.qs)
    context = {
        "filter": filterset,
        "page_obj": page,
        "rollup": result_rollup,
        "phase_segments": charts.stacked_bar(result_rollup.phases),
    }
    return render(request, "measures/measure_list.html", context)


def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = selectors.measure_page(slug=slug)
    indicators = indicator_selectors.measure_output_indicators(
        measure=data.measure, user=request.user
    )
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": data.measure,
            "data": data,
            "indicators": indicator_charts.with_charts(indicators),
            "budget_lines": indicator_selectors.measure_budget_lines(
                measure=data.measure
            ),
        },
    )


def partner_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = selectors.partner_page(slug=slug)
    return render(
        request,
        "measures/partner_detail.html",
        {
            "partner": data.partner,
            "data": data,
            "phase_segments": charts.stacked_bar(data.rollup.phases),
            "health_segments": charts.stacked_bar(data.rollup.healths),
            "budget": indicator_selectors.partner_budget(partner=data.partner),
        },
    )


def district_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = selectors.district_page(slug=slug)
    return render(
        request,
        "measures/district_detail.html",
        {
            "district": data.district,
            "data": data,
            "phase_segments": charts.stacked_bar(data.rollup.phases),
            "health_segments": charts.stacked_bar(data.rollup.healths),
        },
    )
