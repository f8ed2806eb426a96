"""The report "status per <date>": snapshots, dates, the PDF, query counts."""

import datetime
import re
import subprocess
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import (
    BudgetLine,
    Citation,
    Health,
    IndicatorValue,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from measures.reporting.pdf import StaticFileFetcher, style_svgs, svg_stylesheet
from measures.reporting.reports import (
    AS_PUBLISHED,
    STATUS_DATE,
    plan_report,
    published_status_on,
)
from measures.selectors.plans import plan_page
from measures.selectors.rollups import NO_STATUS
from measures.services.plans import measure_sync_current_status
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
)
from tests.support.requirements import need_program

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
REPORT_DAY = datetime.date(2020, 12, 31)


def oslo(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=OSLO)


def report_url(plan, per=None, *, pdf=False, basis=None) -> str:
    name = "measures:plan-report-pdf" if pdf else "measures:plan-report"
    url = reverse(name, kwargs=plan.url_kwargs())
    if per is not None:
        url = f"{url}?per={per}"
    if basis is not None:
        url = f"{url}{'&' if per is not None else '?'}grunnlag={basis}"
    return url


def publish(measure, *, as_of, published_at, summary, **fields):
    update = PublishedStatusUpdateFactory(
        measure=measure,
        as_of=as_of,
        published_at=published_at,
        summary=summary,
        **fields,
    )
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    return update


@pytest.fixture
def plan():
    owner = PartnerFactory(name="Bergen kommune", slug="bergen-kommune")
    return PlanFactory(
        title="Plan for rusfeltet 2018–2022",
        slug="rusplan-2018",
        start_year=2018,
        end_year=2022,
        owner=owner,
        reporting_interval=Plan.ReportingInterval.TERTIAL,
    )


@pytest.fixture
def measure(plan):
    return MeasureFactory(
        plan=plan, identifier="1", title="Overdoseteam", slug="overdoseteam"
    )


# --- Snapshots -------------------------------------------------------------------


def _published_early_and_recorded_late(measure) -> None:
    publish(
        measure,
        as_of=datetime.date(2020, 6, 1),
        published_at=oslo(2020, 6, 3, 12),
        summary="Teamet er i gang.",
        progress=30,
    )
    publish(
        measure,
        as_of=datetime.date(2020, 11, 1),
        published_at=oslo(2021, 1, 5, 9),
        summary="Publisert først i januar.",
        progress=90,
    )


def test_as_published_an_update_published_after_the_date_never_appears(client, measure):
    _published_early_and_recorded_late(measure)

    html = client.get(report_url(measure.plan, "2020-12-31", basis="publisert")).text

    assert "Teamet er i gang." in html
    assert "Publisert først i januar." not in html
    assert "Slik det var publisert per datoen" in html
    data = plan_report(plan=measure.plan, day=REPORT_DAY, basis=AS_PUBLISHED)
    assert data.rollup.progress == 30
    assert data.measures[0]["update"]["summary"] == "Teamet er i gang."
    assert data.recorded_later == 0


def test_by_status_date_an_update_recorded_later_counts_and_is_marked(client, measure):
    _published_early_and_recorded_late(measure)

    html = client.get(report_url(measure.plan, "2020-12-31")).text

    assert "Publisert først i januar." in html
    assert "registrert etter 31.12.2020" in html
    assert "Registrert etter 31.12.2020: registrert 05.01.2021." in html
    data = plan_report(plan=measure.plan, day=REPORT_DAY)
    assert data.basis == STATUS_DATE
    assert data.rollup.progress == 90
    assert data.recorded_later == 1
    update = data.measures[0]["update"]
    assert update["recorded_later"] is True
    assert update["recorded_on"] == datetime.date(2021, 1, 5)


def test_an_unknown_basis_gives_the_status_date_rule(client, measure):
    response = client.get(report_url(measure.plan, "2020-12-31", basis="<x>"))

    assert response.status_code == 200
    assert response.context["report"].basis == STATUS_DATE


