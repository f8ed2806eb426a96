"""Every step of the review lifecycle from every state, through the views: a POST
to the edit, publish and return URLs by the user whose step it is.

An allowed step redirects (302) and moves the record to the state in the table;
a refused one answers a 4xx that says why and changes nothing: not the record,
its history, its citations or its measure. The tables cover every (state, step)
(test_the_tables_cover_every_state_and_step), so a missing one shows.
"""

import itertools

import pytest
from django.urls import reverse

from measures.models import Measure
from tests.support.forms import form_data
from tests.support.reviewed import (
    LAST_YEAR,
    UPDATE_STATES,
    VALUE_STATES,
    output_indicator,
    snapshot,
    update_in,
    value_in,
)

pytestmark = pytest.mark.django_db

STEPS = ("edit", "edit_and_submit", "publish", "return")

# (state, step) -> (status code, state after). The status update form's URL
# refuses a record nobody may change with 403 (its rule, can_edit_update, is
# about the state); the value form answers 409 with its conflict page; publish
# and return answer 409 with the queue and the reason.
UPDATE_STEPS = {
    ("draft", "edit"): (302, "draft"),
    ("draft", "edit_and_submit"): (302, "submitted"),
    ("draft", "publish"): (409, "draft"),
    ("draft", "return"): (409, "draft"),
    ("submitted", "edit"): (403, "submitted"),
    ("submitted", "edit_and_submit"): (403, "submitted"),
    ("submitted", "publish"): (302, "published"),
    ("submitted", "return"): (302, "returned"),
    ("returned", "edit"): (302, "returned"),
    ("returned", "edit_and_submit"): (302, "submitted"),
    ("returned", "publish"): (409, "returned"),
    ("returned", "return"): (409, "returned"),
    ("published", "edit"): (403, "published"),
    ("published", "edit_and_submit"): (403, "published"),
    ("published", "publish"): (409, "published"),
    ("published", "return"): (409, "published"),
}

VALUE_STEPS = {
    ("draft", "edit"): (302, "draft"),
    ("draft", "edit_and_submit"): (302, "submitted"),
    ("draft", "publish"): (409, "draft"),
    ("draft", "return"): (409, "draft"),
    ("submitted", "edit"): (409, "submitted"),
    ("submitted", "edit_and_submit"): (409, "submitted"),
    ("submitted", "publish"): (302, "published"),
    ("submitted", "return"): (302, "returned"),
    ("returned", "edit"): (302, "returned"),
    ("returned", "edit_and_submit"): (302, "submitted"),
    ("returned", "publish"): (409, "returned"),
    ("returned", "return"): (409, "returned"),
    ("published", "edit"): (409, "published"),
    ("published", "edit_and_submit"): (409, "published"),
    ("published", "publish"): (409, "published"),
    ("published", "return"): (409, "published"),
    ("replaced", "edit"): (409, "replaced"),
    ("replaced", "edit_and_submit"): (409, "replaced"),
    ("replaced", "publish"): (409, "replaced"),
    ("replaced", "return"): (409, "replaced"),
}

# What the refusal says, so that a 4xx is a reason and not a bare error page.
REASONS = {
    "publish": "Bare innsendte",
    "return": "Bare innsendte",
}


def test_the_tables_cover_every_state_and_step():
    assert set(UPDATE_STEPS) == set(itertools.product(UPDATE_STATES, STEPS))
    assert set(VALUE_STEPS) == set(itertools.product(VALUE_STATES, STEPS))


def _post_update_step(client, world, update, step):
    if step in ("edit", "edit_and_submit"):
        client.force_login(world.alice)
        data = form_data(world.measure_a, summary="Rettet tekst.")
        data["version"] = str(update.version)
        if step == "edit":
            del data["submit"]
            data["save_draft"] = "Lagre utkast"
        url = reverse("measures:update-edit", kwargs={"pk": update.pk})
        return client.post(url, data)
    client.force_login(world.olivia)
    name = "measures:update-publish" if step == "publish" else "measures:update-return"
    url = reverse(name, kwargs={"pk": update.pk})
    return client.post(url, {"version": update.version, "comment": "Legg ved lenke."})


@pytest.mark.parametrize(("state", "step"), sorted(UPDATE_STEPS))
def test_status_update_step_through_the_views(client, world, state, step):
    status, after = UPDATE_STEPS[(state, step)]
    update = update_in(world, state)
    before = snapshot(update)

    response = _post_update_step(client, world, update, step)

    assert response.status_code == status
    update.refresh_from_db()
    assert update.state == after
    if status >= 400:
        assert snapshot(update) == before
        if step in REASONS:
            assert REASONS[step] in response.content.decode()
    else:
        assert update.version == before["row"]["version"] + 1
        assert update.history.count() == before["history"] + 1
    if status == 302 and after == "published":
        assert Measure.objects.get(pk=world.measure_a.pk).current_update == update


def _value_data(step: str, version: int) -> dict:
    data = {
        "period": "year-1",
        "year": str(LAST_YEAR),
        "value": "28",
        "qualifier": "",
        "note": "Rettet merknad.",
        "new_source_url": "https://www.bergen.kommune.no/statistikk",
        "new_source_publisher": "Etatens fagsystem",
        "new_source_title": "Tall fra fagsystemet",
        "new_source_kind": "statistics",
        "version": str(version),
    }
    if step == "edit_and_submit":
        data["submit"] = "Send til godkjenning"
    else:
        data["save_draft"] = "Lagre utkast"
    return data


def _post_value_step(client, world, value, step):
    if step in ("edit", "edit_and_submit"):
        client.force_login(world.alice)
        url = reverse("measures:indicator-value-edit", kwargs={"pk": value.pk})
        return client.post(url, _value_data(step, value.version))
    client.force_login(world.olivia)
    name = (
        "measures:indicator-value-publish"
        if step == "publish"
        else "measures:indicator-value-return"
    )
    url = reverse(name, kwargs={"pk": value.pk})
    return client.post(url, {"version": value.version, "comment": "Hele året?"})


@pytest.mark.parametrize(("state", "step"), sorted(VALUE_STEPS))
def test_indicator_value_step_through_the_views(client, world, state, step):
    status, after = VALUE_STEPS[(state, step)]
    value = value_in(output_indicator(world), world.alice, state)
    before = snapshot(value)

    response = _post_value_step(client, world, value, step)

    assert response.status_code == status
    value.refresh_from_db()
    assert value.state == after
    if status >= 400:
        assert snapshot(value) == before
        if step in REASONS:
            assert REASONS[step] in response.content.decode()
    else:
        assert value.version == before["row"]["version"] + 1
        assert value.history.count() == before["history"] + 1
