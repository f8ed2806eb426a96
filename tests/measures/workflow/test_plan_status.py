"""Reports only on adopted plans (services/plan_status.py, decisions.md 50): a
completed plan takes corrections from its coordinators only, every other plan
takes nothing new. In the services, and through the views as a clear 409 page
that says why and where to go, not the form; a POST there changes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import IndicatorValue, Plan, StatusUpdate
from measures.services import indicator_values as values
from measures.services import status_updates as updates
from measures.services.plan_status import PLAN_CLOSED
from tests.factories import PlanFactory, SourceFactory
from tests.support.forms import form_data
from tests.support.reviewed import (
    LAST_YEAR,
    output_indicator,
    snapshot,
    update_in,
    value_in,
)
from tests.support.worlds import AS_OF

pytestmark = pytest.mark.django_db

Status = Plan.Status

# (plan status, who) -> may start a new update or value.
TAKES_REPORTS = {
    (Status.ADOPTED, "caseworker"): True,
    (Status.ADOPTED, "coordinator"): True,
    (Status.COMPLETED, "caseworker"): False,
    (Status.COMPLETED, "coordinator"): True,
    (Status.SUPERSEDED, "caseworker"): False,
    (Status.SUPERSEDED, "coordinator"): False,
    (Status.REVISED, "caseworker"): False,
    (Status.REVISED, "coordinator"): False,
    (Status.DRAFT, "caseworker"): False,
    (Status.DRAFT, "coordinator"): False,
    (Status.CONSULTATION, "caseworker"): False,
    (Status.CONSULTATION, "coordinator"): False,
    (Status.NOT_GIVEN, "caseworker"): False,
    (Status.NOT_GIVEN, "coordinator"): False,
}


def test_the_table_covers_every_plan_status():
    assert {status for status, _who in TAKES_REPORTS} == set(Status.values)


def _set_status(world, status):
    Plan.objects.filter(pk=world.plan.pk).update(status=status)
    world.plan.refresh_from_db()
    world.measure_a.refresh_from_db()


def _who(world, who):
    return world.alice if who == "caseworker" else world.olivia


@pytest.mark.parametrize(("status", "who"), sorted(TAKES_REPORTS))
def test_a_new_update_in_the_service(world, status, who):
    _set_status(world, status)
    user = _who(world, who)
    before = StatusUpdate.objects.count()

    def create():
        return updates.status_update_create(
            measure=world.measure_a,
            author=user,
            actor=user,
            as_of=AS_OF,
            phase="in_progress",
            health="on_track",
            progress=80,
            summary="Sluttstatus.",
            sources=[SourceFactory()],
            submit=True,
        )

    if TAKES_REPORTS[(status, who)]:
        assert create().state == StatusUpdate.State.SUBMITTED
        assert StatusUpdate.objects.count() == before + 1
    else:
        with pytest.raises(ValidationError) as refused:
            create()
        assert refused.value.code == PLAN_CLOSED
        assert StatusUpdate.objects.count() == before


@pytest.mark.parametrize(("status", "who"), sorted(TAKES_REPORTS))
def test_a_new_indicator_value_in_the_service(world, status, who):
    indicator = output_indicator(world)
    _set_status(world, status)
    user = _who(world, who)

    def create():
        return values.indicator_value_create(
            indicator=indicator,
            author=user,
            actor=user,
            year=LAST_YEAR,
            value=12,
        )

    if TAKES_REPORTS[(status, who)]:
        assert create().state == IndicatorValue.State.DRAFT
    else:
        with pytest.raises(ValidationError) as refused:
            create()
        assert refused.value.code == PLAN_CLOSED
        assert not IndicatorValue.objects.exists()


# Steps on what was started before the plan closed: (step, on a superseded plan,
# on a completed plan by its coordinator). Returning publishes nothing and takes
# the record out of the queue, so it is allowed on any plan.
OPEN_RECORD_STEPS = {
    "edit": (False, True),
    "submit": (False, True),
    "publish": (False, True),
    "return": (True, True),
}


def _update_step(world, step, user):
    state = "submitted" if step in ("publish", "return") else "draft"
    update = update_in(world, state)
    update.author = user
    update.save()
    call = {
        "edit": lambda: updates.status_update_edit(
            update=update, expected_version=update.version, actor=user, summary="Ny."
        ),
        "submit": lambda: updates.status_update_submit(update=update, actor=user),
        "publish": lambda: updates.status_update_publish(
            update=update, reviewer=user, actor=user
        ),
        "return": lambda: updates.status_update_return(
            update=update, reviewer=user, comment="Planen er erstattet.", actor=user
        ),
    }[step]
    return update, call


@pytest.mark.parametrize("step", sorted(OPEN_RECORD_STEPS))
@pytest.mark.parametrize("status", [Status.SUPERSEDED, Status.COMPLETED])
def test_an_update_started_before_the_plan_closed(world, step, status):
    update, call = _update_step(world, step, world.olivia)
    _set_status(world, status)
    allowed = OPEN_RECORD_STEPS[step][status == Status.COMPLETED]
    before = snapshot(update)
    if allowed:
        call()
        assert snapshot(update) != before
    else:
        with pytest.raises(ValidationError):
            call()
        assert snapshot(update) == before


@pytest.mark.parametrize("step", ["edit", "submit", "publish"])
def test_an_indicator_value_on_a_superseded_plan_is_refused(world, step):
    state = "submitted" if step == "publish" else "draft"
    value = value_in(output_indicator(world), world.olivia, state)
    _set_status(world, Status.SUPERSEDED)
    before = snapshot(value)
    call = {
        "edit": lambda: values.indicator_value_edit(
            indicator_value=value,
            expected_version=value.version,
            actor=world.olivia,
            note="Ny.",
        ),
        "submit": lambda: values.indicator_value_submit(
            indicator_value=value, actor=world.olivia
        ),
        "publish": lambda: values.indicator_value_publish(
            indicator_value=value, reviewer=world.olivia, actor=world.olivia
        ),
    }[step]
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.code == PLAN_CLOSED
    assert snapshot(value) == before


# --- the views ------------------------------------------------------------------


def _new_update_url(world):
    return reverse("measures:measure-update", kwargs=world.measure_a.url_kwargs())


def _superseded_with_successor(world):
    _set_status(world, Status.SUPERSEDED)
    return PlanFactory(
        owner=world.owner,
        predecessor=world.plan,
        title="Ny rusplan 2024–2030",
        slug="ny-rusplan",
    )


def _assert_refusal_page(response, said):
    assert response.status_code == 409
    body = response.content.decode()
    assert "Planen tar ikke imot oppdateringer" in body
    assert said in body
    assert 'name="summary"' not in body
    assert 'name="value"' not in body
    assert reverse("measures:my-measures") in body
    return body


def test_typing_the_update_url_of_a_superseded_plans_measure_gives_the_refusal(
    client, world
):
    successor = _superseded_with_successor(world)
    client.force_login(world.alice)

    body = _assert_refusal_page(
        client.get(_new_update_url(world)), "er erstattet av en nyere plan"
    )

    assert successor.get_absolute_url() in body
    assert world.measure_a.get_absolute_url() in body


def test_a_post_to_a_superseded_plans_measure_changes_nothing_and_keeps_the_text(
    client, world
):
    _superseded_with_successor(world)
    before = StatusUpdate.objects.count()
    client.force_login(world.alice)

    response = client.post(
        _new_update_url(world),
        form_data(world.measure_a, summary="Teksten jeg skrev."),
    )

    body = _assert_refusal_page(response, "er erstattet")
    assert "Teksten jeg skrev." in body
    assert StatusUpdate.objects.count() == before


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_draft_on_a_superseded_plan_cannot_be_continued(client, world, method):
    draft = world.draft_a
    _set_status(world, Status.SUPERSEDED)
    before = snapshot(draft)
    client.force_login(world.alice)
    url = reverse("measures:update-edit", kwargs={"pk": draft.pk})
    data = form_data(world.measure_a, version=str(draft.version))

    response = getattr(client, method)(url, data if method == "post" else None)

    _assert_refusal_page(response, "er erstattet")
    assert snapshot(draft) == before
    detail = client.get(reverse("measures:update-detail", kwargs={"pk": draft.pk}))
    assert url not in detail.content.decode()


@pytest.mark.parametrize(
    ("status", "said"),
    [
        (Status.DRAFT, "er ikke vedtatt (status: Utkast)"),
        (Status.CONSULTATION, "er ikke vedtatt (status: På høring)"),
        (Status.COMPLETED, "Bare planens koordinatorer kan rette"),
    ],
)
def test_other_plans_that_take_no_updates_from_a_caseworker(
    client, world, status, said
):
    _set_status(world, status)
    client.force_login(world.alice)
    _assert_refusal_page(client.get(_new_update_url(world)), said)


def test_the_coordinator_may_correct_a_completed_plans_measure(client, world):
    _set_status(world, Status.COMPLETED)
    client.force_login(world.olivia)
    assert client.get(_new_update_url(world)).status_code == 200

    response = client.post(
        _new_update_url(world),
        form_data(world.measure_a, phase="discontinued", summary="Avviklet."),
    )

    assert response.status_code == 302
    assert StatusUpdate.objects.latest("id").summary == "Avviklet."


def test_publishing_on_a_superseded_plan_is_refused_in_the_queue(client, world):
    update = world.submitted_a
    _set_status(world, Status.SUPERSEDED)
    before = snapshot(update)
    client.force_login(world.olivia)

    response = client.post(
        reverse("measures:update-publish", kwargs={"pk": update.pk}),
        {"version": update.version},
    )

    assert response.status_code == 409
    assert "er erstattet" in response.content.decode()
    assert snapshot(update) == before


def test_the_queue_offers_no_publish_button_on_a_superseded_plan(client, world):
    """The queue says why instead of offering a button that can only be refused;
    returning stays (it empties the queue)."""
    update = world.submitted_a
    client.force_login(world.olivia)
    publish_url = reverse("measures:update-publish", kwargs={"pk": update.pk})
    return_url = reverse("measures:update-return", kwargs={"pk": update.pk})
    assert publish_url in client.get(reverse("measures:review-queue")).content.decode()

    _set_status(world, Status.SUPERSEDED)
    page = client.get(reverse("measures:review-queue")).content.decode()

    assert publish_url not in page
    assert return_url in page
    assert "er erstattet av en nyere plan" in page
    assert "Returner den med en kommentar i stedet." in page


@pytest.mark.parametrize("view", ["create", "edit"])
def test_the_indicator_value_forms_of_a_superseded_plan_give_the_refusal(
    client, world, view
):
    indicator = output_indicator(world)
    draft = value_in(indicator, world.alice, "draft")
    _set_status(world, Status.SUPERSEDED)
    before = snapshot(draft)
    client.force_login(world.alice)
    url = (
        reverse("measures:indicator-value-create", kwargs={"slug": indicator.slug})
        if view == "create"
        else reverse("measures:indicator-value-edit", kwargs={"pk": draft.pk})
    )
    data = {
        "period": "year-1",
        "year": str(LAST_YEAR - 1),
        "value": "31",
        "note": "Min merknad.",
        "version": str(draft.version),
        "save_draft": "1",
    }

    _assert_refusal_page(client.get(url), "er erstattet")
    body = _assert_refusal_page(client.post(url, data), "er erstattet")

    assert "Min merknad." in body
    assert snapshot(draft) == before
    assert IndicatorValue.objects.count() == 1


def test_mine_tiltak_offers_no_new_update_for_a_plan_that_takes_none(client, world):
    client.force_login(world.alice)
    url = _new_update_url(world)
    edit = reverse("measures:update-edit", kwargs={"pk": world.draft_a.pk})
    body = client.get(reverse("measures:my-measures")).content.decode()
    assert url in body and edit in body

    _set_status(world, Status.SUPERSEDED)

    body = client.get(reverse("measures:my-measures")).content.decode()
    assert url not in body
    assert edit not in body


@pytest.mark.parametrize("status", Status.values)
def test_accepts_updates_only_on_an_adopted_plan(world, status):
    _set_status(world, status)
    assert world.measure_a.accepts_updates is (status == Status.ADOPTED)
