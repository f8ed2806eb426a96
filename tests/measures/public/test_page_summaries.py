"""The summaries at the top of the plan, partner and district pages: state counts
with «Ingen status registrert», changes since the last reporting period, the newest
updates; partner pages with their units' measures; the plan's indicator page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Phase, Plan
from measures.selectors.changes import comparison_days, plan_latest_updates
from measures.selectors.plans import plan_measure_rows
from tests.factories import (
    DistrictFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    """The page from the summary's heading up to the in-page navigation."""
    start = html.index('id="sammendrag"')
    return html[start : html.index('aria-label="Innhold på siden"', start)]


def _open_plan(**kwargs) -> Plan:
    today = timezone.localdate()
    return PlanFactory(start_year=today.year - 1, end_year=None, **kwargs)


def test_plan_summary_counts_measures_without_status_apart_from_not_started(client):
    plan = _open_plan()
    MeasureFactory(plan=plan, current_phase=Phase.NOT_STARTED)
    MeasureFactory(plan=plan)  # no published update: no status

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert "Ingen status registrert: <strong>1</strong>" in summary
    assert "Ikke startet: <strong>1</strong>" in summary
    assert "Ikke vurdert: <strong>2</strong>" in summary


def test_plan_summary_lists_what_changed_since_the_last_period(client):
    plan = _open_plan()
    since, until, _label = comparison_days(plan)
    moved = MeasureFactory(plan=plan, title="Tiltaket som flyttet seg")
    PublishedStatusUpdateFactory(
        measure=moved,
        as_of=since - datetime.timedelta(days=10),
        phase=Phase.NOT_STARTED,
        progress=0,
    )
    PublishedStatusUpdateFactory(
        measure=moved,
        as_of=since + datetime.timedelta(days=1),
        phase=Phase.IN_PROGRESS,
        progress=20,
    )
    new = MeasureFactory(plan=plan, title="Tiltaket med første status")
    PublishedStatusUpdateFactory(measure=new, as_of=until, progress=None)
    still = MeasureFactory(plan=plan, title="Tiltaket som sto stille")
    PublishedStatusUpdateFactory(measure=still, as_of=since)

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert f"2 tiltak har endret status fra {since:%d.%m.%Y}" in summary
    assert "Tiltaket som flyttet seg</a>:" in summary
    assert "fase Ikke startet → Pågår" in summary
    assert "fremdrift 0&nbsp;% → 20&nbsp;%" in summary
    assert "første status: Pågår" in summary
    assert (
        "Tiltaket som sto stille" not in summary.split("Siste statusoppdateringer")[0]
    )


@pytest.mark.parametrize("interval", ["tertial", "year"])
def test_plan_summary_names_an_assessment_that_was_not_given_and_escapes_titles(
    client, interval
):
    # "year" reads the status then from the measures' year-end statuses, "tertial"
    # looks it up among the updates (selectors/changes.py plan_changes()), but
    # from January to April, when the last ended tertial ends on 31 December too;
    # tests/measures/core/test_year_ends.py compares the two ways directly. The
    # items are built in Python ({% status_change_items %}).
    plan = _open_plan(reporting_interval=interval)
    since, until, _label = comparison_days(plan)
    measure = MeasureFactory(plan=plan, identifier="1<a>", title="Tiltak <b>x</b> & y")
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=since - datetime.timedelta(days=10),
        phase=Phase.NOT_STARTED,
        progress=None,
        health="",
    )
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=until,
        phase=Phase.NOT_STARTED,
        progress=40,
        health="on_track",
    )

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert (
        f'<time datetime="{until:%Y-%m-%d}">{until:%d.%m.%Y}</time> – '
        '<a href="http://testserver/'
    ) in summary
    assert "1&lt;a&gt; Tiltak &lt;b&gt;x&lt;/b&gt; &amp; y</a>:" in summary
    assert (
        "fremdrift ikke vurdert → 40&nbsp;%, vurdering ikke vurdert → I rute</li>"
        in summary
    )
    assert "fase " not in summary.split("status-changes")[1].split("</ul>")[0]


