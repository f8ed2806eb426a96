"""Indicator values in a real browser: a caseworker records a value, the coordinator
publishes it, the public measure page shows it; axe-core on the new pages (the form
empty and with errors, the detail page, the review queue with a value in it, the
conflict page), and no sideways scrolling at 320 px."""

import pytest
from django.utils import timezone

from measures.models import IndicatorValue
from measures.services.indicator_values import (
    indicator_value_create,
    indicator_value_edit,
)
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    SYSTEM,
    IndicatorFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-hest-batteri-stift"  # tests/factories.py
LAST_YEAR = timezone.localdate().year - 1
QUEUE_SECTION = "section[aria-labelledby=indicator-queue-heading]"


@pytest.fixture
def output_indicator_world(world):
    """The workflow world with an output indicator of Alice's measure, with a value
    published for the year before last."""
    world.output = IndicatorFactory(
        goal=None,
        measure=world.measure_a,
        title="Brukere i oppfølging",
        slug="brukere",
        unit="personer",
    )
    PublishedIndicatorValueFactory(indicator=world.output, year=LAST_YEAR - 1, value=3)
    return world


def _log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/logg-inn/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert page.url == live_server.url + "/mine-tiltak/", page.url


def _check(page, what: str, scope: str = "main") -> None:
    """axe-core finds nothing, and nothing in `scope` sticks out of a 320 px
    viewport. (The review queue is checked for its indicator section only: the
    status updates' part of it is tests/browser/test_workflow.py's.)"""
    assert_no_axe_violations(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        right = page.evaluate(
            """scope => Math.max(0, ...Array.from(
                   document.querySelectorAll(scope + ', ' + scope + ' *'),
                   e => e.closest('.table-responsive, .chart-scroll') && !e.matches(
                       '.table-responsive, .chart-scroll') ? 0
                       : e.getBoundingClientRect().right))""",
            scope,
        )
    finally:
        page.set_viewport_size(size)
    assert right <= 320, f"{what} is {right} px wide in a 320 px viewport"


def test_caseworker_records_coordinator_publishes_public_page_shows_it(
    output_indicator_world, new_page, live_server
):
    alice = new_page()
    _log_in(alice, live_server, "alice")
    indicators = alice.locator("#indikatorer")
    assert "Brukere i oppfølging" in indicators.inner_text()
    # Alice works for the responsible partner: the exact small number.
    assert "3 personer" in indicators.inner_text()
    _check(alice, "Mine tiltak with indicators")

    with alice.expect_navigation():
        indicators.get_by_role("link", name="Registrer ny verdi").click()
    assert alice.url.endswith("/indikatorer/brukere/ny-verdi/")
    assert alice.locator("h1").inner_text() == "Ny verdi"
    _check(alice, "the empty value form")

    # Bad input: a year that has not ended and a value that is not a number.
    alice.fill("#id_year", str(LAST_YEAR + 2))
    alice.fill("#id_value", "abc")
    with alice.expect_navigation():
        alice.get_by_role("button", name="Send til godkjenning").click()
    assert "Verdien er ikke lagret" in alice.locator("main").inner_text()
    assert alice.locator("#id_value").input_value() == "abc"
    assert "er ikke over ennå" in alice.locator("main").inner_text()
    assert not IndicatorValue.objects.filter(year=LAST_YEAR + 2).exists()
    _check(alice, "the value form with errors")

    alice.fill("#id_year", str(LAST_YEAR))
    alice.fill("#id_value", "27")
    alice.fill("#id_new_source_url", "https://www.bergen.kommune.no/tall")
    alice.fill("#id_new_source_publisher", "Etatens fagsystem")
    alice.fill("#id_new_source_title", "Tall fra fagsystemet")
    alice.select_option("#id_new_source_kind", "statistics")
    with alice.expect_navigation():
        alice.get_by_role("button", name="Send til godkjenning").click()
    assert alice.url == live_server.url + "/mine-tiltak/"
    assert "sendt til godkjenning" in alice.locator("main").inner_text()
    value = IndicatorValue.objects.get(year=LAST_YEAR)
    assert value.state == IndicatorValue.State.SUBMITTED

    olivia = new_page()
    _log_in(olivia, live_server, "olivia")
    olivia.goto(live_server.url + "/gjennomgang/")
    article = olivia.locator(f"article[aria-labelledby='value-{value.pk}-heading']")
    assert "27" in article.inner_text()
    assert "Forrige publiserte verdi" in article.inner_text()
    _check(olivia, "the review queue with an indicator value", QUEUE_SECTION)

    olivia.goto(live_server.url + f"/indikatorverdier/{value.pk}/")
    assert "Historikk" in olivia.locator("main").inner_text()
    _check(olivia, "the value's detail page")

    olivia.goto(live_server.url + "/gjennomgang/")
    with olivia.expect_navigation():
        article.get_by_role("button", name="Publiser").click()
    assert "er publisert" in olivia.locator("main").inner_text()
    value.refresh_from_db()
    assert value.state == IndicatorValue.State.PUBLISHED

    public = new_page()
    public.goto(live_server.url + output_indicator_world.measure_a.get_absolute_url())
    table = public.locator("#indikator-brukere table")
    row = table.locator("tr", has_text=str(LAST_YEAR)).first
    assert "27" in row.inner_text()
    # The value cites its source by number; the page's source list names it.
    number = row.locator("a.cite").inner_text()
    source = public.locator(f"#kilde-{number.strip('[]')}")
    assert "Etatens fagsystem" in source.inner_text()
    assert source.locator("a.source-url").get_attribute("href") == (
        "https://www.bergen.kommune.no/tall"
    )
    # The public keeps "< 5" for the small number Alice saw exactly.
    assert "<\u00a05" in table.inner_text()


def test_returning_without_a_comment_shows_the_error_accessibly(
    output_indicator_world, new_page, live_server
):
    value = IndicatorValue.objects.create(
        indicator=output_indicator_world.output,
        year=LAST_YEAR,
        value=27,
        author=output_indicator_world.alice,
        state=IndicatorValue.State.SUBMITTED,
        submitted_at=timezone.now(),
    )
    olivia = new_page()
    _log_in(olivia, live_server, "olivia")
    olivia.goto(live_server.url + "/gjennomgang/")
    article = olivia.locator(f"article[aria-labelledby='value-{value.pk}-heading']")
    # Only spaces: past the browser's own check of the required field.
    article.locator("textarea").fill("   ")
    with olivia.expect_navigation():
        article.get_by_role("button", name="Returner med kommentar").click()
    assert "Skriv hva som må rettes" in olivia.locator("main").inner_text()
    _check(olivia, "the review queue with a return error", QUEUE_SECTION)
    value.refresh_from_db()
    assert value.state == IndicatorValue.State.SUBMITTED


def test_conflict_page_keeps_the_text_and_is_accessible(
    output_indicator_world, new_page, live_server
):
    draft = indicator_value_create(
        actor=SYSTEM,
        indicator=output_indicator_world.output,
        author=output_indicator_world.alice,
        year=LAST_YEAR,
        value=27,
        sources=[SourceFactory()],
    )
    alice = new_page()
    _log_in(alice, live_server, "alice")
    alice.goto(live_server.url + f"/indikatorverdier/{draft.pk}/endre/")
    # A colleague saves the draft while Alice has the form open.
    indicator_value_edit(
        actor=SYSTEM, indicator_value=draft, expected_version=draft.version, value=30
    )
    alice.fill("#id_value", "28")
    alice.fill("#id_note", "Alices merknad")
    with alice.expect_navigation():
        alice.get_by_role("button", name="Send til godkjenning").click()
    main = alice.locator("main").inner_text()
    assert "Noen andre har endret verdien" in main
    assert alice.locator("#id_note").input_value() == "Alices merknad"
    assert alice.locator("#id_value").input_value() == "28"
    _check(alice, "the conflict page")
    draft.refresh_from_db()
    assert draft.value == 30
