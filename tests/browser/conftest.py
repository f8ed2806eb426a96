"""Playwright harness: one headless Debian Chromium per session, a fresh context
(cookies, storage, viewport) per test, pages served by pytest-django's live_server.

`playwright install` cannot download browsers here, so we drive the system
Chromium. Without it the browser tests skip, unless the run requires it (CI=true or
RUSPLAN_REQUIRE_BROWSER=1: tests/support/requirements.py), where a missing browser
is an error."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.support.requirements import need

CHROMIUM = Path(os.environ.get("RUSPLAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no network beyond package registries: without these
    # Chromium keeps trying to reach Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    need(
        "browser",
        CHROMIUM.exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread; Django's ORM then
    # refuses to run unless told that this is deliberate. Set here, not at import,
    # so that it never leaks into the environment of non-browser tests (which run
    # first, and some of which start manage.py subprocesses).
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    monkeypatch.undo()


@pytest.fixture
def context(browser):
    # An English browser, as many Norwegians have: the pages are still in Bokmål
    # until the visitor chooses another language (rusplan/locale.py).
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Pages in fresh contexts (other people, other browsers), closed at the end:
    ``new_page()`` for each person in a test."""
    contexts = []

    def make():
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context, live_server, transactional_db):
    """A blank page in a fresh context; `page.goto(live_server.url + path)`. The live
    server runs in another thread, so the data a test creates must be committed:
    hence transactional_db."""
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def bergen_data(transactional_db):
    """The real Bergen plans, loaded the way `make run` loads them."""
    call_command("load_bergen_plans", verbosity=0)


@pytest.fixture
def askoy_data(bergen_data):
    """A second municipality beside the real Bergen data, for the national pages:
    Askøy with a plan of its own and one shared with Bergen (interkommunal), whose
    measures Vest politidistrikt (a regional partner in the Bergen data) and
    Askøy's own units lead."""
    from measures.services.plans import measure_sync_current_status
    from partners.models import Municipality, Partner
    from tests.factories import (
        SYSTEM,
        MeasureFactory,
        MunicipalityFactory,
        PartnerFactory,
        PlanFactory,
        PublishedStatusUpdateFactory,
    )

    askoy = MunicipalityFactory(
        name="Askøy", number="4627", slug="askoy", county="Vestland"
    )
    owner = PartnerFactory(
        name="Askøy kommune",
        slug="askoy-kommune",
        kind=Partner.Kind.MUNICIPALITY,
        municipality=askoy,
    )
    unit = PartnerFactory(
        name="Tjenesteområde for psykisk helse og rus",
        slug="psykisk-helse-og-rus",
        municipality=askoy,
        parent=owner,
    )
    police = Partner.objects.get(slug="vest-politidistrikt")
    police.serves.add(askoy)
    own = PlanFactory(
        municipality=askoy,
        title="Rusmiddelpolitisk handlingsplan for Askøy kommune 2024–2027",
        short_title="Ruspolitisk handlingsplan",
        slug="rusmiddelpolitisk-handlingsplan",
        start_year=2024,
        end_year=2027,
        owner=owner,
    )
    shared = PlanFactory(
        municipality=askoy,
        title="Interkommunal plan for rusforebygging blant ungdom i Askøy og Bergen",
        slug="interkommunal-rusforebygging",
        start_year=2023,
        end_year=2026,
        owner=owner,
    )
    shared.shared_with.add(Municipality.objects.get(slug="bergen"))
    measure = MeasureFactory(
        plan=own,
        identifier="1.1",
        title="Lavterskeltilbud for personer med rusmiddelproblemer på Kleppestø",
        slug="lavterskeltilbud",
        lead=unit,
    )
    PublishedStatusUpdateFactory(
        measure=measure, as_of=datetime.date(2025, 4, 30), progress=30
    )
    # The lists show the measure's current status, which publishing sets.
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    MeasureFactory(
        plan=own,
        identifier="1.2",
        title="Politiets ruskontroller ved Askøybrua",
        slug="ruskontroller",
        lead=police,
    )
    MeasureFactory(
        plan=shared,
        title="Felles rusforebyggende innsats i ungdomsskolene",
        slug="rusforebyggende-innsats",
        lead=police,
    )
    return askoy


