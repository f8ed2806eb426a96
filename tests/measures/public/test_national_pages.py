"""The national pages (issue 15 item 3): the front page lists every municipality
with its current plans and their measures' states, and a search across every
municipality's measures; a constant number of queries at two sizes."""

import re

import pytest

from measures.models import Phase, Plan
from tests.factories import (
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    bergen,
)

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The page's text, tags and repeated spaces gone."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def town(name: str, slug: str, number: str, *, measures: int = 2):
    municipality = (
        bergen()
        if slug == "bergen"
        else MunicipalityFactory(name=name, slug=slug, number=number)
    )
    plan = PlanFactory(
        municipality=municipality,
        owner=PartnerFactory(municipality=municipality),
        title=f"Rusplan for {name}",
        # Slugs of their own: a shared plan may not meet its own slugs.
        slug=f"rusplan-{slug}",
    )
    for n in range(measures):
        MeasureFactory(
            plan=plan, title=f"Lavterskeltilbud {name} {n}", slug=f"{slug}-tiltak-{n}"
        )
    return municipality, plan


def add_towns(first: int, last: int) -> None:
    for n in range(first, last):
        town(f"Kommune {n}", f"kommune-{n}", f"{9500 + n}", measures=3)


def test_the_front_page_lists_each_municipality_with_its_current_plans(client):
    town("Bergen", "bergen", "4601")
    town("Askøy", "askoy", "9627")
    PlanFactory(
        municipality=bergen(), title="Gammel plan", status=Plan.Status.SUPERSEDED
    )

    html = client.get("/").text

    assert html.index("Askøy kommune") < html.index("Bergen kommune")
    assert 'href="http://testserver/askoy/"' in html
    assert "Rusplan for Askøy" in html and "Rusplan for Bergen" in html
    # Current plans only; the superseded one is on Bergen's own page.
    assert "Gammel plan" not in html
    assert "Ingen status registrert: 2" in text_of(html)


def test_each_plan_shows_its_measures_and_their_phases_in_order(client):
    """The phases that have measures, in the phases' order, with no status last;
    the count of all of them beside."""
    _bergen, plan = town("Bergen", "bergen", "4601", measures=1)  # no status
    for n, phase in enumerate(
        [Phase.COMPLETED, Phase.IN_PROGRESS, Phase.IN_PROGRESS, Phase.NOT_STARTED]
    ):
        MeasureFactory(plan=plan, slug=f"fase-{n}", current_phase=phase)

    row = text_of(client.get("/").text)

    assert (
        "Rusplan for Bergen 5 Ikke startet: 1; Pågår: 2; Fullført: 1; "
        "Ingen status registrert: 1"
    ) in row
    english = text_of(client.get("/en/").text)
    assert "Not started: 1; In progress: 2; Completed: 1; No status recorded: 1" in (
        english
    )


def test_a_plan_shared_by_two_municipalities_is_listed_under_both(client):
    _bergen, plan = town("Bergen", "bergen", "4601")
    askoy, _own = town("Askøy", "askoy", "9627")
    plan.shared_with.add(askoy)

    html = client.get("/").text
    askoy_section = html[
        html.index('id="kommune-askoy"') : html.index('id="kommune-bergen"')
    ]

    assert "Rusplan for Bergen" in askoy_section
    assert "felles plan med Bergen" in askoy_section


def test_the_front_page_escapes_every_name_and_title(client):
    # The table body is built in Python (rusplan_tags.municipality_plan_rows),
    # not by the template's autoescaping.
    municipality, plan = town('Ås<b>"&', "as", "9601")
    plan.title = "Plan <script>alert('x')</script> & mer"
    plan.save()
    shared = PlanFactory(
        municipality=MunicipalityFactory(name="Ør<i>", slug="or", number="9602"),
        title="Felles",
        slug="felles",
    )
    shared.shared_with.add(municipality)

    html = client.get("/").text

    assert "<script>alert" not in html and "<b>" not in html and "<i>" not in html
    assert "Plan &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; mer" in html
    assert "Ås&lt;b&gt;&quot;&amp; kommune" in html
    assert "felles plan med Ør&lt;i&gt;" in html