def test_update_whose_as_of_date_is_after_the_report_date_never_appears(
    client, measure
):
    publish(
        measure,
        as_of=datetime.date(2020, 9, 1),
        published_at=oslo(2020, 9, 2, 12),
        summary="Status i september.",
        progress=40,
    )
    publish(
        measure,
        as_of=datetime.date(2021, 3, 1),
        published_at=oslo(2020, 12, 1, 12),
        summary="Datert fram i tid.",
        progress=100,
        phase=Phase.COMPLETED,
    )

    html = client.get(report_url(measure.plan, "2020-12-31")).text

    assert "Status i september." in html
    assert "Datert fram i tid." not in html
    data = plan_report(plan=measure.plan, day=REPORT_DAY)
    assert data.rollup.progress == 40
    assert data.rollup.phase_count(Phase.COMPLETED) == 0


def test_the_day_ends_at_midnight_in_oslo_not_in_utc(measure):
    # 23:30 in Oslo on the day counts; 00:30 in Oslo the next day (23:30 UTC on
    # the day) does not.
    publish(
        measure,
        as_of=datetime.date(2020, 12, 30),
        published_at=oslo(2020, 12, 31, 23, 30),
        summary="Rett før midnatt.",
    )
    publish(
        measure,
        as_of=datetime.date(2020, 12, 31),
        published_at=datetime.datetime(2020, 12, 31, 23, 30, tzinfo=datetime.UTC),
        summary="Rett etter midnatt i Oslo.",
    )

    status = published_status_on(plan=measure.plan, day=REPORT_DAY)

    assert status[measure.pk]["summary"] == "Rett før midnatt."


def test_of_two_updates_the_later_as_of_date_wins_whatever_was_published_last(
    measure,
):
    publish(
        measure,
        as_of=datetime.date(2020, 10, 1),
        published_at=oslo(2020, 10, 2),
        summary="Oktober.",
    )
    publish(
        measure,
        as_of=datetime.date(2020, 8, 1),
        published_at=oslo(2020, 11, 1),
        summary="August, publisert sent.",
    )

    status = published_status_on(plan=measure.plan, day=REPORT_DAY)

    assert status[measure.pk]["summary"] == "Oktober."


@pytest.mark.parametrize(
    "state", [StatusUpdate.State.DRAFT, StatusUpdate.State.SUBMITTED, "returned"]
)
def test_unpublished_updates_never_appear(client, measure, state):
    StatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2020, 5, 1),
        state=state,
        review_comment="Rett opp." if state == "returned" else "",
        submitted_at=oslo(2020, 5, 2),
        summary="Hemmelig utkast.",
    )

    html = client.get(report_url(measure.plan, "2020-12-31")).text

    assert "Hemmelig utkast." not in html
    assert published_status_on(plan=measure.plan, day=REPORT_DAY) == {}


def test_measure_without_an_update_by_the_date_has_no_status_not_not_started(
    client, measure
):
    publish(
        measure,
        as_of=datetime.date(2021, 2, 1),
        published_at=oslo(2021, 2, 2),
        summary="Senere.",
        progress=80,
    )

    data = plan_report(plan=measure.plan, day=REPORT_DAY)
    html = client.get(report_url(measure.plan, "2020-12-31")).text

    assert data.rollup.total == 1
    assert data.rollup.assessed == 0
    assert data.rollup.phase_count(Phase.NOT_STARTED) == 0
    assert data.rollup.phase_count(NO_STATUS) == 1
    assert data.measures[0]["update"] is None
    assert data.measures[0]["phase_label"] == "Ingen status registrert"
    assert "Ingen status registrert per 31.12.2020." in html
    assert 'Fase: Ikke startet</th><td class="figure">0</td>' in html


def test_report_for_today_rolls_up_exactly_like_the_plan_page(plan):
    goal = GoalFactory(plan=plan, title="Trygg by")
    sub = GoalFactory(plan=plan, parent=goal, title="Færre overdoser")
    for i, (progress, weight) in enumerate([(10, 1), (55, 3), (None, 2), (90, 1)]):
        m = MeasureFactory(plan=plan, identifier=str(i + 1), weight=weight)
        m.goals.add(sub if i % 2 else goal)
        publish(
            m,
            as_of=datetime.date(2024, 1, 1 + i),
            published_at=oslo(2024, 2, 1),
            summary=f"Status {i}.",
            progress=progress,
            health="" if progress is None else Health.AT_RISK,
        )

    page = plan_page(plan=plan)
    data = plan_report(plan=plan, day=timezone.localdate())

    assert data.rollup == page.rollup
    assert [n.rollup for n in data.goal_rows] == [
        page.goals[0].rollup,
        page.goals[0].children[0].rollup,
    ]


