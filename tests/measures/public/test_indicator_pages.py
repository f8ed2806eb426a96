"""Indicators and budgets on the public pages: effect beside delivery, sources,
the "< 5" rule on every public channel, budget totals, constant query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Indicator, IndicatorValue, MeasurePartner
from measures.numbers import format_nok
from measures.selectors.small_numbers import public_value
from partners.models import Membership
from tests.factories import (
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MembershipFactory,
    PartnerFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    UserFactory,
)
from tests.support.pages import indicator_texts, shows_number

pytestmark = pytest.mark.django_db

SMALL = 3  # a count of people below the default threshold (5)


@pytest.fixture
def owner():
    return PartnerFactory(name="Kommunen", slug="kommunen")


@pytest.fixture
def small_world(partner_a, owner):
    """A plan owned by "Kommunen" with a goal indicator and a measure (led by
    partner A, Alice's) indicator, each with a count of 3 people and one of 12.
    Charlie (partner B) is an outsider."""
    plan = PlanFactory(title="Planen", slug="planen", owner=owner)
    goal = GoalFactory(plan=plan, title="Trygg by", slug="trygg")
    measure = MeasureFactory(
        plan=plan, title="Tiltaket", slug="tiltaket", lead=partner_a
    )
    measure.goals.add(goal)
    outcome = IndicatorFactory(
        goal=goal, title="Dødsfall", slug="dodsfall", unit="personer"
    )
    output = IndicatorFactory(
        goal=None,
        measure=measure,
        title="Brukere",
        slug="brukere",
        baseline_value=SMALL,
        baseline_year=2018,
    )
    for indicator in (outcome, output):
        PublishedIndicatorValueFactory(indicator=indicator, year=2019, value=SMALL)
        PublishedIndicatorValueFactory(indicator=indicator, year=2020, value=12)
    return plan, measure


# Every public channel that shows indicator values: (name, fetch(client, world)
# -> list of texts a reader sees). CSV, API and PDF join this list when they
# show indicators.
PUBLIC_CHANNELS = [
    (
        "plan page",
        lambda client, world: indicator_texts(
            client.get(world[0].get_absolute_url()).text
        ),
    ),
    (
        "plan indicator page",
        lambda client, world: indicator_texts(
            client.get(f"{world[0].get_absolute_url()}indikatorer/").text
        ),
    ),
    (
        "measure page",
        lambda client, world: indicator_texts(
            client.get(world[1].get_absolute_url()).text
        ),
    ),
]


# The plan page shows each indicator's latest value only (12 here); the channels
# below show every value, the hidden 3 included.
EVERY_VALUE = [(n, f) for n, f in PUBLIC_CHANNELS if n != "plan page"]


@pytest.mark.parametrize(
    "fetch", [f for _n, f in EVERY_VALUE], ids=[n for n, _f in EVERY_VALUE]
)
def test_a_count_of_three_never_appears_on_a_public_channel(client, small_world, fetch):
    texts = fetch(client, small_world)

    assert texts, "the channel shows no indicator at all"
    assert shows_number(texts, 12)
    assert not shows_number(texts, SMALL)
    assert any("<\u00a05" in text for text in texts)


@pytest.mark.parametrize(
    "fetch", [f for _n, f in PUBLIC_CHANNELS], ids=[n for n, _f in PUBLIC_CHANNELS]
)
def test_an_outsider_logged_in_sees_no_small_number_either(
    client, small_world, charlie, fetch
):
    client.force_login(charlie)
    assert not shows_number(fetch(client, small_world), SMALL)


def test_staff_of_the_responsible_partner_see_the_exact_count(
    client, small_world, alice, owner
):
    plan, measure = small_world
    client.force_login(alice)  # caseworker of the measure's lead partner
    assert shows_number(indicator_texts(client.get(measure.get_absolute_url()).text), 3)

    coordinator = UserFactory(username="dora")
    MembershipFactory(user=coordinator, partner=owner, role=Membership.Role.COORDINATOR)
    client.force_login(coordinator)  # the plan owner's staff
    html = client.get(
        reverse("measures:plan-indicators", kwargs=plan.url_kwargs())
    ).text
    assert shows_number(indicator_texts(html), 3)


def test_a_caseworker_of_the_lead_partner_does_not_see_the_goals_exact_count(
    client, small_world, alice
):
    plan, _measure = small_world
    client.force_login(alice)
    # The goal indicator is the plan owner's (partner B), not partner A's.
    assert not shows_number(
        indicator_texts(client.get(plan.get_absolute_url()).text), 3
    )


def test_hidden_small_number_is_a_hatched_band_up_to_the_threshold(client, small_world):
    html = client.get(small_world[1].get_absolute_url()).text
    assert 'class="suppressed-band"' in html
    assert 'fill="url(#indikator-brukere-year-hatch)"' in html
    assert "betyr færre enn 5 personer" in html


def test_public_value_is_the_one_rule(small_world, alice, charlie, superuser):
    indicator = Indicator.objects.select_related("measure__plan").get(slug="brukere")
    assert public_value(indicator, Decimal(3), user=charlie).text == "<\u00a05"
    assert public_value(indicator, 0, user=None).suppressed
    assert public_value(indicator, 5, user=None).text == "5"
    assert public_value(indicator, 3, user=alice).text == "3"
    assert public_value(indicator, 3, user=superuser).text == "3"
    indicator.kind = Indicator.Kind.COUNT  # centres, call-outs: not people
    assert public_value(indicator, 3, user=None).text == "3"
    indicator.kind = Indicator.Kind.PEOPLE
    indicator.small_number_threshold = 0
    assert public_value(indicator, 3, user=None).text == "3"


def test_unpublished_values_are_not_public(client, small_world):
    indicator = Indicator.objects.get(slug="brukere")
    IndicatorValueFactory(indicator=indicator, year=2017, value=777)
    IndicatorValueFactory(
        indicator=indicator,
        year=2016,
        value=778,
        state=IndicatorValue.State.SUBMITTED,
    )
    texts = indicator_texts(client.get(small_world[1].get_absolute_url()).text)
    assert not shows_number(texts, 777)
    assert not shows_number(texts, 778)


def test_target_line_and_direction_are_drawn(client, small_world):
    Indicator.objects.filter(slug="brukere").update(
        target_value=40, target_year=2022, direction=Indicator.Direction.UP
    )
    html = client.get(small_world[1].get_absolute_url()).text
    assert 'class="target-line"' in html
    assert "Mål 2022: 40" in html
    assert "Høyere er bedre" in html


# --- Bergen, as a new user would see it ------------------------------------------


def test_the_2018_plan_shows_overdose_deaths_with_sources_apart_from_delivery(
    client, bergen_plans
):
    html = client.get("/bergen/planer/plan-for-rusfeltet-2018-2022/").text

    assert html.index('id="over-tid"') < html.index('id="effekt"')
    assert "Overdosedødsfall i Bergen" in indicator_texts(html)
    assert "/bergen/planer/plan-for-rusfeltet-2018-2022/indikatorer/" in html
    html = client.get("/bergen/planer/plan-for-rusfeltet-2018-2022/indikatorer/").text
    texts = indicator_texts(html)
    assert "Overdosedødsfall i Bergen" in texts
    for deaths in (23, 31, 17, 36, 27):
        assert shows_number(texts, deaths)
    assert "Lavere er bedre" in html


def test_the_measure_page_shows_output_indicators_and_budget(client, bergen_plans):
    html = client.get("/bergen/tiltak/sproyterom-brukerrom-2018/").text

    assert "Registrerte brukere av sprøyterommet" in html
    assert "over 300" in html
    assert "kr\u00a016\u00a0000\u00a0000" in html
    assert "kr\u00a018\u00a0300\u00a0000" in html


def test_bergen_budget_totals_on_plan_and_partner_pages_agree_with_the_lines(
    client, bergen_plans
):
    plan_html = client.get("/bergen/planer/plan-for-rusfeltet-2018-2022/").text
    partner_html = client.get("/bergen/partnere/bergen-kommune/").text
    for amount in ("kr\u00a016\u00a0000\u00a0000", "kr\u00a018\u00a0300\u00a0000"):
        assert amount in plan_html
        assert amount in partner_html
    assert "kr\u00a07\u00a0000\u00a0000" in plan_html


# --- budget totals -----------------------------------------------------------------


def test_budget_totals_per_plan_goal_and_partner_add_up(client):
    lead, other = PartnerFactory(name="Etaten"), PartnerFactory(name="Politiet")
    plan = PlanFactory(title="Planen")
    goal_a = GoalFactory(plan=plan, title="Mål A")
    goal_b = GoalFactory(plan=plan, title="Mål B")
    first = MeasureFactory(plan=plan, lead=lead)
    first.goals.add(goal_a)
    second = MeasureFactory(plan=plan, lead=other)
    second.goals.add(goal_a, goal_b)
    MeasurePartner.objects.create(measure=second, partner=lead, role="contributor")
    BudgetLineFactory(measure=first, year=2020, allocated_nok=1_000_000, spent_nok=900)
    BudgetLineFactory(measure=second, year=2020, allocated_nok=234_567)
    BudgetLineFactory(measure=first, year=2021, allocated_nok=500_000)

    plan_html = client.get(plan.get_absolute_url()).text
    lead_html = client.get(lead.get_absolute_url()).text

    # plan 2020: 1 234 567 (both measures); goal B 2020: only the second.
    assert format_nok(1_234_567) in plan_html
    assert format_nok(234_567) in plan_html
    assert "regnskap for 1 av 2" in plan_html
    # The lead's page counts only the measures it leads.
    assert format_nok(1_000_000) in lead_html
    assert format_nok(500_000) in lead_html
    assert format_nok(1_234_567) not in lead_html


def test_money_is_formatted_kr_with_spaces():
    assert format_nok(1_234_567) == "kr\u00a01\u00a0234\u00a0567"
    assert format_nok(0) == "kr\u00a00"
    assert format_nok(None) == ""


# --- constant query counts ----------------------------------------------------------


def _grow(plan, measure, *, indicators: int, values: int, start: int = 0):
    goal = plan.goals.first()
    for i in range(start, start + indicators):
        for owner in ({"goal": goal}, {"goal": None, "measure": measure}):
            indicator = IndicatorFactory(title=f"Indikator {i}", **owner)
            for year in range(2000, 2000 + values):
                PublishedIndicatorValueFactory(
                    indicator=indicator, year=year, value=year % 7
                )
        BudgetLineFactory(measure=measure, year=2000 + i, allocated_nok=1000 * i)


QUERY_COUNTS = {
    # (anonymous, logged in as the lead partner's caseworker): logging in adds the
    # session, the user, the memberships (read once for every indicator) and the
    # session's save. partner includes its measures not reported this period (two
    # queries), its plans (a query of their own) and its table page's roles (one).
    # plan includes its district comparison (one query, which also gives the list
    # of its districts); its indicators by goal
    # and its filter take the goals the goal tree has read (no query of their own).
    # plan reads its changes since the last reporting period (one query); plan and
    # partner read their newest updates only when one of their measures has a
    # published update (none has in this world); the plan's
    # indicator charts are on plan-indicators.
    # plan, plan-indicators and measure are a municipality's pages: one query more
    # for the municipality of the address (measures/municipal.py); partner is the
    # partner across every municipality (Partner.get_absolute_url).
    # plan's table takes its lead partners from the plan's partners (one query
    # for the roles, none for the partners or their names) and its count from the
    # roll-up (no count): two queries fewer.
    "plan": (18 + 1, 24 + 1),
    "plan-indicators": (6 + 1, 12 + 1),
    "measure": (11 + 1, 17 + 1),
    # + 1: the municipality of the address (/bergen/partnere/...).
    "partner": (11 + 1, 17 + 1),
}


# What each page shows of the grown data: the newest indicator, its last year, the
# newest budget line (kr 6 000, with no-break spaces).
SHOWS_GROWN = {
    "plan": ["kr\xa06\xa0000"],
    "plan-indicators": ["Indikator 6", "2007"],
    "measure": ["Indikator 6", "2007", "kr\xa06\xa0000"],
    "partner": ["Tiltaket"],
}


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "staff"])
@pytest.mark.parametrize("page", sorted(QUERY_COUNTS))
def test_query_count_is_constant_as_indicators_grow(
    client, django_assert_num_queries, small_world, alice, partner_a, page, logged_in
):
    plan, measure = small_world
    url = {
        "plan": plan.get_absolute_url(),
        "plan-indicators": reverse(
            "measures:plan-indicators", kwargs=plan.url_kwargs()
        ),
        "measure": measure.get_absolute_url(),
        "partner": partner_a.get_absolute_url(),
    }[page]
    if logged_in:
        client.force_login(alice)
    expected = QUERY_COUNTS[page][logged_in]
    _grow(plan, measure, indicators=1, values=2)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200

    _grow(plan, measure, indicators=6, values=8, start=1)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    # The page shows what was added, not a page that skipped it to save queries.
    for text in SHOWS_GROWN[page]:
        assert text in response.text, text
