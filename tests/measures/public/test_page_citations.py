"""The plan and measure pages' sources (selectors.citations.plan_page_citations,
measure_page_citations): what the page shows, checked on the objects it has read,
never a source of what it may not show."""

import pytest
from django.contrib.auth.models import AnonymousUser

from measures.models import Citation, Plan
from measures.selectors.citations import measure_page_citations, plan_page_citations
from measures.selectors.indicators import indicator_series
from tests.factories import (
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _cite_each(facts: dict) -> tuple[dict, dict]:
    """A source of its own for each fact ({name: (kind, record)}): the sources by
    name, and each fact as index.cite() takes it, (kind, pk)."""
    sources, targets = {}, {}
    for name, (kind, record) in facts.items():
        sources[name] = SourceFactory()
        Citation.objects.create(source=sources[name], **{kind: record})
        targets[name] = (kind, record.pk)
    return sources, targets


def _world():
    plan = PlanFactory()
    goal = GoalFactory(plan=plan)
    other_goal = GoalFactory()  # of another plan
    indicator = IndicatorFactory(goal=goal)
    other_indicator = IndicatorFactory(goal=other_goal)
    published = PublishedIndicatorValueFactory(indicator=indicator, year=2020)
    draft = IndicatorValueFactory(indicator=indicator, year=2021)
    other_value = PublishedIndicatorValueFactory(indicator=other_indicator, year=2020)
    sources, targets = _cite_each(
        {
            "plan": ("plan", plan),
            "goal": ("goal", goal),
            "other goal": ("goal", other_goal),
            "indicator": ("indicator", indicator),
            "other indicator": ("indicator", other_indicator),
            "published value": ("indicator_value", published),
            "draft value": ("indicator_value", draft),
            "other value": ("indicator_value", other_value),
        }
    )
    anyone = AnonymousUser()
    # As if a page had been handed more than it may show: the draft value in the
    # series, another plan's goal and indicator beside the plan's own.
    series = [
        indicator_series(indicator, anyone, [published, draft]),
        indicator_series(other_indicator, anyone, [other_value]),
    ]
    return plan, [goal, other_goal], series, sources, targets


def test_the_plan_page_cites_the_plan_its_goals_indicators_and_published_values():
    plan, goals, series, sources, targets = _world()

    index = plan_page_citations(plan=plan, goals=goals, series=series)

    for name in ("plan", "goal", "indicator", "published value"):
        assert [ref.source for ref in index.cite(*targets[name])] == [sources[name]]
    assert [ref.number for ref in index.listing] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "name", ["other goal", "other indicator", "draft value", "other value"]
)
def test_nothing_the_plan_page_may_not_show_lends_it_a_source(name):
    plan, goals, series, _sources, targets = _world()

    index = plan_page_citations(plan=plan, goals=goals, series=series)

    assert index.cite(*targets[name]) == []


@pytest.mark.parametrize("hidden", ["draft", "training"])
def test_a_plan_the_public_may_not_read_has_no_sources_on_a_page(hidden):
    plan, goals, series, _sources, targets = _world()
    if hidden == "draft":
        plan.status = Plan.Status.DRAFT
    else:
        plan.is_training = True

    index = plan_page_citations(plan=plan, goals=goals, series=series)

    assert all(index.cite(*target) == [] for target in targets.values())


def _measure_world():
    measure = MeasureFactory()
    other = MeasureFactory(plan=measure.plan)
    published = PublishedStatusUpdateFactory(measure=measure)
    draft = StatusUpdateFactory(measure=measure)
    others_update = PublishedStatusUpdateFactory(measure=other)
    line = BudgetLineFactory(measure=measure)
    others_line = BudgetLineFactory(measure=other)
    indicator = IndicatorFactory(goal=None, measure=measure)
    others_indicator = IndicatorFactory(goal=None, measure=other)
    value = PublishedIndicatorValueFactory(indicator=indicator, year=2020)
    others_value = PublishedIndicatorValueFactory(indicator=others_indicator, year=2020)
    sources, targets = _cite_each(
        {
            "measure": ("measure", measure),
            "published update": ("status_update", published),
            "budget line": ("budget_line", line),
            "indicator": ("indicator", indicator),
            "value": ("indicator_value", value),
            "draft update": ("status_update", draft),
            "other's update": ("status_update", others_update),
            "other's budget line": ("budget_line", others_line),
            "other's indicator": ("indicator", others_indicator),
            "other's value": ("indicator_value", others_value),
        }
    )
    anyone = AnonymousUser()
    # As if the page had been handed more than it may show.
    page = {
        "measure": measure,
        "updates": [published, draft, others_update],
        "budget_lines": [line, others_line],
        "series": [
            indicator_series(indicator, anyone, [value]),
            indicator_series(others_indicator, anyone, [others_value]),
        ],
    }
    return page, sources, targets


def test_the_measure_page_cites_the_measure_and_its_published_facts():
    page, sources, targets = _measure_world()

    index = measure_page_citations(**page)

    for name in ("measure", "published update", "budget line", "indicator", "value"):
        assert [ref.source for ref in index.cite(*targets[name])] == [sources[name]]


@pytest.mark.parametrize(
    "name",
    [
        "draft update",
        "other's update",
        "other's budget line",
        "other's indicator",
        "other's value",
    ],
)
def test_nothing_the_measure_page_may_not_show_lends_it_a_source(name):
    page, _sources, targets = _measure_world()

    index = measure_page_citations(**page)

    assert index.cite(*targets[name]) == []


def test_a_measure_of_a_draft_plan_has_no_sources_on_a_page():
    page, _sources, targets = _measure_world()
    page["measure"].plan.status = Plan.Status.DRAFT

    index = measure_page_citations(**page)

    assert all(index.cite(*target) == [] for target in targets.values())
