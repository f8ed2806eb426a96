"""The public pages: content, 404s, drafts hidden, constant query counts."""

import pytest
from django.urls import reverse

from measures.models import Citation, Plan, Source, StatusUpdate
from tests.factories import (
    DistrictFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    StatusUpdateFactory,
)
from tests.support.worlds import SECRET_DRAFT, PublicWorld, build_public_world


def public_urls(world: PublicWorld) -> dict[str, str]:
    measure = world.measures[0]
    # Every page of the plans' municipality (Bergen) is under its slug, /bergen/.
    kommune = world.plan.municipality.slug
    plan_kwargs = {"kommune": kommune, "slug": world.plan.slug}
    measure_list = reverse("measures:measure-list", kwargs={"kommune": kommune})
    return {
        "home": reverse("municipality-home", kwargs={"kommune": kommune}),
        "plan": world.plan.get_absolute_url(),
        "plan-filtered": world.plan.get_absolute_url()
        + f"?phase=in_progress&health=at_risk&partner=vest-politidistrikt"
        f"&district=arstad&goal={world.goals[0].pk}&category=other&q=tiltak"
        "&sort=-progress&page=1",
        "measure-list": measure_list,
        "measure-list-filtered": measure_list
        + f"?plan=rusplan-2018&phase=in_progress&partner=vest-politidistrikt"
        f"&district=arstad&goal={world.goals[1].pk}&q=nummer&sort=title",
        "measure": measure.get_absolute_url(),
        # The partner's measures in this municipality's plans, and (its
        # get_absolute_url) in every municipality's.
        "partner": reverse(
            "measures:partner-detail",
            kwargs={"kommune": kommune, "slug": world.partners[0].slug},
        ),
        "partner-national": world.partners[0].get_absolute_url(),
        "district": world.districts[0].get_absolute_url(),
        "accessibility": reverse("accessibility"),
        "sources": reverse("measures:source-list", kwargs={"kommune": kommune}),
        "plan-sources": reverse("measures:plan-sources", kwargs=plan_kwargs),
        "plan-indicators": reverse("measures:plan-indicators", kwargs=plan_kwargs),
    }


PAGE_CONTENT = {
    "home": ["Plan for rusfeltet 2018–2022", "Siste statusoppdateringer"],
    "plan": ["Trygg by for alle", "Mål A1", "Tiltak nummer 1", "Fremdrift over tid"],
    "plan-filtered": ["Tiltakene i planen", "Tiltak nummer 1"],
    "measure-list": ["Tiltak nummer 2", "Rusplan 2018"],
    "measure-list-filtered": ["Tiltak nummer 1"],
    "measure": ["Tiltak nummer 1", "Beskrivelse av tiltak 1.", "Publisert status 1"],
    "partner": ["Vest politidistrikt", "Tiltak nummer 1", "Ansvarlig"],
    "partner-national": ["Vest politidistrikt", "Tiltak nummer 1", "Ansvarlig"],
    "district": ["Årstad", "Tiltak nummer 1"],
    "accessibility": ["Tilgjengelighetserklæring", "uutilsynet.no"],
}


@pytest.mark.parametrize("name", sorted(PAGE_CONTENT))
def test_public_page_shows_real_content(client, public_world, name):
    response = client.get(public_urls(public_world)[name])

    assert response.status_code == 200
    for text in PAGE_CONTENT[name]:
        assert text in response.text, f"{name} lacks {text!r}"


@pytest.mark.parametrize("name", sorted(PAGE_CONTENT))
def test_every_page_has_landmarks_skip_link_switcher_and_statement_link(
    client, public_world, name
):
    html = client.get(public_urls(public_world)[name]).text

    assert html.index('href="#main"') < html.index("<header")
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'class="language-switcher' in html
    assert f'href="{reverse("accessibility")}"' in html


