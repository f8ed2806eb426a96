import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from measures.models import BudgetLine, Indicator, IndicatorValue
from measures.services.base import ConflictError
from measures.services.budgets import budget_line_create, budget_line_update
from measures.services.indicator_values import (
    PERIOD_NOT_ENDED,
    PERIOD_OPEN,
    PERIOD_TAKEN,
    indicator_value_create,
    indicator_value_edit,
    indicator_value_publish,
    indicator_value_record_published,
    indicator_value_replace,
    indicator_value_return,
    indicator_value_submit,
)
from measures.services.indicators import indicator_create, indicator_update
from measures.services.sources import NewSource
from partners.models import Membership
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

State = IndicatorValue.State


@pytest.fixture
def plan(partner_b):
    """A plan owned by partner B."""
    return PlanFactory(owner=partner_b)


@pytest.fixture
def coordinator(plan):
    user = UserFactory(username="dora")
    MembershipFactory(user=user, partner=plan.owner, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def output_indicator(plan, partner_a):
    """An indicator of a measure led by partner A (Alice's)."""
    measure = MeasureFactory(plan=plan, lead=partner_a)
    return IndicatorFactory(measure=measure, goal=None)


@pytest.fixture
def outcome_indicator(plan):
    return IndicatorFactory(goal=GoalFactory(plan=plan))


def _create(indicator, author, **overrides):
    fields = {
        "indicator": indicator,
        "author": author,
        "year": 2019,
        "value": 27,
        "sources": [SourceFactory()],
        "actor": author,
    }
    fields.update(overrides)
    return indicator_value_create(**fields)


# --- who may record values -------------------------------------------------------


def test_caseworker_of_lead_partner_records_a_value_of_the_measures_indicator(
    alice, output_indicator
):
    value = _create(output_indicator, alice)
    assert value.state == State.DRAFT
    assert value.author == alice
    assert value.value == Decimal(27)


def test_outsider_cannot_record_a_value(charlie, output_indicator):
    with pytest.raises(PermissionDenied):
        _create(output_indicator, charlie)
    assert IndicatorValue.objects.count() == 0


def test_caseworker_cannot_record_a_goal_indicator_value(alice, outcome_indicator):
    with pytest.raises(PermissionDenied):
        _create(outcome_indicator, alice)
    assert IndicatorValue.objects.count() == 0


def test_coordinator_records_a_goal_indicator_value(coordinator, outcome_indicator):
    value = _create(outcome_indicator, coordinator)
    assert value.indicator == outcome_indicator


def test_caseworker_cannot_publish_but_coordinator_can(
    alice, coordinator, output_indicator
):
    value = _create(output_indicator, alice, submit=True)
    assert value.state == State.SUBMITTED
    with pytest.raises(PermissionDenied):
        indicator_value_publish(indicator_value=value, reviewer=alice, actor=alice)
    published = indicator_value_publish(
        indicator_value=value, reviewer=coordinator, actor=coordinator
    )
    assert published.state == State.PUBLISHED
    assert published.reviewer == coordinator
    assert published.published_at is not None


def test_submit_publishes_at_once_when_the_plan_needs_no_review(
    alice, output_indicator
):
    plan = output_indicator.measure.plan
    plan.requires_review = False
    plan.save()
    value = _create(output_indicator, alice, submit=True)
    assert value.state == State.PUBLISHED


def test_return_needs_a_comment_and_the_author_can_resubmit(
    alice, coordinator, output_indicator
):
    value = _create(output_indicator, alice, submit=True)
    with pytest.raises(ValidationError):
        indicator_value_return(
            indicator_value=value, reviewer=coordinator, comment=" ", actor=coordinator
        )
    returned = indicator_value_return(
        indicator_value=value,
        reviewer=coordinator,
        comment="Feil år?",
        actor=coordinator,
    )
    assert returned.state == State.RETURNED
    edited = indicator_value_edit(
        indicator_value=returned,
        expected_version=returned.version,
        actor=alice,
        value="28",
        submit=True,
    )
    assert edited.state == State.SUBMITTED
    assert edited.value == Decimal(28)


def test_edit_with_a_stale_version_is_a_conflict_and_changes_nothing(
    alice, bob, output_indicator
):
    value = _create(output_indicator, alice)
    indicator_value_edit(
        indicator_value=value, expected_version=value.version, actor=bob, value=30
    )
    with pytest.raises(ConflictError):
        indicator_value_edit(
            indicator_value=value, expected_version=value.version, actor=alice, value=1
        )
    value.refresh_from_db()
    assert value.value == Decimal(30)


# --- bad input ----------------------------------------------------------------------


def test_value_for_a_year_that_has_not_ended_is_refused(alice, output_indicator):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        with pytest.raises(ValidationError) as excinfo:
            _create(output_indicator, alice, year=year)
        assert excinfo.value.error_dict["year"][0].code == PERIOD_NOT_ENDED
    assert IndicatorValue.objects.count() == 0


def test_value_for_the_current_month_is_refused_but_last_year_is_accepted(
    alice, output_indicator
):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        _create(
            output_indicator,
            alice,
            period_type="month",
            year=today.year,
            number=today.month,
        )
    value = _create(output_indicator, alice, year=today.year - 1)
    assert value.year == today.year - 1


@pytest.mark.parametrize("period_type, number", [("tertial", 4), ("month", 13)])
def test_period_number_outside_the_period_type_is_refused(
    alice, output_indicator, period_type, number
):
    with pytest.raises(ValidationError) as excinfo:
        _create(output_indicator, alice, period_type=period_type, number=number)
    assert "number" in excinfo.value.message_dict
    assert IndicatorValue.objects.count() == 0


def test_second_value_for_a_published_period_is_refused_with_a_clear_error(
    alice, output_indicator
):
    first = PublishedIndicatorValueFactory(indicator=output_indicator, year=2019)
    with pytest.raises(ValidationError) as excinfo:
        _create(output_indicator, alice, year=2019, value=30)
    assert excinfo.value.code == PERIOD_TAKEN
    assert "erstatte den publiserte verdien" in excinfo.value.messages[0]
    assert list(IndicatorValue.objects.all()) == [first]


def test_second_value_while_one_is_open_for_the_period_is_refused(
    alice, bob, output_indicator
):
    _create(output_indicator, alice, year=2019)
    with pytest.raises(ValidationError) as excinfo:
        _create(output_indicator, bob, year=2019, value=30)
    assert excinfo.value.code == PERIOD_OPEN
    assert IndicatorValue.objects.count() == 1


def test_database_refuses_two_published_values_for_one_period(output_indicator):
    PublishedIndicatorValueFactory(indicator=output_indicator, year=2019)
    with pytest.raises(IntegrityError), transaction.atomic():
        PublishedIndicatorValueFactory(indicator=output_indicator, year=2019)


def test_explicit_replace_keeps_the_old_value_and_its_history(
    alice, coordinator, output_indicator
):
    old = PublishedIndicatorValueFactory(
        indicator=output_indicator, year=2019, value=27
    )
    new = indicator_value_replace(
        old=old,
        author=alice,
        value=29,
        sources=[SourceFactory()],
        actor=alice,
    )
    assert (new.year, new.replaces) == (2019, old)
    old.refresh_from_db()
    assert old.state == State.PUBLISHED  # until the correction is published
    indicator_value_submit(indicator_value=new, actor=alice)
    indicator_value_publish(
        indicator_value=new, reviewer=coordinator, actor=coordinator
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.state == State.REPLACED
    assert old.value == Decimal(27)
    assert new.state == State.PUBLISHED
    assert old.history.filter(state=State.REPLACED).exists()
    published = IndicatorValue.objects.filter(
        indicator=output_indicator, state=State.PUBLISHED
    )
    assert list(published) == [new]


def test_only_a_published_value_can_be_replaced(alice, output_indicator):
    draft = _create(output_indicator, alice)
    with pytest.raises(ValidationError):
        indicator_value_replace(old=draft, author=alice, value=1, actor=alice)
    assert IndicatorValue.objects.count() == 1


@pytest.mark.parametrize("value", [-1, "-3", Decimal("-0.5")])
def test_negative_count_is_refused(alice, output_indicator, value):
    with pytest.raises(ValidationError) as excinfo:
        _create(output_indicator, alice, value=value)
    assert "value" in excinfo.value.message_dict
    assert IndicatorValue.objects.count() == 0


def test_count_must_be_whole_but_other_numbers_may_be_negative_decimals(
    coordinator, outcome_indicator
):
    with pytest.raises(ValidationError):
        _create(outcome_indicator, coordinator, value="2,5")
    outcome_indicator.kind = Indicator.Kind.NUMBER
    outcome_indicator.save()
    value = _create(outcome_indicator, coordinator, value="-2,5")
    assert value.value == Decimal("-2.5")


@pytest.mark.parametrize("value", ["abc", "", None, "12a", "NaN", "inf", True])
def test_non_numeric_value_is_refused(alice, output_indicator, value):
    with pytest.raises(ValidationError) as excinfo:
        _create(output_indicator, alice, value=value)
    assert excinfo.value.error_dict["value"][0].code == "not_a_number"
    assert IndicatorValue.objects.count() == 0


def test_numbers_are_read_as_people_type_them(coordinator, outcome_indicator):
    assert _create(outcome_indicator, coordinator, value="1 060").value == 1060
    outcome_indicator.kind = Indicator.Kind.NOK
    outcome_indicator.save()
    value = _create(outcome_indicator, coordinator, year=2018, value="18,3")
    assert value.value == Decimal("18.3")


def test_source_link_must_be_http(alice, output_indicator):
    with pytest.raises(ValidationError) as excinfo:
        _create(
            output_indicator,
            alice,
            sources=[],
            new_sources=[
                NewSource(
                    url="javascript:alert(1)",
                    publisher="X",
                    title="Y",
                    kind="statistics",
                )
            ],
        )
    assert "new_source_url" in excinfo.value.message_dict


def test_recorded_published_value_needs_a_source(outcome_indicator):
    with pytest.raises(ValidationError) as excinfo:
        indicator_value_record_published(
            actor=SYSTEM, indicator=outcome_indicator, year=2017, value=27
        )
    assert excinfo.value.message_dict == {
        "sources": ["Et publisert tall må ha en kilde."]
    }
    value = indicator_value_record_published(
        actor=SYSTEM,
        indicator=outcome_indicator,
        year=2017,
        value=27,
        sources=[SourceFactory()],
    )
    assert value.state == State.PUBLISHED
    assert value.author is None


# --- indicators -----------------------------------------------------------------------


def test_target_year_before_baseline_year_is_refused(outcome_indicator):
    with pytest.raises(ValidationError) as excinfo:
        indicator_update(
            actor=SYSTEM,
            indicator=outcome_indicator,
            baseline_value=27,
            baseline_year=2017,
            target_value=0,
            target_year=2016,
        )
    assert "Året for målverdien" in " ".join(excinfo.value.messages)
    outcome_indicator.refresh_from_db()
    assert outcome_indicator.target_year is None


def test_database_refuses_target_year_before_baseline_year(outcome_indicator):
    Indicator.objects.filter(pk=outcome_indicator.pk).update(
        baseline_value=1, baseline_year=2017
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=outcome_indicator.pk).update(
            target_value=0, target_year=2016
        )


def test_indicator_belongs_to_exactly_one_goal_or_measure(plan, coordinator):
    goal = GoalFactory(plan=plan)
    measure = MeasureFactory(plan=plan)
    for owner in ({}, {"goal": goal, "measure": measure}):
        with pytest.raises(ValidationError):
            indicator_create(title="X", slug="x", actor=coordinator, **owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(title="X", slug="x", goal=goal, measure=measure)
    indicator = indicator_create(
        title="Overdosedødsfall",
        slug="x",
        goal=goal,
        actor=coordinator,
        baseline_value=27,
        baseline_year=2017,
    )
    assert indicator.small_number_threshold == 5
    assert indicator.is_outcome


def test_baseline_needs_value_and_year(plan):
    with pytest.raises(ValidationError):
        indicator_create(
            actor=SYSTEM,
            title="X",
            slug="x",
            goal=GoalFactory(plan=plan),
            baseline_value=3,
        )
    assert Indicator.objects.count() == 0


def test_caseworker_cannot_create_indicators(alice, output_indicator):
    with pytest.raises(PermissionDenied):
        indicator_create(
            title="X", slug="x", measure=output_indicator.measure, actor=alice
        )


# --- budget lines ---------------------------------------------------------------------


def test_coordinator_creates_a_budget_line_and_a_second_for_the_year_is_refused(
    coordinator, output_indicator
):
    measure = output_indicator.measure
    line = budget_line_create(
        measure=measure,
        year=2019,
        allocated_nok=7_000_000,
        actor=coordinator,
    )
    assert line.spent_nok is None
    with pytest.raises(ValidationError):
        budget_line_create(
            measure=measure, year=2019, allocated_nok=1, actor=coordinator
        )
    assert BudgetLine.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"allocated_nok": -1},
        {"allocated_nok": 1, "spent_nok": -5},
        {"allocated_nok": "mye"},
    ],
)
def test_negative_or_non_numeric_amounts_are_refused(fields):
    measure = MeasureFactory()
    with pytest.raises(ValidationError):
        budget_line_create(actor=SYSTEM, measure=measure, year=2019, **fields)
    assert BudgetLine.objects.count() == 0


