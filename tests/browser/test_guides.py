"""The four user guides (docs/*-guide.md), walked literally in a browser.

Each test follows one guide's main path with the words the guide uses: links,
buttons and fields are found by their visible text or label, as the guide names
them, so a renamed button or a moved section breaks the test and the guide has to
be mended with it. The words are kept in one place per guide (the constants below),
each with the guide section it comes from.

test_council_plan_page_sections walks the plan page's section order as the council
guide describes it («Kort fortalt», «Innhold på siden», #tiltak, ... #kilder).
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, Plan, StatusUpdate
from measures.services.indicator_values import indicator_value_record_published
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-hest-batteri-stift"  # tests/factories.py

# caseworker-guide.md: «Logg inn», «Skriv en ny oppdatering», «Kilder»
LOGIN_PATH = "/logg-inn/"
LOGIN_BUTTON = "Logg inn"
FORGOT_PASSWORD = "Glemt passordet?"
MY_MEASURES = "Mine tiltak"
NEW_UPDATE = "Ny oppdatering"
SUBMIT = "Send til godkjenning"
# coordinator-guide.md: «Gjennomgangskøen», «Publiser», «Returner med kommentar»
REVIEW = "Gjennomgang"
QUEUE_HEADING = "Sendt til godkjenning"
PUBLISH = "Publiser"
RETURN_COMMENT = "Kommentar til saksbehandler"
RETURN = "Returner med kommentar"
CORRECT_AND_RESEND = "Rett og send på nytt"
# council-guide.md: «Statusrapport per dato og PDF»
REPORT_DATE = "Status per dato"
SHOW_REPORT = "Vis rapporten"
DOWNLOAD_PDF = "Last ned som PDF"
# admin-guide.md: «Logge inn», «Planens status», «Legge inn et tiltak»
SAVE = "Lagre"


def _url(live_server, path: str) -> str:
    return live_server.url + path


def _main(page) -> str:
    return page.locator("main").inner_text()


def _for(label: str, title: str) -> re.Pattern:
    """A button or link named «label» with the item's title for screen readers
    (a visually hidden ": <title>", which the accessible name may space out)."""
    return re.compile(rf"^{re.escape(label)}\s*:\s*{re.escape(title)}$")


def _click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def _log_in(page, live_server, username: str) -> None:
    """caseworker-guide.md «Logg inn»: /logg-inn/, username and password, «Logg inn»."""
    page.goto(_url(live_server, LOGIN_PATH))
    assert page.get_by_role("link", name=FORGOT_PASSWORD).count() == 1
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    _click_and_wait(page, page.locator("main").get_by_role("button", name=LOGIN_BUTTON))
    assert page.url == _url(live_server, "/mine-tiltak/"), page.url
    assert page.get_by_role("heading", level=1).inner_text() == MY_MEASURES


def test_caseworker_guide_main_path(page, live_server, world):
    measure = world.measure_a
    _log_in(page, live_server, "alice")

    # «Skriv en ny oppdatering» 1: «Ny oppdatering» by the measure.
    _click_and_wait(
        page, page.get_by_role("link", name=_for(NEW_UPDATE, measure.title))
    )
    assert page.url == _url(
        live_server, reverse("measures:measure-update", kwargs=measure.url_kwargs())
    )
    # 3: the fields, by the names the guide gives them.
    page.get_by_label("Status per").fill(timezone.localdate().strftime("%d.%m.%Y"))
    page.get_by_label("Fase").select_option(label="Pågår")
    page.get_by_label("Vurdering").select_option(label="I rute")
    page.get_by_label("Fremdrift (%)").fill("40")
    page.get_by_label("Sammendrag").fill("Lokalene er klare; oppstart i juni.")
    # «Kilder»: «Ny kilde» with «Lenke til kilden», «Utgiver», «Tittel», «Type kilde».
    page.get_by_label("Lenke til kilden").fill("https://www.bergen.kommune.no/sak-1")
    page.get_by_label("Utgiver").fill("Bergen kommune")
    page.get_by_label("Tittel").fill("Sak om lokaler")
    page.get_by_label("Type kilde").select_option(index=1)
    # 4: «Send til godkjenning».
    _click_and_wait(page, page.get_by_role("button", name=SUBMIT))

    assert page.url == _url(live_server, "/mine-tiltak/")
    update = StatusUpdate.objects.get(summary__startswith="Lokalene er klare")
    assert update.state == StatusUpdate.State.SUBMITTED
    assert update.citations.get().source.title == "Sak om lokaler"


def test_coordinator_guide_main_path(page, live_server, world, new_page):
    _log_in(page, live_server, "olivia")

    # «Gjennomgangskøen» 2: «Gjennomgang» at the top of the page.
    _click_and_wait(page, page.get_by_role("link", name=REVIEW, exact=True))
    assert page.get_by_role("heading", name=QUEUE_HEADING, exact=True).count() == 1
    submitted = world.submitted_a
    queue_item = page.locator("article", has_text=submitted.measure.title)
    assert "Kilder" in queue_item.inner_text()

    # «Publiser».
    _click_and_wait(
        page,
        queue_item.get_by_role("button", name=_for(PUBLISH, submitted.measure.title)),
    )
    submitted.refresh_from_db()
    assert submitted.state == StatusUpdate.State.PUBLISHED

    # «Returner med kommentar»: a second update, returned with a comment.
    second = MeasureFactory(
        plan=world.plan, title="Tiltak med mangler", lead=world.partner_a
    )
    returned = StatusUpdateFactory(
        measure=second,
        author=world.alice,
        state=StatusUpdate.State.SUBMITTED,
        submitted_at=timezone.now(),
    )
    page.reload()
    item = page.locator("article", has_text=second.title)
    item.get_by_label(RETURN_COMMENT).fill("Legg ved lenke til vedtaket.")
    _click_and_wait(page, item.get_by_role("button", name=_for(RETURN, second.title)))
    returned.refresh_from_db()
    assert returned.state == StatusUpdate.State.RETURNED

    # The caseworker sees the comment on Mine tiltak, with «Rett og send på nytt».
    caseworker = new_page()
    _log_in(caseworker, live_server, "alice")
    assert "Legg ved lenke til vedtaket." in _main(caseworker)
    assert (
        caseworker.get_by_role(
            "link", name=_for(CORRECT_AND_RESEND, second.title)
        ).count()
        == 1
    )


@pytest.fixture
def council_plan(transactional_db):
    """A plan with a goal, a measure and a published, cited update in 2020."""
    owner = PartnerFactory(name="Byrådsavdeling for helse", slug="byradsavdeling")
    plan = PlanFactory(
        title="Plan for rusfeltet 2018–2022", slug="rusplan-2018", owner=owner
    )
    goal = GoalFactory(plan=plan, title="Trygg by for alle")
    measure = MeasureFactory(plan=plan, title="MO-senter i sentrum", lead=owner)
    measure.goals.add(goal)
    update = PublishedStatusUpdateFactory(
        measure=measure, as_of=datetime.date(2020, 6, 30), progress=60
    )
    source = SourceFactory()
    source.citations.create(status_update=update)
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    # Every section of the plan page has something to show: a district, a measure
    # with no status yet, an indicator with a value, a budget line.
    measure.districts.add(DistrictFactory(name="Bergenhus"))
    MeasureFactory(plan=plan, title="Nytt tiltak uten status", lead=owner)
    indicator = IndicatorFactory(goal=goal, title="Overdosedødsfall")
    indicator_value_record_published(
        actor=SYSTEM, indicator=indicator, year=2019, value=27, sources=[source]
    )
    BudgetLineFactory(measure=measure, year=2020)
    return plan


def test_council_guide_main_path(page, live_server, council_plan):
    plan = council_plan
    # «Slik finner du fram»: the front page lists the plan; the plan page has it all.
    page.goto(_url(live_server, "/"))
    _click_and_wait(page, page.locator("main").get_by_role("link", name=plan.title))
    assert page.url == _url(live_server, plan.get_absolute_url())
    assert "MO-senter i sentrum" in _main(page)

    # «Statusrapport per dato og PDF»: «Status per dato», «Vis rapporten».
    form = page.locator("form", has=page.get_by_label(REPORT_DATE))
    form.get_by_label(REPORT_DATE).fill("2020-12-31")
    pdf_button = form.get_by_role("button", name=DOWNLOAD_PDF)
    assert pdf_button.count() == 1
    _click_and_wait(page, form.get_by_role("button", name=SHOW_REPORT))
    report_path = reverse("measures:plan-report", kwargs=plan.url_kwargs())
    assert page.url.startswith(_url(live_server, report_path + "?per="))
    assert "Status per 31.12.2020" in page.title()
    assert "MO-senter i sentrum" in _main(page)

    # «Last ned som PDF» answers with a PDF (the address the guide gives).
    pdf_path = page.get_by_role("button", name=DOWNLOAD_PDF).get_attribute("formaction")
    assert pdf_path == reverse("measures:plan-report-pdf", kwargs=plan.url_kwargs())
    response = page.request.get(_url(live_server, pdf_path + "?per=2020-12-31"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


# The plan page's sections, in the order council-guide.md «Slik leser du en planside»
# gives them (id, heading).
PLAN_SECTIONS = [
    ("sammendrag", "Kort fortalt"),
    ("tiltak", "Tiltakene i planen"),
    ("mal", "Mål og tiltak"),
    ("over-tid", "Fremdrift over tid"),
    ("bydeler", "Bydeler"),
    ("partnere", "Partnere"),
    ("effekt", "Effekt"),
    ("budsjett", "Budsjett"),
    ("rapporter", "Rapporter og data"),
    ("kilder", "Kilder"),
]


def _section(page, section_id: str):
    """The section an id marks: the element itself, or the <section> around the
    heading that carries the id."""
    marked = page.locator(f"#{section_id}")
    around = marked.locator("xpath=ancestor-or-self::section[1]")
    return around if around.count() else marked


def test_council_plan_page_sections(page, live_server, council_plan):
    """The plan page as council-guide.md describes it: «Kort fortalt», then
    «Innhold på siden», then the sections in order; the nav's «Tiltak» jumps to the
    table; each top goal is folded; the indicators link to their own page."""
    plan = council_plan
    page.goto(_url(live_server, plan.get_absolute_url()))

    summary = _section(page, "sammendrag")
    assert "Kort fortalt" in summary.inner_text()
    assert "Ingen status registrert" in summary.inner_text()
    nav = page.get_by_role("navigation", name="Innhold på siden")
    assert nav.count() == 1
    ids = [section_id for section_id, _heading in PLAN_SECTIONS]
    tops = page.evaluate(
        "ids => ids.map(id => { const e = document.getElementById(id);"
        " return e ? e.getBoundingClientRect().top + window.scrollY : null; })",
        ids,
    )
    assert None not in tops, dict(zip(ids, tops, strict=True))
    assert tops == sorted(tops), "the sections are not in the guide's order"
    for section_id, heading in PLAN_SECTIONS:
        text = _section(page, section_id).inner_text()
        assert heading in text, (section_id, text[:80])

    # «Innhold på siden» → «Tiltak» goes to the table of measures.
    nav.get_by_role("link", name=re.compile("^Tiltak")).first.click()
    page.wait_for_url(re.compile("#tiltak$"))
    assert "MO-senter i sentrum" in _section(page, "tiltak").inner_text()
    # «Mål og tiltak»: each top goal in a details element.
    goals = _section(page, "mal").locator("details summary", has_text="Trygg by")
    assert goals.count() == 1
    # «Effekt»: a link to the page with every indicator chart.
    effect = _section(page, "effekt")
    indicators_path = reverse("measures:plan-indicators", kwargs=plan.url_kwargs())
    assert effect.locator(f"a[href='{indicators_path}']").count()
    # «Rapporter og data»: the report form.
    assert _section(page, "rapporter").get_by_label(REPORT_DATE).count() == 1


@pytest.fixture
def first_admin(transactional_db, otp_required):
    """admin-guide.md «Den første administratoren»: createsuperuser, then
    addstatictoken prints the one-time code for the first login."""
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    out = StringIO()
    call_command("addstatictoken", "admin", stdout=out)
    return out.getvalue().strip()


def test_admin_guide_main_path(page, live_server, first_admin):
    owner = PartnerFactory(name="Byrådsavdeling for helse", slug="byradsavdeling")
    lead = PartnerFactory(name="Etat for psykisk helse og rustjenester", slug="etat")
    plan = PlanFactory(
        title="Handlingsplan 2026",
        slug="handlingsplan-2026",
        owner=owner,
        status=Plan.Status.DRAFT,
    )
    GoalFactory(plan=plan, title="Færre overdoser")

    # «Logge inn»: /admin/, username and password, then the device and the code.
    page.goto(_url(live_server, "/admin/"))
    page.get_by_label("Brukernavn").fill("admin")
    page.get_by_label("Passord").fill(PASSWORD)
    _click_and_wait(page, page.get_by_role("button", name=LOGIN_BUTTON))
    page.locator("#id_otp_device").select_option(index=1)
    page.locator("#id_otp_token").fill(first_admin)
    _click_and_wait(page, page.get_by_role("button", name=LOGIN_BUTTON))
    assert page.url == _url(live_server, "/admin/"), page.url

    # «Planens status»: open the plan under «Planer», «Status» «Vedtatt», «Lagre».
    _click_and_wait(page, page.get_by_role("link", name="Planer", exact=True))
    _click_and_wait(page, page.get_by_role("link", name=plan.title))
    page.get_by_label(_admin_label("Status")).select_option(label="Vedtatt")
    _click_and_wait(page, page.get_by_role("button", name=SAVE, exact=True))
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ADOPTED

    # «Legge inn et tiltak»: «Tiltak → Legg til tiltak», plan, title, one lead.
    page.goto(_url(live_server, "/admin/"))
    page.get_by_role("row", name=re.compile("^Tiltak")).get_by_role(
        "link", name="Legg til"
    ).first.click()
    page.wait_for_url(re.compile("/admin/measures/measure/add/"))
    _choose_autocomplete(page, "#id_plan", plan.title)
    page.get_by_label(_admin_label("Tittel")).fill("Nytt lavterskeltilbud")
    # The goal list names each goal's plan on a new measure.
    assert (
        page.locator("#id_goals_from option, #id_goals option")
        .filter(has_text=f"{plan.title}: Færre overdoser")
        .count()
    )
    _choose_autocomplete(page, "#id_partner_roles-0-partner", lead.name)
    page.locator("#id_partner_roles-0-role").select_option(label="Ansvarlig")
    _click_and_wait(page, page.get_by_role("button", name=SAVE, exact=True))

    measure = Measure.objects.get(title="Nytt lavterskeltilbud")
    assert measure.plan == plan
    assert measure.partner_roles.get().partner == lead


def _admin_label(text: str) -> re.Pattern:
    """An admin field's label, which Django ends with a colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _choose_autocomplete(page, select: str, text: str) -> None:
    """The admin's search field (select2): open it, type, pick the match."""
    page.locator(select).locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").last.fill(text[:6])
    page.locator(".select2-results__option", has_text=text).first.click()