def test_goal_progress_is_weighted_over_the_goal_and_its_subgoals(plan):
    goal = GoalFactory(plan=plan, title="Overordnet")
    sub = GoalFactory(plan=plan, parent=goal, title="Delmål")
    first = MeasureFactory(plan=plan, identifier="1", weight=1)
    second = MeasureFactory(plan=plan, identifier="2", weight=3)
    first.goals.add(goal)
    second.goals.add(sub)
    for m, progress in ((first, 20), (second, 60)):
        publish(
            m,
            as_of=datetime.date(2020, 5, 1),
            published_at=oslo(2020, 5, 2),
            summary="Status.",
            progress=progress,
        )

    data = plan_report(plan=plan, day=REPORT_DAY)

    top, below = data.goal_rows
    assert (top.goal, top.rollup.progress, top.rollup.total) == (goal, 50, 2)
    assert (below.goal, below.rollup.progress, below.rollup.total) == (sub, 60, 1)


def test_partners_that_had_not_reported_for_the_period_are_listed(client, plan):
    police = PartnerFactory(name="Vest politidistrikt", slug="vest-politidistrikt")
    PartnerNameFactory(
        partner=police,
        name="Hordaland politidistrikt",
        valid_until=datetime.date(2015, 12, 31),
    )
    unit = PartnerFactory(name="Etat for rustjenester", slug="etat-for-rustjenester")
    late = MeasureFactory(plan=plan, identifier="1", title="Uten rapport", lead=unit)
    MeasurePartner.objects.create(measure=late, partner=police, role="contributor")
    reported = MeasureFactory(plan=plan, identifier="2", title="Med rapport")
    finished = MeasureFactory(plan=plan, identifier="3", title="Ferdig", lead=police)
    # The third tertial of 2020 runs from 01.09 to 31.12.
    publish(
        late,
        as_of=datetime.date(2020, 8, 31),
        published_at=oslo(2020, 9, 1),
        summary="Forrige tertial.",
    )
    publish(
        reported,
        as_of=datetime.date(2020, 9, 1),
        published_at=oslo(2020, 9, 2),
        summary="Denne tertialen.",
    )
    publish(
        finished,
        as_of=datetime.date(2020, 4, 1),
        published_at=oslo(2020, 4, 2),
        summary="Fullført.",
        phase=Phase.COMPLETED,
    )

    data = plan_report(plan=plan, day=REPORT_DAY)

    assert data.period.label == "3. tertial 2020"
    assert (data.expected, data.reported) == (2, 1)
    assert [(g.name_then, [r["title"] for r in g.measures]) for g in data.gaps] == [
        ("Etat for rustjenester", ["Uten rapport"]),
        ("Vest politidistrikt", ["Uten rapport"]),
    ]
    html = client.get(report_url(plan, "2020-12-31")).text
    assert "1 av 2 tiltak hadde en publisert statusoppdatering" in html


def test_partner_names_are_those_in_force_on_the_report_date(plan):
    police = PartnerFactory(name="Vest politidistrikt", slug="vest-politidistrikt")
    PartnerNameFactory(
        partner=police,
        name="Hordaland politidistrikt",
        valid_until=datetime.date(2015, 12, 31),
    )
    old_plan = PlanFactory(start_year=2012, end_year=None, owner=police)
    MeasureFactory(plan=old_plan, identifier="1", lead=police)

    data = plan_report(plan=old_plan, day=datetime.date(2014, 7, 1))

    assert data.owner_name_then == "Hordaland politidistrikt"
    assert data.measures[0]["lead"] == "Hordaland politidistrikt"


