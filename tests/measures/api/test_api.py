"""The open-data API (/api/v1/): every endpoint, the same filters and results as
the pages, only public data, pagination, throttling, read-only, query counts,
the schema and the documentation page."""

import datetime
import itertools
import re

import pytest
from django.urls import reverse

from measures.models import (
    BudgetLine,
    Citation,
    District,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Source,
    StatusUpdate,
)
from measures.open_data import LICENCE_URL
from measures.selectors.small_numbers import public_value
from partners.models import Partner
from tests.factories import (
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    bergen,
)
from tests.support.csp import assert_strict_csp, inline_code
from tests.support.worlds import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    DRAFT_PLAN_TITLE,
    REVIEW_COMMENT,
    SECRET_DRAFT,
    PublicWorld,
    add_indicators_and_budgets,
    build_public_world,
)

LISTS = {
    "municipalities": "api:municipality-list",
    "plans": "api:plan-list",
    "goals": "api:goal-list",
    "measures": "api:measure-list",
    "partners": "api:partner-list",
    "districts": "api:district-list",
    "status_updates": "api:status-update-list",
    "indicators": "api:indicator-list",
    "indicator_values": "api:indicator-value-list",
    "budgets": "api:budget-line-list",
}


def _get(client, url: str, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response


def _all(client, name: str, **params) -> list[dict]:
    """Every object of a list, following `next`."""
    url, results = reverse(name), []
    params = {"page_size": 200, **params}
    while url:
        response = _get(client, url, **params)
        assert response.status_code == 200, response.json()
        data = response.json()
        results += data["results"]
        url, params = data["next"], {}
    return results


def _slugs(items: list[dict]) -> list[str]:
    return [item["slug"] for item in items]


def _page_measures(client, url: str, params: dict) -> list[str]:
    """The measures a page lists in its table, every page of it."""
    slugs, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200
        page_obj = response.context["page_obj"]
        slugs += [measure.slug for measure in page_obj]
        if not page_obj.has_next():
            return slugs
        page += 1


# --- Endpoints -----------------------------------------------------------------


def test_root_names_the_licence_the_schema_and_every_endpoint(client, api_world):
    data = _get(client, reverse("api:root")).json()

    assert data["licence"]["name"] == "NLOD 2.0"
    assert data["licence"]["url"] == LICENCE_URL
    assert "NLOD" in data["attribution"]
    assert data["schema"].endswith(reverse("api:schema"))
    assert data["docs"].endswith(reverse("api:docs"))
    assert {
        key: url.removeprefix("http://testserver")
        for key, url in data["endpoints"].items()
    } == {key: reverse(name) for key, name in LISTS.items()}


@pytest.mark.parametrize("key", sorted(LISTS))
def test_every_list_answers_json_with_pages(client, api_world, key):
    response = _get(client, reverse(LISTS[key]))

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == len(data["results"]) > 0
    for item in data["results"]:
        assert client.get(item["url"]).status_code == 200
        assert client.get(item["html_url"]).status_code == 200


def test_plans_are_the_public_plans_with_the_plan_pages_progress(client, api_world):
    plans = _all(client, "api:plan-list")

    assert _slugs(plans) == ["rusplan-2018", "handlingsplan-2012"]
    plan = plans[0]
    page = client.get(api_world.plan.get_absolute_url()).context["data"]
    assert plan["progress"]["total"] == page.rollup.total == 3
    assert plan["progress"]["progress"] == page.rollup.progress
    assert plan["progress"]["phases"]["in_progress"] == page.rollup.phase_count(
        "in_progress"
    )
    assert plan["predecessor"] == "handlingsplan-2012"
    assert plan["owner"] == {
        "slug": "bergen-kommune",
        "name": "Bergen kommune",
        "name_in_plan": "Bergen kommune",
    }
    assert plan["attribution"] == (
        "Sammenstilt av Rusplan fra offentlige kilder, som er oppgitt med "
        "nettadresse for hver opplysning. Lisens: Norsk lisens for offentlige data "
        "(NLOD) 2.0."
    )
    assert plan["html_url"] == "http://testserver/bergen/planer/rusplan-2018/"
    assert plan["municipality"] == "bergen"
    assert plan["shared_with"] == []
    assert plan["measures_url"].endswith(
        "/api/v1/measures/?plan=rusplan-2018&municipality=bergen"
    )


def test_plan_detail_is_found_by_slug(client, api_world):
    data = _get(client, reverse("api:plan-detail", args=["rusplan-2018"])).json()

    assert data["title"] == "Plan for rusfeltet 2018–2022"
    assert data["adopted_on"] == "2017-11-22"
    assert data["progress"]["total"] == 3


def test_measure_shows_what_its_page_shows(client, api_world):
    measure = api_world.measures[0]
    data = _get(client, reverse("api:measure-detail", args=[measure.slug])).json()
    page = client.get(measure.get_absolute_url()).context["data"]

    assert data["title"] == measure.title
    assert data["plan"] == "rusplan-2018"
    assert data["municipality"] == "bergen"
    assert data["url"].endswith(f"/api/v1/measures/{measure.slug}/?municipality=bergen")
    assert data["html_url"] == f"http://testserver{measure.get_absolute_url()}"
    assert data["partners"] == [
        {
            "partner": role.partner.slug,
            "name": role.partner.name,
            "name_in_plan": role.name_then,
            "role": role.role,
        }
        for role in page.partner_roles
    ]
    assert data["districts"] == [d.slug for d in measure.districts.all()]
    assert data["goals"] == [g.pk for g in measure.goals.all()]
    measure.refresh_from_db()
    assert data["status"] == {
        "phase": measure.current_phase,
        "health": measure.current_health,
        "progress": measure.current_progress,
        "as_of": measure.current_as_of.isoformat(),
        "status_reason": None,
    }


def test_a_measure_without_a_published_update_has_a_null_phase_and_a_reason(
    client, api_world
):
    measure = MeasureFactory(plan=api_world.plan, slug="uten-status")

    data = _get(
        client, reverse("api:measure-detail", kwargs={"slug": measure.slug})
    ).json()

    assert data["status"] == {
        "phase": None,
        "health": "",
        "progress": None,
        "as_of": None,
        "status_reason": "no_published_update",
    }


def test_every_object_lists_its_sources_with_urls_and_its_uncertainty(
    client, api_world
):
    source = Source.objects.create(
        publisher="Bergen kommune",
        title="Planen",
        url="https://www.bergen.kommune.no/plan",
        kind=Source.Kind.PLAN_DOCUMENT,
        published_on=datetime.date(2019, 5, 23),
    )
    Citation.objects.create(source=source, plan=api_world.plan, field="adopted_on")
    api_world.plan.uncertainty = "Kildene oppgir 2016 og 2017."
    api_world.plan.save()

    data = _get(
        client, reverse("api:plan-detail", kwargs={"slug": api_world.plan.slug})
    ).json()

    assert [c for c in data["sources"] if c["source"]["title"] == "Planen"] == [
        {
            "field": "adopted_on",
            "source": {
                "publisher": "Bergen kommune",
                "title": "Planen",
                "url": "https://www.bergen.kommune.no/plan",
                "kind": "plan_document",
                "published_on": "2019-05-23",
                "date_precision": "day",
                "date": "23.05.2019",
                "date_note": "",
                "accessed_on": None,
            },
        }
    ]
    assert data["uncertain"] is True
    assert data["uncertainty"] == "Kildene oppgir 2016 og 2017."


def test_partner_name_in_plan_is_the_name_then(client, api_world):
    police = _get(
        client, reverse("api:partner-detail", args=["vest-politidistrikt"])
    ).json()
    old_plan_measure = MeasureFactory(
        plan=api_world.predecessor, slug="gammelt-tiltak", lead=api_world.partners[0]
    )
    measure = _get(
        client, reverse("api:measure-detail", args=[old_plan_measure.slug])
    ).json()

    assert police["former_names"][0]["name"] == "Hordaland politidistrikt"
    assert police["former_names"][0]["valid_until"] == "2015-12-31"
    assert measure["partners"][0]["name"] == "Vest politidistrikt"
    assert measure["partners"][0]["name_in_plan"] == "Hordaland politidistrikt"


def test_goals_filtered_by_plan_form_the_plans_tree(client, api_world):
    goals = _all(client, "api:goal-list", plan="rusplan-2018")

    assert [g["slug"] for g in goals] == ["trygg-by", "mal-a", "mal-b", "mal-a1"]
    by_slug = {g["slug"]: g for g in goals}
    assert by_slug["trygg-by"]["parent"] is None
    assert by_slug["mal-a1"]["parent"] == by_slug["mal-a"]["id"]
    assert by_slug["mal-a"]["html_url"].endswith(
        "/bergen/planer/rusplan-2018/#mal-mal-a"
    )
    assert {g["municipality"] for g in goals} == {"bergen"}
    assert _all(client, "api:goal-list", plan="handlingsplan-2012") == []


def test_districts_and_their_municipality(client, api_world):
    districts = _all(client, "api:district-list")

    assert _slugs(districts) == ["arstad", "asane"]
    assert districts[0]["html_url"] == "http://testserver/bergen/bydeler/arstad/"
    assert districts[0]["municipality"] == "bergen"


def test_status_updates_are_the_published_ones_newest_first(client, api_world):
    updates = _all(client, "api:status-update-list")

    public = StatusUpdate.objects.filter(
        state=StatusUpdate.State.PUBLISHED, measure__plan=api_world.plan
    )
    assert {u["id"] for u in updates} == set(public.values_list("pk", flat=True))
    days = [u["as_of"] for u in updates]
    assert days == sorted(days, reverse=True)
    first = updates[0]
    assert first["municipality"] == "bergen"
    assert set(first) == {
        "id",
        "url",
        "html_url",
        "municipality",
        "measure",
        "plan",
        "as_of",
        "phase",
        "health",
        "progress",
        "summary",
        "sources",
        "uncertain",
        "uncertainty",
        "published_at",
    }


def test_status_updates_filter_by_plan_measure_and_dates(client, api_world):
    measure = api_world.measures[0]

    by_measure = _all(client, "api:status-update-list", measure=measure.slug)
    by_plan = _all(client, "api:status-update-list", plan="rusplan-2018")
    in_2018 = _all(
        client,
        "api:status-update-list",
        as_of_after="2018-01-01",
        as_of_before="2018-06-30",
    )

    assert {u["measure"] for u in by_measure} == {measure.slug}
    assert len(by_measure) == 2
    assert len(by_plan) == 6
    assert {u["as_of"] for u in in_2018} == {"2018-06-01"}
    assert len(in_2018) == 3


def test_indicators_are_those_of_public_plans_with_their_page(client, api_world):
    indicators = {i["slug"]: i for i in _all(client, "api:indicator-list")}

    assert set(indicators) == {"overdosedodsfall", "plasser"}
    deaths, places = indicators["overdosedodsfall"], indicators["plasser"]
    assert deaths["goal"] == api_world.goals[0].pk and deaths["measure"] is None
    assert deaths["plan"] == places["plan"] == "rusplan-2018"
    assert deaths["html_url"].endswith(
        "/bergen/planer/rusplan-2018/#indikator-overdosedodsfall"
    )
    assert deaths["municipality"] == places["municipality"] == "bergen"
    assert places["measure"] == api_world.measures[0].slug
    assert places["html_url"].endswith(
        f"/bergen/tiltak/{api_world.measures[0].slug}/#indikator-plasser"
    )
    assert deaths["target"] == {
        "year": 2022,
        "value": 0,
        "text": "0",
        "suppressed": False,
    }
    for page_url in (deaths["html_url"], places["html_url"]):
        assert 'id="indikator-' in client.get(page_url).text


def test_indicators_filter_by_plan_goal_and_measure(client, api_world):
    def slugs(**params):
        return sorted(_slugs(_all(client, "api:indicator-list", **params)))

    assert slugs(plan="rusplan-2018") == ["overdosedodsfall", "plasser"]
    assert slugs(plan="handlingsplan-2012") == []
    assert slugs(goal=api_world.goals[0].pk) == ["overdosedodsfall"]
    assert slugs(measure=api_world.measures[0].slug) == ["plasser"]
    hidden_goal = Indicator.objects.get(slug="utkastindikator").goal_id
    response = _get(client, reverse("api:indicator-list"), goal=hidden_goal)
    assert response.status_code == 400
    assert response.json() == {"goal": ["Målet finnes ikke."]}


def test_small_counts_of_people_are_shown_as_below_the_threshold(client, api_world):
    values = _all(client, "api:indicator-value-list", indicator="overdosedodsfall")
    deaths = _get(client, reverse("api:indicator-detail", args=["overdosedodsfall"]))
    places = _all(client, "api:indicator-value-list", indicator="plasser")

    assert [(v["year"], v["value"], v["text"], v["suppressed"]) for v in values] == [
        (2019, None, "<\u00a05", True),
        (2020, 27, "27", False),
    ]
    # The baseline is a count of people too; the target is a decision.
    assert deaths.json()["baseline"] == {
        "year": 2017,
        "value": None,
        "text": "<\u00a05",
        "suppressed": True,
    }
    # A count of something other than people is never hidden.
    assert [(v["value"], v["suppressed"]) for v in places] == [(3, False)]


def test_small_counts_are_hidden_even_from_the_responsible_partners_staff(
    client, api_world, alice, superuser
):
    # alice is a caseworker of a partner of the plan: the plan page shows her the
    # exact number, but the API answers the same to everyone.
    api_world.plan.owner.memberships.create(user=alice, role="caseworker")
    indicator = Indicator.objects.select_related("goal__plan").get(
        slug="overdosedodsfall"
    )
    assert public_value(indicator, 3, user=alice).number == 3  # alice may see it
    for user in (alice, superuser):
        client.force_login(user)
        values = _all(client, "api:indicator-value-list", indicator="overdosedodsfall")
        assert values[0]["value"] is None and values[0]["text"] == "<\u00a05"


def test_unpublished_indicator_values_are_never_shown(client, api_world):
    value = IndicatorValue.objects.get(note=SECRET_DRAFT)

    response = _get(client, reverse("api:indicator-value-detail", args=[value.pk]))

    assert response.status_code == 404
    assert SECRET_DRAFT not in str(_all(client, "api:indicator-value-list"))
    hidden = IndicatorValue.objects.get(indicator__slug="utkastindikator")
    assert (
        _get(
            client, reverse("api:indicator-value-detail", args=[hidden.pk])
        ).status_code
        == 404
    )


def test_indicator_values_filter_by_indicator_plan_and_years(client, api_world):
    def periods(**params):
        return [
            (v["indicator"], v["year"])
            for v in _all(client, "api:indicator-value-list", **params)
        ]

    assert periods(plan="rusplan-2018", year_min=2020) == [("overdosedodsfall", 2020)]
    assert periods(year_max=2019) == [("overdosedodsfall", 2019), ("plasser", 2019)]
    assert periods(plan="handlingsplan-2012") == []
    for params in (
        {"indicator": "utkastindikator"},
        {"year_min": "i fjor"},
        {"year_max": "2019.5"},
        {"year_min": "9223372036854775808"},
    ):
        assert (
            _get(client, reverse("api:indicator-value-list"), **params).status_code
            == 400
        )


def test_budget_lines_of_public_measures_with_filters(client, api_world):
    lines = _all(client, "api:budget-line-list")
    line = lines[0]

    assert [(b["measure"], b["year"]) for b in lines] == [
        (api_world.measures[0].slug, 2019),
        (api_world.measures[0].slug, 2020),
    ]
    assert line["allocated_nok"] == 1_500_000 and line["spent_nok"] is None
    assert line["plan"] == "rusplan-2018"
    assert line["municipality"] == "bergen"
    assert line["html_url"].endswith(api_world.measures[0].get_absolute_url())
    assert len(_all(client, "api:budget-line-list", year_min=2020)) == 1
    assert _all(client, "api:budget-line-list", plan="handlingsplan-2012") == []
    assert DRAFT_PLAN_TITLE not in str(lines)
    hidden = BudgetLine.objects.get(note=DRAFT_PLAN_TITLE)
    response = _get(client, reverse("api:budget-line-detail", args=[hidden.pk]))
    assert response.status_code == 404


# --- Municipalities ---------------------------------------------------------------


def _other_municipality(api_world: PublicWorld) -> dict:
    """Askøy, beside Bergen: a plan with the same slug as Bergen's, with a goal,
    a measure (published update, indicator, budget line) and a district of the
    same slug as Bergen's; a police district serving both."""
    askoy = MunicipalityFactory(
        name="Askøy", number="9046", slug="askoy", county="Vestland"
    )
    unit = PartnerFactory(
        name="Askøy kommune", slug="askoy-kommune", municipality=askoy
    )
    plan = PlanFactory(
        municipality=askoy, slug="rusplan-2018", title="Askøys rusplan", owner=unit
    )
    goal = GoalFactory(plan=plan, slug="askoy-mal")
    measure = MeasureFactory(plan=plan, slug="askoy-tiltak", lead=unit)
    measure.goals.add(goal)
    district = DistrictFactory(municipality=askoy, name="Ask", slug="arstad")
    measure.districts.add(district)
    update = PublishedStatusUpdateFactory(measure=measure)
    indicator = IndicatorFactory(goal=goal, slug="askoy-indikator")
    value = PublishedIndicatorValueFactory(indicator=indicator, year=2021)
    line = BudgetLineFactory(measure=measure, year=2021)
    police = Partner.objects.get(slug="vest-politidistrikt")
    police.serves.add(bergen(), askoy)
    return {
        "municipality": askoy,
        "plan": plan,
        "goal": goal,
        "measure": measure,
        "district": district,
        "update": update,
        "indicator": indicator,
        "value": value,
        "line": line,
        "unit": unit,
    }


def test_municipalities_are_listed_with_their_number_county_and_front_page(
    client, api_world
):
    _other_municipality(api_world)

    municipalities = _all(client, "api:municipality-list")
    bergen_data = _get(
        client, reverse("api:municipality-detail", kwargs={"slug": "bergen"})
    ).json()

    assert _slugs(municipalities) == ["askoy", "bergen"]
    assert bergen_data == {
        "slug": "bergen",
        "url": "http://testserver/api/v1/municipalities/bergen/",
        "html_url": "http://testserver"
        + reverse("municipality-home", kwargs={"kommune": "bergen"}),
        "name": "Bergen",
        "number": "4601",
        "county": "Vestland",
    }
    assert client.get(bergen_data["html_url"]).status_code == 200
    missing = _get(client, reverse("api:municipality-detail", args=["finnes-ikke"]))
    assert missing.status_code == 404


# The key of each object of Askøy's in the list, and how a list names it.
MUNICIPAL_LISTS = {
    "api:plan-list": ("plan", "slug"),
    "api:goal-list": ("goal", "id"),
    "api:measure-list": ("measure", "slug"),
    "api:district-list": ("district", "slug"),
    "api:status-update-list": ("update", "id"),
    "api:indicator-list": ("indicator", "slug"),
    "api:indicator-value-list": ("value", "id"),
    "api:budget-line-list": ("line", "id"),
}


@pytest.mark.parametrize("name", sorted(MUNICIPAL_LISTS))
def test_every_object_names_its_municipality_and_lists_filter_by_it(
    client, api_world, name
):
    askoy = _other_municipality(api_world)
    key, field = MUNICIPAL_LISTS[name]
    ours = askoy[key]
    ours_key = getattr(ours, field)

    everything = _all(client, name)
    in_askoy = _all(client, name, municipality="askoy")
    in_bergen = _all(client, name, municipality="bergen")

    assert {item["municipality"] for item in everything} == {"bergen", "askoy"}
    assert [item[field] for item in in_askoy] == [ours_key]
    assert in_askoy[0]["municipality"] == "askoy"
    assert "/askoy/" in in_askoy[0]["html_url"]
    assert client.get(in_askoy[0]["html_url"]).status_code == 200
    assert client.get(in_askoy[0]["url"]).json()[field] == ours_key
    assert {item["municipality"] for item in in_bergen} == {"bergen"}
    assert len(in_bergen) + 1 == len(everything)


@pytest.mark.parametrize("name", sorted([*MUNICIPAL_LISTS, "api:partner-list"]))
def test_an_unknown_municipality_is_a_400(client, api_world, name):
    response = _get(client, reverse(name), municipality="finnes-ikke")

    assert response.status_code == 400
    assert response.json()["municipality"] == ["Kommunen finnes ikke."]


def test_a_shared_plan_appears_in_each_municipality_it_belongs_to(client, api_world):
    other = _other_municipality(api_world)
    askoy = other["municipality"]
    # A plan is shared only with a municipality that does not use its slug.
    other["plan"].slug = "askoy-rusplan"
    other["plan"].save()
    api_world.plan.shared_with.add(askoy)

    in_askoy = _slugs(_all(client, "api:plan-list", municipality="askoy"))
    measures = _all(client, "api:measure-list", municipality="askoy")
    plan = _get(
        client,
        reverse("api:plan-detail", args=[api_world.plan.slug]),
        municipality="bergen",
    ).json()

    assert sorted(in_askoy) == ["askoy-rusplan", "rusplan-2018"]
    assert {m["plan"] for m in measures} == {"askoy-rusplan", "rusplan-2018"}
    assert len(measures) == 1 + Measure.objects.filter(plan=api_world.plan).count()
    assert plan["municipality"] == "bergen"
    assert plan["shared_with"] == ["askoy"]


def test_a_slug_two_municipalities_use_needs_the_municipality(client, api_world):
    _other_municipality(api_world)
    detail = reverse("api:plan-detail", args=["rusplan-2018"])

    ambiguous = _get(client, detail)
    bergens = _get(client, detail, municipality="bergen")
    askoys = _get(client, detail, municipality="askoy")
    district = _get(client, reverse("api:district-detail", args=["arstad"]))
    goals = _get(client, reverse("api:goal-list"), plan="rusplan-2018")
    askoy_goals = _all(
        client, "api:goal-list", plan="rusplan-2018", municipality="askoy"
    )
    askoy_measures = _all(
        client, "api:measure-list", plan="rusplan-2018", municipality="askoy"
    )

    message = [
        "Flere kommuner har dette nettadressenavnet. Oppgi kommunen med "
        "municipality=<kommune>."
    ]
    # An address without ?municipality= from before municipalities still names
    # what it named then: the object of the old addresses' municipality.
    assert ambiguous.json()["title"] == "Plan for rusfeltet 2018–2022"
    assert district.json()["municipality"] == "bergen"
    # A filter's value is not an address: it must say which.
    assert goals.status_code == 400
    assert goals.json() == {"plan": message}
    assert bergens.json()["title"] == "Plan for rusfeltet 2018–2022"
    assert askoys.json()["title"] == "Askøys rusplan"
    assert bergens.json()["url"].endswith(f"{detail}?municipality=bergen")
    assert [g["slug"] for g in askoy_goals] == ["askoy-mal"]
    assert _slugs(askoy_measures) == ["askoy-tiltak"]


def test_partners_name_their_municipality_and_those_they_serve(client, api_world):
    askoy = _other_municipality(api_world)

    partners = {p["slug"]: p for p in _all(client, "api:partner-list")}
    in_askoy = _slugs(_all(client, "api:partner-list", municipality="askoy"))
    in_bergen = _slugs(_all(client, "api:partner-list", municipality="bergen"))

    assert partners["askoy-kommune"]["municipality"] == "askoy"
    assert partners["askoy-kommune"]["serves"] == []
    assert partners["vest-politidistrikt"]["municipality"] is None
    assert partners["vest-politidistrikt"]["serves"] == ["askoy", "bergen"]
    assert partners["bergen-kommune"]["municipality"] == "bergen"
    assert partners["vest-politidistrikt"]["html_url"] == (
        "http://testserver/aktorer/vest-politidistrikt/"
    )
    assert sorted(in_askoy) == [askoy["unit"].slug, "vest-politidistrikt"]
    assert "vest-politidistrikt" in in_bergen and "bergen-kommune" in in_bergen
    assert askoy["unit"].slug not in in_bergen
    assert len(in_bergen) == len(set(in_bergen))


# --- Same results as the pages -----------------------------------------------------


FILTERS = [
    {},
    {"phase": "in_progress"},
    {"health": "at_risk"},
    {"health": "none"},
    {"partner": "vest-politidistrikt"},
    {"district": "arstad"},
    {"category": "other"},
    {"q": "nummer 1"},
    {"sort": "-progress"},
    {"sort": "title", "district": "asane"},
]


@pytest.mark.parametrize("params", FILTERS, ids=str)
def test_measures_of_a_plan_are_those_its_page_shows(client, api_world, params):
    api_world.add_measures(30)  # more than one page on the plan page

    api = _slugs(_all(client, "api:measure-list", plan="rusplan-2018", **params))
    page = _page_measures(client, api_world.plan.get_absolute_url(), params)

    assert api == page
    assert api, "the filter should match something"


@pytest.mark.parametrize("params", FILTERS, ids=str)
def test_measure_filters_equal_the_measure_list_page(client, api_world, params):
    MeasureFactory(
        plan=api_world.predecessor, slug="eldre-tiltak", title="Nummer 1 eldre"
    )
    params = {**params, "goal": api_world.goals[1].pk} if params == {} else params

    # The page is Bergen's list: the API's list of Bergen's measures.
    api = _slugs(_all(client, "api:measure-list", municipality="bergen", **params))
    page = _page_measures(
        client, reverse("measures:measure-list", kwargs={"kommune": "bergen"}), params
    )

    assert api == page


@pytest.mark.parametrize(
    ("param", "value", "message"),
    [
        ("plan", "finnes-ikke", "Planen finnes ikke."),
        ("plan", "hemmelig-utkast", "Planen finnes ikke."),
        ("phase", "nesten-ferdig", "Ukjent fase."),
        ("health", "gult", "Ukjent verdi for vurdering."),
        ("partner", "finnes-ikke", "Partneren finnes ikke."),
        ("district", "finnes-ikke", "Bydelen finnes ikke."),
        ("category", "ukjent", "Ukjent kategori."),
        ("sort", "tilfeldig", "Ukjent sortering."),
        ("goal", "999999", "Målet finnes ikke."),
        ("goal", "9223372036854775808", "Målet finnes ikke."),
        ("q", "x" * 201, "Søketeksten kan ha høyst 200 tegn."),
    ],
)
def test_unknown_filter_value_is_a_400_with_the_pages_message(
    client, api_world, param, value, message
):
    response = _get(client, reverse("api:measure-list"), **{param: value})
    page = client.get(
        reverse("measures:measure-list", kwargs={"kommune": "bergen"}), {param: value}
    )

    assert response.status_code == 400
    assert response.json() == {param: [message]}
    # The page reports the same message beside the filter (and leaves it out).
    assert page.context["filter"].errors[param] == [message]


def test_other_lists_reject_unknown_plans_and_measures(client, api_world):
    for name, params in [
        ("api:goal-list", {"plan": "hemmelig-utkast"}),
        ("api:status-update-list", {"plan": "finnes-ikke"}),
        ("api:status-update-list", {"measure": "utkasttiltak"}),
        ("api:status-update-list", {"as_of_after": "31.02.2020"}),
    ]:
        response = _get(client, reverse(name), **params)
        assert response.status_code == 400, (name, params)
        assert set(response.json()) <= {*params, "as_of"}


def test_unknown_parameters_are_ignored_as_on_the_pages(client, api_world):
    plain = _all(client, "api:measure-list")

    assert _all(client, "api:measure-list", utm_source="nyhetsbrev") == plain


# --- Only public data ------------------------------------------------------------


def test_draft_plan_and_everything_in_it_is_never_shown(client, api_world):
    draft_measure = Measure.objects.get(slug="utkasttiltak")
    draft_update = draft_measure.updates.get()
    draft_goal = draft_measure.goals.get()
    for name, lookup in [
        ("api:plan-detail", "hemmelig-utkast"),
        ("api:measure-detail", "utkasttiltak"),
        ("api:goal-detail", draft_goal.pk),
        ("api:status-update-detail", draft_update.pk),
    ]:
        response = _get(client, reverse(name, args=[lookup]))
        assert response.status_code == 404, name
    for name in LISTS.values():
        assert DRAFT_PLAN_TITLE not in str(_all(client, name))
    continuing = _get(
        client, reverse("api:measure-detail", args=[api_world.measures[1].slug])
    )
    assert continuing.json()["continues"] is None


def test_unpublished_updates_are_never_shown(client, api_world):
    hidden = StatusUpdate.objects.exclude(state=StatusUpdate.State.PUBLISHED)
    assert {u.state for u in hidden} == {"draft", "submitted", "returned"}

    for update in hidden:
        response = _get(client, reverse("api:status-update-detail", args=[update.pk]))
        assert response.status_code == 404
    assert SECRET_DRAFT not in str(_all(client, "api:status-update-list"))


def test_no_author_or_reviewer_is_shown_anywhere(client, api_world):
    bodies = [str(_get(client, reverse("api:root")).json())]
    for name in LISTS.values():
        bodies.append(str(_all(client, name)))
    for update in StatusUpdate.objects.filter(state="published"):
        bodies.append(
            _get(client, reverse("api:status-update-detail", args=[update.pk])).text
        )

    for body in bodies:
        assert AUTHOR_NAME not in body
        assert AUTHOR_EMAIL not in body
        assert REVIEW_COMMENT not in body
        assert "author" not in body
        assert "reviewer" not in body


def test_a_logged_in_user_sees_exactly_what_anonymous_sees(
    client, api_world, superuser
):
    anonymous = [_all(client, name) for name in LISTS.values()]
    client.force_login(superuser)

    assert [_all(client, name) for name in LISTS.values()] == anonymous


# --- Pagination --------------------------------------------------------------------


def test_pages_of_fifty_by_default_and_page_size_up_to_two_hundred(client, db):
    municipality = bergen()
    District.objects.bulk_create(
        District(municipality=municipality, name=f"Bydel {i:03}", slug=f"bydel-{i:03}")
        for i in range(205)
    )
    url = reverse("api:district-list")

    default = _get(client, url).json()
    small = _get(client, url, page_size=2, page=3).json()
    largest = _get(client, url, page_size=10_000).json()
    last = _get(client, url, page_size=200, page=2).json()

    assert default["count"] == 205
    assert len(default["results"]) == 50
    assert _slugs(small["results"]) == ["bydel-004", "bydel-005"]
    assert "page=4" in small["next"] and "page=2" in small["previous"]
    assert len(largest["results"]) == 200
    assert "page=2" in largest["next"]
    assert len(last["results"]) == 5
    assert last["next"] is None


@pytest.mark.parametrize("page", ["0", "-1", "en", "1.5", " 2", "99999999999"])
def test_a_page_number_that_is_not_a_whole_number_from_one_is_a_400(
    client, api_world, page
):
    response = _get(client, reverse("api:measure-list"), page=page)

    assert response.status_code == 400
    assert response.json() == {"page": ["Sidenummeret må være et helt tall fra 1."]}


@pytest.mark.parametrize("size", ["0", "-5", "alle", ""])
def test_a_page_size_that_is_not_a_whole_number_from_one_is_a_400(
    client, api_world, size
):
    response = _get(client, reverse("api:measure-list"), page_size=size)

    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_after_the_last_is_a_404_that_names_the_last(client, api_world):
    response = _get(client, reverse("api:measure-list"), page=3, page_size=2)

    assert response.status_code == 404
    assert response.json() == {"detail": "Siden finnes ikke. Siste side er 2."}


def test_an_empty_result_is_one_empty_page(client, api_world):
    response = _get(client, reverse("api:measure-list"), q="finnes-ikke-noe-sted")

    assert response.status_code == 200
    assert response.json() == {
        "count": 0,
        "next": None,
        "previous": None,
        "results": [],
    }


# --- Throttling, methods, headers ----------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after(client, api_world, settings):
    settings.RUSPLAN_API_ANON_RATE = "3/min"
    url = reverse("api:plan-list")

    statuses = [client.get(url).status_code for _ in range(3)]
    throttled = client.get(url)
    other_address = client.get(url, REMOTE_ADDR="192.0.2.7")

    assert statuses == [200, 200, 200]
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/json"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "detail" in throttled.json()
    assert other_address.status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(
    client, api_world, settings
):
    settings.RUSPLAN_API_ANON_RATE = "2/min"
    url = reverse("api:district-list")
    client.get(url)
    client.get(url)

    response = client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert response.status_code == 429


def test_logged_in_users_are_throttled_too(client, api_world, settings, superuser):
    settings.RUSPLAN_API_ANON_RATE = "1/min"
    client.force_login(superuser)
    url = reverse("api:district-list")

    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def _counts() -> tuple:
    return (
        Plan.objects.count(),
        Measure.objects.count(),
        StatusUpdate.objects.count(),
        District.objects.count(),
        list(Plan.objects.values_list("title", flat=True)),
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_write_methods_are_405_and_change_nothing(client, api_world, superuser, method):
    client.force_login(superuser)  # even staff: the API never writes
    before = _counts()
    urls = [reverse(name) for name in LISTS.values()] + [
        reverse("api:plan-detail", args=["rusplan-2018"]),
        reverse("api:measure-detail", args=[api_world.measures[0].slug]),
        reverse("api:root"),
        reverse("api:schema"),
    ]

    for url in urls:
        response = getattr(client, method)(
            url, {"title": "Endret"}, content_type="application/json"
        )
        assert response.status_code == 405, url
        assert "GET" in response["Allow"]
        assert method.upper() not in response["Allow"]
    assert _counts() == before


def test_api_answers_json_even_when_a_browser_asks_for_html(client, api_world):
    response = client.get(
        reverse("api:plan-list"),
        HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8",
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_api_sends_the_strict_csp_sets_no_cookie_and_allows_any_origin(
    client, api_world
):
    response = client.get(reverse("api:measure-list"))

    assert_strict_csp(response)
    assert response.cookies == {}
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Query counts ------------------------------------------------------------------

# Exact counts per list, at the small world and again after ten times as many
# measures and updates (and another municipality's): the numbers must not move.
# Measures: count, page, partner roles with partners, their former names,
# districts, goals. Every list but the districts' and municipalities' reads its
# objects' citations in one query more; plans read the municipalities they are
# shared with, partners those they serve.
QUERY_COUNTS = {
    "api:municipality-list": 2,
    "api:plan-list": 6,
    "api:goal-list": 3,
    "api:measure-list": 8,  # a page's keys first, then its rows (paging.py)
    "api:partner-list": 5,
    "api:district-list": 2,
    "api:status-update-list": 3,
    "api:indicator-list": 3,
    "api:indicator-value-list": 3,
    "api:budget-line-list": 3,
}
FILTERED = {
    "api:measure-list": {
        "municipality": "bergen",
        "plan": "rusplan-2018",
        "partner": "vest-politidistrikt",
        "district": "arstad",
        "goal": "GOAL",
        "phase": "in_progress",
        "q": "tiltak",
    },
    "api:status-update-list": {
        "municipality": "bergen",
        "plan": "rusplan-2018",
        "measure": "tiltak-1",
    },
    "api:goal-list": {"municipality": "bergen", "plan": "rusplan-2018"},
    "api:indicator-list": {
        "municipality": "bergen",
        "plan": "rusplan-2018",
        "goal": "GOAL",
    },
    "api:indicator-value-list": {
        "municipality": "bergen",
        "plan": "rusplan-2018",
        "year_min": "2019",
    },
    "api:budget-line-list": {
        "municipality": "bergen",
        "plan": "rusplan-2018",
        "year_min": "2019",
    },
    "api:plan-list": {"municipality": "bergen"},
    "api:partner-list": {"municipality": "bergen"},
    "api:district-list": {"municipality": "bergen"},
}
# The filters' own look-ups come on top (the municipality, plan, partner,
# district and goal).
FILTERED_QUERY_COUNTS = {
    "api:measure-list": 14,
    "api:status-update-list": 6,
    "api:goal-list": 5,
    "api:indicator-list": 6,
    "api:indicator-value-list": 5,
    "api:budget-line-list": 5,
    "api:plan-list": 7,
    "api:partner-list": 6,
    "api:district-list": 3,
}


def _grow(world: PublicWorld) -> None:
    """Ten times the measures and updates, ten more of every other object, and
    another municipality with a plan, a measure and a district of its own."""
    other = MunicipalityFactory()
    other_plan = PlanFactory(
        municipality=other, owner=PartnerFactory(municipality=other)
    )
    MeasureFactory(plan=other_plan, slug="tiltak-1")
    DistrictFactory(municipality=other, slug="arstad")
    Partner.objects.get(slug="vest-politidistrikt").serves.add(other)
    world.add_measures(27, updates=2)
    world.add_updates(world.measures[0], 18)
    add_indicators_and_budgets(world, count=10)
    for i in range(10):
        partner = PartnerFactory()
        PartnerNameFactory(partner=partner)
        PartnerNameFactory(partner=partner)
        DistrictFactory()
        plan = PlanFactory(owner=partner, predecessor=world.plan)
        GoalFactory(plan=plan)
        GoalFactory(plan=world.plan, parent=world.goals[i % 4])
        MeasureFactory(plan=plan, lead=partner, slug=f"annet-tiltak-{i}")


@pytest.mark.parametrize("name", sorted(QUERY_COUNTS))
def test_query_count_is_constant_as_data_grows(
    client, db, django_assert_num_queries, name
):
    world = build_public_world(measures=3, updates=2)
    add_indicators_and_budgets(world)
    url = reverse(name)
    params = {"page_size": 200}
    with django_assert_num_queries(QUERY_COUNTS[name]):
        small = client.get(url, params)

    _grow(world)
    with django_assert_num_queries(QUERY_COUNTS[name]):
        large = client.get(url, params)
    assert small.status_code == large.status_code == 200
    # _grow adds one municipality, and ten or more of everything else.
    growth = 1 if name == "api:municipality-list" else 10
    assert large.json()["count"] >= small.json()["count"] + growth


@pytest.mark.parametrize("name", sorted(FILTERED))
def test_filtered_query_count_is_constant_as_data_grows(
    client, db, django_assert_num_queries, name
):
    world = build_public_world(measures=3, updates=2)
    add_indicators_and_budgets(world)
    # Vest politidistrikt serves Bergen: Bergen's partners include one with
    # former names from the start.
    Partner.objects.get(slug="vest-politidistrikt").serves.add(bergen())
    params = {
        key: (world.goals[0].pk if value == "GOAL" else value)
        for key, value in FILTERED[name].items()
    }
    with django_assert_num_queries(FILTERED_QUERY_COUNTS[name]):
        small = client.get(reverse(name), params)

    _grow(world)
    with django_assert_num_queries(FILTERED_QUERY_COUNTS[name]):
        large = client.get(reverse(name), params)
    assert small.status_code == large.status_code == 200
    assert large.json()["count"] > small.json()["count"]


# --- Schema and documentation -------------------------------------------------------


def _schema(client) -> dict:
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    return response.json()


def test_schema_is_openapi_3_with_licence_and_every_endpoint(client, db):
    schema = _schema(client)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["license"] == {"name": "NLOD 2.0", "url": LICENCE_URL}
    paths = set(schema["paths"])
    for name in LISTS.values():
        assert reverse(name) in paths
    for method_map in schema["paths"].values():
        assert set(method_map) == {"get"}
        assert "429" in method_map["get"]["responses"]


def test_schema_is_yaml_by_default(client, db):
    response = client.get(reverse("api:schema"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert response.content.startswith(b"openapi: 3.")


def test_docs_page_describes_every_endpoint_without_inline_code(client, db):
    schema = _schema(client)

    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    assert_strict_csp(response)
    assert inline_code(response) == []
    assert "<script" not in response.text
    html = response.text
    for path in schema["paths"]:
        assert f"GET {path}" in html
    for text in ("NLOD", "page_size", "Retry-After", "html_url", "suppressed"):
        assert text in html
    # Headings in order: one h1, then h2 and h3 only.
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_date_fields_are_iso_8601(client, api_world):
    update = _all(client, "api:status-update-list")[0]

    datetime.date.fromisoformat(update["as_of"])
    datetime.datetime.fromisoformat(update["published_at"])
