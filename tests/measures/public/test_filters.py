"""Filters, sorting and pagination on /<kommune>/tiltak/ and the plan page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import Category, Measure
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    MeasureFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)
from tests.support.worlds import build_public_world

LIST = "/bergen/tiltak/"  # the default municipality of the factories


@pytest.fixture
def six_measure_world(db):
    """The public world with six measures rather than three."""
    return build_public_world(measures=6)


def _titles(response) -> list[str]:
    return [measure.title for measure in response.context["page_obj"]]


def test_measure_list_url_name():
    assert reverse("measures:measure-list", kwargs={"kommune": "bergen"}) == LIST


def test_phase_and_health_filters(client, six_measure_world):
    measure = six_measure_world.measures[0]
    Measure.objects.filter(pk=measure.pk).update(current_phase="completed")

    assert _titles(client.get(LIST, {"phase": "completed"})) == [measure.title]
    # Identifiers divisible by 3 have no assessment.
    assert _titles(client.get(LIST, {"health": "none", "sort": "identifier"})) == [
        "Tiltak nummer 3",
        "Tiltak nummer 6",
    ]
    assert len(_titles(client.get(LIST, {"health": "at_risk"}))) == 4


def test_partner_and_district_filters(client, six_measure_world):
    police = six_measure_world.partners[0]

    led_or_helped = _titles(client.get(LIST, {"partner": police.slug}))
    in_arstad = _titles(client.get(LIST, {"district": "arstad", "sort": "title"}))

    assert len(led_or_helped) == 6  # lead or contributor on every measure
    assert in_arstad == ["Tiltak nummer 1", "Tiltak nummer 3", "Tiltak nummer 5"]


def test_goal_filter_includes_measures_of_goals_below(client, six_measure_world):
    overall, child_a, _child_b, grandchild = six_measure_world.goals

    under_a = _titles(client.get(LIST, {"goal": child_a.pk, "sort": "title"}))
    under_top = _titles(client.get(LIST, {"goal": overall.pk}))
    only_grandchild = _titles(client.get(LIST, {"goal": grandchild.pk}))

    assert under_a == [
        "Tiltak nummer 1",
        "Tiltak nummer 3",
        "Tiltak nummer 4",
        "Tiltak nummer 6",
    ]
    assert len(under_top) == 6
    assert sorted(only_grandchild) == ["Tiltak nummer 3", "Tiltak nummer 6"]


def test_category_plan_and_search_filters(client, six_measure_world):
    special = MeasureFactory(
        plan=six_measure_world.plan,
        title="Overdoseteam",
        slug="overdoseteam",
        description="Rask hjelp ved overdose.",
        category=Category.OVERDOSE,
    )

    assert _titles(client.get(LIST, {"category": "overdose"})) == [special.title]
    assert _titles(client.get(LIST, {"q": "rask HJELP"})) == [special.title]
    assert _titles(client.get(LIST, {"plan": six_measure_world.predecessor.slug})) == []
    assert len(_titles(client.get(LIST, {"plan": six_measure_world.plan.slug}))) == 7


def test_sorting_by_progress_puts_unassessed_last(client, six_measure_world):
    Measure.objects.filter(pk=six_measure_world.measures[1].pk).update(
        current_progress=90
    )
    Measure.objects.filter(pk=six_measure_world.measures[3].pk).update(
        current_progress=5
    )

    descending = client.get(LIST, {"sort": "-progress"}).context["page_obj"]
    ascending = client.get(LIST, {"sort": "progress"}).context["page_obj"]

    assert [m.current_progress for m in descending] == [90, 15, 15, 5, None, None]
    assert [m.current_progress for m in ascending] == [5, 15, 15, 90, None, None]


def test_plan_page_filters_its_own_measures(client, six_measure_world):
    other = MeasureFactory(
        plan=six_measure_world.predecessor, title="Annet tiltak", slug="annet"
    )

    response = client.get(
        six_measure_world.plan.get_absolute_url(), {"district": "asane"}
    )

    titles = _titles(response)
    assert titles and other.title not in titles
    assert all("Tiltak nummer" in title for title in titles)
    assert "plan" not in response.context["filter"].form.fields


def test_plan_page_offers_only_the_plans_own_partners_and_districts(
    client, six_measure_world
):
    elsewhere = DistrictFactory(name="Arna", slug="arna")
    other = MeasureFactory(plan=six_measure_world.predecessor, slug="annet")
    other.districts.add(elsewhere)

    plan_form = (
        client.get(six_measure_world.plan.get_absolute_url()).context["filter"].form
    )
    list_form = client.get(LIST).context["filter"].form

    assert [d.slug for d in plan_form.fields["district"].queryset] == [
        "arstad",
        "asane",
    ]
    assert "arna" in [d.slug for d in list_form.fields["district"].queryset]
    assert other.partner_roles.get().partner not in plan_form.fields["partner"].queryset


BAD_PARAMETERS = [
    {"phase": "unknown"},
    {"health": "purple"},
    {"partner": "999999"},
    {"partner": "'; DROP TABLE measures_measure; --"},
    {"district": "nowhere"},
    {"goal": "abc"},
    {"goal": "999999"},
    {"category": "<script>"},
    {"sort": "garbage"},
    {"q": "x" * 10_000},
]


@pytest.mark.parametrize("params", BAD_PARAMETERS, ids=lambda p: next(iter(p)))
@pytest.mark.parametrize("where", ["list", "plan"])
def test_bad_filter_gives_page_with_accessible_message(
    client, six_measure_world, where, params
):
    url = LIST if where == "list" else six_measure_world.plan.get_absolute_url()

    response = client.get(url, params)

    assert response.status_code == 200
    assert "Noen av filtrene kunne ikke brukes" in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="filter-' in response.text
    assert len(response.context["page_obj"].object_list) == 6  # filter ignored


def test_unknown_plan_on_list_gives_message(client, six_measure_world):
    response = client.get(LIST, {"plan": "no-such-plan"})

    assert response.status_code == 200
    assert "Planen finnes ikke." in response.text
    assert len(response.context["page_obj"].object_list) == 6


def test_goal_of_another_plan_is_rejected_on_plan_page(client, six_measure_world):
    response = client.get(
        six_measure_world.predecessor.get_absolute_url(),
        {"goal": six_measure_world.goals[0].pk},
    )

    assert response.status_code == 200
    assert "Målet finnes ikke." in response.text


@pytest.mark.parametrize(
    ("page", "expected"), [("999999", 2), ("abc", 1), ("-1", 2), ("", 1), ("2", 2)]
)
def test_bad_page_numbers_give_nearest_valid_page(
    client, six_measure_world, page, expected
):
    six_measure_world.add_measures(24)  # 30 measures: two pages of 25

    response = client.get(LIST, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == expected
    assert f"Side {expected} av 2" in response.text


def test_pagination_links_keep_the_filter(client, six_measure_world):
    six_measure_world.add_measures(30)

    response = client.get(LIST, {"phase": "in_progress", "sort": "title"})

    assert "?phase=in_progress&amp;sort=title&amp;page=2#resultater" in response.text


def test_valid_filters_are_shown_selected_in_the_form(client, six_measure_world):
    html = client.get(LIST, {"phase": "in_progress", "q": "nummer"}).text

    assert '<option value="in_progress" selected>' in html
    assert 'value="nummer"' in html


text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "-1", "1e400", "none", "in_progress", "rusplan-2018", "\x00"]
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "plan",
                "goal",
                "phase",
                "health",
                "partner",
                "district",
                "category",
                "sort",
                "page",
            ]
        ),
        text,
    )
)
def test_any_filter_input_never_gives_a_server_error(client, six_measure_world, params):
    for url in (LIST, six_measure_world.plan.get_absolute_url()):
        assert client.get(url, params).status_code == 200


def test_phase_none_lists_the_measures_with_no_status_registered(client, db):
    plan = PlanFactory(slug="plan-uten-status")
    without = MeasureFactory(plan=plan, title="Uten status", slug="uten-status")
    with_status = MeasureFactory(plan=plan, title="Med status", slug="med-status")
    PublishedStatusUpdateFactory(measure=with_status, phase="not_started")
    measure_sync_current_status(actor=SYSTEM, measure=with_status)

    response = client.get(LIST, {"plan": plan.slug, "phase": "none"})
    api = client.get("/api/v1/measures/", {"plan": plan.slug, "phase": "none"})

    assert [m.slug for m in response.context["page_obj"]] == [without.slug]
    assert [m["slug"] for m in api.json()["results"]] == [without.slug]
    started = client.get(LIST, {"plan": plan.slug, "phase": "not_started"})
    assert [m.slug for m in started.context["page_obj"]] == [with_status.slug]


@pytest.mark.parametrize("path", [LIST, reverse("measures:national-search")])
def test_filter_choices_are_read_by_plain_queries_not_cursors(
    client, six_measure_world, path
):
    """The choice lists are read as plain queries (ListedChoiceIterator): Django's
    own iterator reads each through a server-side cursor on PostgreSQL (DECLARE,
    FETCH, CLOSE). On SQLite no query is a cursor either way; the choices are
    checked on both."""
    partner = six_measure_world.partners[0]

    with CaptureQueriesContext(connection) as queries:
        html = client.get(path).text

    assert not [q for q in queries if q["sql"].lstrip().startswith("DECLARE")]
    if path == LIST:
        assert f'<option value="{partner.slug}">{partner.name}</option>' in html
        assert '<option value="" selected>Alle partnere</option>' in html
    else:
        assert '<option value="bergen">Bergen</option>' in html
        assert '<option value="" selected>Alle kommuner</option>' in html
