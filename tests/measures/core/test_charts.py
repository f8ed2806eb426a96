"""Charts that tell the truth (issue 13, item 3): indicator values on a true time
axis, progress over time over the plan's period with unknowns shown as unknown, and
the district comparison."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from measures.charts.indicators import indicator_chart
from measures.charts.status import (
    NO_DATA,
    NOT_ASSESSED,
    SHOWN,
    TOO_FEW,
    district_bars,
    progress_columns,
)
from measures.models import (
    District,
    Health,
    Indicator,
    IndicatorValue,
    PeriodType,
    Phase,
)
from measures.selectors.districts import district_comparison
from measures.selectors.indicators import IndicatorPoint, IndicatorSeries
from measures.selectors.plans import plan_page
from measures.selectors.rollups import NO_STATUS
from measures.selectors.small_numbers import PublicValue, public_value
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    MeasureFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)

# Indicator series on a time axis -----------------------------------------------


def _indicator(**fields) -> Indicator:
    defaults = {
        "title": "Overdosedødsfall",
        "slug": "overdose",
        "kind": Indicator.Kind.PEOPLE,
        "unit": "personer",
        "small_number_threshold": 5,
    }
    return Indicator(**{**defaults, **fields})


def _series(indicator, values, *, user=None) -> IndicatorSeries:
    """A series of unsaved values: (year, number) for a year value, or
    (period_type, year, number, value)."""
    points = []
    for period_type, year, number, value in values:
        one = IndicatorValue(
            indicator=indicator,
            period_type=period_type,
            year=year,
            number=number,
            value=Decimal(value),
        )
        shown = public_value(indicator, one, user=user)
        points.append(IndicatorPoint(value=one, shown=shown))
    return IndicatorSeries(
        indicator=indicator,
        points=points,
        baseline=public_value(indicator, indicator.baseline_value, user=user),
        target=(
            PublicValue(text=str(indicator.target_value), number=indicator.target_value)
            if indicator.target_value is not None
            else None
        ),
    )


@pytest.fixture
def anonymous(monkeypatch):
    # public_value asks permissions about the user; nobody may see small numbers.
    monkeypatch.setattr(
        "measures.permissions.can_see_exact_small_numbers", lambda user, ind: False
    )


def _year(year, value):
    return (PeriodType.YEAR, year, 1, value)


def test_years_stand_at_their_real_distances(anonymous):
    chart = indicator_chart(
        _series(_indicator(), [_year(1996, 20), _year(2003, 30), _year(2020, 25)])
    )
    (panel,) = chart.panels
    x = [float(mark.cx) for mark in panel.marks]
    # 7 years, then 17: evenly spaced columns would give 1:1.
    assert (x[1] - x[0]) / (x[2] - x[1]) == pytest.approx(7 / 17, rel=0.01)
    # Each year value is a segment over its year, its dot in the middle.
    first = panel.marks[0]
    assert float(first.x1) < float(first.cx) < float(first.x2)
    assert float(first.cx) == pytest.approx(
        (float(first.x1) + float(first.x2)) / 2, abs=0.01
    )
    # Far-apart years are not joined by a line: the years between have no data.
    assert panel.lines == []
    assert chart.has_gap
    # Labelled years are round years, spaced by time too.
    labels = [tick.label for tick in panel.x_ticks]
    assert labels == [str(year) for year in range(1996, 2021, 2)]
    gaps = {
        round(float(b.position) - float(a.position), 1)
        for a, b in zip(panel.x_ticks, panel.x_ticks[1:], strict=False)
    }
    assert max(gaps) - min(gaps) < 0.2  # two years are two years everywhere


def test_a_missing_period_breaks_the_line(anonymous):
    chart = indicator_chart(
        _series(
            _indicator(),
            [_year(2018, 20), _year(2019, 22), _year(2021, 30), _year(2022, 31)],
        )
    )
    (panel,) = chart.panels
    assert len(panel.lines) == 2  # 2018–2019 and 2021–2022, nothing across 2020
    marks = {mark.period: mark for mark in panel.marks}
    assert panel.lines[0] == f"{marks['2018'].cx},{marks['2018'].y} " + (
        f"{marks['2019'].cx},{marks['2019'].y}"
    )
    assert "2020" not in marks  # no value, no mark: no data, never zero


def test_tertials_and_years_are_never_on_the_same_series(anonymous):
    chart = indicator_chart(
        _series(
            _indicator(),
            [
                _year(2024, 36),
                (PeriodType.TERTIAL, 2025, 1, 12),
                (PeriodType.TERTIAL, 2025, 2, 9),
            ],
        )
    )
    assert [panel.period_type for panel in chart.panels] == [
        PeriodType.YEAR,
        PeriodType.TERTIAL,
    ]
    year_panel, tertial_panel = chart.panels
    assert [m.period for m in year_panel.marks] == ["2024"]
    assert {m.point.value.period_type for m in tertial_panel.marks} == {
        PeriodType.TERTIAL
    }
    # A tertial spans a third of a year on the same time axis.
    year_mark = year_panel.marks[0]
    tertial_width = float(tertial_panel.marks[0].width)
    assert tertial_width == pytest.approx(float(year_mark.width) * 121 / 366, rel=0.02)
    # The two panels share the time axis: the same years at the same x, in
    # panels of the same width, so that they line up when scaled to the page.
    assert year_panel.x_ticks == tertial_panel.x_ticks
    assert year_panel.width == tertial_panel.width
    # Consecutive tertials are joined; the year stands alone.
    assert len(tertial_panel.lines) == 1
    assert year_panel.lines == []


def test_baseline_and_target_are_drawn_at_their_years_with_labels(anonymous):
    indicator = _indicator(
        baseline_value=Decimal(23),
        baseline_year=2017,
        target_value=Decimal(10),
        target_year=2025,
    )
    chart = indicator_chart(
        _series(indicator, [_year(2018, 31), (PeriodType.TERTIAL, 2020, 1, 4)])
    )
    year_panel, tertial_panel = chart.panels
    references = {ref.kind: ref for ref in year_panel.references}
    assert references["baseline"].label == "Utgangsverdi 2017: 23"
    assert references["target"].label == "Mål 2025: 10"
    assert tertial_panel.references == []  # a year value beside tertials is not
    # The labels' room right of the year panel is kept in the tertial panel too.
    assert (year_panel.width, year_panel.plot_right) == (
        tertial_panel.width,
        tertial_panel.plot_right,
    )
    # The axis runs from the baseline's year to the target's.
    assert year_panel.x_ticks[0].label == "2017"
    assert float(references["baseline"].x1) == pytest.approx(
        float(year_panel.plot_left)
    )
    assert float(references["target"].x2) == pytest.approx(float(year_panel.plot_right))
    assert float(references["target"].y) > float(references["baseline"].y)


def test_references_alone_make_a_year_panel(anonymous):
    indicator = _indicator(target_value=Decimal(10), target_year=2025)
    chart = indicator_chart(_series(indicator, [(PeriodType.MONTH, 2025, 3, 40)]))
    assert [panel.period_type for panel in chart.panels] == ["year", "month"]
    assert chart.panels[0].marks == []


def test_a_hidden_small_number_is_never_plotted(anonymous):
    chart = indicator_chart(
        _series(_indicator(), [_year(2018, 20), _year(2019, 3), _year(2020, 12)])
    )
    (panel,) = chart.panels
    hidden = panel.marks[1]
    assert hidden.suppressed
    assert hidden.point.shown.text == "<\u00a05"
    # The band reaches the threshold, not the value.
    y_of_threshold = float(panel.plot_bottom) - float(hidden.band_height)
    assert float(hidden.y) == pytest.approx(y_of_threshold)
    tick_at = {tick.label: float(tick.position) for tick in panel.y_ticks}
    assert float(hidden.y) == pytest.approx(tick_at["5"])
    # No line runs to or from it: its height would tell.
    assert panel.lines == []
    assert all(hidden.cx not in line for line in panel.lines)


def test_a_hidden_small_baseline_is_a_band_not_a_line(anonymous):
    indicator = _indicator(baseline_value=Decimal(2), baseline_year=2018)
    chart = indicator_chart(_series(indicator, [_year(2019, 12)]))
    (reference,) = chart.panels[0].references
    assert reference.suppressed
    assert reference.label == "Utgangsverdi 2018: <\u00a05"


def test_counts_start_at_zero_with_whole_ticks_and_the_unit(anonymous):
    chart = indicator_chart(_series(_indicator(), [_year(2019, 31), _year(2020, 36)]))
    (panel,) = chart.panels
    labels = [tick.label for tick in panel.y_ticks]
    assert labels[0] == "0"
    assert all("," not in label for label in labels)
    assert float(panel.y_ticks[0].position) == pytest.approx(float(panel.plot_bottom))
    assert panel.unit_label == "personer"


def test_nothing_to_draw_is_no_chart(anonymous):
    assert indicator_chart(_series(_indicator(), [])) is None


# Progress over time -------------------------------------------------------------


def _measure_with_updates(plan, *updates, weight=1, phase=Phase.IN_PROGRESS):
    """A measure with published updates (progress, as_of); progress None is a
    status with no progress assessed."""
    measure = MeasureFactory(plan=plan, weight=weight)
    for progress, as_of in updates:
        PublishedStatusUpdateFactory(
            measure=measure,
            progress=progress,
            health=Health.ON_TRACK if progress is not None else "",
            as_of=as_of,
            phase=phase,
        )
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    return measure


@pytest.mark.django_db
def test_progress_over_time_runs_from_the_plan_start_to_its_end_year():
    plan = PlanFactory(start_year=2015, end_year=2018)
    _measure_with_updates(
        plan,
        (10, datetime.date(2016, 3, 1)),
        (90, datetime.date(2021, 3, 1)),  # after the end year: not drawn
    )
    points = plan_page(plan=plan).progress_over_time
    assert [p.day for p in points] == [
        datetime.date(year, 12, 31) for year in (2015, 2016, 2017, 2018)
    ]


@pytest.mark.django_db
def test_progress_over_time_of_an_open_plan_ends_today():
    today = timezone.localdate()
    plan = PlanFactory(start_year=today.year - 2, end_year=None)
    _measure_with_updates(
        plan,
        (30, datetime.date(today.year - 1, 1, 1)),
        (99, today + datetime.timedelta(days=1)),  # dated after today
    )
    points = plan_page(plan=plan).progress_over_time
    assert [p.day for p in points] == [
        datetime.date(today.year - 2, 12, 31),
        datetime.date(today.year - 1, 12, 31),
        today,
    ]
    assert points[-1].rollup.progress == 30


@pytest.mark.django_db
def test_years_without_data_are_unknown_never_zero():
    plan = PlanFactory(start_year=2018, end_year=2021)
    _measure_with_updates(
        plan, (None, datetime.date(2019, 6, 1)), (40, datetime.date(2020, 6, 1))
    )
    _measure_with_updates(plan, (60, datetime.date(2020, 6, 1)))
    chart = progress_columns(plan_page(plan=plan).progress_over_time)
    states = {c.point.day.year: c.state for c in chart.columns}
    assert states == {
        2018: NO_DATA,  # nobody had reported
        2019: NOT_ASSESSED,  # a status, but no progress
        2020: SHOWN,
        2021: SHOWN,
    }
    unknown = chart.columns[0]
    # Drawn as a full-height empty column, not as a column of height 0.
    assert float(unknown.height) == pytest.approx(float(chart.plot_bottom) - 16)
    assert chart.has_unknown


@pytest.mark.django_db
def test_a_year_assessed_for_too_few_measures_is_not_shown_as_the_plans():
    plan = PlanFactory(start_year=2020, end_year=2020)
    _measure_with_updates(plan, (80, datetime.date(2020, 3, 1)))
    for _index in range(3):
        _measure_with_updates(plan, (None, datetime.date(2020, 3, 1)))
    (column,) = progress_columns(plan_page(plan=plan).progress_over_time).columns
    assert column.state == TOO_FEW


@pytest.mark.django_db
def test_the_plan_page_says_unknown_in_the_table(client):
    plan = PlanFactory(start_year=2018, end_year=2020)
    _measure_with_updates(plan, (40, datetime.date(2020, 6, 1)))
    html = client.get(plan.get_absolute_url()).text
    table = html[html.index('id="time-table-caption"') :]
    table = table[: table.index("</table>")]
    assert table.count("ingen data") == 2  # 2018 and 2019
    assert ">0&nbsp;%" not in table
    assert 'class="column-unknown"' in html


@pytest.mark.django_db
def test_a_plan_not_yet_begun_has_no_progress_over_time():
    today = timezone.localdate()
    plan = PlanFactory(start_year=today.year + 1, end_year=None)
    _measure_with_updates(plan, (10, today))
    assert plan_page(plan=plan).progress_over_time == []


# District comparison ----------------------------------------------------------------


def _district_world(plan, n_per_district: int):
    """Three districts (one of them Årstad, which sorts after Fana) with measures
    in each phase, one measure in two districts, one with no status and one
    tied to no district."""
    arstad, fana, arna = (
        District.objects.get_or_create(
            municipality=plan.municipality, name=name, defaults={"slug": slug}
        )[0]
        for name, slug in (("Årstad", "arstad"), ("Fana", "fana"), ("Arna", "arna"))
    )
    for _index in range(n_per_district):
        done = _measure_with_updates(
            plan, (100, datetime.date(2020, 1, 1)), phase=Phase.COMPLETED
        )
        done.districts.add(arstad)
        going = _measure_with_updates(plan, (40, datetime.date(2020, 1, 1)))
        going.districts.add(arstad, fana)
        silent = MeasureFactory(plan=plan)  # no published update
        silent.districts.add(fana)
    MeasureFactory(plan=plan)  # city-wide: no district
    return arstad, fana, arna


@pytest.mark.django_db
def test_district_comparison_counts_each_phase_and_no_status():
    plan = PlanFactory()
    _district_world(plan, 1)

    rows = district_comparison(plan=plan)

    assert [row.district.name if row.district else None for row in rows] == [
        "Fana",
        "Årstad",
        None,
    ]  # Arna has no measure of the plan; Å after F, as in Norwegian
    fana, arstad, nowhere = (row.rollup for row in rows)
    assert (arstad.total, arstad.phase_count(Phase.COMPLETED)) == (2, 1)
    assert arstad.phase_count(Phase.IN_PROGRESS) == 1
    assert (fana.total, fana.phase_count(NO_STATUS)) == (2, 1)
    assert fana.phase_count(Phase.NOT_STARTED) == 0  # no status is not "not started"
    assert (nowhere.total, nowhere.phase_count(NO_STATUS)) == (1, 1)

    chart = district_bars(rows)
    assert chart.phases[-1] == ("none", "Ingen status registrert")
    assert [key for key, _label in chart.phases] == [
        Phase.IN_PROGRESS,
        Phase.COMPLETED,
        "none",
    ]
    assert chart.bars[0].counts == [1, 0, 1]
    # Bars compare by length: 2 measures fill the bar, 1 fills half.
    assert sum(float(s.width) for s in chart.bars[0].segments) == pytest.approx(100)
    assert sum(float(s.width) for s in chart.bars[2].segments) == pytest.approx(50)
    no_status = chart.bars[2].segments[0]
    assert (no_status.key, no_status.count) == ("none", 1)


@pytest.mark.django_db
def test_district_comparison_takes_one_query_at_any_size(django_assert_num_queries):
    small, large = PlanFactory(), PlanFactory()
    _district_world(small, 1)
    _district_world(large, 6)

    with django_assert_num_queries(1):
        small_rows = district_comparison(plan=small)
    with django_assert_num_queries(1):
        large_rows = district_comparison(plan=large)
    assert sum(row.rollup.total for row in large_rows) == 6 * 4 + 1
    assert len(small_rows) == len(large_rows) == 3


@pytest.mark.django_db
def test_the_plan_page_compares_its_districts(client):
    plan = PlanFactory()
    _district_world(plan, 1)

    html = client.get(plan.get_absolute_url()).text

    section = html[html.index('id="bydeler"') : html.index('id="partnere"')]
    assert "Tiltak per bydel etter fase" in section
    assert section.count('class="district-bar"') == 3
    assert 'class="seg seg-phase-none"' in section
    assert "Ingen status registrert" in section
    assert "Ingen bestemt bydel" in section
