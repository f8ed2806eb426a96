"""The admin's source pages and the citation inlines."""

import pytest
from django.urls import reverse

from measures.models import Citation, Source, StatusUpdate
from tests.factories import (
    MeasureFactory,
    SourceFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _url(view, *args, model="source"):
    return reverse(f"admin:measures_{model}_{view}", args=args)


def _source_data(**overrides):
    data = {
        "publisher": "Bergen kommune",
        "title": "Handlingsplan mot åpne russcener",
        "url": "https://www.bergen.kommune.no/plan",
        "kind": "plan_document",
        "published_on": "",
        "date_precision": "day",
        "date_note": "",
        "accessed_on": "",
        "external_id": "",
    }
    return data | overrides


def test_changelist_shows_how_many_facts_cite_each_source(admin_client):
    source = SourceFactory(publisher="Helse Bergen")
    for _ in range(2):
        Citation.objects.create(source=source, measure=MeasureFactory())
    body = admin_client.get(_url("changelist")).content.decode()
    assert "2 opplysninger" in body


@pytest.mark.parametrize("query", ["Helse Bergen", "Rapport om LAR", "helse.no/lar"])
def test_sources_are_searched_by_publisher_title_and_url(admin_client, query):
    SourceFactory(
        publisher="Helse Bergen", title="Rapport om LAR", url="https://helse.no/lar"
    )
    SourceFactory(publisher="Politiet", title="Årsrapport", url="https://politiet.no/")
    response = admin_client.get(_url("changelist"), {"q": query})
    assert [s.publisher for s in response.context["cl"].result_list] == ["Helse Bergen"]


def test_a_source_added_in_the_admin_records_who_added_it(admin_client):
    response = admin_client.post(_url("add"), _source_data())
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.created_by.username == "admin"
    assert source.history.get().history_user.username == "admin"


def test_the_same_url_cannot_be_added_twice_in_the_admin(admin_client):
    SourceFactory(url="https://www.bergen.kommune.no/plan")
    response = admin_client.post(_url("add"), _source_data())
    assert response.status_code == 200
    assert "finnes allerede" in response.content.decode()
    assert Source.objects.count() == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x"])
def test_a_url_that_is_not_http_is_refused_in_the_admin(admin_client, url):
    response = admin_client.post(_url("add"), _source_data(url=url))
    assert response.status_code == 200
    assert not Source.objects.exists()


def test_a_source_dated_in_the_future_is_refused_in_the_admin(admin_client):
    response = admin_client.post(_url("add"), _source_data(published_on="2999-01-01"))
    assert response.status_code == 200
    assert "kan ikke være i fremtiden" in response.content.decode()
    assert not Source.objects.exists()


def test_deleting_a_cited_source_is_refused_with_a_message(admin_client):
    source = SourceFactory()
    Citation.objects.create(source=source, measure=MeasureFactory())
    for method in (admin_client.get, admin_client.post):
        response = method(_url("delete", source.pk), follow=True)
        assert "kan ikke slettes fordi 1 opplysning viser til den" in (
            response.content.decode()
        )
    assert Source.objects.filter(pk=source.pk).exists()
    assert Citation.objects.count() == 1


def test_an_uncited_source_can_be_deleted(admin_client):
    source = SourceFactory()
    admin_client.post(_url("delete", source.pk), {"post": "yes"})
    assert not Source.objects.exists()


def test_a_draft_update_cites_a_source_through_the_inline(admin_client):
    update = StatusUpdateFactory(measure=MeasureFactory())
    source = SourceFactory()
    page = admin_client.get(_url("change", update.pk, model="statusupdate"))
    assert 'name="citations-TOTAL_FORMS"' in page.content.decode()
    data = {
        "as_of": update.as_of.strftime("%d.%m.%Y"),
        "phase": update.phase,
        "health": update.health,
        "progress": str(update.progress),
        "summary": update.summary,
        "uncertainty": "",
        "expected_version": str(update.version),
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-0-source": str(source.pk),
        "citations-0-field": "",
        "citations-0-position": "0",
    }
    response = admin_client.post(_url("change", update.pk, model="statusupdate"), data)
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert (citation.status_update, citation.source) == (update, source)
    assert citation.history.get().history_user.username == "admin"
    assert StatusUpdate.objects.get().state == StatusUpdate.State.DRAFT


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("plan", ["is_training", "published_by_owner", "uncertainty"]),
        ("goal", ["uncertainty"]),
        ("measure", ["uncertainty"]),
        ("indicator", ["uncertainty"]),
        ("budgetline", ["kind", "end_year", "uncertainty"]),
    ],
)
def test_the_new_fields_are_in_the_admin_forms(admin_client, model, fields):
    body = admin_client.get(_url("add", model=model)).content.decode()
    for field in fields:
        assert f'name="{field}"' in body, field


@pytest.mark.parametrize("model", ["plan", "goal", "measure", "budgetline"])
def test_the_citation_inline_searches_sources(admin_client, model):
    body = admin_client.get(_url("add", model=model)).content.decode()
    assert 'name="citations-TOTAL_FORMS"' in body
    assert "admin-autocomplete" in body


@pytest.mark.parametrize("model", ["statusupdate", "indicatorvalue"])
def test_a_new_published_fact_chooses_its_sources_on_its_form(admin_client, model):
    # The service needs the sources to publish, so they are a field of the add
    # form; the citation inline is on the change page.
    body = admin_client.get(_url("add", model=model)).content.decode()
    assert 'name="sources"' in body
    assert 'name="citations-TOTAL_FORMS"' not in body