def test_as_published_indicator_values_are_those_of_the_date_small_numbers_hidden(
    client, plan, measure, superuser
):
    goal = GoalFactory(plan=plan, title="Færre dør av overdoser")
    deaths = IndicatorFactory(goal=goal, title="Overdosedødsfall", slug="dodsfall")
    output = IndicatorFactory(
        goal=None, measure=measure, title="Personer fulgt opp", slug="fulgt-opp"
    )
    PublishedIndicatorValueFactory(
        indicator=deaths, year=2019, value=31, published_at=oslo(2020, 6, 1)
    )
    # 3 published in 2020 and corrected to 40 in 2021: the report for 2020 shows
    # what was public then, and 3 is a small number.
    old = PublishedIndicatorValueFactory(
        indicator=deaths,
        year=2020,
        value=3,
        state=IndicatorValue.State.REPLACED,
        published_at=oslo(2020, 12, 1),
    )
    PublishedIndicatorValueFactory(
        indicator=deaths,
        year=2020,
        value=40,
        replaces=old,
        published_at=oslo(2021, 2, 1),
    )
    PublishedIndicatorValueFactory(
        indicator=deaths, year=2018, value=25, published_at=oslo(2021, 1, 5)
    )
    PublishedIndicatorValueFactory(
        indicator=output, year=2020, value=120, published_at=oslo(2020, 12, 31, 23)
    )
    client.force_login(superuser)  # sees exact small numbers on the pages

    response = client.get(report_url(plan, "2020-12-31", basis="publisert"))

    indicators = response.context["report"].indicators
    ((shown_goal, (series,)),) = indicators.by_goal
    assert shown_goal == goal
    assert [(p.value.year, p.shown.text) for p in series.points] == [
        (2019, "31"),
        (2020, "<\xa05"),
    ]
    ((row, (output_series,)),) = indicators.by_measure
    assert row["id"] == measure.pk
    assert [p.shown.text for p in output_series.points] == ["120"]
    html = response.text
    assert 'href="#indikatorer"' in html
    assert "Overdosedødsfall" in html
    assert "&lt;\xa05" in html
    assert '<td class="text-end">40</td>' not in html
    assert '<td class="text-end">25</td>' not in html
    assert '<td class="text-end">31</td>' in html


def test_as_published_budget_lines_are_as_they_stood_on_the_date(client, plan, measure):
    line = BudgetLineFactory(measure=measure, year=2020, allocated_nok=16_000_000)
    BudgetLine.history.filter(id=line.pk).update(history_date=oslo(2020, 3, 1))
    line.allocated_nok = 18_000_000
    line.spent_nok = 17_500_000
    line.save()
    BudgetLine.history.filter(id=line.pk, allocated_nok=18_000_000).update(
        history_date=oslo(2021, 3, 1)
    )
    BudgetLineFactory(measure=measure, year=2021, allocated_nok=7_000_000)

    data = plan_report(plan=plan, day=REPORT_DAY, basis=AS_PUBLISHED)
    html = client.get(report_url(plan, "2020-12-31", basis="publisert")).text

    assert [(b.year, b.allocated_nok, b.spent_nok) for b in data.budget.lines] == [
        (2020, 16_000_000, None)
    ]
    assert [(t.year, t.allocated, t.spent) for t in data.budget.totals] == [
        (2020, 16_000_000, None)
    ]
    assert "kr\xa016\xa0000\xa0000" in html
    assert "18\xa0000\xa0000" not in html
    assert "7\xa0000\xa0000" not in html
    assert 'href="#budsjett"' in html


def test_by_status_date_budget_lines_are_todays_for_years_up_to_the_date(plan, measure):
    BudgetLineFactory(measure=measure, year=2020, allocated_nok=18_000_000)
    BudgetLineFactory(measure=measure, year=2021, allocated_nok=7_000_000)

    data = plan_report(plan=plan, day=REPORT_DAY)

    assert [(t.year, t.allocated) for t in data.budget.totals] == [(2020, 18_000_000)]


def test_report_without_indicators_or_budget_leaves_their_sections_out(client, measure):
    html = client.get(report_url(measure.plan, "2020-12-31")).text

    assert 'id="indikatorer"' not in html
    assert 'id="budsjett"' not in html


