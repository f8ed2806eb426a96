import datetime

import pytest
from django.utils import timezone

from measures.models import MeasurePartner, Plan, StatusUpdate
from measures.periods import period_for
from measures.selectors.due import reporting_status
from measures.services.status_updates import status_update_create
from rusplan import page_cache
from tests.factories import (
    SYSTEM,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "start", "end", "key"),
    [
        (D(2025, 1, 1), D(2025, 1, 1), D(2025, 4, 30), "tertial:2025-1"),
        (D(2025, 4, 30), D(2025, 1, 1), D(2025, 4, 30), "tertial:2025-1"),
        (D(2025, 5, 1), D(2025, 5, 1), D(2025, 8, 31), "tertial:2025-2"),
        (D(2025, 12, 31), D(2025, 9, 1), D(2025, 12, 31), "tertial:2025-3"),
    ],
)
def test_tertials_are_january_april_may_august_september_december(day, start, end, key):
    period = period_for("tertial", day)
    assert (period.start, period.end, period.key) == (start, end, key)
    assert period.label == f"{key[-1]}. tertial 2025"


@pytest.mark.parametrize(
    ("interval", "day", "start", "end"),
    [
        ("month", D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29)),
        ("quarter", D(2025, 5, 15), D(2025, 4, 1), D(2025, 6, 30)),
        ("half_year", D(2025, 7, 1), D(2025, 7, 1), D(2025, 12, 31)),
        ("year", D(2025, 7, 1), D(2025, 1, 1), D(2025, 12, 31)),
    ],
)
def test_every_interval_gives_the_period_containing_the_day(interval, day, start, end):
    period = period_for(interval, day)
    assert (period.start, period.end) == (start, end)
    assert period.contains(day)


def test_previous_period_crosses_the_year():
    assert period_for("tertial", D(2025, 2, 1)).previous().key == "tertial:2024-3"


@pytest.mark.django_db
def test_measure_is_due_until_an_update_is_submitted_inside_the_period():
    measure = MeasureFactory(plan=PlanFactory(reporting_interval="tertial"))
    today = D(2025, 6, 15)
    status = reporting_status([measure], today)[measure.pk]
    assert status.due
    assert status.period.key == "tertial:2025-2"

    StatusUpdateFactory(measure=measure, as_of=D(2025, 5, 2))  # a draft: no
    assert reporting_status([measure], today)[measure.pk].due
    StatusUpdateFactory(
        measure=measure, as_of=D(2025, 4, 30), state=StatusUpdate.State.SUBMITTED
    )  # previous tertial: no
    status = reporting_status([measure], today)[measure.pk]
    assert status.due and not status.overdue
    StatusUpdateFactory(
        measure=measure, as_of=D(2025, 5, 2), state=StatusUpdate.State.SUBMITTED
    )
    status = reporting_status([measure], today)[measure.pk]
    assert not status.due
    assert status.reported_on == D(2025, 5, 2)


@pytest.mark.django_db
def test_measure_missing_the_previous_period_too_is_overdue():
    measure = MeasureFactory(plan=PlanFactory(adopted_on=D(2018, 6, 1)))
    status = reporting_status([measure], D(2025, 6, 15))[measure.pk]
    assert status.due and status.overdue


@pytest.mark.django_db
def test_plan_adopted_this_period_is_due_but_not_overdue():
    measure = MeasureFactory(plan=PlanFactory(adopted_on=D(2025, 5, 10)))
    status = reporting_status([measure], D(2025, 6, 15))[measure.pk]
    assert status.due and not status.overdue


@pytest.mark.django_db
@pytest.mark.parametrize("phase", ["completed", "discontinued", "continued"])
def test_finished_measures_are_never_due(phase):
    measure = MeasureFactory(current_phase=phase)
    assert reporting_status([measure], D(2025, 6, 15)) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["draft", "completed", "superseded"])
def test_measures_of_plans_that_are_not_adopted_are_never_due(status):
    measure = MeasureFactory(plan=PlanFactory(status=status))
    assert reporting_status([measure], D(2025, 6, 15)) == {}


@pytest.mark.django_db
def test_a_plan_without_a_reporting_interval_has_nothing_due():
    measure = MeasureFactory(plan=PlanFactory(reporting_interval=""))
    assert reporting_status([measure], D(2025, 6, 15)) == {}


@pytest.mark.django_db
def test_a_measure_with_no_status_yet_is_due():
    measure = MeasureFactory(current_phase="")
    assert reporting_status([measure], D(2025, 6, 15))[measure.pk].due


