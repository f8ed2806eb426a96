"""A measure's year-end statuses (Measure.year_end_statuses): the rule, how the
services keep them, and that the plan page's progress over time and what changed,
read from them, are what looking back through the updates (StatusOn()) gives."""

import datetime
import importlib
import io
import random
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from measures.models import Measure, Phase, StatusUpdate
from measures.selectors.changes import plan_changes
from measures.selectors.plans import plan_measure_rows, plan_progress_over_time
from measures.selectors.rollups import NO_STATUS, rollup
from measures.selectors.status_on import StatusOn, split_status
from measures.services.plans import year_ends_rebuild
from measures.year_ends import (
    format_year_ends,
    year_end_statuses,
    year_end_text,
    year_end_texts,
)
from tests.factories import (
    MeasureFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
    UserFactory,
)


def _update(day: str, progress, phase=Phase.IN_PROGRESS, health="on_track"):
    return SimpleNamespace(
        as_of=datetime.date.fromisoformat(day),
        phase=phase,
        health=health,
        progress=progress,
    )


def test_each_year_end_holds_the_last_update_of_that_year_or_before():
    statuses = year_end_statuses(
        [
            _update("2018-03-01", None, Phase.NOT_STARTED, ""),
            _update("2018-11-30", 10),
            # nothing in 2019: 2018's last update is still in force at its end
            _update("2020-01-01", 40),
            _update("2020-12-31", 50),  # the last day of the year counts
            _update("2022-05-01", 90),  # the current status: no year-end from 2022
        ]
    )

    assert statuses == {
        2018: (Phase.IN_PROGRESS, "on_track", 10, "2018-11-30"),
        2019: (Phase.IN_PROGRESS, "on_track", 10, "2018-11-30"),
        2020: (Phase.IN_PROGRESS, "on_track", 50, "2020-12-31"),
        2021: (Phase.IN_PROGRESS, "on_track", 50, "2020-12-31"),
    }


def test_no_year_end_before_the_first_update_or_from_the_current_statuss_year():
    assert year_end_statuses([]) == {}
    assert year_end_statuses([_update("2019-01-01", 5), _update("2019-12-31", 9)]) == {}


def test_the_text_keeps_an_unassessed_progress_apart_from_zero():
    text = format_year_ends(
        {
            2020: (Phase.NOT_STARTED, "", None, "2020-01-02"),
            2019: (Phase.IN_PROGRESS, "at_risk", 0, "2019-05-01"),
        }
    )

    assert text == "2019:in_progress|at_risk|0|2019-05-01;2020:not_started|||2020-01-02"
    assert {
        year: split_status(status) for year, status in year_end_texts(text).items()
    } == {
        "2019": ("in_progress", "at_risk", 0, "2019-05-01"),
        "2020": ("not_started", "", None, "2020-01-02"),
    }
    assert year_end_texts("") == {}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2019:a|b|1|2019-01-01",
        "2019:a||1|2019-01-01;2020:c|d||2020-02-02;2021:e|||x",
    ],
)
@pytest.mark.parametrize("year", ["2018", "2019", "2020", "2021", "2022", "201", "019"])
def test_one_years_text_is_the_one_the_dict_of_every_year_gives(text, year):
    assert year_end_text(text, year) == year_end_texts(text).get(year)


@pytest.mark.django_db
def test_publishing_a_late_update_for_a_past_year_changes_that_year_end():
    plan = PlanFactory(start_year=2019, end_year=2021)
    measure = MeasureFactory(plan=plan)
    PublishedStatusUpdateFactory(
        measure=measure, progress=10, as_of=datetime.date(2019, 3, 1)
    )
    PublishedStatusUpdateFactory(
        measure=measure, progress=50, as_of=datetime.date(2021, 3, 1)
    )

    def progress_by_year():
        rows = plan_measure_rows(plan=plan)
        return [
            p.rollup.progress for p in plan_progress_over_time(plan=plan, rows=rows)
        ]

    assert progress_by_year() == [10, 10, 50]
    measure.refresh_from_db()
    version, history = measure.version, measure.history.count()

    # Published now, dated in 2020: not the current status, but where the measure
    # stood at the end of 2020.
    PublishedStatusUpdateFactory(
        measure=measure, progress=30, as_of=datetime.date(2020, 6, 1)
    )

    measure.refresh_from_db()
    assert measure.current_progress == 50
    # Only derived data changed: an editor with the measure's form open (at this
    # version) meets no conflict, and its history gains no row.
    assert (measure.version, measure.history.count()) == (version, history)
    assert measure.year_end_statuses == (
        "2019:in_progress|on_track|10|2019-03-01;2020:in_progress|on_track|30|2020-06-01"
    )
    assert progress_by_year() == [10, 30, 50]