# --- Dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "per",
    ["garbage", "2020-02-30", "2020-13-01", "31-12-2020", "2020/12/31", "1" * 500],
)
@pytest.mark.parametrize("pdf", [False, True])
def test_garbage_date_gives_400_with_a_clear_message(client, plan, per, pdf):
    response = client.get(report_url(plan, per, pdf=pdf))

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "er ikke en gyldig dato" in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize("per", ["2017-12-31", "1900-01-01", "2999-01-01"])
def test_date_outside_the_plan_start_and_today_gives_400_with_a_clear_message(
    client, plan, per
):
    response = client.get(report_url(plan, per))

    assert response.status_code == 400
    assert "Rapporten kan lages for en dato fra planens start 01.01.2018" in (
        response.text
    )


def test_tomorrow_is_outside_the_range(client, plan):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = client.get(report_url(plan, tomorrow.isoformat()))

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("per", "day"),
    [
        ("2018-01-01", datetime.date(2018, 1, 1)),
        ("2020-12-31", datetime.date(2020, 12, 31)),
        ("31.12.2020", datetime.date(2020, 12, 31)),
        ("1.2.2018", datetime.date(2018, 2, 1)),
        (" 2020-12-31 ", datetime.date(2020, 12, 31)),
    ],
)
@pytest.mark.parametrize("pdf", [False, True])
def test_any_date_from_the_plan_start_to_today_gives_that_days_report(
    client, plan, per, day, pdf
):
    response = client.get(report_url(plan, per, pdf=pdf))

    assert response.status_code == 200
    assert response.context["report"].day == day
    if not pdf:
        # The reader sees the date the report is for, written dd.mm.yyyy.
        assert f"Status per {day:%d.%m.%Y}" in response.text


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    per=st.one_of(
        st.text(max_size=30),
        st.dates().map(datetime.date.isoformat),
        st.dates().map(lambda day: day.strftime("%d.%m.%Y")),
    )
)
def test_any_report_date_gives_a_report_or_a_400_never_a_500(client, measure, per):
    response = client.get(report_url(measure.plan), {"per": per})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        # A report for the date asked for, whichever way it was written.
        day = response.context["report"].day
        assert per.strip() in (day.isoformat(), f"{day:%d.%m.%Y}", "")


def test_today_and_no_date_give_todays_report_for_an_open_plan(client, plan):
    plan.end_year = None
    plan.save()
    today = timezone.localdate()

    for url in (report_url(plan), report_url(plan, today.isoformat())):
        response = client.get(url)
        assert response.status_code == 200
        assert response.context["report"].day == today


def test_a_finished_plans_report_defaults_to_its_last_day(client, plan):
    response = client.get(report_url(plan))

    assert response.status_code == 200
    assert response.context["report"].day == datetime.date(2022, 12, 31)
    page = client.get(plan.get_absolute_url()).text
    assert 'name="per" value="2022-12-31"' in page


def test_draft_and_unknown_plans_have_no_report(client):
    draft = PlanFactory(slug="utkast", status=Plan.Status.DRAFT)

    for pdf in (False, True):
        assert client.get(report_url(draft, "2020-01-01", pdf=pdf)).status_code == 404
        url = reverse(
            "measures:plan-report-pdf" if pdf else "measures:plan-report",
            kwargs={"kommune": draft.municipality.slug, "slug": "finnes-ikke"},
        )
        assert client.get(url).status_code == 404


# --- The page --------------------------------------------------------------------


