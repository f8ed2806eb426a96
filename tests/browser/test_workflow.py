"""The caseworker and coordinator workflow in a real browser: the whole flow from
login to the public page, axe-core on every workflow page (also with errors), the
conflict page, keyboard-only use of the form, and no sideways scrolling at 320 px.

Each test builds its own small world (`world`, tests/conftest.py): the live
server reads committed data, and transactional_db empties the tables after every
test, so a world shared by the module would be gone after its first test. The world
is a few dozen rows; the cost of these tests is the browser and the logins.
"""

import pytest
from django.urls import reverse

from measures.models import Plan, StatusUpdate
from tests.browser.axe import assert_no_axe_violations
from tests.factories import (
    MembershipFactory,
    PlanFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-hest-batteri-stift"  # tests/factories.py
SUMMARY = "Avtale om lokaler er inngått, og oppstart er i juni."


def _url(live_server, path: str) -> str:
    return live_server.url + path


def _assert_fits_320_px(page, what: str) -> None:
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(size)
    assert width <= 320, f"{what} is {width} px wide in a 320 px viewport"


def _check(page, what: str) -> None:
    """axe-core finds nothing, and the page does not scroll sideways at 320 px."""
    assert_no_axe_violations(page)
    _assert_fits_320_px(page, what)


def _submit_login(page, username: str, password: str) -> None:
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


def _log_in(page, live_server, username: str) -> None:
    page.goto(_url(live_server, "/logg-inn/"))
    _submit_login(page, username, PASSWORD)
    assert page.url == _url(live_server, "/mine-tiltak/"), page.url


def _update_path(measure) -> str:
    return reverse("measures:measure-update", kwargs=measure.url_kwargs())


def _main_text(page) -> str:
    return page.locator("main").inner_text()


def test_caseworker_submits_coordinator_publishes_and_the_public_sees_it(
    page, live_server, world, new_page
):
    measure = world.measure_a

    # The caseworker: login page, a wrong password, then in.
    page.goto(_url(live_server, "/logg-inn/"))
    _check(page, "the login page")
    _submit_login(page, "alice", "feil-passord-her")
    assert "Vennligst oppgi korrekt brukernavn og passord" in _main_text(page)
    _check(page, "the login page with an error")
    _submit_login(page, "alice", PASSWORD)
    assert page.url == _url(live_server, "/mine-tiltak/")
    assert measure.title in _main_text(page)
    _check(page, "Mine tiltak")

    # The update form: empty, then with errors that keep what was typed.
    with page.expect_navigation():
        page.locator(f"main a[href='{_update_path(measure)}']").click()
    assert page.locator("h1").inner_text() == "Ny oppdatering"
    _check(page, "the empty update form")
    page.select_option("#id_health", "at_risk")
    page.fill("#id_progress", "101")
    page.fill("#id_summary", "")
    page.fill("#id_new_source_publisher", "Bergen kommune")
    with page.expect_navigation():
        page.get_by_role("button", name="Send til godkjenning").click()
    text = _main_text(page)
    assert "Oppdateringen er ikke lagret" in text
    assert "Fremdriften kan ikke være over 100 %." in text
    assert "Skriv et sammendrag av status." in text
    assert "Lim inn lenken til kilden" in text
    assert page.input_value("#id_progress") == "101"
    assert page.input_value("#id_health") == "at_risk"
    assert page.input_value("#id_new_source_publisher") == "Bergen kommune"
    assert page.get_attribute("#id_progress", "aria-invalid") == "true"
    _check(page, "the update form with errors")
    assert not StatusUpdate.objects.filter(measure=measure, progress=101).exists()

    # No source at all: the message says what to add.
    page.fill("#id_progress", "60")
    page.fill("#id_summary", SUMMARY)
    page.fill("#id_new_source_publisher", "")
    with page.expect_navigation():
        page.get_by_role("button", name="Send til godkjenning").click()
    assert (
        "Legg til minst én kilde: velg en kilde fra listen eller lim inn en lenke."
        in (_main_text(page))
    )
    assert page.input_value("#id_summary") == SUMMARY
    _check(page, "the update form without a source")

    # Corrected: a new link with what it is, and sent.
    page.fill("#id_new_source_url", "https://www.bergen.kommune.no/rapport")
    page.fill("#id_new_source_publisher", "Bergen kommune")
    page.fill("#id_new_source_title", "Tertialrapport")
    page.select_option("#id_new_source_kind", "municipal_page")
    page.fill("#id_new_source_published_on", "30.04.2021")
    with page.expect_navigation():
        page.get_by_role("button", name="Send til godkjenning").click()
    assert page.url == _url(live_server, "/mine-tiltak/")
    assert "Oppdateringen er sendt til godkjenning." in _main_text(page)
    update = StatusUpdate.objects.get(summary=SUMMARY)
    assert update.state == StatusUpdate.State.SUBMITTED
    assert (update.progress, update.health) == (60, "at_risk")
    assert update.author == world.alice

    # Its detail page, from Mine tiltak.
    with page.expect_navigation():
        page.locator(f"main a[href='/oppdateringer/{update.pk}/']").click()
    assert SUMMARY in _main_text(page)
    _check(page, "the update detail page")

    # Not yet public.
    public = new_page()
    public.goto(_url(live_server, measure.get_absolute_url()))
    assert SUMMARY not in _main_text(public)

    # The coordinator publishes it from the review queue.
    coordinator = new_page()
    _log_in(coordinator, live_server, "olivia")
    coordinator.goto(_url(live_server, "/gjennomgang/"))
    assert SUMMARY in _main_text(coordinator)
    assert "Tertialrapport" in _main_text(coordinator)
    assert coordinator.locator(
        "main a[href='https://www.bergen.kommune.no/rapport']"
    ).count()
    _check(coordinator, "the review queue")
    with coordinator.expect_navigation():
        coordinator.locator(
            f"form[action='/oppdateringer/{update.pk}/publiser/'] button"
        ).click()
    assert "er publisert og vises nå på de offentlige sidene" in _main_text(coordinator)
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED
    assert update.reviewer == world.olivia

    # The public measure page shows it at once.
    public.goto(_url(live_server, measure.get_absolute_url()))
    assert SUMMARY in _main_text(public)


def test_second_editor_from_the_same_version_gets_a_conflict_page(
    page, live_server, world, new_page
):
    bob = UserFactory(username="bob")
    MembershipFactory(user=bob, partner=world.partner_a)
    SourceFactory().citations.create(measure=world.measure_a)
    colleague = new_page()
    _log_in(page, live_server, "alice")
    _log_in(colleague, live_server, "bob")
    path = _update_path(world.measure_a)
    page.goto(_url(live_server, path))
    colleague.goto(_url(live_server, path))

    page.fill("#id_summary", "Alice var først.")
    page.check("#id_sources_0")
    with page.expect_navigation():
        page.get_by_role("button", name="Send til godkjenning").click()
    colleague.fill("#id_progress", "80")
    colleague.fill("#id_summary", "Bobs tekst som ikke må gå tapt.")
    colleague.check("#id_sources_0")
    with colleague.expect_navigation():
        colleague.get_by_role("button", name="Send til godkjenning").click()

    assert colleague.locator("h1").inner_text() == "Noen andre har endret tiltaket"
    assert colleague.input_value("#id_summary") == "Bobs tekst som ikke må gå tapt."
    assert colleague.input_value("#id_progress") == "80"
    assert not StatusUpdate.objects.filter(author=bob).exists()
    _check(colleague, "the conflict page")


def test_the_refusal_page_of_a_superseded_plan(page, live_server, world):
    Plan.objects.filter(pk=world.plan.pk).update(status=Plan.Status.SUPERSEDED)
    PlanFactory(owner=world.owner, predecessor=world.plan, title="Ny rusplan")
    _log_in(page, live_server, "alice")

    response = page.goto(_url(live_server, _update_path(world.measure_a)))

    assert response.status == 409
    assert page.locator("h1").inner_text() == "Planen tar ikke imot oppdateringer"
    assert "er erstattet av en nyere plan" in _main_text(page)
    assert page.get_by_role("link", name="Planen som gjelder nå: Ny rusplan").count()
    _check(page, "the refusal page")


def test_password_change_and_reset_pages(page, live_server, world, new_page):
    _log_in(page, live_server, "alice")
    page.goto(_url(live_server, "/passord/endre/"))
    assert page.locator("h1").inner_text() == "Endre passord"
    _check(page, "the password change page")

    anonymous = new_page()
    anonymous.goto(_url(live_server, "/passord/glemt/"))
    assert anonymous.locator("h1").inner_text() == "Glemt passord"
    _check(anonymous, "the password reset page")


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '',
                    href: el.getAttribute('href') || '',
                    text: (el.innerText || '').trim()};
        }"""
    )


def _tab_to(page, matches, what: str, limit: int = 80) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if matches(focused):
            return focused
    raise AssertionError(f"{what} never got focus in {limit} presses of Tab")


def test_caseworker_can_log_in_and_report_with_the_keyboard_only(
    page, live_server, world
):
    measure = world.measure_a
    source = SourceFactory(title="Årsrapport")
    source.citations.create(measure=measure)
    page.goto(_url(live_server, "/logg-inn/"))
    # The login page puts focus in the username field.
    assert _focused(page)["id"] == "id_username"
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == _url(live_server, "/mine-tiltak/")

    path = _update_path(measure)
    _tab_to(page, lambda f: f["href"] == path, "the «Ny oppdatering» link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == _url(live_server, path)

    _tab_to(page, lambda f: f["id"] == "id_as_of", "the first field")
    # One box per source the measure's published updates already cite.
    n_sources = page.locator("input[name=sources]").count()
    assert n_sources >= 1
    order = []
    for _ in range(10 + n_sources):
        page.keyboard.press("Tab")
        focused = _focused(page)
        order.append(focused["name"])
        if focused["id"] == "id_progress":
            page.keyboard.type("75")  # Tab selects the field's text: replaces it
        elif focused["id"] == "id_summary":
            page.keyboard.type("Skrevet med tastaturet.")
        elif focused["id"] == "id_sources_0":
            page.keyboard.press("Space")  # tick the source
    assert order == [
        "phase",
        "health",
        "progress",
        "summary",
        *["sources"] * n_sources,
        "new_source_url",
        "new_source_publisher",
        "new_source_kind",
        "new_source_title",
        "new_source_published_on",
        "submit",
    ]
    with page.expect_navigation():
        page.keyboard.press("Space")

    assert page.url == _url(live_server, "/mine-tiltak/")
    update = StatusUpdate.objects.get(summary="Skrevet med tastaturet.")
    assert update.progress == 75
    assert update.state == StatusUpdate.State.SUBMITTED
    assert [c.source for c in update.citations.all()] == [source]