@pytest.mark.django_db
def test_reporting_status_costs_one_query_for_any_number_of_measures(
    django_assert_num_queries,
):
    intervals = [i for i in Plan.ReportingInterval.values if i]
    plans = [PlanFactory(reporting_interval=i) for i in intervals]
    measures = [MeasureFactory(plan=plans[n % len(plans)]) for n in range(12)]
    measures = list(type(measures[0]).objects.select_related("plan"))
    with django_assert_num_queries(1):
        statuses = reporting_status(measures, D(2025, 6, 15))
    assert len(statuses) == 12


# --- the partner page: which of its measures have not reported this period --------


def _unreported_section(html: str) -> str:
    start = html.index('<section aria-labelledby="ikke-rapportert"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def partner_world(db):
    """A partner with measures in an adopted plan (tertials, adopted long ago): one
    reported this period, one reported only last period, one (as contributor) never
    reported, one finished; and measures it does not share."""
    today = timezone.localdate()
    period = period_for("tertial", today)
    partner = PartnerFactory(name="Utekontakten", slug="utekontakten")
    other = PartnerFactory(name="Annen etat", slug="annen-etat")
    plan = PlanFactory(
        title="Rusplan", adopted_on=D(2018, 1, 1), start_year=2018, end_year=None
    )
    measures = {
        "reported": MeasureFactory(plan=plan, title="Rapportert nå", lead=partner),
        "due": MeasureFactory(plan=plan, title="Rapportert i fjor", lead=partner),
        "overdue": MeasureFactory(plan=plan, title="Aldri rapportert", lead=other),
        "finished": MeasureFactory(
            plan=plan, title="Ferdig tiltak", lead=partner, current_phase="completed"
        ),
        "others": MeasureFactory(plan=plan, title="Andres tiltak", lead=other),
    }
    MeasurePartner.objects.create(
        measure=measures["overdue"], partner=partner, role="contributor"
    )
    StatusUpdateFactory(
        measure=measures["reported"], as_of=today, state=StatusUpdate.State.SUBMITTED
    )
    PublishedStatusUpdateFactory(measure=measures["due"], as_of=period.previous().end)
    old_plan = PlanFactory(status=Plan.Status.SUPERSEDED, title="Gammel plan")
    MeasureFactory(plan=old_plan, title="Tiltak i gammel plan", lead=partner)
    return partner, plan, measures, period


def test_partner_page_lists_its_measures_not_reported_this_period(
    client, partner_world
):
    partner, _plan, measures, period = partner_world

    section = _unreported_section(client.get(partner.get_absolute_url()).text)

    assert "Ikke rapportert denne perioden" in section
    assert f"{period.label}, frist {period.end:%d.%m.%Y}" in section
    assert measures["due"].title in section
    assert measures["overdue"].title in section
    for name in ("reported", "finished", "others"):
        assert measures[name].title not in section, name
    assert "Tiltak i gammel plan" not in section
    # Only the measure that missed the previous period too is marked late.
    items = {item.split("</a>")[0]: item for item in section.split("<li>")[1:]}
    late = next(item for key, item in items.items() if "Aldri rapportert" in key)
    assert "Forsinket" in late
    assert section.count("Forsinket") == 1


def test_partner_page_says_when_every_measure_has_reported(client, partner_world):
    partner, _plan, measures, period = partner_world
    for name in ("due", "overdue"):
        StatusUpdateFactory(
            measure=measures[name],
            as_of=period.start,
            state=StatusUpdate.State.SUBMITTED,
        )

    section = _unreported_section(client.get(partner.get_absolute_url()).text)

    assert "er rapportert for denne perioden" in section
    assert "<li>" not in section


def test_partner_page_has_no_reporting_section_without_an_adopted_plan(client, db):
    partner = PartnerFactory(slug="bare-gammel")
    MeasureFactory(plan=PlanFactory(status=Plan.Status.COMPLETED), lead=partner)

    html = client.get(partner.get_absolute_url()).text

    assert "ikke-rapportert" not in html


def test_publishing_refreshes_the_cached_partner_page_at_once(client, partner_world):
    partner, plan, measures, _period = partner_world
    url = partner.get_absolute_url()
    client.get(url)
    assert client.get(url)[page_cache.CACHE_STATUS_HEADER] == "hit"
    Plan.objects.filter(pk=plan.pk).update(requires_review=False)
    plan.refresh_from_db()
    measure = measures["due"]
    measure.refresh_from_db()

    status_update_create(
        actor=SYSTEM,
        measure=measure,
        author=None,
        as_of=timezone.localdate(),
        phase="in_progress",
        summary="Ny status.",
        sources=[SourceFactory()],
        submit=True,
    )

    response = client.get(url)
    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert measure.title not in _unreported_section(response.text)
