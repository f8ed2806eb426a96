"""Sources and citations: one source per URL, bad input refused, citations
protected, and only the people who may change a fact may change what it cites."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from measures.models import Citation, Source, StatusUpdate
from measures.services import sources as source_services
from measures.services.base import NO_SOURCE_MESSAGE
from measures.services.sources import NewSource
from measures.services.status_updates import (
    status_update_create,
    status_update_edit,
    status_update_submit,
)
from tests.factories import (
    SUBMITTED_SOURCE_URL,
    SourceFactory,
    StatusUpdateFactory,
)
from tests.support.worlds import AS_OF

pytestmark = pytest.mark.django_db


def _made_here():
    """The sources a test made: the world's submitted updates cite one of their own
    (tests/factories.py)."""
    return Source.objects.exclude(url=SUBMITTED_SOURCE_URL)


def _new(world, **fields):
    values = {
        "actor": world.alice,
        "url": "https://www.bergen.kommune.no/rapport",
        "publisher": "Bergen kommune",
        "title": "Rapport",
        "kind": Source.Kind.MUNICIPAL_PAGE,
    }
    return source_services.source_get_or_create(**(values | fields))


def test_the_same_url_gives_one_source_and_keeps_the_first_entry(world):
    first, created = _new(world)
    again, created_again = _new(world, url="  https://www.bergen.kommune.no/rapport\n")
    assert created and not created_again
    assert again == first
    assert _made_here().count() == 1
    assert again.title == "Rapport"
    assert first.created_by == world.alice


def test_urls_are_compared_exactly_after_stripping(world):
    _new(world)
    _new(world, url="https://www.bergen.kommune.no/rapport/")
    assert _made_here().count() == 2


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.org/fil", "www.bergen.kommune.no", ""],
)
def test_a_url_that_is_not_http_is_refused_with_a_message(world, url):
    with pytest.raises(ValidationError) as error:
        _new(world, url=url)
    assert "http:// eller https://" in str(error.value.message_dict["url"])
    assert not _made_here().exists()


def test_a_source_dated_in_the_future_is_refused(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        _new(world, published_on=tomorrow)
    assert "fremtiden" in str(error.value.message_dict["published_on"])
    assert not _made_here().exists()


def test_someone_without_a_membership_cannot_add_a_source(world):
    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        _new(world, actor=UserFactory(username="outsider"))


def test_deleting_a_cited_source_is_refused_and_nothing_changes(world):
    source = SourceFactory()
    Citation.objects.create(source=source, status_update=world.draft_a)
    with pytest.raises(ValidationError) as error:
        source_services.source_delete(actor=world.admin, source=source)
    assert "kan ikke slettes" in error.value.messages[0]
    assert Source.objects.filter(pk=source.pk).exists()
    assert Citation.objects.filter(source=source).count() == 1


def test_an_uncited_source_can_be_deleted_by_the_admin(world):
    source = SourceFactory()
    source_services.source_delete(actor=world.admin, source=source)
    assert not _made_here().exists()


def test_a_caseworker_cannot_delete_a_source(world):
    with pytest.raises(PermissionDenied):
        source_services.source_delete(actor=world.alice, source=SourceFactory())


def test_citations_set_replaces_in_order_and_records_history(world):
    one, two, three = SourceFactory(), SourceFactory(), SourceFactory()
    update = world.draft_a
    source_services.citations_set(actor=world.alice, target=update, sources=[one, two])
    source_services.citations_set(
        actor=world.alice, target=update, sources=[three, one]
    )
    cited = [c.source for c in update.citations.order_by("position")]
    assert cited == [three, one]
    assert Citation.history.filter(history_type="-").count() == 1


def test_a_caseworker_cannot_cite_on_another_partners_measure(world):
    source = SourceFactory()
    with pytest.raises(PermissionDenied):
        source_services.citations_set(
            actor=world.alice, target=world.draft_b, sources=[source]
        )
    with pytest.raises(PermissionDenied):
        status_update_create(
            measure=world.measure_b,
            author=world.alice,
            actor=world.alice,
            as_of=AS_OF,
            phase="in_progress",
            health="on_track",
            progress=10,
            summary="Ikke mitt tiltak.",
            sources=[source],
            submit=True,
        )
    assert not source.citations.exists()


def test_a_published_update_cites_what_it_cites_for_good(world):
    with pytest.raises(PermissionDenied):
        source_services.citations_set(
            actor=world.alice, target=world.published_a, sources=[SourceFactory()]
        )


def test_a_caseworker_cannot_cite_on_a_measure_itself(world):
    with pytest.raises(PermissionDenied):
        source_services.citations_set(
            actor=world.alice, target=world.measure_a, sources=[SourceFactory()]
        )


def _create(world, **fields):
    values = {
        "measure": world.measure_a,
        "author": world.alice,
        "actor": world.alice,
        "as_of": AS_OF,
        "phase": "in_progress",
        "health": "on_track",
        "progress": 10,
        "summary": "Status.",
        "submit": True,
    }
    return status_update_create(**(values | fields))


def test_submitting_an_update_without_a_source_is_refused(world):
    before = StatusUpdate.objects.count()
    with pytest.raises(ValidationError) as error:
        _create(world)
    assert error.value.message_dict["sources"] == [str(NO_SOURCE_MESSAGE)]
    assert StatusUpdate.objects.count() == before


def test_a_typed_link_with_a_bad_date_leaves_no_update_and_no_source(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = StatusUpdate.objects.count()
    with pytest.raises(ValidationError) as error:
        _create(
            world,
            new_sources=[
                NewSource(
                    url="https://example.org/x",
                    publisher="X",
                    title="X",
                    kind="news",
                    published_on=tomorrow,
                )
            ],
        )
    assert "new_source_published_on" in error.value.message_dict
    assert StatusUpdate.objects.count() == before
    assert not _made_here().exists()


def test_sending_in_a_draft_without_a_source_is_refused(world):
    with pytest.raises(ValidationError):
        status_update_submit(update=world.draft_a, actor=world.alice)
    Citation.objects.create(source=SourceFactory(), status_update=world.draft_a)
    update = status_update_submit(update=world.draft_a, actor=world.alice)
    assert update.state == StatusUpdate.State.SUBMITTED


def test_the_update_and_its_citation_are_one_history_row_each(world):
    update = _create(world, sources=[SourceFactory()])
    assert update.history.count() == 1
    assert Citation.history.filter(status_update_id=update.pk).count() == 1


def test_editing_with_sources_none_keeps_the_citations(world):
    draft = StatusUpdateFactory(measure=world.measure_a, author=world.alice)
    source = SourceFactory()
    Citation.objects.create(source=source, status_update=draft)
    saved = status_update_edit(
        update=draft,
        actor=world.alice,
        expected_version=draft.version,
        summary="Ny tekst.",
        submit=True,
    )
    assert [c.source for c in saved.citations.all()] == [source]
