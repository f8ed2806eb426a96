"""Twenty people submit from the same starting point: one wins, nobody's work is
silently lost. PostgreSQL only: SQLite serialises writers, so it proves nothing."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from measures.models import Measure, StatusUpdate
from tests.factories import MembershipFactory, UserFactory
from tests.support.forms import form_data
from tests.support.requirements import POSTGRESQL_ONLY
from tests.support.worlds import build_workflow_world

THREADS = 20

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    POSTGRESQL_ONLY,
]


def _run_together(work, count):
    barrier = threading.Barrier(count)
    results = [None] * count
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as error:  # reported below, with the thread's index
            errors.append((index, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_twenty_submissions_from_the_same_version_exactly_one_wins():
    world = build_workflow_world()
    measure = world.measure_a
    users = [world.alice]
    for n in range(THREADS - 1):
        user = UserFactory(username=f"kollega{n}")
        MembershipFactory(user=user, partner=world.partner_a)
        users.append(user)
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    data = form_data(measure)
    start_version = measure.version
    before = StatusUpdate.objects.count()
    url = reverse("measures:measure-update", kwargs=measure.url_kwargs())

    def submit(index):
        response = clients[index].post(
            url, {**data, "summary": f"Innsending nummer {index}."}
        )
        return response.status_code

    statuses = _run_together(submit, THREADS)

    assert sorted(statuses) == [302] + [409] * (THREADS - 1)
    new = StatusUpdate.objects.filter(measure=measure).exclude(
        pk__in=[world.submitted_a.pk, world.draft_a.pk, world.published_a.pk]
    )
    assert new.count() == 1 == StatusUpdate.objects.count() - before
    winner = new.get()
    assert winner.state == StatusUpdate.State.SUBMITTED
    history = StatusUpdate.history.filter(id=winner.pk)
    assert history.count() == 1
    assert StatusUpdate.history.filter(history_date__gte=winner.created_at).count() == 1
    assert Measure.objects.get(pk=measure.pk).version == start_version + 1


def test_twenty_edits_of_the_same_draft_exactly_one_wins():
    world = build_workflow_world()
    draft = world.draft_a
    url = reverse("measures:update-edit", kwargs={"pk": draft.pk})
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(world.alice)
        clients.append(client)
    data = form_data(world.measure_a, version=draft.version)
    history_before = draft.history.count()

    def edit(index):
        response = clients[index].post(url, {**data, "summary": f"Versjon {index}."})
        return response.status_code

    statuses = _run_together(edit, THREADS)

    assert sorted(statuses) == [302] + [409] * (THREADS - 1)
    draft.refresh_from_db()
    assert draft.version == int(data["version"]) + 1
    assert draft.history.count() == history_before + 1
