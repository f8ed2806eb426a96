"""Mine tiltak: the user's measures, due and overdue first, with open updates."""

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import StatusUpdate
from partners.models import Partner
from tests.factories import (
    MeasureFactory,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    StatusUpdateFactory,
    bergen,
)

pytestmark = pytest.mark.django_db

URL = reverse("measures:my-measures")


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=/mine-tiltak/" in response.url


def test_caseworker_sees_own_partners_measures_only(client, world):
    client.force_login(world.alice)
    rows = client.get(URL).context["rows"]
    assert [row.measure for row in rows] == [world.measure_a]


def test_coordinator_sees_every_measure_of_owned_plans(client, world):
    other = MeasureFactory(plan=world.plan, lead=world.partner_b)
    client.force_login(world.olivia)
    rows = client.get(URL).context["rows"]
    assert {row.measure for row in rows} == {world.measure_a, other}


def test_due_and_overdue_measures_come_first(client, world):
    reported = MeasureFactory(plan=world.plan, lead=world.partner_a, title="AAA")
    StatusUpdateFactory(
        measure=reported,
        as_of=timezone.localdate(),
        state=StatusUpdate.State.SUBMITTED,
    )
    client.force_login(world.alice)
    response = client.get(URL)
    rows = response.context["rows"]
    assert [row.measure for row in rows] == [world.measure_a, reported]
    assert rows[0].status.due
    assert not rows[1].status.due
    body = response.content.decode()
    assert "Skal rapporteres" in body or "Forsinket" in body
    assert "Rapportert" in body


def test_drafts_and_returned_updates_are_listed_with_links(client, world):
    StatusUpdate.objects.filter(pk=world.submitted_a.pk).update(
        state=StatusUpdate.State.RETURNED, review_comment="Mangler kilde."
    )
    client.force_login(world.alice)
    body = client.get(URL).content.decode()
    assert "Mangler kilde." in body
    assert reverse("measures:update-edit", kwargs={"pk": world.draft_a.pk}) in body
    assert reverse("measures:update-edit", kwargs={"pk": world.submitted_a.pk}) in body
    assert (
        reverse("measures:measure-update", kwargs=world.measure_a.url_kwargs()) in body
    )


def test_finished_measure_has_no_new_update_button(client, world):
    type(world.measure_a).objects.filter(pk=world.measure_a.pk).update(
        current_phase="completed"
    )
    client.force_login(world.alice)
    body = client.get(URL).content.decode()
    assert (
        reverse("measures:measure-update", kwargs=world.measure_a.url_kwargs())
        not in body
    )


def test_user_without_memberships_gets_an_explanation(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(URL).content.decode()
    assert "ikke knyttet til noen tiltak" in body


def test_page_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.alice)
    client.get(URL)
    with django_assert_max_num_queries(15) as small:
        client.get(URL)
    for _ in range(10):
        measure = MeasureFactory(plan=world.plan, lead=world.partner_a)
        StatusUpdateFactory(measure=measure, author=world.alice)
        StatusUpdateFactory(measure=measure, author=world.alice, state="submitted")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert len(response.context["rows"]) == 11


def test_measures_of_a_training_plan_are_marked_as_practice(client):
    membership = MembershipFactory()
    training = PlanFactory(is_training=True, title="Øvingsplan – ikke ekte data")
    MeasureFactory(plan=training, lead=membership.partner, title="Øvingstiltak")
    client.force_login(membership.user)
    body = client.get(reverse("measures:my-measures")).content.decode()
    assert "Øvingstiltak" in body
    assert '<span class="badge text-bg-warning">Øving</span>' in body


def test_a_measure_with_no_status_yet_offers_its_first_update(client, world):
    # No published update means no phase: the measure is open, not finished.
    type(world.measure_a).objects.filter(pk=world.measure_a.pk).update(current_phase="")
    client.force_login(world.alice)

    body = client.get(URL).content.decode()

    new_update = reverse("measures:measure-update", kwargs=world.measure_a.url_kwargs())
    assert f'href="{new_update}"' in body
    assert client.get(new_update).status_code == 200


def test_a_training_measure_is_not_linked_to_a_public_page_it_does_not_have(client):
    membership = MembershipFactory()
    training = PlanFactory(is_training=True)
    measure = MeasureFactory(
        plan=training, lead=membership.partner, title="Øvingstiltak"
    )
    client.force_login(membership.user)

    body = client.get(URL).content.decode()

    assert "Øvingstiltak" in body
    assert f'href="{measure.get_absolute_url()}"' not in body
    assert client.get(measure.get_absolute_url()).status_code == 404


def _police_caseworker_in_two_municipalities():
    """A caseworker of a police district whose measures are in Bergen's plan and
    in Askøy's."""
    police = PartnerFactory(
        name="Vest politidistrikt", kind=Partner.Kind.POLICE_DISTRICT
    )
    askoy = MunicipalityFactory(name="Askøy", slug="askoy", number="4627")
    police.serves.add(bergen(), askoy)
    membership = MembershipFactory(partner=police)
    in_bergen = MeasureFactory(
        plan=PlanFactory(title="Bergens rusplan"), lead=police, title="Natteravner"
    )
    askoy_plan = PlanFactory(
        municipality=askoy,
        title="Askøys rusplan",
        owner=PartnerFactory(kind=Partner.Kind.MUNICIPALITY, municipality=askoy),
    )
    in_askoy = MeasureFactory(plan=askoy_plan, lead=police, title="Skolebesøk")
    return membership.user, police, askoy_plan, in_bergen, in_askoy


def test_a_regional_caseworker_sees_measures_under_each_municipality(client):
    user, _, _, in_bergen, in_askoy = _police_caseworker_in_two_municipalities()
    client.force_login(user)

    response = client.get(URL)

    groups = response.context["groups"]
    # Askøy before Bergen: by name.
    assert [group.municipality.name for group in groups] == ["Askøy", "Bergen"]
    assert [[row.measure for row in group.rows] for group in groups] == [
        [in_askoy],
        [in_bergen],
    ]
    body = response.content.decode()
    askoy_heading = body.index('<h2 id="kommune-askoy">Askøy</h2>')
    bergen_heading = body.index('<h2 id="kommune-bergen">Bergen</h2>')
    assert askoy_heading < body.index("Skolebesøk") < bergen_heading
    assert bergen_heading < body.index("Natteravner")
    # Each measure's new update is at its own municipality's address.
    for measure in (in_bergen, in_askoy):
        url = reverse("measures:measure-update", kwargs=measure.url_kwargs())
        assert f'href="{url}"' in body
        assert client.get(url).status_code == 200


def test_measures_of_one_municipality_get_no_municipality_heading(client, world):
    client.force_login(world.alice)
    body = client.get(URL).content.decode()
    municipality = world.measure_a.municipality
    assert f'id="kommune-{municipality.slug}"' not in body


def test_more_municipalities_cost_no_more_queries(
    client, django_assert_max_num_queries
):
    user, police, _, _, _ = _police_caseworker_in_two_municipalities()
    client.force_login(user)
    client.get(URL)
    with django_assert_max_num_queries(15) as two:
        client.get(URL)
    for _ in range(3):
        municipality = MunicipalityFactory()
        police.serves.add(municipality)
        plan = PlanFactory(
            municipality=municipality,
            owner=PartnerFactory(municipality=municipality),
        )
        measure = MeasureFactory(plan=plan, lead=police)
        StatusUpdateFactory(measure=measure, author=user)
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(URL)
    assert len(response.context["groups"]) == 5