def test_report_has_cover_contents_and_sections(client, measure):
    update = publish(
        measure,
        as_of=datetime.date(2020, 6, 1),
        published_at=oslo(2020, 6, 2),
        summary="Åpnet i Bergen sentrum.",
        progress=30,
    )
    source = Source.objects.create(
        publisher="Bergens Tidende",
        title="Åpnet i sentrum",
        url="https://www.bt.no/nyheter/lokalt/i/x/apnet",
        kind=Source.Kind.NEWS,
        published_on=datetime.date(2020, 6, 2),
    )
    Citation.objects.create(source=source, status_update=update)

    response = client.get(report_url(measure.plan, "2020-12-31"))
    html = response.text

    assert response.status_code == 200
    assert "Status per 31.12.2020" in html
    assert "Laget" in html
    for anchor in (
        "sammendrag",
        "fremdrift-per-mal",
        "tiltakene",
        "rapportering",
        "om-rapporten",
        "kilder",
    ):
        assert f'href="#{anchor}"' in html
        assert f'id="{anchor}"' in html
    assert "Åpnet i Bergen sentrum." in html
    assert "Bergens Tidende" in html
    assert 'href="#kilde-1"' in html
    assert (
        '<a class="source-url" href="https://www.bt.no/nyheter/lokalt/i/x/apnet">'
        in html
    )
    assert "Sammenstilt av Rusplan fra offentlige kilder" in html
    assert "<svg" in html
    assert "NLOD" in html
    assert "css/report.css" in html


def test_report_has_no_inline_styles_or_scripts(client, measure):
    for url in (report_url(measure.plan, "2020-12-31"), report_url(measure.plan, "x")):
        html = client.get(url).text
        assert " style=" not in html
        assert "<style" not in html
        assert "<script" not in html


def test_plan_page_links_to_the_report_and_the_exports(client, plan):
    html = client.get(plan.get_absolute_url()).text

    assert f'action="{report_url(plan)}"' in html
    assert f'formaction="{report_url(plan, pdf=True)}"' in html
    assert 'name="per"' in html
    assert 'value="2022-12-31"' in html  # the plan ended in 2022
    assert 'name="grunnlag"' in html
    for name in (
        "plan-export-csv",
        "plan-export-xlsx",
        "plan-export-updates-csv",
        "plan-export-updates-xlsx",
    ):
        assert reverse(f"measures:{name}", kwargs=plan.url_kwargs()) in html


def _grow(plan, count: int, start: int) -> None:
    goal = GoalFactory(plan=plan)
    indicator = IndicatorFactory(goal=goal)
    for year in range(2010, 2010 + count):
        PublishedIndicatorValueFactory(
            indicator=indicator, year=year, published_at=oslo(2019, 1, 1)
        )
    for i in range(start, start + count):
        m = MeasureFactory(plan=plan, identifier=str(i))
        m.goals.add(goal)
        IndicatorFactory(goal=None, measure=m)
        BudgetLineFactory(measure=m, year=2019)
        MeasurePartner.objects.create(
            measure=m, partner=PartnerFactory(), role="contributor"
        )
        for j in range(3):
            PublishedStatusUpdateFactory(
                measure=m,
                as_of=datetime.date(2019, 1 + j, 1),
                published_at=oslo(2019, 2 + j, 1),
            )


# The report is a municipality's page: one query for the municipality of its
# address (measures/municipal.py), then the report's own 13.
REPORT_QUERIES = 13 + 1


def test_report_query_count_is_constant_as_data_grows(
    client, plan, django_assert_num_queries
):
    _grow(plan, 3, 1)
    url = report_url(plan, "2020-12-31")
    with django_assert_num_queries(REPORT_QUERIES):
        assert client.get(url).status_code == 200

    _grow(plan, 30, 4)
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["report"].rollup.total == 33


# --- The PDF -------------------------------------------------------------------


class _FigureParser(HTMLParser):
    """(label, value) of every row of the report's figure tables."""

    def __init__(self):
        super().__init__()
        self.rows, self._cells, self._text, self._in = [], [], [], 0
        self._table = False

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table" and (
            "report-figures" in classes or "report-goals" in classes
        ):
            self._table = True
        elif self._table and tag in ("th", "td"):
            self._in, self._text = 1, []
        elif self._table and tag == "tr":
            self._cells = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = False
        elif self._table and tag in ("th", "td") and self._in:
            self._cells.append(" ".join("".join(self._text).split()))
            self._in = 0
        elif self._table and tag == "tr" and self._cells:
            self.rows.append(self._cells)

    def handle_data(self, data):
        if self._in:
            self._text.append(data.replace("\xa0", " "))


