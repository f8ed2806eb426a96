"""Freshness per municipality (issue 15 item 6, decision 55): a write makes stale
the cached pages of the municipalities that may show it and the national pages,
and leaves every other municipality's cached pages in place."""

from dataclasses import dataclass

import pytest

from measures.models import Measure, StatusUpdate
from measures.services.plans import measure_sync_current_status
from measures.services.status_updates import status_update_publish
from partners.models import Partner
from rusplan import page_cache
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    StatusUpdateFactory,
    UserFactory,
    bergen,
)

HEADER = page_cache.CACHE_STATUS_HEADER


@dataclass
class Town:
    measure: Measure
    urls: list[str]


def build_town(municipality, *, lead) -> Town:
    owner = PartnerFactory(municipality=municipality)
    plan = PlanFactory(
        municipality=municipality, owner=owner, slug=f"rusplan-{municipality.slug}"
    )
    measure = MeasureFactory(plan=plan, slug=f"mottak-{municipality.slug}", lead=lead)
    district = DistrictFactory(municipality=municipality, slug="sentrum")
    measure.districts.add(district)
    PublishedStatusUpdateFactory(measure=measure, progress=20)
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    return Town(
        measure,
        [
            municipality.get_absolute_url(),
            plan.get_absolute_url(),
            measure.get_absolute_url(),
            district.get_absolute_url(),
        ],
    )


@pytest.fixture
def towns():
    """Bergen and Askøy, each with a plan, a measure and a district; the police
    district serves Bergen only and leads Bergen's measure."""
    police = PartnerFactory(
        name="Vest politidistrikt", slug="vest-pd", kind=Partner.Kind.POLICE_DISTRICT
    )
    askoy = MunicipalityFactory(name="Askøy", slug="askoy", number="9627")
    police.serves.add(bergen())
    return (
        build_town(bergen(), lead=police),
        build_town(askoy, lead=PartnerFactory(municipality=askoy)),
        police,
    )


def prime(client, urls) -> None:
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[HEADER] == "hit", url


def statuses(client, urls) -> set[str]:
    return {client.get(url)[HEADER] for url in urls}


NATIONAL = ["/", "/aktorer/vest-pd/"]


@pytest.mark.django_db
def test_publishing_in_one_municipality_keeps_the_others_cached_pages(client, towns):
    bergen_town, askoy_town, _police = towns
    prime(client, bergen_town.urls + askoy_town.urls + NATIONAL)
    # Submitted with a new source (the factory records and cites one): nothing
    # public cites it yet, so no page goes stale before the update is published.
    update = StatusUpdateFactory(
        measure=bergen_town.measure,
        author=UserFactory(),
        state=StatusUpdate.State.SUBMITTED,
        progress=87,
    )
    assert statuses(client, bergen_town.urls + askoy_town.urls) == {"hit"}

    status_update_publish(actor=SYSTEM, update=update, reviewer=UserFactory())

    assert statuses(client, bergen_town.urls) == {"miss"}
    assert statuses(client, askoy_town.urls) == {"hit"}
    # The national pages show every municipality: fresh on the next request.
    assert statuses(client, NATIONAL) == {"miss"}
    assert "87" in client.get(bergen_town.measure.get_absolute_url()).text


@pytest.mark.django_db
def test_renaming_a_regional_partner_refreshes_only_where_it_works(client, towns):
    bergen_town, askoy_town, police = towns
    prime(client, bergen_town.urls + askoy_town.urls)

    police.name = "Vest politidistrikt (nytt navn)"
    police.save()

    assert statuses(client, bergen_town.urls) == {"miss"}
    assert statuses(client, askoy_town.urls) == {"hit"}


@pytest.mark.django_db
def test_a_source_is_cited_anywhere_so_changing_one_refreshes_every_page(client, towns):
    bergen_town, askoy_town, _police = towns
    source = SourceFactory()
    prime(client, bergen_town.urls + askoy_town.urls)

    source.title = "Ny tittel"
    source.save()

    assert statuses(client, bergen_town.urls + askoy_town.urls) == {"miss"}


@pytest.mark.django_db
def test_sharing_a_plan_with_another_municipality_refreshes_every_page(client, towns):
    bergen_town, askoy_town, _police = towns
    prime(client, bergen_town.urls + askoy_town.urls)

    bergen_town.measure.plan.shared_with.add(askoy_town.measure.municipality)

    assert statuses(client, askoy_town.urls) == {"miss"}
    askoy_home = client.get(askoy_town.urls[0]).text
    assert bergen_town.measure.plan.title in askoy_home


@pytest.mark.django_db
def test_a_plan_shared_with_a_municipality_refreshes_its_pages_too(client, towns):
    bergen_town, askoy_town, _police = towns
    plan = bergen_town.measure.plan
    plan.shared_with.add(askoy_town.measure.municipality)
    prime(client, askoy_town.urls)

    update = PublishedStatusUpdateFactory(measure=bergen_town.measure, progress=55)
    update.save()

    assert statuses(client, askoy_town.urls[:1]) == {"miss"}


@pytest.mark.django_db
def test_a_deleted_plan_leaves_no_stale_page_behind(client, towns):
    """A write that can no longer be traced to a municipality (the plan is gone
    with it) makes every page stale."""
    bergen_town, askoy_town, _police = towns
    plan = PlanFactory(municipality=bergen(), slug="tom-plan")
    prime(client, bergen_town.urls + askoy_town.urls)

    plan.delete()

    assert statuses(client, bergen_town.urls + askoy_town.urls) == {"miss"}
