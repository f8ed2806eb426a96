"""The national front page (/): every municipality with its current plans and
their measures' states. A municipality's home page (/bergen/): every public plan
of it with its roll-up, and the latest updates."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Phase, Plan, StatusUpdate
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)


def _bergen_home(client) -> str:
    return client.get(reverse("municipality-home", kwargs={"kommune": "bergen"})).text


@pytest.fixture
def plan(db):
    plan = PlanFactory(
        title="Plan for rusfeltet",
        short_title="Rusplan",
        start_year=2018,
        end_year=2022,
    )
    for progress in (20, 60):
        measure = MeasureFactory(plan=plan)
        PublishedStatusUpdateFactory(
            measure=measure,
            progress=progress,
            summary=f"Fremdrift {progress}.",
            as_of=datetime.date(2020, 1, progress // 10),
        )
        measure_sync_current_status(actor=SYSTEM, measure=measure)
    MeasureFactory(plan=plan)  # no status registered
    return plan


def test_municipality_home_lists_plans_with_period_status_count_and_phase_shares(
    client, plan
):
    html = _bergen_home(client)

    assert plan.get_absolute_url() in html
    assert "Plan for rusfeltet" in html
    assert "2018–2022" in html
    assert "Vedtatt" in html
    assert "<dt>Antall tiltak</dt><dd>3</dd>" in html
    assert "Tiltak etter fase i Rusplan" in html
    assert (
        f'<tr><th scope="row">{Phase.IN_PROGRESS.label}</th>'
        '<td class="text-end">2</td><td class="text-end">67&nbsp;%</td></tr>'
    ) in html
    assert (
        '<tr><th scope="row">Ingen status registrert</th>'
        '<td class="text-end">1</td><td class="text-end">33&nbsp;%</td></tr>'
    ) in html
    assert (
        f'<tr><th scope="row">{Phase.NOT_STARTED.label}</th>'
        '<td class="text-end">0</td><td class="text-end">0&nbsp;%</td></tr>'
    ) in html


def test_municipality_home_shows_roll_up_progress_honestly(client, plan):
    html = _bergen_home(client)

    assert '<span class="rollup-percent">40&nbsp;%</span>' in html
    assert "vektet fremdrift – vurdert for 2 av 3 tiltak" in html
    assert "1 av 3 tiltak har ingen status registrert." in html


def test_municipality_home_separates_current_and_earlier_plans(client, plan):
    old = PlanFactory(title="Gammel plan", status=Plan.Status.COMPLETED)

    html = _bergen_home(client)

    assert html.index("Gjeldende planer") < html.index(plan.title)
    assert html.index("Tidligere planer") < html.index(old.title)


def test_home_pages_hide_draft_plans(client, plan):
    PlanFactory(title="Utkast til plan", status=Plan.Status.DRAFT)

    assert "Utkast til plan" not in _bergen_home(client)
    assert "Utkast til plan" not in client.get("/").text


def test_municipality_home_shows_latest_published_updates_only(client, plan):
    StatusUpdateFactory(
        measure=plan.measures.first(),
        summary="Ikke godkjent ennå",
        state=StatusUpdate.State.SUBMITTED,
    )

    html = _bergen_home(client)

    assert "Fremdrift 60." in html
    assert html.index("Fremdrift 60.") < html.index("Fremdrift 20.")
    assert "Ikke godkjent ennå" not in html


def test_municipality_home_links_districts_partners_and_measure_search(client, plan):
    partner = plan.measures.first().partners.get()

    html = _bergen_home(client)

    # The partner's page within Bergen, and Bergen's own measure list.
    partner_in_bergen = reverse(
        "measures:partner-detail", kwargs={"kommune": "bergen", "slug": partner.slug}
    )
    measure_list = reverse("measures:measure-list", kwargs={"kommune": "bergen"})
    assert f'href="http://testserver{partner_in_bergen}"' in html
    assert f'href="{measure_list}"' in html
    assert measure_list == "/bergen/tiltak/"


def test_municipality_home_shows_only_its_own_plans_and_updates(client, plan):
    other = MunicipalityFactory(name="Askøy", slug="askoy")
    askoy_plan = PlanFactory(
        municipality=other,
        title="Askøys plan",
        owner=PartnerFactory(municipality=other),
    )
    PublishedStatusUpdateFactory(
        measure=MeasureFactory(plan=askoy_plan), summary="Askøys oppdatering"
    )

    html = _bergen_home(client)
    askoy = client.get(reverse("municipality-home", kwargs={"kommune": "askoy"}))

    assert "Askøys plan" not in html and "Askøys oppdatering" not in html
    assert "Askøys plan" in askoy.text and "Askøys oppdatering" in askoy.text
    assert "Plan for rusfeltet" not in askoy.text
    unknown = client.get(reverse("municipality-home", kwargs={"kommune": "finnes"}))
    assert unknown.status_code == 404


# --- The national front page -------------------------------------------------------


def test_national_page_lists_each_municipality_with_its_current_plans(client, plan):
    other = MunicipalityFactory(name="Askøy", slug="askoy")
    askoy_plan = PlanFactory(
        municipality=other,
        title="Askøys plan",
        owner=PartnerFactory(municipality=other),
    )
    MeasureFactory(plan=askoy_plan)
    MunicipalityFactory(name="Tomkommune", slug="tomkommune")
    PlanFactory(title="Gammel plan", status=Plan.Status.COMPLETED)

    html = client.get(reverse("home")).text

    # By name, each linking to its own home page.
    assert html.index("Askøy kommune") < html.index("Bergen kommune")
    assert html.index("Bergen kommune") < html.index("Tomkommune kommune")
    for slug in ("askoy", "bergen", "tomkommune"):
        home = reverse("municipality-home", kwargs={"kommune": slug})
        assert f'href="http://testserver{home}"' in html
    # Each current plan under its municipality, with its measures' states.
    assert html.index("Askøy kommune") < html.index("Askøys plan")
    assert html.index("Bergen kommune") < html.index("Plan for rusfeltet")
    assert html.index("Plan for rusfeltet") < html.index("Tomkommune kommune")
    assert f"http://testserver{plan.get_absolute_url()}" in html
    assert f"http://testserver{askoy_plan.get_absolute_url()}" in html
    cells = re.sub(r">\s+<", "><", html)
    assert (
        f'<td class="text-end">3</td><td>{Phase.IN_PROGRESS.label}: 2; '
        "Ingen status registrert: 1</td>"
    ) in cells
    # Only current plans; a municipality without any says so.
    assert "Gammel plan" not in html
    assert "Ingen vedtatte planer er registrert." in html
    # Not a municipality's page: no latest updates of one municipality.
    assert "Fremdrift 60." not in html


def test_national_page_shows_a_shared_plan_in_each_of_its_municipalities(client, plan):
    other = MunicipalityFactory(name="Askøy", slug="askoy")
    plan.shared_with.add(other)

    html = client.get(reverse("home")).text

    assert html.count(f"http://testserver{plan.get_absolute_url()}") == 2
    assert "felles plan med Bergen" in html


def test_national_page_query_count_is_constant_as_municipalities_grow(client, plan):
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for _ in range(5):
        municipality = MunicipalityFactory()
        extra = PlanFactory(
            municipality=municipality,
            owner=PartnerFactory(municipality=municipality),
        )
        MeasureFactory(plan=extra)
        plan.shared_with.add(municipality)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.text.count('class="municipality-summary') == 6
    assert len(large) == len(small) > 0