def test_database_refuses_negative_spending():
    line = BudgetLineFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.filter(pk=line.pk).update(spent_nok=-1)


def test_caseworker_cannot_change_budget_lines(alice, output_indicator):
    line = BudgetLineFactory(measure=output_indicator.measure)
    with pytest.raises(PermissionDenied):
        budget_line_update(budget_line=line, actor=alice, spent_nok=1)
    line.refresh_from_db()
    assert line.spent_nok is None


def test_budget_line_update_keeps_history(coordinator, output_indicator):
    line = BudgetLineFactory(measure=output_indicator.measure)
    budget_line_update(budget_line=line, actor=coordinator, spent_nok=900)
    assert line.history.count() == 2
    assert line.history.first().spent_nok == 900


def test_period_bounds_cover_the_whole_period():
    value = IndicatorValue(period_type="tertial", year=2019, number=2)
    assert (value.start, value.end) == (
        datetime.date(2019, 5, 1),
        datetime.date(2019, 8, 31),
    )
    assert value.period_label == "2. tertial 2019"


# --- sources ----------------------------------------------------------------------


def test_a_budget_line_cites_its_sources_and_an_update_replaces_them(coordinator):
    measure = MeasureFactory()
    first, second = SourceFactory(), SourceFactory()
    line = budget_line_create(
        actor=SYSTEM,
        measure=measure,
        year=2019,
        allocated_nok=1_000,
        kind="adopted",
        sources=[first],
    )
    assert [c.source for c in line.citations.all()] == [first]
    budget_line_update(actor=SYSTEM, budget_line=line, sources=[second])
    assert [c.source for c in line.citations.all()] == [second]
    budget_line_update(actor=SYSTEM, budget_line=line, note="Uten endring i kildene")
    assert [c.source for c in line.citations.all()] == [second]


def test_a_value_sent_in_without_a_source_is_refused(alice, output_indicator):
    with pytest.raises(ValidationError) as error:
        _create(output_indicator, alice, sources=[], submit=True)
    assert "Legg til minst én kilde" in str(error.value)
    assert not IndicatorValue.objects.exists()


def test_a_value_cites_a_typed_link(alice, output_indicator):
    value = _create(
        output_indicator,
        alice,
        sources=[],
        new_sources=[
            NewSource(
                url="https://www.ssb.no/tabell",
                publisher="SSB",
                title="Tabell",
                kind="statistics",
            )
        ],
        submit=True,
    )
    assert value.citations.get().source.url == "https://www.ssb.no/tabell"
