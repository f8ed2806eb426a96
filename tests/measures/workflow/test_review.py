"""The review queue: who sees it, the diff, publishing and returning."""

import pytest
from django.test import Client
from django.urls import reverse

from measures.models import Citation, Measure, StatusUpdate
from measures.services.status_updates import status_update_edit
from tests.factories import MeasureFactory, StatusUpdateFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("measures:review-queue")


def _publish_url(update):
    return reverse("measures:update-publish", kwargs={"pk": update.pk})


def _return_url(update):
    return reverse("measures:update-return", kwargs={"pk": update.pk})


def test_coordinator_sees_submitted_updates_of_own_plans_only(client, world):
    client.force_login(world.olivia)
    response = client.get(QUEUE)
    assert response.status_code == 200
    items = [item["update"] for item in response.context["items"]]
    assert items == [world.submitted_a]


def test_staff_sees_every_submitted_update(client, world):
    client.force_login(world.admin)
    items = [item["update"] for item in client.get(QUEUE).context["items"]]
    assert set(items) == {world.submitted_a, world.submitted_b}


@pytest.mark.parametrize("who", ["alice", "charlie"])
def test_caseworkers_may_not_open_the_queue(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(QUEUE).status_code == 403


def test_queue_shows_diff_against_current_status(client, world):
    StatusUpdate.objects.filter(pk=world.submitted_a.pk).update(
        progress=80, health="at_risk"
    )
    client.force_login(world.olivia)
    rows = client.get(QUEUE).context["items"][0]["rows"]
    by_label = {row["label"]: row for row in rows}
    assert by_label["Fremdrift"]["before"] == "50 %"
    assert by_label["Fremdrift"]["after"] == "80 %"
    assert by_label["Fremdrift"]["changed"]
    assert by_label["Vurdering"]["before"] == "I rute"
    assert by_label["Vurdering"]["after"] == "Risiko for avvik"
    assert not by_label["Fase"]["changed"]


def test_publishing_updates_the_public_measure_page_at_once(client, world):
    update = world.submitted_a
    StatusUpdate.objects.filter(pk=update.pk).update(
        progress=90, summary="Ferdig med anbud."
    )
    client.force_login(world.olivia)
    response = client.post(_publish_url(update), {"version": update.version})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED
    assert update.reviewer == world.olivia
    measure = Measure.objects.get(pk=world.measure_a.pk)
    assert measure.current_update == update
    assert measure.current_progress == 90
    history = update.history.latest()
    assert history.history_user == world.olivia
    assert update.history.count() == 2
    public = Client().get(measure.get_absolute_url())
    assert public.status_code == 200


def test_publishing_as_a_caseworker_is_403_and_changes_nothing(client, world):
    update = world.submitted_a
    client.force_login(world.alice)
    response = client.post(_publish_url(update), {"version": update.version})
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED
    assert update.history.count() == 1


def test_coordinator_may_not_publish_another_owners_plan(client, world):
    client.force_login(world.olivia)
    update = world.submitted_b
    assert client.post(_publish_url(update), {"version": 1}).status_code == 403
    assert (
        client.post(_return_url(update), {"comment": "Nei", "version": 1}).status_code
        == 403
    )
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED


@pytest.mark.parametrize("url_of", [_publish_url, _return_url])
def test_get_on_post_only_urls_is_405(client, world, url_of):
    client.force_login(world.olivia)
    assert client.get(url_of(world.submitted_a)).status_code == 405
    world.submitted_a.refresh_from_db()
    assert world.submitted_a.state == StatusUpdate.State.SUBMITTED


def test_publish_without_csrf_token_is_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.olivia)
    response = client.post(_publish_url(world.submitted_a), {"version": 1})
    assert response.status_code == 403
    world.submitted_a.refresh_from_db()
    assert world.submitted_a.state == StatusUpdate.State.SUBMITTED


def test_returning_needs_a_comment_and_keeps_the_update_submitted(client, world):
    update = world.submitted_a
    client.force_login(world.olivia)
    response = client.post(_return_url(update), {"comment": "  ", "version": 1})
    assert response.status_code == 200
    assert "Skriv hva som må rettes" in response.content.decode()
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED


