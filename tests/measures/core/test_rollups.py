"""The one roll-up implementation: weighted progress and status counts."""

import datetime

import pytest
from django.utils import timezone

from measures.models import Health, Phase
from measures.selectors.districts import district_page
from measures.selectors.partners import partner_page
from measures.selectors.plans import (
    plan_measure_rows,
    plan_page,
    plan_progress_over_time,
    plan_summaries,
)
from measures.selectors.rollups import NO_STATUS, NOT_ASSESSED, rollup
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    GoalFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)


def _row(progress, weight=1, phase=Phase.IN_PROGRESS, health=Health.ON_TRACK):
    return {
        "id": 0,
        "weight": weight,
        "current_progress": progress,
        "current_phase": phase,
        "current_health": health,
    }


def test_progress_is_mean_weighted_by_measure_weight():
    result = rollup([_row(20, weight=1), _row(60, weight=3)])

    assert result.progress == 50
    assert result.assessed == 2


def test_measures_without_progress_are_left_out_of_the_mean_and_counted():
    result = rollup([_row(40), _row(None, weight=50, health=""), _row(80)])

    assert result.progress == 60
    assert (result.total, result.assessed, result.unassessed) == (3, 2, 1)


def test_progress_rounds_half_up():
    assert rollup([_row(12), _row(13)]).progress == 13


def test_no_assessed_measure_gives_no_progress_rather_than_zero():
    result = rollup([_row(None, health="")])

    assert result.progress is None
    assert result.unassessed == 1


def test_empty_rollup_is_all_zero():
    result = rollup([])

    assert result.total == 0
    assert result.progress is None
    assert all(share.count == 0 and share.percent == 0 for share in result.phases)


def test_counts_per_phase_and_health_cover_every_choice():
    result = rollup(
        [
            _row(10, phase=Phase.COMPLETED, health=Health.ON_TRACK),
            _row(10, phase=Phase.COMPLETED, health=Health.OFF_TRACK),
            _row(None, phase=Phase.NOT_STARTED, health=""),
        ]
    )

    # Every phase, then the measures with no status registered, its own bucket.
    assert [s.key for s in result.phases] == [*Phase.values, NO_STATUS]
    assert result.phase_count(Phase.COMPLETED) == 2
    assert result.phase_count(Phase.NOT_STARTED) == 1
    assert result.health_count(Health.OFF_TRACK) == 1
    assert result.health_count(NOT_ASSESSED) == 1
    assert sum(s.count for s in result.healths) == 3
    assert [s.percent for s in result.phases if s.count] == [33, 67]


def _measure(plan, progress, *, weight=1, goals=(), lead=None, as_of=None):
    measure = MeasureFactory(plan=plan, weight=weight, lead=lead)
    measure.goals.set(goals)
    if progress is not False:
        PublishedStatusUpdateFactory(
            measure=measure,
            progress=progress,
            health=Health.ON_TRACK if progress is not None else "",
            as_of=as_of or datetime.date(2020, 1, 1),
        )
        measure_sync_current_status(actor=SYSTEM, measure=measure)
    return measure


@pytest.mark.django_db
def test_goal_rollup_includes_descendant_goals_and_counts_a_measure_once():
    plan = PlanFactory()
    top = GoalFactory(plan=plan)
    child = GoalFactory(plan=plan, parent=top)
    grandchild = GoalFactory(plan=plan, parent=child)
    _measure(plan, 10, goals=[top])
    _measure(plan, 40, goals=[child, top])  # in two goals of one subtree
    _measure(plan, 70, weight=2, goals=[grandchild])
    _measure(plan, None, goals=[grandchild])

    page = plan_page(plan=plan)

    top_node = page.goals[0]
    child_node = top_node.children[0]
    grandchild_node = child_node.children[0]
    assert (top_node.rollup.total, top_node.rollup.progress) == (4, 48)
    assert (child_node.rollup.total, child_node.rollup.progress) == (3, 60)
    assert (grandchild_node.rollup.total, grandchild_node.rollup.assessed) == (2, 1)
    assert grandchild_node.rollup.progress == 70
    assert page.rollup.total == 4
    assert page.rollup.progress == top_node.rollup.progress


@pytest.mark.django_db
def test_plan_rollup_reads_current_status_not_drafts_or_older_updates():
    plan = PlanFactory()
    measure = _measure(plan, 30, as_of=datetime.date(2019, 1, 1))
    PublishedStatusUpdateFactory(
        measure=measure, progress=90, as_of=datetime.date(2021, 1, 1)
    )
    measure_sync_current_status(actor=SYSTEM, measure=measure)

    assert plan_page(plan=plan).rollup.progress == 90