def test_plan_summary_says_when_nothing_changed_and_since_when(client):
    plan = _open_plan()
    since, until, label = comparison_days(plan)
    PublishedStatusUpdateFactory(measure=MeasureFactory(plan=plan), as_of=since)

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert (
        f"Ingen tiltak har endret status fra {since:%d.%m.%Y} (slutten av {label})"
        f" til {until:%d.%m.%Y}." in summary
    )


def test_finished_plan_compares_its_last_period_with_its_end():
    plan = PlanFactory(start_year=2018, end_year=2022)

    since, until, label = comparison_days(plan, datetime.date(2026, 5, 1))

    assert (since, until, label) == (
        datetime.date(2022, 8, 31),
        datetime.date(2022, 12, 31),
        "2. tertial 2022",
    )


def test_finished_plan_summary_reads_the_status_at_its_end_not_a_later_one(client):
    # The pages read a measure's current status where it was in force on the day
    # compared; a report dated after the plan ended is not that status.
    plan = PlanFactory(start_year=2018, end_year=2022)
    since, until, _label = comparison_days(plan)
    measure = MeasureFactory(plan=plan, title="Tiltaket")
    for as_of, phase, progress, summary in [
        (since - datetime.timedelta(days=30), Phase.NOT_STARTED, 0, "Før perioden"),
        (since + datetime.timedelta(days=30), Phase.IN_PROGRESS, 40, "I perioden"),
        (
            until + datetime.timedelta(days=400),
            Phase.COMPLETED,
            100,
            "Etter planens slutt",
        ),
    ]:
        PublishedStatusUpdateFactory(
            measure=measure,
            as_of=as_of,
            phase=phase,
            progress=progress,
            summary=summary,
        )
    measure.refresh_from_db()
    assert measure.current_progress == 100  # the late report is the current one

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert "fremdrift 0&nbsp;% → 40&nbsp;%" in summary
    assert "I perioden" in summary and "Før perioden" in summary
    assert "Etter planens slutt" not in summary


def test_summary_lists_the_five_newest_published_updates(client):
    plan = _open_plan()
    measure = MeasureFactory(plan=plan, title="Tiltaket")
    today = timezone.localdate()
    for days in range(6):
        PublishedStatusUpdateFactory(
            measure=measure,
            as_of=today - datetime.timedelta(days=days * 3),
            summary=f"Oppdatering {days}",
        )

    summary = _summary(client.get(plan.get_absolute_url()).text)

    assert summary.count("Oppdatering ") == 5
    assert "Oppdatering 5" not in summary
    assert f"{today:%d.%m.%Y}</time> – <a" in summary


def test_plan_newest_updates_come_with_their_measures_linked_and_no_draft(
    django_assert_num_queries,
):
    """The plan page reads its newest updates with their measures only (one
    query) and sets the plan and municipality it knows on them: the links are
    the measures' own, and a newer draft is never among them."""
    plan = _open_plan()
    measure = MeasureFactory(plan=plan, title="Tiltaket")
    today = timezone.localdate()
    PublishedStatusUpdateFactory(
        measure=measure, as_of=today - datetime.timedelta(days=2), summary="Publisert"
    )
    StatusUpdateFactory(measure=measure, as_of=today, summary="Utkast")
    rows = plan_measure_rows(plan=plan)

    with django_assert_num_queries(1):
        updates = plan_latest_updates(plan=plan, measure_rows=rows)
        links = [update.measure.get_absolute_url() for update in updates]
        assert all(update.measure.plan is plan for update in updates)

    assert [update.summary for update in updates] == ["Publisert"]
    assert links == [measure.get_absolute_url()]


def test_plan_newest_updates_are_its_own_not_newer_ones_of_another_plan(client):
    # The newest updates of a plan are found through its measures' newest ones
    # (selectors.public.newest_updates_of): a subquery in a subquery, where a
    # column named for the wrong table once read every plan's newest updates.
    today = timezone.localdate()
    plans = {"open": _open_plan(), "ended": PlanFactory(start_year=2018, end_year=2022)}
    other = MeasureFactory(plan=_open_plan(), title="Et annet tiltak")
    PublishedStatusUpdateFactory(measure=other, as_of=today, summary="Annen plan")
    for name, plan in plans.items():
        as_of = today if name == "open" else datetime.date(2022, 6, 1)
        PublishedStatusUpdateFactory(
            measure=MeasureFactory(plan=plan),
            as_of=as_of - datetime.timedelta(days=10),
            summary=f"Egen {name}",
        )

        summary = _summary(client.get(plan.get_absolute_url()).text)

        assert f"Egen {name}" in summary
        assert "Annen plan" not in summary