@pytest.mark.django_db
def test_a_status_dated_after_today_leaves_today_at_the_update_in_force(
    django_assert_max_num_queries,
):
    today = timezone.localdate()
    plan = PlanFactory(start_year=today.year - 1, end_year=None)
    measure = MeasureFactory(plan=plan)
    for progress, as_of in [
        (10, datetime.date(today.year - 1, 1, 1)),
        (30, today),
        (99, today + datetime.timedelta(days=1)),  # the current status
    ]:
        PublishedStatusUpdateFactory(measure=measure, progress=progress, as_of=as_of)
    rows = plan_measure_rows(plan=plan)

    # No query but one for the measures dated ahead when today is not a year-end
    # (on 31 December the year-end statuses say it).
    with django_assert_max_num_queries(1):
        points = plan_progress_over_time(plan=plan, rows=rows)

    assert [p.rollup.progress for p in points] == [10, 30]


def _looked_back(plan, days) -> list:
    """The roll-up on each day from the updates themselves (StatusOn()), as the
    plan page computed it before the year-end statuses: the reference."""
    annotations = {
        f"day_{i}": StatusOn(day, with_as_of=False) for i, day in enumerate(days)
    }
    measures = list(
        Measure.objects.filter(plan=plan)
        .annotate(**annotations)
        .values("weight", *annotations)
    )
    result = []
    for name in annotations:
        rows = []
        for measure in measures:
            phase, health, progress = (
                split_status(measure[name]) if measure[name] else (NO_STATUS, "", None)
            )
            rows.append(
                {
                    "id": 0,
                    "weight": measure["weight"],
                    "current_phase": phase,
                    "current_health": health,
                    "current_progress": progress,
                }
            )
        result.append(rollup(rows))
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_progress_over_time_is_what_looking_back_through_the_updates_gives(seed):
    rng = random.Random(seed)
    today = timezone.localdate()
    plan = PlanFactory(start_year=today.year - 6, end_year=None)
    published_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for _ in range(12):
        measure = MeasureFactory(plan=plan, weight=rng.choice((1, 2, 3)))
        for _ in range(rng.randrange(6)):
            as_of = datetime.date(today.year - 8, 1, 1) + datetime.timedelta(
                days=rng.randrange(9 * 365)  # some dated after today
            )
            progress = rng.choice((None, 0, 25, 60, 100))
            fields = {
                "measure": measure,
                "as_of": as_of,
                "progress": progress,
                "phase": Phase.NOT_STARTED if progress is None else Phase.IN_PROGRESS,
                "health": ""
                if progress is None
                else rng.choice(("on_track", "at_risk")),
                # Ties on the date, decided by the publication time.
                "published_at": published_at + datetime.timedelta(rng.randrange(3)),
            }
            factory = rng.choice(
                (
                    PublishedStatusUpdateFactory,
                    PublishedStatusUpdateFactory,
                    StatusUpdateFactory,
                )
            )
            factory(**fields)

    points = plan_progress_over_time(plan=plan, rows=plan_measure_rows(plan=plan))

    assert points, "some update is in force on a day of the plan"
    assert [p.rollup for p in points] == _looked_back(plan, [p.day for p in points])
    # Each year-end status is the text StatusOn() gives for 31 December.
    years = range(today.year - 9, today.year + 2)
    looked_up = Measure.objects.filter(plan=plan).annotate(
        **{f"y{year}": StatusOn(datetime.date(year, 12, 31)) for year in years}
    )
    for measure in looked_up:
        kept = year_end_texts(measure.year_end_statuses)
        assert kept == {
            str(year): getattr(measure, f"y{year}")
            for year in years
            if measure.current_as_of
            and measure.current_as_of.year > year
            and getattr(measure, f"y{year}")
        }


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [4, 5])
def test_what_changed_since_the_last_year_end_is_what_looking_back_gives(
    seed, django_assert_num_queries
):
    rng = random.Random(seed)
    today = timezone.localdate()
    plan = PlanFactory(
        start_year=today.year - 3, end_year=None, reporting_interval="year"
    )
    for number in range(15):
        measure = MeasureFactory(plan=plan)
        # Every other measure reports today, after the last year-end whatever the
        # day of the year: some have changed (on 1 January too).
        days = [0] if number % 2 else []
        days += [rng.randrange(3 * 365) for _ in range(rng.randrange(5))]
        for days_ago in days:
            progress = rng.choice((None, 10, 40, 70))
            PublishedStatusUpdateFactory(
                measure=measure,
                as_of=today - datetime.timedelta(days=days_ago),
                progress=progress,
                phase=Phase.NOT_STARTED if progress is None else Phase.IN_PROGRESS,
                health="" if progress is None else rng.choice(("on_track", "at_risk")),
            )
    rows = plan_measure_rows(plan=plan)

    with django_assert_num_queries(0):
        from_rows = plan_changes(plan=plan, measure_rows=rows)

    assert from_rows.total > 0
    assert from_rows == plan_changes(plan=plan)  # the query, looking back