def test_returned_update_shows_the_comment_on_mine_tiltak(client, world):
    update = world.submitted_a
    client.force_login(world.olivia)
    response = client.post(
        _return_url(update),
        {"comment": "Legg ved lenke til vedtaket.", "version": update.version},
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.RETURNED
    assert update.reviewer == world.olivia
    client.force_login(world.alice)
    body = client.get(reverse("measures:my-measures")).content.decode()
    assert "Legg ved lenke til vedtaket." in body
    assert "Rett og send på nytt" in body


def test_a_published_update_does_not_show_the_comment_it_was_returned_with(
    client, world
):
    update = world.submitted_a
    client.force_login(world.olivia)
    client.post(
        _return_url(update),
        {"comment": "Legg ved lenke til vedtaket.", "version": update.version},
    )
    update.refresh_from_db()
    status_update_edit(
        update=update,
        expected_version=update.version,
        actor=world.alice,
        submit=True,
        summary="Lenken til vedtaket er lagt ved.",
    )
    update.refresh_from_db()
    client.post(_publish_url(update), {"version": update.version})
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED

    assert update.review_comment == ""
    returned = update.history.get(state=StatusUpdate.State.RETURNED)
    assert returned.review_comment == "Legg ved lenke til vedtaket."
    detail_url = reverse("measures:update-detail", kwargs={"pk": update.pk})
    for who in (world.alice, world.olivia):
        client.force_login(who)
        for url in (reverse("measures:my-measures"), QUEUE):
            body = client.get(url).content.decode()
            assert "Legg ved lenke til vedtaket." not in body
        # On the update's page, only in its history.
        detail = client.get(detail_url)
        assert "<dt>Kommentar fra koordinator</dt>" not in detail.content.decode()
        comments = [row["comment"] for row in detail.context["history"]]
        assert "Legg ved lenke til vedtaket." in comments
    # Someone with no part in the measure sees the published update, not its history.
    client.force_login(world.charlie)
    assert client.get(detail_url).context["history"] == []


def test_a_published_row_with_an_old_comment_does_not_show_it(client, world):
    """Rows published before the comment was cleared on sending in keep theirs."""
    update = world.published_a
    StatusUpdate.objects.filter(pk=update.pk).update(review_comment="Gammel kommentar")
    client.force_login(world.alice)

    response = client.get(reverse("measures:update-detail", kwargs={"pk": update.pk}))

    assert "Gammel kommentar" not in response.content.decode()


def test_an_update_whose_source_was_removed_after_sending_in_is_not_published(
    client, world
):
    update = world.submitted_a
    Citation.objects.filter(status_update=update).delete()
    client.force_login(world.olivia)

    response = client.post(
        _publish_url(update), {"version": update.version}, follow=True
    )

    assert "Legg til minst én kilde" in response.content.decode()
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED


def test_publishing_a_version_the_coordinator_has_not_seen_is_refused(client, world):
    update = world.submitted_a
    client.force_login(world.olivia)
    response = client.post(
        _publish_url(update), {"version": update.version + 1}, follow=True
    )
    assert "endret siden du åpnet siden" in response.content.decode()
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED


def test_publishing_twice_gives_a_message_and_a_409_not_a_server_error(client, world):
    update = world.submitted_a
    client.force_login(world.olivia)
    client.post(_publish_url(update), {"version": update.version})
    update.refresh_from_db()
    response = client.post(_publish_url(update), {"version": update.version})
    assert response.status_code == 409
    assert "Bare innsendte oppdateringer kan publiseres." in response.content.decode()


def test_queue_lists_partners_that_have_not_reported(client, world):
    client.force_login(world.olivia)
    gaps = client.get(QUEUE).context["gaps"]
    assert [g.plan for g in gaps] == [world.plan]
    assert [p.partner for p in gaps[0].partners] == [world.partner_a]
    assert gaps[0].partners[0].measures == [world.measure_a]


def test_queue_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.olivia)
    client.get(QUEUE)  # warm caches (session, content types)
    with django_assert_max_num_queries(12) as small:
        client.get(QUEUE)
    for _ in range(10):
        measure = MeasureFactory(plan=world.plan, lead=world.partner_b)
        StatusUpdateFactory(measure=measure, author=world.alice, state="submitted")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["items"]) == 11


@pytest.mark.parametrize(
    ("training", "said"),
    [
        (False, "vises nå på de offentlige sidene"),
        (True, "publisert i øvingsplanen, som aldri vises for publikum"),
    ],
)
def test_the_publish_message_says_where_the_update_is_shown(
    client, world, training, said
):
    type(world.plan).objects.filter(pk=world.plan.pk).update(is_training=training)
    update = world.submitted_a
    client.force_login(world.olivia)

    response = client.post(
        _publish_url(update), {"version": update.version}, follow=True
    )

    text = " ".join(str(message) for message in response.context["messages"])
    assert said in text
    assert ("offentlige sidene" in text) is not training
