"""The addresses from before municipalities (issue 15 item 2, decision 55): council
documents cite /planer/<plan>/, /tiltak/<measure>/ ..., and every one of them
answers 301 to the same page under /bergen/, forever, with its query string."""

import pytest
from django.urls import URLPattern, reverse

from measures import urls as measures_urls
from measures.models import District, Measure, Plan
from measures.old_addresses import OLD_FIRST_SEGMENTS
from measures.selectors.partners import partners_with_measures
from measures.selectors.public import public_measures, public_plans
from partners.models import Partner
from partners.reserved import reserved_first_segments

PLAN = "plan-for-rusfeltet-2018-2022"

# Every page of a municipality and the object kind its <slug> names.
SLUG_KINDS = {
    "plan": Plan,
    "measure": Measure,
    "partner": Partner,
    "district": District,
}


def _kind_of(name: str):
    for prefix in ("plan", "measure", "partner", "district"):
        if name.startswith(prefix):
            return SLUG_KINDS[prefix]
    return None


def municipal_routes() -> list[URLPattern]:
    return [
        pattern
        for pattern in measures_urls.municipal_patterns
        if isinstance(pattern, URLPattern)
    ]


def new_and_old(pattern: URLPattern, objects: dict) -> tuple[str, str]:
    kwargs = {"kommune": "bergen"}
    if "<slug:slug>" in str(pattern.pattern):
        kwargs["slug"] = objects[_kind_of(pattern.name)].slug
    new = reverse(f"measures:{pattern.name}", kwargs=kwargs)
    assert new.startswith("/bergen/")
    return new, new.removeprefix("/bergen")


@pytest.fixture
def shipped(bergen_plans):
    """One object of each kind from Bergen's shipped plans."""
    return {
        Plan: Plan.objects.get(slug=PLAN),
        Measure: Measure.objects.filter(plan__slug=PLAN).first(),
        Partner: Partner.objects.get(slug="bergen-kommune"),
        District: District.objects.get(slug="arstad"),
    }


def test_every_page_of_a_municipality_had_an_old_address_that_is_kept():
    """A page added under /<kommune>/ whose first word is new had no old
    address; every first word that had one is kept for the redirect and
    reserved for municipalities' slugs."""
    first_words = {str(p.pattern).split("/")[0] for p in municipal_routes()}
    assert first_words <= set(OLD_FIRST_SEGMENTS)
    assert set(OLD_FIRST_SEGMENTS) <= reserved_first_segments()


@pytest.mark.django_db
def test_every_old_address_answers_301_to_the_same_page_in_bergen(client, shipped):
    walked = []
    for pattern in municipal_routes():
        if pattern.name == "measure-update":
            continue  # a form for logged-in caseworkers: tested below
        new, old = new_and_old(pattern, shipped)
        old_response = client.get(old)
        assert old_response.status_code == 301, old
        assert old_response["Location"] == new, old
        new_response = client.get(new)
        assert new_response.status_code == 200, new
        walked.append(pattern.name)
    # The walk covered the pages council documents cite.
    assert {"plan-detail", "plan-report", "plan-report-pdf", "measure-detail"} <= set(
        walked
    )
    assert {"partner-detail", "district-detail", "measure-list", "source-list"} <= set(
        walked
    )


@pytest.mark.django_db
def test_every_shipped_plan_measure_partner_and_district_keeps_its_address(
    client, bergen_plans
):
    """Every public object of Bergen's shipped data, at its old address."""
    objects = [
        *public_plans(),
        *public_measures(),
        *partners_with_measures(),
        *District.objects.all(),
    ]
    assert len(objects) > 50
    for obj in objects:
        if isinstance(obj, Partner):
            new = reverse(
                "measures:partner-detail",
                kwargs={"kommune": "bergen", "slug": obj.slug},
            )
        else:
            new = obj.get_absolute_url()
        old = new.removeprefix("/bergen")
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
        assert client.get(new).status_code == 200, new


@pytest.mark.django_db
def test_the_query_string_is_kept(client, shipped):
    plan = shipped[Plan]
    old = f"/planer/{plan.slug}/rapport/?per=2020-06-30&grunnlag=publisert"

    response = client.get(old)

    assert response.status_code == 301
    assert response["Location"] == (
        f"/bergen/planer/{plan.slug}/rapport/?per=2020-06-30&grunnlag=publisert"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nn", "en"])
def test_an_old_address_under_a_language_prefix_keeps_the_prefix(
    client, shipped, language
):
    plan = shipped[Plan]
    old = f"/{language}/planer/{plan.slug}/rapport/?per=2020-06-30"

    response = client.get(old)

    new = f"/{language}/bergen/planer/{plan.slug}/rapport/?per=2020-06-30"
    assert (response.status_code, response["Location"]) == (301, new)
    assert f'<html lang="{language}">' in client.get(new).text


@pytest.mark.django_db
def test_a_caseworkers_bookmark_of_the_update_form_leads_to_it(client, shipped):
    measure = shipped[Measure]

    response = client.get(f"/tiltak/{measure.slug}/oppdater/")

    assert response.status_code == 301
    assert response["Location"] == reverse(
        "measures:measure-update", kwargs={"kommune": "bergen", "slug": measure.slug}
    )


@pytest.mark.django_db
def test_an_old_address_without_its_slash_and_an_unknown_slug(client):
    assert client.get("/tiltak")["Location"] == "/bergen/tiltak"
    assert client.get("/bergen/tiltak").status_code == 301  # APPEND_SLASH
    response = client.get("/planer/finnes-ikke/", follow=True)
    assert response.redirect_chain == [("/bergen/planer/finnes-ikke/", 301)]
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_post_to_an_old_address_changes_nothing_and_says_so(client):
    response = client.post("/tiltak/noe/oppdater/", {"summary": "x"})

    assert response.status_code == 405


@pytest.mark.django_db
def test_the_municipality_of_the_old_addresses_is_a_setting(client, settings):
    settings.RUSPLAN_OLD_ADDRESSES_MUNICIPALITY = "askoy"

    assert client.get("/planer/x/")["Location"] == "/askoy/planer/x/"
