"""Plans, partners and districts with more measures (or indicator values) than a
page lists: roll-ups for all of them, the rows a page at a time, every row one
click away (measures/views.py LIST_PAGE_SIZE, docs/benchmarks.md)."""

import datetime
import re
from decimal import Decimal

import pytest

from measures.models import Citation, IndicatorValue, Measure, MeasurePartner, Source
from measures.views import LIST_PAGE_SIZE
from tests.factories import (
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    PartnerFactory,
    PlanFactory,
)
from tests.support.pages import indicator_texts, shows_number

pytestmark = pytest.mark.django_db

MANY = LIST_PAGE_SIZE + 1


def _measures(plan, count: int, *, lead=None, district=None, goal=None) -> list:
    """`count` measures of `plan` ("Stortiltak 1", ...), in bulk (bulk_create
    skips Measure.save(), which copies the plan's municipality)."""
    measures = Measure.objects.bulk_create(
        Measure(
            plan=plan,
            municipality=plan.municipality,
            identifier=str(i),
            title=f"Stortiltak {i}",
            slug=f"{plan.slug}-stortiltak-{i}",
        )
        for i in range(1, count + 1)
    )
    if lead is not None:
        MeasurePartner.objects.bulk_create(
            MeasurePartner(measure=m, partner=lead, role=MeasurePartner.Role.LEAD)
            for m in measures
        )
    if district is not None:
        district.measures.add(*measures)
    if goal is not None:
        goal.measures.add(*measures)
    return measures


def _rows(html: str) -> int:
    return html.count(
        '<th scope="row" role="rowheader" class="fw-normal"><span class="measure-id">'
    )


# --- plan --------------------------------------------------------------------------


def test_plan_that_fits_lists_each_goals_measures(client):
    plan = PlanFactory(slug="liten")
    goal = GoalFactory(plan=plan)
    _measures(plan, LIST_PAGE_SIZE, goal=goal)

    html = client.get(plan.get_absolute_url()).text

    assert 'class="goal-measures"' in html
    assert html.count("/bergen/tiltak/liten-stortiltak-") >= LIST_PAGE_SIZE
    assert "for mange til å stå under hvert mål" not in html


def test_larger_plan_shows_goal_rollups_and_points_to_the_table_and_report(client):
    plan = PlanFactory(slug="stor")
    goal = GoalFactory(plan=plan, title="Målet")
    _measures(plan, MANY, goal=goal)

    html = client.get(plan.get_absolute_url()).text

    assert f"Planen har {MANY} tiltak" in html
    assert 'class="goal-measures"' not in html
    assert "Ingen vurdert fremdrift ennå" in html
    assert f"{MANY} av {MANY} tiltak har ingen status registrert." in html
    assert re.search(r'href="/bergen/planer/stor/rapport/\?per=\d{4}-\d\d-\d\d"', html)
    assert f"Viser 1–25 av {MANY} tiltak." in html


def test_plan_table_counts_its_pages_unfiltered_sorted_and_filtered(client):
    """Unfiltered (or only sorted, or with a value that does not validate) the
    table's pages are counted from the plan's roll-up; filtered, by the query."""
    plan = PlanFactory(slug="stor")
    _measures(plan, MANY)
    url = plan.get_absolute_url()

    unfiltered = client.get(url).text
    sorted_ = client.get(url, {"sort": "title"}).text
    invalid = client.get(url, {"phase": "ukjent"}).text
    filtered = client.get(url, {"q": "Stortiltak 5"}).text

    for html in (unfiltered, sorted_, invalid):
        assert "Side 1 av 3" in html
        assert _rows(html) == 25
    assert "Ukjent fase." in invalid
    # 5, 15, 25, 35, 45, 50 and 51: one page, no page links.
    assert _rows(filtered) == 7
    assert "Side 1 av" not in filtered