def test_partner_newest_updates_break_ties_on_the_date_by_publication(client):
    # A partner page finds its newest updates from the measures it has read
    # (selectors.public.newest_updates_of_rows): every measure whose current
    # update shares the fifth newest date is a candidate, and the publication
    # time orders them; another partner's newer update is not the partner's.
    partner = PartnerFactory(name="Regionalt helseforetak", municipality=None)
    plan = _open_plan()
    today = timezone.localdate()
    published = timezone.now() - datetime.timedelta(days=1)
    for number in range(7):
        PublishedStatusUpdateFactory(
            measure=MeasureFactory(plan=plan, lead=partner),
            as_of=today - datetime.timedelta(days=2),
            # Published in the opposite order of their ids.
            published_at=published - datetime.timedelta(minutes=number),
            summary=f"Samme dag {number}",
        )
    PublishedStatusUpdateFactory(
        measure=MeasureFactory(plan=plan, lead=partner),
        as_of=today - datetime.timedelta(days=30),
        summary="Eldre",
    )
    PublishedStatusUpdateFactory(
        measure=MeasureFactory(plan=plan),
        as_of=today,
        summary="Annen partners",
    )

    summary = _summary(client.get(partner.get_absolute_url()).text)

    shown = re.findall(r"Samme dag (\d)", summary)
    assert shown == ["0", "1", "2", "3", "4"]
    assert "Eldre" not in summary
    assert "Annen partners" not in summary


def test_partner_newest_updates_in_a_municipality_are_its_plans_only(client):
    partner = PartnerFactory(name="Regionalt helseforetak", municipality=None)
    here = _open_plan()
    elsewhere = _open_plan(municipality=MunicipalityFactory(name="Askøy"))
    today = timezone.localdate()
    for plan, as_of, text in (
        (here, today - datetime.timedelta(days=5), "Her"),
        (elsewhere, today, "Der"),
    ):
        PublishedStatusUpdateFactory(
            measure=MeasureFactory(plan=plan, lead=partner), as_of=as_of, summary=text
        )
    page = reverse(
        "measures:partner-detail",
        kwargs={"kommune": here.municipality.slug, "slug": partner.slug},
    )

    summary = _summary(client.get(page).text)

    assert "Her" in summary
    assert "Der" not in summary
    national = _summary(client.get(partner.get_absolute_url()).text)
    assert "Her" in national and "Der" in national


def test_plan_page_sections_follow_the_navigation_in_order(client):
    plan = _open_plan()
    MeasureFactory(plan=plan)

    html = client.get(plan.get_absolute_url()).text

    ids = [
        "sammendrag",
        "tiltak",
        "mal",
        "over-tid",
        "bydeler",
        "partnere",
        "effekt",
        "budsjett",
        "rapporter",
        "kilder",
    ]
    nav = html[html.index('aria-label="Innhold på siden"') :]
    nav = nav[: nav.index("</nav>")]
    assert re.findall(r'href="#([\w-]+)"', nav) == ids
    positions = [html.index(f'id="{anchor}"') for anchor in ids]
    assert positions == sorted(positions)
    assert html.index('id="sammendrag"') < html.index("Innhold på siden")


def test_plan_indicator_page_exists_for_public_plans_only(client):
    plan = _open_plan()
    draft = PlanFactory(status=Plan.Status.DRAFT)

    response = client.get(reverse("measures:plan-indicators", kwargs=plan.url_kwargs()))
    assert response.status_code == 200
    assert "Planens mål har ingen indikatorer ennå." in response.text
    assert plan.get_absolute_url() in response.text
    missing = client.get(reverse("measures:plan-indicators", kwargs=draft.url_kwargs()))
    assert missing.status_code == 404


def test_district_summary_counts_and_lists_updates(client):
    district = DistrictFactory(name="Årstad", slug="arstad")
    plan = _open_plan()
    reported = MeasureFactory(plan=plan, title="Rapportert tiltak")
    reported.districts.add(district)
    MeasureFactory(plan=plan).districts.add(district)
    PublishedStatusUpdateFactory(
        measure=reported, as_of=timezone.localdate(), summary="Godt i gang."
    )

    summary = _summary(client.get(district.get_absolute_url()).text)

    assert "Ingen status registrert: <strong>" in summary
    assert "Godt i gang." in summary


