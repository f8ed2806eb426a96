import datetime

import pytest

from measures.models import Plan, StatusUpdate
from measures.periods import period_for, reporting_status
from tests.factories import MeasureFactory, PlanFactory, StatusUpdateFactory

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
def test_reporting_status_costs_one_query_for_any_number_of_measures(
    django_assert_num_queries,
):
    plans = [PlanFactory(reporting_interval=i) for i in Plan.ReportingInterval.values]
    measures = [MeasureFactory(plan=plans[n % len(plans)]) for n in range(12)]
    measures = list(type(measures[0]).objects.select_related("plan"))
    with django_assert_num_queries(1):
        statuses = reporting_status(measures, D(2025, 6, 15))
    assert len(statuses) == 12