# Every public page the browser tests visit (axe, 320 px, keyboard): (URL name,
# kwargs, query). Add new public pages here; the objects they name are created by
# `site_data`, in Bergen (the factories' default municipality) unless said.
BERGEN = {"kommune": "bergen"}
PUBLIC_PAGES = [
    # The national front page, with two municipalities and their plans.
    ("home", {}, ""),
    # The search across every municipality, with results from both.
    ("measures:national-search", {}, "?q=testtiltak"),
    ("municipality-home", BERGEN, ""),
    ("measures:plan-detail", {**BERGEN, "slug": "testplan"}, ""),
    ("measures:measure-list", BERGEN, ""),
    ("measures:measure-detail", {**BERGEN, "slug": "testtiltak"}, ""),
    ("measures:partner-detail", {**BERGEN, "slug": "testpartner"}, ""),
    # A regional partner: its page in Bergen and its page across municipalities.
    ("measures:partner-detail", {**BERGEN, "slug": "testpoliti"}, ""),
    ("measures:partner-national", {"slug": "testpoliti"}, ""),
    ("measures:district-detail", {**BERGEN, "slug": "testbydel"}, ""),
    ("accessibility", {}, ""),
    ("measures:source-list", BERGEN, ""),
    ("measures:plan-sources", {**BERGEN, "slug": "testplan"}, ""),
    ("measures:plan-indicators", {**BERGEN, "slug": "testplan"}, ""),
    ("login", {}, ""),
    ("api:docs", {}, ""),
]


@pytest.fixture(
    params=PUBLIC_PAGES,
    ids=[
        "-".join([name, *map(str, kwargs.values())]) + query
        for name, kwargs, query in PUBLIC_PAGES
    ],
)
def public_path(request):
    from django.urls import reverse

    name, kwargs, query = request.param
    return reverse(name, kwargs=kwargs) + query


@pytest.fixture
def site_data(transactional_db):
    """A small plan with one published update: enough for every public page. A
    second municipality with a plan of its own, and a police district with a
    measure in each, for the national pages (the front page, the search, a
    regional partner's page across municipalities)."""
    from measures.models import Citation, Source
    from partners.models import Partner
    from tests.factories import (
        DistrictFactory,
        GoalFactory,
        MeasureFactory,
        MunicipalityFactory,
        PartnerFactory,
        PlanFactory,
        PublishedStatusUpdateFactory,
    )

    partner = PartnerFactory(name="Testetaten", slug="testpartner")
    police = PartnerFactory(
        name="Testfjord politidistrikt",
        slug="testpoliti",
        kind=Partner.Kind.POLICE_DISTRICT,
    )
    plan = PlanFactory(title="Testplan for rusfeltet", slug="testplan", owner=partner)
    goal = GoalFactory(plan=plan, title="Trygg by for alle")
    measure = MeasureFactory(
        plan=plan, title="Testtiltak i byrommet", slug="testtiltak", lead=partner
    )
    measure.goals.add(goal)
    measure.districts.add(DistrictFactory(name="Testbydel", slug="testbydel"))
    update = PublishedStatusUpdateFactory(measure=measure)
    source = Source.objects.create(
        publisher="Bergen kommune",
        title="Om testtiltaket",
        url="https://www.bergen.kommune.no/testtiltak",
        kind=Source.Kind.MUNICIPAL_PAGE,
    )
    Citation.objects.create(source=source, measure=measure)
    Citation.objects.create(source=source, status_update=update)

    # Askøy, with its own plan (its own organisation owns it) and a measure the
    # police district leads, as it leads one in Bergen.
    askoy = MunicipalityFactory(
        name="Askøy", number="4627", slug="askoy", county="Vestland"
    )
    askoy_owner = PartnerFactory(
        name="Askøy kommune",
        slug="askoy-kommune",
        kind=Partner.Kind.MUNICIPALITY,
        municipality=askoy,
    )
    askoy_plan = PlanFactory(
        municipality=askoy,
        title="Rusmiddelpolitisk handlingsplan for Askøy",
        slug="testplan",
        owner=askoy_owner,
    )
    MeasureFactory(
        plan=askoy_plan,
        title="Testtiltak for trygge kvelder på Kleppestø",
        slug="testtiltak",
        lead=police,
    )
    police.serves.add(plan.municipality, askoy)
    # In a plan of its own, so that the test plan keeps its one measure.
    MeasureFactory(
        plan=PlanFactory(
            title="Testplan for trygghet i sentrum", slug="trygghetsplan", owner=partner
        ),
        title="Testtiltak med politiet i sentrum",
        slug="testtiltak-politi",
        lead=police,
    )
    return plan


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run browser tests last. Playwright's sync API keeps an event loop running in
    the main thread from the first browser test until the session ends; tests after
    that would otherwise run inside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
