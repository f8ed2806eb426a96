"""The home page: every public plan with its roll-up, and the latest updates."""

import datetime

import pytest

from measures.models import Phase, Plan, StatusUpdate
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    MeasureFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)


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


def test_home_lists_plans_with_period_status_count_and_phase_shares(client, plan):
    html = client.get("/").text

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


def test_home_shows_roll_up_progress_honestly(client, plan):
    html = client.get("/").text

    assert '<span class="rollup-percent">40&nbsp;%</span>' in html
    assert "vektet fremdrift – vurdert for 2 av 3 tiltak" in html
    assert "1 av 3 tiltak har ingen status registrert." in html


def test_home_separates_current_and_earlier_plans(client, plan):
    old = PlanFactory(title="Gammel plan", status=Plan.Status.COMPLETED)

    html = client.get("/").text

    assert html.index("Gjeldende planer") < html.index(plan.title)
    assert html.index("Tidligere planer") < html.index(old.title)


def test_home_hides_draft_plans(client, plan):
    PlanFactory(title="Utkast til plan", status=Plan.Status.DRAFT)

    assert "Utkast til plan" not in client.get("/").text


def test_home_shows_latest_published_updates_only(client, plan):
    StatusUpdateFactory(
        measure=plan.measures.first(),
        summary="Ikke godkjent ennå",
        state=StatusUpdate.State.SUBMITTED,
    )

    html = client.get("/").text

    assert "Fremdrift 60." in html
    assert html.index("Fremdrift 60.") < html.index("Fremdrift 20.")
    assert "Ikke godkjent ennå" not in html


def test_home_links_districts_partners_and_measure_search(client, plan):
    partner = plan.measures.first().partners.get()

    html = client.get("/").text

    assert partner.get_absolute_url() in html
    assert 'href="/tiltak/"' in html
