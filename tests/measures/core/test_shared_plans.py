"""A plan shared with another municipality (interkommunal plan) answers under
that municipality's addresses too, so no address may name two things there:
sharing is refused when a slug is taken, and a taken slug is refused later."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from measures.models import Plan
from measures.services.plans import measure_create, plan_create
from tests.factories import (
    SYSTEM,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    bergen,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def askoy():
    return MunicipalityFactory(name="Askøy", slug="askoy", number="9027")


def own_plan(municipality, slug="rusplan"):
    return PlanFactory(
        municipality=municipality,
        owner=PartnerFactory(municipality=municipality),
        slug=slug,
    )


def test_sharing_with_a_municipality_that_has_a_plan_of_the_same_slug_is_refused(
    askoy,
):
    plan = own_plan(bergen())
    own_plan(askoy)

    with pytest.raises(ValidationError) as error, transaction.atomic():
        plan.shared_with.add(askoy)

    assert "rusplan" in str(error.value)
    assert not plan.shared_with.exists()


def test_sharing_with_a_municipality_that_has_a_measure_of_the_same_slug_is_refused(
    askoy,
):
    plan = own_plan(bergen())
    MeasureFactory(plan=plan, slug="lar")
    MeasureFactory(plan=own_plan(askoy, slug="annen-plan"), slug="lar")

    with pytest.raises(ValidationError) as error, transaction.atomic():
        plan.shared_with.add(askoy)

    assert "lar" in str(error.value)


def test_sharing_a_plan_with_its_own_municipality_is_refused():
    plan = own_plan(bergen())

    with pytest.raises(ValidationError), transaction.atomic():
        plan.shared_with.add(bergen())


def test_sharing_without_a_clash_works_and_then_a_clash_is_refused(askoy):
    plan = own_plan(bergen())
    MeasureFactory(plan=plan, slug="lar")
    plan.shared_with.add(askoy)

    with pytest.raises(ValidationError) as plan_error:
        plan_create(
            actor=SYSTEM,
            municipality=askoy,
            title="Askøys plan",
            slug="rusplan",
            start_year=2024,
            owner=PartnerFactory(municipality=askoy),
        )
    with pytest.raises(ValidationError) as measure_error:
        measure_create(
            actor=SYSTEM,
            plan=own_plan(askoy, slug="annen-plan"),
            title="LAR i Askøy",
            slug="lar",
            lead=PartnerFactory(municipality=askoy),
        )

    assert "slug" in plan_error.value.message_dict
    assert "slug" in measure_error.value.message_dict
    assert not Plan.objects.filter(municipality=askoy, slug="rusplan").exists()


def test_the_admin_says_so_on_the_form(admin_client, askoy):
    plan = own_plan(bergen())
    own_plan(askoy)
    url = f"/admin/measures/plan/{plan.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: form.initial.get(name, "")
        for name in form.fields
        if form.initial.get(name) is not None
    }
    data.update(
        {
            "municipality": plan.municipality.pk,
            "owner": plan.owner.pk,
            "shared_with": [askoy.pk],
            "goals-TOTAL_FORMS": 0,
            "goals-INITIAL_FORMS": 0,
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Askøy bruker allerede nettadressenavnene rusplan" in response.text
    assert not plan.shared_with.exists()