def _pdf_text(pdf: bytes, tmp_path) -> str:
    need_program("pdftotext", tool="pdftotext", package="poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    return " ".join(text.replace("\xa0", " ").split())


def test_pdf_shows_the_same_figures_as_the_html_report(client, plan, tmp_path):
    goal = GoalFactory(plan=plan, title="Trygg by for alle")
    sub = GoalFactory(plan=plan, parent=goal, title="Færre overdosedødsfall")
    for i, (progress, health) in enumerate(
        [(25, Health.ON_TRACK), (70, Health.AT_RISK), (None, "")]
    ):
        m = MeasureFactory(plan=plan, identifier=str(i + 1), title=f"Tiltak {i + 1}")
        m.goals.add(sub if i else goal)
        publish(
            m,
            as_of=datetime.date(2020, 10, 1),
            published_at=oslo(2020, 10, 2),
            summary="Arbeidet pågår i Årstad og Åsane.",
            progress=progress,
            health=health,
        )

    html = client.get(report_url(plan, "2020-12-31")).text
    response = client.get(report_url(plan, "2020-12-31", pdf=True))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        'filename="rusplan-2018-status-2020-12-31.pdf"'
        in (response["Content-Disposition"])
    )
    parser = _FigureParser()
    parser.feed(html)
    assert len(parser.rows) > 15, parser.rows
    text = _pdf_text(response.content, tmp_path)
    for cells in parser.rows:
        pattern = r"\s+".join(re.escape(cell) for cell in cells)
        assert re.search(pattern, text), f"{cells} not in the PDF text"
    # (25 + 70) / 2 = 47.5, rounded up; 2 of 3 measures is enough to show it.
    assert "Vektet fremdrift 48 % – vurdert for 2 av 3 tiltak" in text
    assert "Arbeidet pågår i Årstad og Åsane." in text
    assert "Status per 31.12.2020" in text


# --- The PDF machinery --------------------------------------------------------


def test_pdf_fetcher_reads_static_files_from_disk():
    fetcher = StaticFileFetcher("http://rusplan.example/")

    response = fetcher.fetch("http://rusplan.example/static/css/report.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    response.close()


@pytest.mark.parametrize(
    "url",
    [
        "http://elsewhere.example/static/css/report.css",
        "https://rusplan.example/static/css/report.css",
        "http://rusplan.example/tiltak/",
        "http://rusplan.example/static/../manage.py",
        "http://rusplan.example/static/%2e%2e/manage.py",
        "file:///etc/passwd",
        "http://rusplan.example/static/finnes-ikke.css",
    ],
)
def test_pdf_fetcher_refuses_everything_else(url):
    fetcher = StaticFileFetcher("http://rusplan.example/")

    with pytest.raises((ValueError, FileNotFoundError)):
        fetcher.fetch(url)


def test_charts_in_the_pdf_get_the_site_colours_without_custom_properties():
    css = (
        ":root { --blue: #0b4f8a; }\n/* .seg comment */\n"
        "body { color: red; }\n.progress-fill { fill: var(--blue); }\n"
        ".seg-phase-completed { fill: #1e7b45; }\n"
        "@media (min-width: 1px) { .facts { display: grid; } }"
    )

    result = svg_stylesheet(css)

    assert ".progress-fill {fill: #0b4f8a;}" in result
    assert ".seg-phase-completed {fill: #1e7b45;}" in result
    assert "body" not in result
    assert "var(" not in result
    assert "facts" not in result


def test_each_chart_in_the_pdf_gets_only_the_rules_it_can_use():
    css = (
        ".progress-fill { fill: blue; }\n.column-chart .column { fill: red; }\n"
        ".column-chart text { fill: black; }\ntext { font-size: 11px; }"
    )
    html = (
        '<p>a</p><svg class="progress-svg"><rect class="progress-fill"/></svg>'
        '<svg class="column-chart"><rect class="column"/><text>1</text></svg>'
    )

    progress, columns = style_svgs(html, css).split("</svg>")[:2]

    assert ".progress-fill {fill: blue;}" in progress
    assert "column" not in progress.split("</style>")[0]
    assert "text {font-size: 11px;}" in progress
    assert ".column-chart .column {fill: red;}" in columns
    assert ".column-chart text {fill: black;}" in columns
    assert "progress-fill" not in columns