def test_plan_with_more_indicator_values_than_fit_shows_each_latest_value(client):
    plan = PlanFactory(slug="tall")
    goal = GoalFactory(plan=plan, title="Færre dør")
    deaths = IndicatorFactory(goal=goal, title="Overdosedødsfall", slug="dodsfall")
    visits = IndicatorFactory(goal=goal, title="Besøk", slug="besok")
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            year=1900 + i,
            value=Decimal(value),
            state=IndicatorValue.State.PUBLISHED,
            published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        )
        for indicator, count, last in ((deaths, MANY - 10, 3), (visits, 10, 812))
        for i in range(count)
        for value in [last if i == count - 1 else 100 + i]
    )

    for value in IndicatorValue.objects.filter(indicator=visits):
        source = Source.objects.create(
            publisher=f"Kilde besok {value.year - 1900}",
            title="Besøkstall",
            url=f"https://example.org/besok/{value.year}",
            kind=Source.Kind.STATISTICS,
        )
        Citation.objects.create(source=source, indicator_value=value)

    # The plan page always lists the latest values; its indicator page does when
    # the values are too many to chart.
    for url in (plan.get_absolute_url(), "/bergen/planer/tall/indikatorer/"):
        html = client.get(url).text

        texts = indicator_texts(html)
        assert "Overdosedødsfall" in texts
        assert "1909" in texts
        assert "Kilde besok 9" in html  # the latest value's source, in the list
        assert shows_number(texts, 812)
        assert "Kilde besok 8" not in html  # the earlier values are in the report
        assert not shows_number(texts, 3)  # a small count of people stays hidden
        assert "<\u00a05" in texts
    assert "statusrapporten per i dag" in html
    assert "/bergen/planer/tall/eksport/indikatorverdier.csv" in html


# --- partner and district ---------------------------------------------------------


def test_partner_page_pages_through_its_measures(client):
    partner = PartnerFactory(slug="stor-partner")
    old, new = PlanFactory(start_year=2012, slug="gammel"), PlanFactory(slug="ny")
    _measures(old, 1, lead=partner)
    _measures(new, LIST_PAGE_SIZE, lead=partner)
    url = partner.get_absolute_url()

    first = client.get(url).text
    second = client.get(url, {"page": 2}).text
    everything = client.get(url, {"page": "alle"}).text

    assert f"Viser 1–{LIST_PAGE_SIZE} av {MANY} tiltak." in first
    assert _rows(first) == LIST_PAGE_SIZE
    assert "?page=2#tiltak" in first
    assert "?page=alle#tiltak" in first
    assert f"Viser {MANY}–{MANY} av {MANY} tiltak." in second
    assert _rows(second) == 1
    assert "/bergen/tiltak/gammel-stortiltak-1/" in second  # the older plan comes last
    assert _rows(everything) == MANY
    assert "Side 1 av 1" not in everything
    for html in (first, second):  # every plan's roll-up on every page
        assert "/bergen/planer/gammel/" in html and "/bergen/planer/ny/" in html


def test_partner_page_counts_unreported_measures_per_plan_when_they_are_many(client):
    partner = PartnerFactory()
    _measures(PlanFactory(slug="en"), MANY - 1, lead=partner)
    _measures(PlanFactory(slug="to"), 1, lead=partner)

    html = client.get(partner.get_absolute_url()).text

    section = html[html.index('id="ikke-rapportert"') : html.index('id="fordeling"')]
    assert f"{MANY - 1} tiltak er ikke rapportert" in section
    assert "1 tiltak er ikke rapportert" in section
    assert "/tiltak/" not in section  # counted, not named


def test_partner_page_that_fits_shows_every_measure_without_paging(client):
    partner = PartnerFactory()
    _measures(PlanFactory(), LIST_PAGE_SIZE, lead=partner)

    html = client.get(partner.get_absolute_url()).text

    assert _rows(html) == LIST_PAGE_SIZE
    assert 'class="pagination-nav"' not in html
    assert "?page=alle" not in html
    unreported = html[html.index('id="ikke-rapportert"') : html.index('id="fordeling"')]
    assert unreported.count("/tiltak/") == LIST_PAGE_SIZE  # each one named


def test_district_page_pages_through_its_measures(client):
    district = DistrictFactory(slug="stor-bydel")
    _measures(PlanFactory(slug="bydelsplan"), MANY, district=district)
    url = district.get_absolute_url()

    first = client.get(url).text
    second = client.get(url, {"page": 2}).text

    assert f"Viser 1–{LIST_PAGE_SIZE} av {MANY} tiltak." in first
    assert _rows(first) == LIST_PAGE_SIZE
    assert _rows(second) == 1
    on_first, on_second = _measure_links(first), _measure_links(second)
    assert not on_first & on_second
    assert len(on_first | on_second) == MANY
    assert "/bergen/planer/bydelsplan/" in second


def _measure_links(html: str) -> set[str]:
    return set(re.findall(r"/bergen/tiltak/bydelsplan-stortiltak-\d+/", html))
