import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import Measure, MeasurePartner, Phase, Plan, StatusUpdate
from measures.services.plans import (
    goal_create,
    measure_create,
    measure_set_goals,
    measure_set_partners,
    measure_update,
    plan_create,
)
from measures.services.sources import NewSource
from measures.services.status_updates import (
    status_update_create,
    status_update_publish,
    status_update_record_published,
    status_update_return,
    status_update_submit,
)
from tests.factories import (
    SYSTEM,
    GoalFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    SourceFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _draft(measure, author, **overrides):
    fields = {
        "measure": measure,
        "author": author,
        "as_of": datetime.date(2020, 4, 30),
        "phase": Phase.IN_PROGRESS,
        "health": "on_track",
        "progress": 40,
        "summary": "Avtale med huseier signert.",
        "sources": [SourceFactory()],
        "actor": SYSTEM,
    }
    fields.update(overrides)
    return status_update_create(**fields)


# --- bad input: progress ------------------------------------------------------


@pytest.mark.parametrize("progress", [-1, 101, "abc"])
def test_status_update_rejects_progress_outside_0_to_100(progress, alice):
    measure = MeasureFactory()
    with pytest.raises(ValidationError) as excinfo:
        _draft(measure, alice, progress=progress)
    assert "progress" in excinfo.value.message_dict
    assert StatusUpdate.objects.count() == 0


def test_database_refuses_progress_above_100_even_without_validation():
    update = StatusUpdateFactory.build(measure=MeasureFactory(), progress=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        update.save()
    assert StatusUpdate.objects.count() == 0


def test_status_update_requires_a_summary(alice):
    with pytest.raises(ValidationError) as excinfo:
        _draft(MeasureFactory(), alice, summary="")
    assert "summary" in excinfo.value.message_dict


# --- bad input: plans ---------------------------------------------------------


def test_plan_with_end_year_before_start_is_refused():
    owner = PartnerFactory()
    with pytest.raises(ValidationError) as excinfo:
        plan_create(
            actor=SYSTEM,
            title="Plan",
            slug="plan",
            start_year=2022,
            end_year=2018,
            owner=owner,
        )
    assert "Sluttåret kan ikke være før startåret." in str(excinfo.value)
    assert Plan.objects.count() == 0


def test_database_refuses_plan_with_end_year_before_start():
    plan = PlanFactory.build(owner=PartnerFactory(), start_year=2022, end_year=2018)
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


# --- bad input: partner roles -------------------------------------------------


def test_measure_without_lead_partner_is_refused():
    plan = PlanFactory()
    with pytest.raises(ValidationError) as excinfo:
        measure_create(
            actor=SYSTEM, plan=plan, title="Tiltak", slug="tiltak", lead=None
        )
    assert "partners" in excinfo.value.message_dict
    assert Measure.objects.count() == 0


def test_measure_with_same_partner_as_lead_and_contributor_is_refused():
    plan, partner = PlanFactory(), PartnerFactory()
    with pytest.raises(ValidationError):
        measure_create(
            actor=SYSTEM,
            plan=plan,
            title="T",
            slug="t",
            lead=partner,
            contributors=[partner],
        )
    assert Measure.objects.count() == 0


def test_database_refuses_a_second_lead_partner():
    measure = MeasureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasurePartner.objects.create(
            measure=measure, partner=PartnerFactory(), role=MeasurePartner.Role.LEAD
        )
    assert measure.partner_roles.count() == 1


def test_second_lead_partner_gives_a_clear_validation_error():
    measure = MeasureFactory()
    second = MeasurePartner(
        measure=measure, partner=PartnerFactory(), role=MeasurePartner.Role.LEAD
    )
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert "Et tiltak kan bare ha én ansvarlig partner." in str(excinfo.value)


def test_measure_set_partners_replaces_roles_with_one_lead():
    measure = MeasureFactory()
    lead, helper = PartnerFactory(), PartnerFactory()
    measure_set_partners(
        actor=SYSTEM, measure=measure, lead=lead, contributors=[helper]
    )
    roles = {(r.partner, r.role) for r in measure.partner_roles.all()}
    assert roles == {(lead, "lead"), (helper, "contributor")}


# --- bad input: slugs ---------------------------------------------------------


def test_duplicate_measure_slug_within_a_plan_is_refused():
    plan = PlanFactory()
    measure_create(
        actor=SYSTEM, plan=plan, title="A", slug="mo-sentre", lead=PartnerFactory()
    )
    with pytest.raises(ValidationError) as excinfo:
        measure_create(
            actor=SYSTEM, plan=plan, title="B", slug="mo-sentre", lead=PartnerFactory()
        )
    assert "slug" in excinfo.value.message_dict
    assert Measure.objects.filter(slug="mo-sentre").count() == 1


def test_duplicate_goal_slug_within_a_plan_is_refused():
    plan = PlanFactory()
    goal_create(actor=SYSTEM, plan=plan, title="Trygg by", slug="trygg-by")
    with pytest.raises(ValidationError):
        goal_create(actor=SYSTEM, plan=plan, title="Trygg by igjen", slug="trygg-by")


def test_goal_slug_may_repeat_across_plans():
    goal_create(actor=SYSTEM, plan=PlanFactory(), title="Trygg by", slug="trygg-by")
    goal_create(actor=SYSTEM, plan=PlanFactory(), title="Trygg by", slug="trygg-by")


def test_goal_parent_must_belong_to_the_same_plan():
    other_goal = GoalFactory()
    with pytest.raises(ValidationError):
        goal_create(
            actor=SYSTEM,
            plan=PlanFactory(),
            title="Delmål",
            slug="delmal",
            parent=other_goal,
        )


def test_a_measure_is_not_placed_under_another_plans_goal():
    measure = MeasureFactory()
    own = GoalFactory(plan=measure.plan)
    foreign = GoalFactory(title="Fremmed mål")

    with pytest.raises(ValidationError, match="Fremmed mål"):
        measure_set_goals(actor=SYSTEM, measure=measure, goals=[own, foreign])

    assert not measure.goals.exists()
    measure_set_goals(actor=SYSTEM, measure=measure, goals=[own])
    assert list(measure.goals.all()) == [own]


def test_measure_goals_must_belong_to_its_plan():
    with pytest.raises(ValidationError):
        measure_create(
            actor=SYSTEM,
            plan=PlanFactory(),
            title="T",
            slug="t",
            lead=PartnerFactory(),
            goals=[GoalFactory()],
        )
    assert Measure.objects.count() == 0


def test_lineage_must_point_to_another_plan():
    measure = MeasureFactory()
    with pytest.raises(ValidationError):
        measure_create(
            actor=SYSTEM,
            plan=measure.plan,
            title="Samme plan",
            slug="samme-plan",
            lead=PartnerFactory(),
            continues=measure,
        )


# --- publishing and current status ----------------------------------------------


def test_publishing_updates_the_measures_current_status(alice):
    reviewer = UserFactory()
    measure = MeasureFactory()
    update = status_update_submit(actor=SYSTEM, update=_draft(measure, alice))
    status_update_publish(actor=SYSTEM, update=update, reviewer=reviewer)

    measure.refresh_from_db()
    assert measure.current_update_id == update.pk
    assert measure.current_phase == Phase.IN_PROGRESS
    assert measure.current_progress == 40
    assert measure.current_health == "on_track"
    assert measure.current_as_of == datetime.date(2020, 4, 30)


def test_submitting_publishes_at_once_when_plan_needs_no_review(alice):
    measure = MeasureFactory(plan=PlanFactory(requires_review=False))
    update = status_update_submit(actor=SYSTEM, update=_draft(measure, alice))
    assert update.state == StatusUpdate.State.PUBLISHED
    measure.refresh_from_db()
    assert measure.current_update_id == update.pk


def test_submitted_update_does_not_change_current_status(alice):
    measure = MeasureFactory()
    status_update_submit(actor=SYSTEM, update=_draft(measure, alice))
    measure.refresh_from_db()
    assert measure.current_update is None
    assert measure.current_progress is None


def test_late_publication_of_an_older_update_does_not_displace_a_newer_one(alice):
    measure = MeasureFactory()
    newer = status_update_submit(
        actor=SYSTEM,
        update=_draft(measure, alice, as_of=datetime.date(2021, 8, 31), progress=80),
    )
    older = status_update_submit(
        actor=SYSTEM,
        update=_draft(measure, alice, as_of=datetime.date(2021, 4, 30), progress=60),
    )
    status_update_publish(actor=SYSTEM, update=newer, reviewer=None)
    status_update_publish(actor=SYSTEM, update=older, reviewer=None)
    measure.refresh_from_db()
    assert measure.current_update_id == newer.pk
    assert measure.current_progress == 80


def test_published_update_cannot_be_published_or_returned_again(alice):
    update = status_update_submit(actor=SYSTEM, update=_draft(MeasureFactory(), alice))
    status_update_publish(actor=SYSTEM, update=update, reviewer=None)
    with pytest.raises(ValidationError):
        status_update_publish(actor=SYSTEM, update=update, reviewer=None)
    with pytest.raises(ValidationError):
        status_update_return(actor=SYSTEM, update=update, reviewer=None, comment="Nei")


def test_returning_requires_a_comment_and_keeps_current_status(alice):
    measure = MeasureFactory()
    update = status_update_submit(actor=SYSTEM, update=_draft(measure, alice))
    with pytest.raises(ValidationError) as excinfo:
        status_update_return(actor=SYSTEM, update=update, reviewer=None, comment="  ")
    assert "review_comment" in excinfo.value.message_dict
    returned = status_update_return(
        actor=SYSTEM,
        update=update,
        reviewer=None,
        comment="Legg ved lenke til vedtaket.",
    )
    assert returned.state == StatusUpdate.State.RETURNED
    resubmitted = status_update_submit(actor=SYSTEM, update=returned)
    assert resubmitted.state == StatusUpdate.State.SUBMITTED


def test_caseworker_update_without_assessment_cannot_be_published(alice):
    update = status_update_submit(
        actor=SYSTEM, update=_draft(MeasureFactory(), alice, progress=None, health="")
    )
    with pytest.raises(ValidationError):
        status_update_publish(actor=SYSTEM, update=update, reviewer=None)


def test_recorded_historical_event_needs_a_source():
    with pytest.raises(ValidationError) as excinfo:
        status_update_record_published(
            actor=SYSTEM,
            measure=MeasureFactory(),
            as_of=datetime.date(2014, 7, 1),
            phase=Phase.IN_PROGRESS,
            summary="Åpnet.",
        )
    assert excinfo.value.message_dict == {
        "sources": ["En historisk hendelse må ha en kilde."]
    }
    assert StatusUpdate.objects.count() == 0


def test_recorded_historical_event_becomes_current_status():
    measure = MeasureFactory()
    event = status_update_record_published(
        actor=SYSTEM,
        measure=measure,
        as_of=datetime.date(2014, 7, 1),
        phase=Phase.IN_PROGRESS,
        summary="MO Wergeland og MO Nesttun åpnet.",
        new_sources=[
            NewSource(
                url="https://www.bt.no/nyheter/mo",
                publisher="BT",
                title="MO åpnet",
                kind="news",
            )
        ],
    )
    measure.refresh_from_db()
    assert event.citations.get().source.publisher == "BT"
    assert event.state == StatusUpdate.State.PUBLISHED
    assert measure.current_update_id == event.pk
    assert measure.current_progress is None


def test_every_status_change_bumps_the_measure_version(alice):
    measure = MeasureFactory()
    start = measure.version
    update = status_update_submit(actor=SYSTEM, update=_draft(measure, alice))
    status_update_publish(actor=SYSTEM, update=update, reviewer=None)
    measure.refresh_from_db()
    assert measure.version == start + 1
    measure_update(actor=SYSTEM, measure=measure, title="Nytt navn")
    assert measure.version == start + 2


def test_publishing_writes_history_rows(alice):
    measure = MeasureFactory()
    update = _draft(measure, alice)
    status_update_submit(actor=SYSTEM, update=update)
    status_update_publish(actor=SYSTEM, update=update, reviewer=None)
    kinds = list(
        update.history.order_by("history_date").values_list("state", flat=True)
    )
    assert kinds == ["draft", "submitted", "published"]
    assert measure.history.count() == 2  # created, then current status refreshed