@pytest.mark.django_db
def test_the_migration_fills_what_the_services_keep():
    plan = PlanFactory(start_year=2018)
    measures = [MeasureFactory(plan=plan) for _ in range(3)]
    for measure, days in zip(
        measures,
        [["2018-02-01", "2019-05-01", "2021-01-01"], ["2020-01-01"], []],
        strict=True,
    ):
        for day in days:
            PublishedStatusUpdateFactory(
                measure=measure, as_of=datetime.date.fromisoformat(day)
            )
    StatusUpdateFactory(measure=measures[1], as_of=datetime.date(2023, 1, 1))
    kept = dict(Measure.objects.values_list("pk", "year_end_statuses"))
    assert kept[measures[0].pk].count(";") == 2  # 2018, 2019 and 2020
    Measure.objects.update(year_end_statuses="")

    migration = importlib.import_module(
        "measures.migrations.0017_fill_year_end_statuses"
    )
    migration.fill_year_end_statuses(apps, None)

    assert dict(Measure.objects.values_list("pk", "year_end_statuses")) == kept
    assert StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED).count() == 4


@pytest.mark.django_db
def test_the_rebuild_command_mends_what_the_release_before_left_behind():
    plan = PlanFactory(start_year=2018)
    measure = MeasureFactory(plan=plan)
    for day in ("2018-02-01", "2020-05-01"):
        PublishedStatusUpdateFactory(
            measure=measure, as_of=datetime.date.fromisoformat(day)
        )
    kept = Measure.objects.get(pk=measure.pk).year_end_statuses
    # A server of the release before published an update dated in 2019 without
    # keeping the year-ends (as a plain save would).
    StatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2019, 6, 1),
        state=StatusUpdate.State.PUBLISHED,
        published_at=timezone.now(),
        progress=77,
    )
    assert Measure.objects.get(pk=measure.pk).year_end_statuses == kept
    out = io.StringIO()

    call_command("rebuild_year_end_statuses", stdout=out)

    assert "Tiltak rettet: 1" in out.getvalue()
    assert "2019:in_progress|on_track|77|2019-06-01" in (
        Measure.objects.get(pk=measure.pk).year_end_statuses
    )
    out = io.StringIO()
    call_command("rebuild_year_end_statuses", stdout=out)
    assert "Tiltak rettet: 0" in out.getvalue()


@pytest.mark.django_db
def test_only_an_administrator_of_the_installation_rebuilds_year_ends():
    with pytest.raises(PermissionDenied):
        year_ends_rebuild(actor=UserFactory(is_staff=True))
    assert year_ends_rebuild(actor=UserFactory(is_staff=True, is_superuser=True)) == 0
