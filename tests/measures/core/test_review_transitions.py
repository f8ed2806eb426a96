"""Every step of the review lifecycle from every state, in the services
(services/review.py through status_updates.py and indicator_values.py).

The tables name the outcome of each (state, step): the state it leads to, or
REFUSED. They cover every pair (test_the_tables_cover_every_state_and_step), so
a missing transition shows as a failing test, and a refused step must raise and
leave the record, its history, its citations and its measure as they were.
"""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from measures.models import Measure, Plan
from measures.services import indicator_values as values
from measures.services import status_updates as updates
from measures.services.base import ConflictError
from tests.support.reviewed import (
    UPDATE_STATES,
    VALUE_STATES,
    output_indicator,
    snapshot,
    update_in,
    value_in,
)

pytestmark = pytest.mark.django_db

REFUSED = "refused"
# What a refusal may raise: the state does not allow it (ValidationError), the
# record is not the one the form was loaded with (ConflictError), or the rule of
# who may change a record in that state (PermissionDenied: no one edits a
# submitted or published record).
REFUSALS = (ValidationError, ConflictError, PermissionDenied)

STEPS = ("edit", "edit_and_submit", "submit", "publish", "return")

# A plan that needs review.
UPDATE_STEPS = {
    ("draft", "edit"): "draft",
    ("draft", "edit_and_submit"): "submitted",
    ("draft", "submit"): "submitted",
    ("draft", "publish"): REFUSED,
    ("draft", "return"): REFUSED,
    ("submitted", "edit"): REFUSED,
    ("submitted", "edit_and_submit"): REFUSED,
    ("submitted", "submit"): REFUSED,
    ("submitted", "publish"): "published",
    ("submitted", "return"): "returned",
    ("returned", "edit"): "returned",
    ("returned", "edit_and_submit"): "submitted",
    ("returned", "submit"): "submitted",
    ("returned", "publish"): REFUSED,
    ("returned", "return"): REFUSED,
    ("published", "edit"): REFUSED,
    ("published", "edit_and_submit"): REFUSED,
    ("published", "submit"): REFUSED,
    ("published", "publish"): REFUSED,
    ("published", "return"): REFUSED,
}

# Indicator values follow the same table, and a replaced value (retired by its
# correction) is as fixed as a published one.
VALUE_STEPS = UPDATE_STEPS | {("replaced", step): REFUSED for step in STEPS}

# A plan that needs no review publishes on sending in; the rest is the same.
NO_REVIEW = {
    ("draft", "edit_and_submit"): "published",
    ("draft", "submit"): "published",
    ("returned", "edit_and_submit"): "published",
    ("returned", "submit"): "published",
}


def test_the_tables_cover_every_state_and_step():
    assert set(UPDATE_STEPS) == set(itertools.product(UPDATE_STATES, STEPS))
    assert set(VALUE_STEPS) == set(itertools.product(VALUE_STATES, STEPS))
    assert set(NO_REVIEW) <= set(UPDATE_STEPS)


# --- status updates -----------------------------------------------------------------


def _update_step(world, update, step: str):
    caseworker, coordinator = world.alice, world.olivia
    if step in ("edit", "edit_and_submit"):
        return updates.status_update_edit(
            update=update,
            expected_version=update.version,
            actor=caseworker,
            submit=step == "edit_and_submit",
            summary="Rettet tekst.",
        )
    if step == "submit":
        return updates.status_update_submit(
            update=update, actor=caseworker, expected_version=update.version
        )
    if step == "publish":
        return updates.status_update_publish(
            update=update,
            reviewer=coordinator,
            actor=coordinator,
            expected_version=update.version,
        )
    return updates.status_update_return(
        update=update,
        reviewer=coordinator,
        comment="Legg ved lenke.",
        actor=coordinator,
        expected_version=update.version,
    )


def _check_update_step(world, state, step, expected):
    update = update_in(world, state)
    before = snapshot(update)

    if expected == REFUSED:
        with pytest.raises(REFUSALS):
            _update_step(world, update, step)
        assert snapshot(update) == before
        return

    _update_step(world, update, step)
    update.refresh_from_db()
    assert update.state == expected
    assert update.version == before["row"]["version"] + 1
    assert update.history.count() == before["history"] + 1
    measure = Measure.objects.get(pk=world.measure_a.pk)
    if expected == "published":
        assert measure.current_update == update
        assert update.published_at is not None
        assert update.review_comment == ""
    else:
        assert measure.current_update_id == before["measure"]["current_update"]
    if expected == "returned" and step == "return":
        assert update.review_comment == "Legg ved lenke."
        assert update.reviewer == world.olivia


@pytest.mark.parametrize(("state", "step"), sorted(UPDATE_STEPS))
def test_status_update_step(world, state, step):
    _check_update_step(world, state, step, UPDATE_STEPS[(state, step)])


@pytest.mark.parametrize(("state", "step"), sorted(NO_REVIEW))
def test_status_update_step_on_a_plan_without_review(world, state, step):
    Plan.objects.filter(pk=world.plan.pk).update(requires_review=False)
    world.measure_a.refresh_from_db()
    _check_update_step(world, state, step, NO_REVIEW[(state, step)])


# --- indicator values ---------------------------------------------------------------


def _value_step(world, value, step: str):
    caseworker, coordinator = world.alice, world.olivia
    if step in ("edit", "edit_and_submit"):
        return values.indicator_value_edit(
            indicator_value=value,
            expected_version=value.version,
            actor=caseworker,
            submit=step == "edit_and_submit",
            note="Rettet merknad.",
        )
    if step == "submit":
        return values.indicator_value_submit(
            indicator_value=value, actor=caseworker, expected_version=value.version
        )
    if step == "publish":
        return values.indicator_value_publish(
            indicator_value=value,
            reviewer=coordinator,
            actor=coordinator,
            expected_version=value.version,
        )
    return values.indicator_value_return(
        indicator_value=value,
        reviewer=coordinator,
        comment="Gjelder tallet hele året?",
        actor=coordinator,
        expected_version=value.version,
    )


def _check_value_step(world, state, step, expected):
    value = value_in(output_indicator(world), world.alice, state)
    before = snapshot(value)

    if expected == REFUSED:
        with pytest.raises(REFUSALS):
            _value_step(world, value, step)
        assert snapshot(value) == before
        return

    _value_step(world, value, step)
    value.refresh_from_db()
    assert value.state == expected
    assert value.version == before["row"]["version"] + 1
    assert value.history.count() == before["history"] + 1
    if expected == "published":
        assert value.published_at is not None
        assert value.review_comment == ""
    if expected == "returned" and step == "return":
        assert value.review_comment == "Gjelder tallet hele året?"
        assert value.reviewer == world.olivia


@pytest.mark.parametrize(("state", "step"), sorted(VALUE_STEPS))
def test_indicator_value_step(world, state, step):
    _check_value_step(world, state, step, VALUE_STEPS[(state, step)])


@pytest.mark.parametrize(("state", "step"), sorted(NO_REVIEW))
def test_indicator_value_step_on_a_plan_without_review(world, state, step):
    Plan.objects.filter(pk=world.plan.pk).update(requires_review=False)
    world.measure_a.refresh_from_db()
    _check_value_step(world, state, step, NO_REVIEW[(state, step)])
