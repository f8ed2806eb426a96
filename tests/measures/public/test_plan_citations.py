"""The citations of a whole plan and of a municipality (selectors.citations:
plan_citations() for the report and the plan's sources page, public_sources() for
a municipality's sources page, public_citations(), of_plan() for the sources a
caseworker is offered): every kind of fact of the plan, and only what the public
may read, each kind checked on the citation's own target."""

import pytest

from measures.models import Citation, Plan
from measures.selectors.citations import (
    of_plan,
    plan_citations,
    plan_sources,
    public_citations,
    public_sources,
)
from measures.selectors.workflow import sources_for_measure
from tests.factories import (
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db

# Every kind of fact a plan has, as _plan_facts() names them; "draft update" and
# "draft value" are the plan's but not public.
PUBLIC_FACTS = (
    "plan",
    "goal",
    "measure",
    "published update",
    "budget line",
    "goal's indicator",
    "measure's indicator",
    "value of the goal's indicator",
    "value of the measure's indicator",
)
UNPUBLISHED_FACTS = ("draft update", "draft value")


def _plan_facts(plan: Plan) -> dict:
    goal = GoalFactory(plan=plan)
    measure = MeasureFactory(plan=plan)
    goal_indicator = IndicatorFactory(goal=goal)
    measure_indicator = IndicatorFactory(goal=None, measure=measure)
    return {
        "plan": ("plan", plan),
        "goal": ("goal", goal),
        "measure": ("measure", measure),
        "published update": (
            "status_update",
            PublishedStatusUpdateFactory(measure=measure),
        ),
        "draft update": ("status_update", StatusUpdateFactory(measure=measure)),
        "budget line": ("budget_line", BudgetLineFactory(measure=measure)),
        "goal's indicator": ("indicator", goal_indicator),
        "measure's indicator": ("indicator", measure_indicator),
        "value of the goal's indicator": (
            "indicator_value",
            PublishedIndicatorValueFactory(indicator=goal_indicator, year=2020),
        ),
        "value of the measure's indicator": (
            "indicator_value",
            PublishedIndicatorValueFactory(indicator=measure_indicator, year=2020),
        ),
        "draft value": (
            "indicator_value",
            IndicatorValueFactory(indicator=goal_indicator, year=2021),
        ),
    }


def _cite(facts: dict) -> dict[str, Citation]:
    """A citation with a source of its own for each fact, by the fact's name."""
    return {
        name: Citation.objects.create(source=SourceFactory(), **{kind: record})
        for name, (kind, record) in facts.items()
    }


def _world():
    plan = PlanFactory()
    other = PlanFactory(municipality=plan.municipality)
    draft = PlanFactory(municipality=plan.municipality, status=Plan.Status.DRAFT)
    training = PlanFactory(municipality=plan.municipality, is_training=True)
    partner = PartnerFactory(municipality=plan.municipality)
    return {
        "plan": _cite(_plan_facts(plan)),
        "other": _cite(_plan_facts(other)),
        "draft": _cite(_plan_facts(draft)),
        "training": _cite(_plan_facts(training)),
        "partner": _cite({"partner": ("partner", partner)}),
        "plans": {"plan": plan, "draft": draft, "training": training},
    }


def _ids(citations) -> set[int]:
    return {citation.pk for citation in citations}


def test_a_plans_citations_are_every_public_fact_of_that_plan_only():
    world = _world()
    cited = world["plan"]

    found = list(plan_citations(world["plans"]["plan"]))

    assert _ids(found) == _ids(cited[name] for name in PUBLIC_FACTS)
    assert [c.pk for c in found] == sorted(c.pk for c in found)  # position, id
    assert {source.pk for source in plan_sources(world["plans"]["plan"])} == {
        cited[name].source_id for name in PUBLIC_FACTS
    }


@pytest.mark.parametrize("hidden", ["draft", "training"])
def test_a_plan_the_public_may_not_read_has_no_citations(hidden):
    world = _world()

    assert list(plan_citations(world["plans"][hidden])) == []
    assert plan_sources(world["plans"][hidden]) == []


def test_public_citations_are_public_plans_facts_and_partners():
    world = _world()
    expected = {
        *(world["plan"][name].pk for name in PUBLIC_FACTS),
        *(world["other"][name].pk for name in PUBLIC_FACTS),
        world["partner"]["partner"].pk,
    }

    assert _ids(public_citations()) == expected


def test_a_municipalitys_sources_are_its_public_facts_and_partners():
    world = _world()
    municipality = world["plans"]["plan"].municipality
    expected = {
        *(world["plan"][name].source_id for name in PUBLIC_FACTS),
        *(world["other"][name].source_id for name in PUBLIC_FACTS),
        world["partner"]["partner"].source_id,
    }
    # Another municipality's plan (the factory's plans are Bergen's).
    elsewhere = _cite(_plan_facts(PlanFactory(municipality=MunicipalityFactory())))

    found = {source.pk for source in public_sources(municipality=municipality)}

    assert found == expected
    assert {source.pk for source in public_sources()} == expected | {
        elsewhere[name].source_id for name in PUBLIC_FACTS
    }


def test_of_plan_is_every_fact_of_the_plan_published_or_not():
    """The sources a caseworker is offered come from the whole plan, drafts
    included (the caseworker may read them); never from another plan."""
    world = _world()
    draft_plan = world["plans"]["draft"]

    assert _ids(Citation.objects.filter(of_plan(draft_plan.pk))) == _ids(
        world["draft"].values()
    )
    assert _ids(Citation.objects.filter(of_plan(world["plans"]["plan"].pk))) == _ids(
        world["plan"][name] for name in (*PUBLIC_FACTS, *UNPUBLISHED_FACTS)
    )


def test_sources_offered_to_a_caseworker_include_the_whole_plans():
    """of_plan() inside the source chooser's own EXISTS (selectors/workflow.py):
    a source cited by another measure, goal or update of the same plan is
    offered after those of the measure itself; another plan's is not."""
    world = _world()
    plan = world["plans"]["plan"]
    measure = MeasureFactory(plan=plan)
    own = Citation.objects.create(source=SourceFactory(), measure=measure)

    offered = [source.pk for source in sources_for_measure(measure=measure)]

    in_plan = {
        world["plan"][name].source_id for name in (*PUBLIC_FACTS, *UNPUBLISHED_FACTS)
    }
    assert offered[0] == own.source_id
    assert set(offered[1:]) == in_plan
    assert not set(offered) & {c.source_id for c in world["other"].values()}


def test_a_municipalitys_sources_include_shared_plans_and_serving_partners():
    municipality = MunicipalityFactory()
    shared = PlanFactory(municipality=MunicipalityFactory())
    shared.shared_with.add(municipality)
    shared_draft = PlanFactory(
        municipality=shared.municipality, status=Plan.Status.DRAFT
    )
    shared_draft.shared_with.add(municipality)
    regional = PartnerFactory()
    regional.serves.add(municipality)
    former = PartnerNameFactory(partner=regional)
    cited = {
        **_cite(_plan_facts(shared)),
        "serving partner": _cite({"p": ("partner", regional)})["p"],
        "its former name": _cite({"n": ("partner_name", former)})["n"],
    }
    hidden = _cite(_plan_facts(shared_draft))

    found = {source.pk for source in public_sources(municipality=municipality)}

    assert found == {
        cited[name].source_id
        for name in (*PUBLIC_FACTS, "serving partner", "its former name")
    }
    assert not found & {c.source_id for c in hidden.values()}


def test_a_municipality_with_only_hidden_plans_has_no_plan_sources():
    municipality = MunicipalityFactory()
    _cite(_plan_facts(PlanFactory(municipality=municipality, is_training=True)))

    assert list(public_sources(municipality=municipality)) == []
