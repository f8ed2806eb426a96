"""Playwright harness: one headless Debian Chromium per session, a fresh context
(cookies, storage, viewport) per test, pages served by pytest-django's live_server.

`playwright install` cannot download browsers here, so we drive the system
Chromium. Without it the browser tests skip, unless the run requires it (CI=true or
RUSPLAN_REQUIRE_BROWSER=1: tests/support/requirements.py), where a missing browser
is an error."""

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


# Every public page the browser tests visit (axe, 320 px, keyboard). Add new public
# pages here; the objects the paths name are created by `site_data`.
PUBLIC_PATHS = [
    "/",
    "/planer/testplan/",
    "/tiltak/",
    "/tiltak/testtiltak/",
    "/partnere/testpartner/",
    "/bydeler/testbydel/",
    "/tilgjengelighet/",
    "/kilder/",
    "/planer/testplan/kilder/",
    "/planer/testplan/indikatorer/",
    "/logg-inn/",
    "/api/docs/",
]


@pytest.fixture(params=PUBLIC_PATHS)
def public_path(request):
    return request.param


@pytest.fixture
def site_data(transactional_db):
    """A small plan with one published update: enough for every public page."""
    from tests.factories import (
        DistrictFactory,
        GoalFactory,
        MeasureFactory,
        PartnerFactory,
        PlanFactory,
        PublishedStatusUpdateFactory,
    )

    partner = PartnerFactory(name="Testetaten", slug="testpartner")
    plan = PlanFactory(title="Testplan for rusfeltet", slug="testplan", owner=partner)
    goal = GoalFactory(plan=plan, title="Trygg by for alle")
    measure = MeasureFactory(
        plan=plan, title="Testtiltak i byrommet", slug="testtiltak", lead=partner
    )
    measure.goals.add(goal)
    measure.districts.add(DistrictFactory(name="Testbydel", slug="testbydel"))
    update = PublishedStatusUpdateFactory(measure=measure)
    from measures.models import Citation, Source

    source = Source.objects.create(
        publisher="Bergen kommune",
        title="Om testtiltaket",
        url="https://www.bergen.kommune.no/testtiltak",
        kind=Source.Kind.MUNICIPAL_PAGE,
    )
    Citation.objects.create(source=source, measure=measure)
    Citation.objects.create(source=source, status_update=update)
    return plan


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run browser tests last. Playwright's sync API keeps an event loop running in
    the main thread from the first browser test until the session ends; tests after
    that would otherwise run inside it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
