"""The admin for indicators, their values and budget lines. The generic admin
checks (pages open, constant changelist queries) run for these models with the
others of the app, in test_admin.py (its MAKERS)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import BudgetLine, Indicator, IndicatorValue
from tests.factories import (
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def _indicator_form(goal, **overrides):
    data = {
        "title": "Overdosedødsfall",
        "slug": "overdosedodsfall",
        "description": "",
        "order": 0,
        "goal": goal.pk,
        "measure": "",
        "kind": "people",
        "unit": "dødsfall",
        "direction": "down",
        "baseline_value": "",
        "baseline_year": "",
        "target_value": "",
        "target_year": "",
        "small_number_threshold": 5,
        "source_organisation": "FHI",
    }
    data.update(overrides)
    return data


def test_indicator_is_added_through_the_admin_with_history(admin_client):
    goal = GoalFactory()
    response = admin_client.post(_url(Indicator, "add"), _indicator_form(goal))

    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(slug="overdosedodsfall")
    assert indicator.goal == goal
    assert indicator.history.count() == 1


def test_target_year_before_baseline_year_is_refused_in_the_admin(admin_client):
    goal = GoalFactory()
    response = admin_client.post(
        _url(Indicator, "add"),
        _indicator_form(
            goal,
            baseline_value="27",
            baseline_year="2017",
            target_value="0",
            target_year="2016",
        ),
    )
    assert response.status_code == 200
    assert "Året for målverdien kan ikke være før" in response.content.decode()
    assert not Indicator.objects.exists()


def test_indicator_on_both_a_goal_and_a_measure_is_refused(admin_client):
    goal = GoalFactory()
    measure = MeasureFactory(plan=goal.plan)
    response = admin_client.post(
        _url(Indicator, "add"), _indicator_form(goal, measure=measure.pk)
    )
    assert response.status_code == 200
    assert "enten et mål eller et tiltak" in response.content.decode()
    assert not Indicator.objects.exists()


def _inline_data(indicator, **row):
    """The change form of `indicator` with one new value row."""
    data = _indicator_form(
        indicator.goal, title=indicator.title, slug=indicator.slug
    ) | {
        "values-TOTAL_FORMS": "0",
        "values-INITIAL_FORMS": "0",
        "values-2-TOTAL_FORMS": "1",
        "values-2-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    fields = {
        "period_type": "year",
        "year": "2019",
        "number": "1",
        "value": "27",
        "qualifier": "",
        "note": "",
        "sources": [str(SourceFactory(publisher="FHI").pk)],
    } | row
    data |= {f"values-2-0-{name}": value for name, value in fields.items()}
    return data


def test_value_recorded_inline_is_published_with_its_source(admin_client):
    indicator = IndicatorFactory(slug="dodsfall")
    page = admin_client.get(_url(Indicator, "change", indicator.pk)).content.decode()
    assert 'name="values-2-TOTAL_FORMS"' in page  # the new-value inline's prefix

    response = admin_client.post(
        _url(Indicator, "change", indicator.pk), _inline_data(indicator)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    value = indicator.values.get()
    assert (value.year, value.value, value.state) == (2019, 27, "published")
    assert value.citations.get().source.publisher == "FHI"


@pytest.mark.parametrize(
    "row, message",
    [
        ({"value": "-1"}, "Et antall kan ikke være negativt."),
        ({"value": "mange"}, "Oppgi et tall."),
        ({"year": str(timezone.localdate().year)}, "er ikke over ennå"),
        ({"sources": []}, "Et publisert tall må ha en kilde."),
    ],
)
def test_bad_inline_value_is_refused_and_nothing_saved(admin_client, row, message):
    indicator = IndicatorFactory(slug="dodsfall")
    response = admin_client.post(
        _url(Indicator, "change", indicator.pk), _inline_data(indicator, **row)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not indicator.values.exists()


def test_second_value_for_a_period_is_refused_in_the_admin(admin_client):
    indicator = IndicatorFactory(slug="dodsfall")
    PublishedIndicatorValueFactory(indicator=indicator, year=2019, value=27)
    response = admin_client.post(
        _url(Indicator, "change", indicator.pk), _inline_data(indicator, value="30")
    )
    assert response.status_code == 200
    assert "har allerede en publisert verdi for 2019" in response.content.decode()
    assert list(indicator.values.values_list("value", flat=True)) == [27]


def test_published_value_cannot_be_changed_or_deleted(admin_client):
    value = PublishedIndicatorValueFactory(value=27)
    url = _url(IndicatorValue, "change", value.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="value"' not in page.content.decode()  # read-only
    response = admin_client.post(url, {"value": "1"})
    assert response.status_code == 403
    assert (
        admin_client.post(
            _url(IndicatorValue, "delete", value.pk), {"post": "yes"}
        ).status_code
        == 403
    )
    value.refresh_from_db()
    assert value.value == 27


def test_draft_value_can_be_deleted(admin_client):
    value = IndicatorValueFactory()
    admin_client.post(_url(IndicatorValue, "delete", value.pk), {"post": "yes"})
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()


def test_budget_line_is_added_and_a_second_for_the_year_refused(admin_client):
    measure = MeasureFactory()
    data = {
        "measure": measure.pk,
        "year": "2019",
        "allocated_nok": "7000000",
        "spent_nok": "",
        "council_decision_reference": "Bystyresak 1/19",
        "note": "",
        "kind": "adopted",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    assert admin_client.post(_url(BudgetLine, "add"), data).status_code == 302
    response = admin_client.post(_url(BudgetLine, "add"), data)
    assert response.status_code == 200
    assert (
        "allerede et beløp av denne typen for dette året" in response.content.decode()
    )
    assert BudgetLine.objects.count() == 1
    line = BudgetLine.objects.get()
    assert line.history.first().history_user is not None


def test_negative_budget_is_refused_in_the_admin(admin_client):
    measure = MeasureFactory()
    response = admin_client.post(
        _url(BudgetLine, "add"),
        {"measure": measure.pk, "year": "2019", "allocated_nok": "-5"},
    )
    assert response.status_code == 200
    assert not BudgetLine.objects.exists()


def test_budget_changelist_shows_money_as_kroner(admin_client):
    BudgetLineFactory(allocated_nok=16_000_000)
    html = admin_client.get(_url(BudgetLine, "changelist")).content.decode()
    assert "kr\u00a016\u00a0000\u00a0000" in html