def test_the_front_page_uses_constant_queries(client, django_assert_num_queries):
    add_towns(0, 2)
    with django_assert_num_queries(4):
        assert client.get("/").status_code == 200
    add_towns(2, 12)
    with django_assert_num_queries(4):
        assert "Kommune 11" in client.get("/").text


def test_the_search_finds_measures_in_every_municipality(client):
    town("Bergen", "bergen", "4601")
    town("Askøy", "askoy", "9627")

    html = client.get("/sok/", {"q": "lavterskeltilbud"}).text

    assert "Lavterskeltilbud Bergen 0" in html
    assert "Lavterskeltilbud Askøy 0" in html
    assert "Viser 1–4 av 4 tiltak" in text_of(html)


def test_the_search_narrows_to_one_municipality_with_its_shared_plans(client):
    _bergen, bergen_plan = town("Bergen", "bergen", "4601")
    askoy, _plan = town("Askøy", "askoy", "9627")
    town("Fjell", "fjell", "9628")
    bergen_plan.shared_with.add(askoy)

    html = client.get("/sok/", {"kommune": "askoy"}).text

    assert "Lavterskeltilbud Askøy 0" in html
    assert "Lavterskeltilbud Bergen 0" in html  # the shared plan's
    assert "Lavterskeltilbud Fjell" not in html


def test_an_unknown_municipality_in_the_search_says_so(client):
    town("Bergen", "bergen", "4601")

    response = client.get("/sok/", {"kommune": "atlantis"})

    assert "Kommunen finnes ikke." in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_search_uses_constant_queries(client, django_assert_num_queries):
    add_towns(0, 2)
    with django_assert_num_queries(6):
        assert client.get("/sok/", {"q": "lavterskeltilbud"}).status_code == 200
    add_towns(2, 12)
    with django_assert_num_queries(6):
        assert client.get("/sok/", {"q": "lavterskeltilbud"}).status_code == 200


def test_the_search_results_name_each_measures_municipality(client):
    town("Askøy", "askoy", "9627")

    html = client.get("/sok/").text

    assert '<a href="http://testserver/askoy/">Askøy</a>' in html
    assert 'href="http://testserver/askoy/tiltak/askoy-tiltak-0/"' in html


def test_a_municipal_partners_national_address_leads_to_its_municipality(client):
    unit = PartnerFactory(slug="etat-for-rus", municipality=bergen())

    response = client.get("/aktorer/etat-for-rus/")

    assert response.status_code == 301
    assert response["Location"] == "/bergen/partnere/etat-for-rus/"
    assert unit.get_absolute_url() == "/bergen/partnere/etat-for-rus/"


def test_a_partner_with_no_part_in_a_municipality_has_no_page_there(client):
    town("Bergen", "bergen", "4601")
    town("Askøy", "askoy", "9627")
    PartnerFactory(slug="etat-for-rus", municipality=bergen())

    assert client.get("/bergen/partnere/etat-for-rus/").status_code == 200
    assert client.get("/askoy/partnere/etat-for-rus/").status_code == 404


def test_the_national_partner_page_names_each_plans_municipality(client):
    police = PartnerFactory(slug="vest-pd", kind="police_district")
    for name, slug, number in (
        ("Bergen", "bergen", "4601"),
        ("Askøy", "askoy", "9627"),
    ):
        _municipality, plan = town(name, slug, number, measures=0)
        MeasureFactory(plan=plan, lead=police, title=f"Patrulje {name}")

    national = client.get("/aktorer/vest-pd/").text
    in_bergen = client.get("/bergen/partnere/vest-pd/").text

    assert "Patrulje Bergen" in national and "Patrulje Askøy" in national
    assert "(Askøy)" in national
    assert "Patrulje Bergen" in in_bergen and "Patrulje Askøy" not in in_bergen
    assert 'href="/aktorer/vest-pd/"' in in_bergen