# --- partners and their units -----------------------------------------------------


@pytest.fixture
def helse_bergen():
    parent = PartnerFactory(name="Helse Bergen", slug="helse-bergen")
    unit = PartnerFactory(
        name="Avdeling for rusmedisin", slug="rusmedisin", parent=parent
    )
    return parent, unit


def test_partner_page_lists_its_units_measures_marked_with_the_unit(
    client, helse_bergen
):
    parent, unit = helse_bergen
    plan = _open_plan()
    MeasureFactory(plan=plan, title="Eget tiltak", lead=parent)
    MeasureFactory(plan=plan, title="Enhetens tiltak", lead=unit)

    html = client.get(parent.get_absolute_url()).text

    assert "Enhetens tiltak" in html
    assert "via Avdeling for rusmedisin" in html
    summary = _summary(html)
    assert "rolle i 2 tiltak" in summary
    assert "Ingen status registrert: <strong>2</strong>" in summary
    assert "via Helse Bergen" not in client.get(unit.get_absolute_url()).text


def test_measure_of_partner_and_unit_is_listed_once_with_the_partners_role(
    client, helse_bergen
):
    parent, unit = helse_bergen
    measure = MeasureFactory(plan=_open_plan(), title="Felles tiltak", lead=parent)
    measure.partner_roles.create(partner=unit, role="contributor")

    html = client.get(parent.get_absolute_url()).text
    table = html[html.index('id="tiltak"') : html.index('id="planer"')]

    assert table.count(">Felles tiltak</a>") == 1
    assert "via Avdeling for rusmedisin" not in table
    assert "rolle i 1 tiltak" in _summary(html)


def test_partner_with_units_uses_constant_queries(
    client, helse_bergen, django_assert_num_queries
):
    parent, unit = helse_bergen
    plan = _open_plan()
    deeper = PartnerFactory(name="Poliklinikken", parent=unit)
    for lead in (parent, unit, deeper):
        PublishedStatusUpdateFactory(measure=MeasureFactory(plan=plan, lead=lead))
    # test_public_pages' partner count (11) and the tree of units (one query).
    # + 1: whether the partner is a municipality's own (its national page).
    with django_assert_num_queries(12 + 1):
        assert client.get(parent.get_absolute_url()).status_code == 200

    for lead in (parent, unit, deeper) * 5:
        PublishedStatusUpdateFactory(measure=MeasureFactory(plan=plan, lead=lead))
    with django_assert_num_queries(12 + 1):
        response = client.get(parent.get_absolute_url())
    assert response.text.count("via Poliklinikken") == 6


def test_helse_bergen_lists_avdeling_for_rusmedisins_measure(client, bergen_plans):
    html = client.get("/bergen/partnere/helse-bergen/").text
    table = html[html.index('id="tiltak"') : html.index('id="planer"')]

    # Avdeling for rusmedisin contributes to it; Helse Bergen has no role of its own.
    row = table[table.index("Styrket LAR-oppfølging") :]
    row = row[: row.index("</tr>")]
    assert "via Avdeling for rusmedisin" in row


def test_a_long_description_leads_with_its_first_paragraph(client):
    # On a phone the whole description pushed the summary off the first screen.
    plan = _open_plan(description="Planen for byen.\nDen lange bakgrunnen.\nMer.")

    html = client.get(plan.get_absolute_url()).text

    head = html[html.index("<h1") : html.index('id="sammendrag"')]
    lead = re.search(r'<p class="lead">(.*?)</p>', head, re.S)[1]
    assert "Planen for byen." in lead
    assert "bakgrunnen" not in lead
    more = re.search(r'<details class="plan-description">(.*?)</details>', head, re.S)
    assert "Den lange bakgrunnen.<br>Mer." in more[1]


def test_a_one_paragraph_description_has_nothing_to_unfold(client):
    plan = _open_plan(description="Planen for byen.")

    html = client.get(plan.get_absolute_url()).text

    assert "Planen for byen." in html
    assert "plan-description" not in html