@pytest.mark.parametrize("name", sorted(PAGE_CONTENT))
def test_pages_have_no_inline_styles_or_scripts(client, public_world, name):
    html = client.get(public_urls(public_world)[name]).text

    assert " style=" not in html
    assert "<style" not in html
    assert "<script" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/bergen/planer/finnes-ikke/",
        "/bergen/tiltak/finnes-ikke/",
        "/bergen/partnere/finnes-ikke/",
        "/bergen/bydeler/finnes-ikke/",
        "/aktorer/finnes-ikke/",
        # A municipality that does not exist.
        "/finnes-ikke/",
        "/finnes-ikke/tiltak/",
    ],
)
def test_unknown_slug_gives_404_in_site_design(client, public_world, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Fant ikke siden" in response.text
    assert 'href="#main"' in response.text
    assert 'class="language-switcher' in response.text


def test_draft_plan_and_its_measures_are_not_public(client, public_world):
    draft = PlanFactory(
        title="Hemmelig utkast", slug="utkast", status=Plan.Status.DRAFT
    )
    measure = MeasureFactory(
        plan=draft,
        title="Utkasttiltak",
        slug="utkasttiltak",
        lead=public_world.partners[0],
    )
    measure.districts.add(public_world.districts[0])

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(measure.get_absolute_url()).status_code == 404
    for name in ("home", "measure-list", "partner", "partner-national", "district"):
        html = client.get(public_urls(public_world)[name]).text
        assert "Hemmelig utkast" not in html
        assert "Utkasttiltak" not in html
    measure_list = public_urls(public_world)["measure-list"]
    assert client.get(measure_list, {"plan": "utkast"}).context["filter"].errors


@pytest.mark.parametrize("name", sorted(PAGE_CONTENT))
def test_unpublished_updates_are_never_shown(client, public_world, name):
    StatusUpdateFactory(
        measure=public_world.measures[0],
        summary=SECRET_DRAFT,
        state=StatusUpdate.State.RETURNED,
        review_comment="Rett opp",
    )

    assert SECRET_DRAFT not in client.get(public_urls(public_world)[name]).text


# Exact query counts. Each page is asserted at the small size and again after ten
# times as many measures and updates: the numbers must not move.
# plan, measure and partner include the indicator and budget sections (two, two
# and one queries with no indicators; tests/measures/public/test_indicator_pages.py);
# partner also its measures not reported this period (two queries: the measures
# that take reports, then their reports) and its plans (one query, apart from the
# roles), and it loads only its table page's roles (one query more). plan's progress
# over time takes two queries (the first and last update, then each measure's status
# at each year-end); the measure list finds a page by sorting keys, then loads its
# rows (paging.py). plan's district comparison counts every district's measures by
# phase in one query (selectors/districts.py). plan's filter offers the partners,
# districts and goals the page has loaded for its lists and goal tree (no query
# of their own).
# plan, measure and partner read their citations in one query each
# (measures/citations.py); the source pages list sources in one query (two for the
# paged list, which counts them, after reading the ids of the municipality's
# public plans: selectors/citations.py public_sources()). The summaries at the
# top of plan, partner and district read the newest published updates in one
# query, and plan its changes
# since the last reporting period in one more (measures/selectors/changes.py).
# plan-indicators reads the plan, its indicators (one query when there are none;
# tests/measures/public/test_indicator_pages.py counts them with indicators) and
# its citations.
# Every page of a municipality (all but accessibility and partner-national) reads
# the municipality of its address first: one query more (measures/municipal.py).
# partner, the partner's page in one municipality, also asks whether the partner
# has a part there (selectors/partners.py partner_page: whether it serves the
# municipality, then whether it has a role in its plans; two queries for a
# regional partner that is not the municipality's own); partner-national, the
# partner across every municipality, counts as the partner page did before. home,
# a municipality's front page, reads the ids of the municipality's plans for its
# latest updates and for its partners (selectors/public.py public_plan_ids_of()).
# district rolls up a small row per measure, reads the plans of those rows, then
# loads only the table's page of measures whole (selectors/districts.py).
QUERY_COUNTS = {
    "home": 7 + 1,
    # plan reads its districts and their phases in one query (the comparison),
    # and its progress over time from the rows of its roll-up (no query). Its
    # table's lead partners are among the plan's partners (not read again), and
    # unfiltered the table counts its measures from the roll-up (no count).
    "plan": 16 + 1,
    "plan-filtered": 21 + 1,
    "plan-indicators": 3 + 1,
    "measure-list": 10 + 1,
    "measure-list-filtered": 15 + 1,
    "measure": 10 + 1,
    "partner": 11 + 1 + 2,
    # + 1: whether the partner is a municipality's own (then its page is there).
    "partner-national": 11 + 1,
    "district": 7 + 1,
    # The municipalities' own feedback addresses.
    "accessibility": 1,
    "sources": 3 + 1,
    "plan-sources": 3 + 1,
}


def _cite_everything(world) -> None:
    """Every measure and published update of the world cites a source of its own
    measure's, so the pages have more citations as the world grows."""
    for measure in world.measures:
        source, _ = Source.objects.get_or_create(
            url=f"https://example.org/kilde/{measure.slug}",
            defaults={
                "publisher": "Bergen kommune",
                "title": f"Om {measure.title}",
                "kind": Source.Kind.MUNICIPAL_PAGE,
            },
        )
        Citation.objects.get_or_create(source=source, measure=measure)
        for update in measure.updates.filter(state=StatusUpdate.State.PUBLISHED):
            Citation.objects.get_or_create(source=source, status_update=update)


# What each page shows only once the world has grown to 30 measures, 20 updates on
# the first. The accessibility statement shows no data; plan-indicators has none
# here (tests/measures/public/test_indicator_pages.py grows its indicators).
SHOWS_GROWN = {
    "home": ["30 tiltak", "Publisert status 17 for Tiltak nummer 1"],
    "plan": ["Tiltak nummer 30"],
    "plan-filtered": ["Tiltak nummer 30"],
    "measure-list": ["30 tiltak", "Tiltak nummer 30"],
    "measure-list-filtered": ["10 tiltak", "Tiltak nummer 27"],
    "measure": ["Publisert status 17 for Tiltak nummer 1"],
    "partner": ["Tiltak nummer 30"],
    "partner-national": ["Tiltak nummer 30"],
    "district": ["15 tiltak", "Tiltak nummer 29"],
    "accessibility": [],
    "sources": ["Om Tiltak nummer 30"],
    "plan-sources": ["Om Tiltak nummer 30"],
    "plan-indicators": [],
}


@pytest.mark.parametrize("name", sorted(QUERY_COUNTS))
def test_query_count_is_constant_as_data_grows(
    client, db, django_assert_num_queries, name
):
    world = build_public_world(measures=3, updates=2)
    _cite_everything(world)
    url = public_urls(world)[name]
    with django_assert_num_queries(QUERY_COUNTS[name]):
        assert client.get(url).status_code == 200

    world.add_measures(27, updates=2)
    world.add_updates(world.measures[0], 18)
    _cite_everything(world)
    with django_assert_num_queries(QUERY_COUNTS[name]):
        response = client.get(url)
    assert response.status_code == 200
    # The page shows the data that was added, not a page that left it out.
    for text in SHOWS_GROWN[name]:
        assert text in response.text, text


def test_every_plan_is_reachable_from_home(client, public_world):
    html = client.get(public_urls(public_world)["home"]).text

    for plan in Plan.objects.exclude(status=Plan.Status.DRAFT):
        assert plan.get_absolute_url() in html


def test_plan_page_links_every_goal_measure_partner_and_district(client, public_world):
    public_world.add_measures(30)  # more than one page of the table
    html = client.get(public_world.plan.get_absolute_url()).text

    for goal in public_world.goals:
        assert f'id="mal-{goal.slug}"' in html
    for measure in public_world.measures:
        assert f'href="http://testserver{measure.get_absolute_url()}"' in html
    # A partner's link on a municipality's page is its page in that municipality.
    kommune = public_world.plan.municipality.slug
    for partner in public_world.partners:
        assert (
            reverse(
                "measures:partner-detail",
                kwargs={"kommune": kommune, "slug": partner.slug},
            )
            in html
        )
    for district in public_world.districts:
        assert district.get_absolute_url() in html
    assert public_world.predecessor.get_absolute_url() in html


@pytest.mark.django_db
def test_plan_page_lists_its_districts_in_norwegian_order_with_their_counts(client):
    plan = PlanFactory()
    aarstad = DistrictFactory(name="Årstad", slug="arstad")
    arna = DistrictFactory(name="Arna", slug="arna")
    bergenhus = DistrictFactory(name="Bergenhus", slug="bergenhus")
    DistrictFactory(name="Fana", slug="fana")  # no measure of the plan
    MeasureFactory(plan=plan).districts.add(aarstad, arna)
    MeasureFactory(plan=plan).districts.add(aarstad)
    MeasureFactory(plan=plan).districts.add(bergenhus)
    MeasureFactory(plan=plan)  # city-wide: in no district's count

    html = client.get(plan.get_absolute_url()).text
    section = html[html.index('id="bydeler"') : html.index('id="partnere"')]
    listed = section[: section.index("</ul>")]

    # Å after Z, as in Norwegian (a database's collation may sort it by A).
    expected = [(arna, 1), (bergenhus, 1), (aarstad, 2)]
    items = [
        f'<a href="http://testserver{district.get_absolute_url()}">{district.name}</a>'
        f" – {count} tiltak"
        for district, count in expected
    ]
    assert all(item in listed for item in items)
    assert [listed.index(item) for item in items] == sorted(
        listed.index(item) for item in items
    )
    assert "Fana" not in section
    # The comparison's table links each district too (its districts are the list's).
    for district, _count in expected:
        link = f'<a href="http://testserver{district.get_absolute_url()}">'
        assert section.count(link) == 2


def test_plan_page_lists_measures_without_a_goal(client, public_world):
    orphan = MeasureFactory(
        plan=public_world.plan, title="Tiltak uten mål", slug="uten"
    )

    html = client.get(public_world.plan.get_absolute_url()).text

    assert "Tiltak som ikke er knyttet til et mål" in html
    assert orphan.get_absolute_url() in html


def test_pages_show_partner_name_in_force_at_plan_time(client, public_world):
    old = MeasureFactory(
        plan=public_world.predecessor,
        title="Trygge byrom",
        slug="trygge-byrom",
        lead=public_world.partners[0],
    )

    measure_html = client.get(old.get_absolute_url()).text
    partner_html = client.get(public_world.partners[0].get_absolute_url()).text
    plan_html = client.get(public_world.predecessor.get_absolute_url()).text

    assert "Hordaland politidistrikt" in measure_html
    assert "nå Vest politidistrikt" in measure_html
    assert "I denne planen het partneren Hordaland politidistrikt" in partner_html
    assert "Hordaland politidistrikt" in plan_html
    # The 2018 plan is after the renaming: only the current name.
    current_html = client.get(public_world.measures[0].get_absolute_url()).text
    assert "Hordaland politidistrikt" not in current_html


def test_measure_page_shows_lineage_both_ways(client, public_world):
    old = MeasureFactory(
        plan=public_world.predecessor, title="Gammelt tiltak", slug="gammelt-tiltak"
    )
    new = public_world.measures[0]
    new.continues = old
    new.save()

    old_html = client.get(old.get_absolute_url()).text
    new_html = client.get(new.get_absolute_url()).text

    assert "Videreført i" in old_html
    assert new.get_absolute_url() in old_html
    assert "Videreført fra" in new_html
    assert old.get_absolute_url() in new_html


def test_measure_timeline_shows_published_updates_with_sources(client, public_world):
    html = client.get(public_world.measures[0].get_absolute_url()).text

    assert html.count('class="timeline-item"') == 2
    assert 'href="https://example.invalid/kilde"' in html
    assert "Kilde for testen" in html
    assert "01.06.2018" in html


def test_plan_page_shows_adoption_source_and_successor(client, public_world):
    plan_html = client.get(public_world.plan.get_absolute_url()).text
    old_html = client.get(public_world.predecessor.get_absolute_url()).text

    assert "22.11.2017" in plan_html
    assert "Bystyret" in plan_html
    assert 'href="https://example.invalid/plan"' in plan_html
    assert "Videreført i" in old_html
    assert public_world.plan.get_absolute_url() in old_html


def test_progress_figure_on_plan_page_matches_database(client, public_world):
    measures = list(public_world.plan.measures.exclude(current_progress=None))
    total_weight = sum(m.weight for m in measures)
    expected = round(
        sum(m.weight * m.current_progress for m in measures) / total_weight
    )

    html = client.get(public_world.plan.get_absolute_url()).text

    assert f'<span class="rollup-percent">{expected}&nbsp;%</span>' in html
    assert f"vurdert for {len(measures)} av {len(public_world.measures)} tiltak" in html


def test_charts_have_text_alternatives_and_tables(client, public_world):
    html = client.get(public_world.plan.get_absolute_url()).text

    # Phase, traffic light and progress over time, then one bar per district,
    # each named by its title (district, phase counts).
    district_bars = html.count('<li class="district-bar">')
    assert district_bars >= 1
    assert html.count('role="img"') == 3 + district_bars
    assert html.count("<desc id=") == 3
    assert html.count('-title">') >= 3 + district_bars
    assert "<caption>Tiltak etter fase</caption>" in html
    assert "Fremdrift og fase over tid" in html
    assert "Tiltak per bydel etter fase" in html


def test_district_page_without_measures_explains_itself(client, public_world):
    empty = DistrictFactory(name="Arna", slug="arna")

    response = client.get(empty.get_absolute_url())

    assert response.status_code == 200
    assert "Ingen tiltak i publiserte planer" in response.text


def test_partner_lists_units_and_parent(client, public_world):
    # A unit of a regional partner is regional too: both pages are national.
    unit = PartnerFactory(
        name="Underenhet",
        slug="underenhet",
        parent=public_world.partners[0],
        kind=public_world.partners[0].kind,
    )

    parent_html = client.get(public_world.partners[0].get_absolute_url()).text
    unit_html = client.get(unit.get_absolute_url()).text

    assert unit.get_absolute_url() in parent_html
    assert public_world.partners[0].get_absolute_url() in unit_html


def test_goal_anchor_links_from_measure_point_into_plan_page(client, public_world):
    measure = public_world.measures[0]
    goal = measure.goals.get()

    html = client.get(measure.get_absolute_url()).text

    assert f"{public_world.plan.get_absolute_url()}#mal-{goal.slug}" in html