@pytest.mark.django_db
def test_progress_over_time_steps_through_the_years_and_ends_at_current():
    plan = PlanFactory(start_year=2018, end_year=2020)
    first = _measure(plan, 20, as_of=datetime.date(2018, 3, 1))
    _measure(plan, 60, weight=3, as_of=datetime.date(2019, 5, 1))
    PublishedStatusUpdateFactory(
        measure=first, progress=80, as_of=datetime.date(2020, 2, 1)
    )
    measure_sync_current_status(actor=SYSTEM, measure=first)

    page = plan_page(plan=plan)

    assert [p.day for p in page.progress_over_time] == [
        datetime.date(2018, 12, 31),
        datetime.date(2019, 12, 31),
        datetime.date(2020, 12, 31),
    ]
    assert [p.rollup.progress for p in page.progress_over_time] == [20, 50, 65]
    # No update by 31.12.2018: no status, never "not started".
    first_year = page.progress_over_time[0].rollup
    assert first_year.phase_count(NO_STATUS) == 1
    assert first_year.phase_count(Phase.NOT_STARTED) == 0
    assert page.progress_over_time[-1].rollup == page.rollup


@pytest.mark.django_db
def test_progress_over_time_takes_each_years_last_update_in_force_then(
    django_assert_num_queries,
):
    today = timezone.localdate()
    plan = PlanFactory(start_year=2019, end_year=2020)
    measure = _measure(plan, False)
    earlier = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for progress, as_of, published_at in [
        (5, datetime.date(2018, 6, 1), earlier),  # before the plan began
        (10, datetime.date(2019, 3, 1), earlier),
        (30, datetime.date(2019, 9, 1), earlier + datetime.timedelta(days=1)),
        # the same day, published later: this one is in force
        (40, datetime.date(2019, 9, 1), earlier + datetime.timedelta(days=2)),
        (60, datetime.date(today.year - 1, 5, 1), earlier),  # after the plan ended
        (99, today + datetime.timedelta(days=1), earlier),  # dated after today
    ]:
        PublishedStatusUpdateFactory(
            measure=measure, progress=progress, as_of=as_of, published_at=published_at
        )
    StatusUpdateFactory(measure=measure, progress=77, as_of=datetime.date(2020, 6, 1))
    rows = plan_measure_rows(plan=plan)

    with django_assert_num_queries(0):
        points = plan_progress_over_time(plan=plan, rows=rows)

    # Only the plan's period: the update from before it is in force at its
    # first year-end; the ones after its end year are not drawn.
    assert [p.day for p in points] == [
        datetime.date(2019, 12, 31),
        datetime.date(2020, 12, 31),
    ]
    progress = {p.day.year: p.rollup.progress for p in points}
    assert progress[2019] == progress[2020] == 40  # not the draft's 77


@pytest.mark.django_db
def test_progress_over_time_is_empty_without_published_updates():
    plan = PlanFactory()
    measure = _measure(plan, False)
    StatusUpdateFactory(measure=measure, as_of=datetime.date(2020, 6, 1))

    assert plan_progress_over_time(plan=plan, rows=plan_measure_rows(plan=plan)) == []


@pytest.mark.django_db
def test_partner_and_district_rollups_use_the_same_arithmetic():
    partner = PartnerFactory()
    district = DistrictFactory()
    plan = PlanFactory()
    measures = [
        _measure(plan, 20, weight=1, lead=partner),
        _measure(plan, 80, weight=3, lead=partner),
        _measure(plan, None, lead=partner),
    ]
    for measure in measures:
        measure.districts.add(district)

    partner_view = partner_page(slug=partner.slug, list_unreported_up_to=50)
    district_view = district_page(
        municipality=district.municipality, slug=district.slug
    )

    for result in (partner_view.rollup, district_view.rollup):
        assert (result.total, result.assessed, result.progress) == (3, 2, 65)
    assert partner_view.groups[0].rollup == partner_view.rollup


@pytest.mark.django_db
def test_home_summaries_match_plan_page():
    plan = PlanFactory()
    _measure(plan, 25, weight=2)
    _measure(plan, 75)
    _measure(plan, False)

    summary = plan_summaries()[0]

    assert summary.rollup == plan_page(plan=plan).rollup
    assert summary.rollup.progress == 42
    assert summary.rollup.phase_count(NO_STATUS) == 1
    assert summary.rollup.phase_count(Phase.NOT_STARTED) == 0


def test_a_measure_with_no_status_counts_in_its_own_bucket_not_as_not_started():
    result = rollup(
        [
            _row(None, phase="", health=""),
            _row(None, phase=Phase.NOT_STARTED, health=""),
        ]
    )

    assert result.phase_count(NO_STATUS) == 1
    assert result.phase_count(Phase.NOT_STARTED) == 1
    assert result.without_status == 1


@pytest.mark.parametrize(
    ("weights", "covers"),
    [
        # (weight of each assessed measure, of each unassessed one)
        (([1], [1, 1, 1, 1, 1, 1]), False),  # 1 of 7 measures: too little
        (([1, 1, 1], [1, 1, 1]), True),  # exactly half the weight
        (([1, 1], [1, 1, 1]), False),  # 2 of 5
        (([5], [1, 1, 1]), True),  # 1 of 4 measures, but 5 of 8 by weight
    ],
)
def test_progress_covers_the_plan_only_with_half_the_weight_assessed(weights, covers):
    assessed, unassessed = weights
    rows = [_row(40, weight=w) for w in assessed] + [
        _row(None, weight=w, health="") for w in unassessed
    ]

    result = rollup(rows)

    assert result.progress == 40
    assert result.covers_enough is covers


def test_no_progress_never_covers_anything():
    assert rollup([_row(None, health="")]).covers_enough is False
