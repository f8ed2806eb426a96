"""A municipal administrator in the Django admin (issue 15, item 4; decision 56):
they manage their municipality's plans, goals, measures, districts, units and
memberships, and see nothing of another municipality's there: not in lists,
not behind change, history or delete URLs, not among choices, autocomplete
results or list filters. The services refuse them the same writes. Platform
administrators see everything."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from measures.models import Citation, District, Goal, Measure, MeasurePartner, Plan
from measures.services.plans import (
    district_create,
    goal_create,
    measure_create,
    measure_set_partners,
    measure_update,
    plan_create,
    plan_update,
)
from measures.services.status_updates import status_update_create
from partners import services as partner_services
from partners.models import Membership, Municipality, Partner
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    PartnerFactory,
    SourceFactory,
    UserFactory,
)
from tests.support.municipalities import (
    BERGEN_SECRET,
    SCOPED_ADMINS,
    build_two_municipalities,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_two_municipalities()


@pytest.fixture
def askoy_client(client, w):
    client.force_login(w.askoy_admin)
    return client


def _pk(obj):
    return obj.pk


# Lists ---------------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "attr"), SCOPED_ADMINS)
def test_changelists_show_only_their_municipality(askoy_client, w, prefix, attr):
    response = askoy_client.get(reverse(f"admin:{prefix}_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert BERGEN_SECRET not in body
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert getattr(w.bergen, attr).pk not in shown
    assert getattr(w.askoy, attr).pk in shown


def test_the_admin_index_and_regional_partners_are_visible(askoy_client, w):
    assert askoy_client.get(reverse("admin:index")).status_code == 200
    partners = askoy_client.get(reverse("admin:partners_partner_changelist"))
    assert w.police in partners.context["cl"].result_list


# Another municipality's objects by URL: 404 or 403, nothing shown ------------------


@pytest.mark.parametrize(("prefix", "attr"), SCOPED_ADMINS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_municipalitys_object_by_url_shows_nothing(
    askoy_client, w, prefix, attr, view
):
    obj = getattr(w.bergen, attr)
    url = reverse(f"admin:{prefix}_{view}", args=[obj.pk])
    for method in (askoy_client.get, askoy_client.post):
        response = method(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert BERGEN_SECRET.encode() not in response.content
    # Nothing was changed or deleted by the POSTs.
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("prefix", "attr"), SCOPED_ADMINS)
def test_their_own_object_opens(askoy_client, w, prefix, attr):
    obj = getattr(w.askoy, attr)
    response = askoy_client.get(reverse(f"admin:{prefix}_change", args=[obj.pk]))
    assert response.status_code == 200


def _view_on_site(obj):
    content_type = ContentType.objects.get_for_model(type(obj))
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


@pytest.mark.parametrize(("prefix", "attr"), SCOPED_ADMINS)
def test_view_on_site_of_another_municipalitys_object_is_a_404(
    askoy_client, w, prefix, attr
):
    """The admin's «Vis på nettstedet» redirect (/admin/r/<type>/<id>/) is
    scoped like the change page: walking ids must not list Bergen's objects
    (Bergen's plan here is a draft, not public)."""
    response = askoy_client.get(_view_on_site(getattr(w.bergen, attr)))
    assert response.status_code == 404
    assert "Location" not in response


def test_view_on_site_of_their_own_object_redirects(askoy_client, client, w):
    response = askoy_client.get(_view_on_site(w.askoy.plan))
    assert response.status_code == 302
    assert response["Location"].endswith(w.askoy.plan.get_absolute_url())


def test_view_on_site_for_a_platform_administrator(admin_client, w):
    response = admin_client.get(_view_on_site(w.bergen.plan))
    assert response.status_code == 302
    assert response["Location"].endswith(w.bergen.plan.get_absolute_url())


def _cited_sources(w):
    """A source cited only by Bergen's draft status update (private until
    published), one cited only by Askøy's draft value, one of a public fact (a
    regional partner) and one cited by nothing."""
    made = {}
    for key, target in (
        ("bergen_draft", {"status_update": w.bergen.update}),
        ("askoy_draft", {"indicator_value": w.askoy.value}),
        ("public", {"partner": w.police}),
        ("uncited", None),
    ):
        source = SourceFactory(
            publisher=f"Utgiver {key}",
            title=f"Kilde {key}",
            url=f"https://example.org/{key}",
        )
        if target is not None:
            Citation.objects.create(source=source, **target)
        made[key] = source
    return made


def test_sources_cited_only_by_another_municipalitys_draft_are_not_shown(
    askoy_client, admin_client, w
):
    sources = _cited_sources(w)
    assert w.bergen.update.state != "published"

    body = askoy_client.get(reverse("admin:measures_source_changelist")).text
    assert "Kilde bergen_draft" not in body
    for key in ("askoy_draft", "public", "uncited"):
        assert f"Kilde {key}" in body
        assert reverse("admin:measures_source_change", args=[sources[key].pk]) in body
    url = reverse("admin:measures_source_change", args=[sources["bergen_draft"].pk])
    assert askoy_client.get(url).status_code in (302, 404)

    found = _autocomplete(askoy_client, "measures", "citation", "source")
    assert sources["bergen_draft"].pk not in found
    assert {sources[k].pk for k in ("askoy_draft", "public", "uncited")} <= found

    # Nor in the list of sources of the add forms of published facts.
    for model in ("statusupdate", "indicatorvalue"):
        body = askoy_client.get(reverse(f"admin:measures_{model}_add")).text
        assert "Kilde bergen_draft" not in body, model
        assert "Kilde public" in body, model

    # A platform administrator sees every source.
    body = admin_client.get(reverse("admin:measures_source_changelist")).text
    assert "Kilde bergen_draft" in body


def test_a_revert_of_another_municipalitys_history_is_refused(askoy_client, w):
    plan = w.bergen.plan
    plan.title = f"{BERGEN_SECRET} ny tittel"
    plan.save()
    version = plan.history.last()
    url = reverse(
        "admin:measures_plan_simple_history", args=[plan.pk, version.history_id]
    )
    for method in (askoy_client.get, askoy_client.post):
        response = method(url)
        assert response.status_code in (403, 404)
        assert BERGEN_SECRET.encode() not in response.content


def test_a_regional_partner_is_seen_but_not_changed(askoy_client, w):
    url = reverse("admin:partners_partner_change", args=[w.police.pk])
    assert askoy_client.get(url).status_code == 200
    response = askoy_client.post(
        url, {"name": "Endret", "slug": w.police.slug, "kind": w.police.kind}
    )
    assert response.status_code == 403
    w.police.refresh_from_db()
    assert w.police.name == "Vest politidistrikt"
    delete = reverse("admin:partners_partner_delete", args=[w.police.pk])
    assert askoy_client.post(delete, {"post": "yes"}).status_code == 403
    assert Partner.objects.filter(pk=w.police.pk).exists()


def test_they_cannot_add_a_regional_partner(askoy_client, w):
    response = askoy_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Eget politi",
            "slug": "eget-politi",
            "kind": Partner.Kind.POLICE_DISTRICT,
            "former_names-TOTAL_FORMS": 0,
            "former_names-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "kind" in response.context["adminform"].form.errors
    assert not Partner.objects.filter(slug="eget-politi").exists()


def test_a_platform_administrator_sees_both_municipalities(client, w):
    platform = UserFactory(username="plattform", is_staff=True)
    platform.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_plan", "change_plan"])
    )
    client.force_login(platform)
    response = client.get(reverse("admin:measures_plan_changelist"))
    assert set(response.context["cl"].result_list) == {w.bergen.plan, w.askoy.plan}
    url = reverse("admin:measures_plan_change", args=[w.bergen.plan.pk])
    assert client.get(url).status_code == 200


def test_a_missing_object_is_a_404_for_a_municipal_administrator(askoy_client):
    url = reverse("admin:measures_plan_change", args=[999999])
    assert askoy_client.get(url).status_code == 404


# Choices ---------------------------------------------------------------------------


def _autocomplete(client, app_label, model_name, field_name, term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": app_label,
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


def test_autocomplete_offers_only_their_municipality(askoy_client, w):
    assert _autocomplete(askoy_client, "measures", "measure", "plan") == {
        w.askoy.plan.pk
    }
    owners = _autocomplete(askoy_client, "measures", "plan", "owner")
    assert w.askoy.owner.pk in owners and w.police.pk in owners
    assert not {w.bergen.owner.pk, w.bergen.unit.pk} & owners
    partners = _autocomplete(askoy_client, "measures", "measurepartner", "partner")
    assert w.police.pk in partners and w.bergen.unit.pk not in partners
    assert _autocomplete(askoy_client, "measures", "district", "municipality") == {
        w.askoy.municipality.pk
    }
    assert _autocomplete(askoy_client, "measures", "statusupdate", "measure") == {
        w.askoy.measure.pk
    }
    assert _autocomplete(askoy_client, "measures", "indicatorvalue", "indicator") == {
        w.askoy.indicator.pk
    }
    # A membership is in one of the municipality's own partners, not the police.
    members = _autocomplete(askoy_client, "partners", "membership", "partner")
    assert w.police.pk not in members and w.askoy.unit.pk in members
    users = _autocomplete(askoy_client, "partners", "membership", "user")
    assert w.bergen.caseworker.pk not in users
    assert w.askoy.caseworker.pk in users


def test_form_choices_offer_only_their_municipality(askoy_client, w):
    response = askoy_client.get(reverse("admin:measures_measure_add"))
    form = response.context["adminform"].form
    assert set(form.fields["plan"].queryset) == {w.askoy.plan}
    assert set(form.fields["goals"].queryset) == {w.askoy.goal}
    assert set(form.fields["districts"].queryset) == {w.askoy.district}
    assert BERGEN_SECRET not in response.content.decode()

    response = askoy_client.get(reverse("admin:measures_plan_add"))
    form = response.context["adminform"].form
    assert set(form.fields["municipality"].queryset) == {w.askoy.municipality}
    assert form.initial["municipality"] == w.askoy.municipality.pk
    assert w.bergen.owner not in form.fields["owner"].queryset
    assert w.police in form.fields["owner"].queryset
    assert BERGEN_SECRET not in response.content.decode()


def test_list_filters_offer_only_their_municipality(askoy_client, w):
    for name in (
        "measures_measure",
        "measures_goal",
        "measures_statusupdate",
        "measures_budgetline",
        "measures_indicator",
        "measures_plan",
        "partners_partner",
    ):
        response = askoy_client.get(reverse(f"admin:{name}_changelist"))
        assert BERGEN_SECRET not in response.content.decode(), name


def test_a_forged_choice_of_another_municipalitys_object_is_refused(askoy_client, w):
    response = askoy_client.post(
        reverse("admin:measures_goal_add"),
        {"plan": w.bergen.plan.pk, "title": "Snikmål", "slug": "snik", "order": 0},
    )
    assert response.status_code == 200
    assert "plan" in response.context["adminform"].form.errors
    assert not Goal.objects.filter(slug="snik").exists()


# Their own work ---------------------------------------------------------------------


def test_they_add_a_district_and_a_unit_in_their_municipality(askoy_client, w):
    askoy = w.askoy.municipality
    response = askoy_client.post(
        reverse("admin:measures_district_add"),
        {"name": "Kleppestø", "slug": "kleppesto", "municipality": askoy.pk},
    )
    assert response.status_code == 302
    assert District.objects.get(slug="kleppesto").municipality == askoy
    response = askoy_client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Askøy NAV",
            "slug": "askoy-nav",
            "kind": Partner.Kind.MUNICIPAL_UNIT,
            "municipality": askoy.pk,
            "former_names-TOTAL_FORMS": 0,
            "former_names-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    # A district or unit in another municipality is refused.
    response = askoy_client.post(
        reverse("admin:measures_district_add"),
        {"name": "Snik", "slug": "snik", "municipality": w.bergen.municipality.pk},
    )
    assert response.status_code == 200
    assert not District.objects.filter(slug="snik").exists()


def test_they_add_a_user_with_a_role_in_their_municipality(askoy_client, w):
    response = askoy_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "ny-askoy",
            "usable_password": "true",
            "password1": "korrekt-hest-batteri-stift-9",
            "password2": "korrekt-hest-batteri-stift-9",
            "partner": w.askoy.unit.pk,
            "role": Membership.Role.CASEWORKER,
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = UserFactory._meta.model.objects.get(username="ny-askoy")
    assert not user.is_staff
    assert user.memberships.get().partner == w.askoy.unit
    # The new user's page opens for them, without staff or permission fields.
    page = askoy_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_they_cannot_change_a_user_who_also_works_elsewhere(askoy_client, w):
    shared = w.askoy.caseworker
    Membership.objects.create(
        user=shared, partner=w.bergen.unit, role=Membership.Role.CASEWORKER
    )
    url = reverse("admin:auth_user_change", args=[shared.pk])
    response = askoy_client.get(url)
    assert response.status_code == 200  # seen (a role in Askøy), read-only
    assert not response.context["has_change_permission"]
    assert BERGEN_SECRET not in response.content.decode()
    password = reverse("admin:auth_user_password_change", args=[shared.pk])
    assert askoy_client.get(password).status_code == 403


# Services ----------------------------------------------------------------------------


def test_services_refuse_another_municipalitys_objects(w):
    admin = w.askoy_admin
    bergen = w.bergen
    refused = [
        lambda: plan_update(actor=admin, plan=bergen.plan, title="x"),
        lambda: plan_create(
            actor=admin,
            title="x",
            slug="x",
            start_year=2024,
            owner=bergen.owner,
            municipality=bergen.municipality,
        ),
        lambda: goal_create(actor=admin, plan=bergen.plan, title="x", slug="x"),
        lambda: measure_create(
            actor=admin, plan=bergen.plan, title="x", slug="x", lead=bergen.unit
        ),
        lambda: measure_update(actor=admin, measure=bergen.measure, title="x"),
        lambda: measure_set_partners(
            actor=admin, measure=bergen.measure, lead=w.police, contributors=[]
        ),
        lambda: district_create(
            actor=admin, name="x", slug="x", municipality=bergen.municipality
        ),
        lambda: partner_services.partner_update(
            actor=admin, partner=bergen.unit, name="x"
        ),
        lambda: partner_services.partner_update(
            actor=admin, partner=w.police, name="x"
        ),
        lambda: partner_services.partner_create(
            actor=admin,
            name="x",
            slug="x",
            kind=Partner.Kind.MUNICIPAL_UNIT,
            municipality=bergen.municipality,
        ),
        lambda: partner_services.membership_create(
            actor=admin, user=w.askoy.caseworker, partner=bergen.unit, role="caseworker"
        ),
        lambda: partner_services.membership_delete(
            actor=admin, membership=bergen.membership
        ),
        lambda: partner_services.municipality_update(
            actor=admin, municipality=bergen.municipality, contact_email="x@x.no"
        ),
        lambda: partner_services.municipality_create(
            actor=admin, name="Fjell", number="4626", slug="fjell"
        ),
        lambda: status_update_create(
            actor=admin,
            measure=bergen.measure,
            author=admin,
            as_of=bergen.plan.start_year and __import__("datetime").date(2020, 1, 1),
            phase="in_progress",
            summary="x",
        ),
    ]
    for index, write in enumerate(refused):
        with pytest.raises(PermissionDenied):
            write()
        assert index >= 0
    bergen.plan.refresh_from_db()
    assert bergen.plan.title == f"{BERGEN_SECRET} plan"


def test_they_cannot_move_their_own_plan_or_measure_into_another_municipality(w):
    admin = w.askoy_admin
    plan = Plan.objects.get(pk=w.askoy.plan.pk)
    with pytest.raises(PermissionDenied):
        plan_update(actor=admin, plan=plan, municipality=w.bergen.municipality)
    measure = Measure.objects.get(pk=w.askoy.measure.pk)
    with pytest.raises(PermissionDenied):
        measure_update(actor=admin, measure=measure, plan=w.bergen.plan)


def test_services_let_them_write_their_own(w):
    admin = w.askoy_admin
    plan = plan_create(
        actor=admin,
        title="Askøy rusplan 2025",
        slug="rusplan-2025",
        start_year=2025,
        owner=w.askoy.owner,
        municipality=w.askoy.municipality,
    )
    goal = goal_create(actor=admin, plan=plan, title="Trygt", slug="trygt")
    measure = measure_create(
        actor=admin,
        plan=plan,
        title="Oppsøkende team",
        slug="oppsokende",
        lead=w.askoy.unit,
        contributors=[w.police],
        goals=[goal],
        districts=[w.askoy.district],
    )
    assert measure.municipality == w.askoy.municipality


# Bad input: refused in the model, the forms, the admin (import: its own file) -----


def test_a_measure_cannot_get_a_goal_of_another_plan_in_the_model(w):
    with pytest.raises(ValidationError), transaction.atomic():
        w.askoy.measure.goals.add(w.bergen.goal)
    with pytest.raises(ValidationError), transaction.atomic():
        w.bergen.goal.measures.add(w.askoy.measure)
    assert not w.askoy.measure.goals.filter(pk=w.bergen.goal.pk).exists()


def test_a_measure_cannot_get_a_district_of_another_municipality_in_the_model(w):
    with pytest.raises(ValidationError) as excinfo, transaction.atomic():
        w.askoy.measure.districts.add(w.bergen.district)
    assert "districts" in excinfo.value.message_dict
    with pytest.raises(ValidationError), transaction.atomic():
        w.bergen.district.measures.add(w.askoy.measure)
    assert not w.askoy.measure.districts.filter(pk=w.bergen.district.pk).exists()


def test_a_district_of_a_municipality_the_plan_is_shared_with_is_fine(w):
    # A plan is shared only where its slugs are free (Bergen uses the same ones).
    Plan.objects.filter(pk=w.askoy.plan.pk).update(slug="felles-plan")
    for measure in w.askoy.plan.measures.all():
        Measure.objects.filter(pk=measure.pk).update(slug=f"felles-{measure.slug}")
    w.askoy.plan.refresh_from_db()
    w.askoy.measure.refresh_from_db()
    w.askoy.plan.shared_with.add(w.bergen.municipality)
    w.askoy.measure.districts.add(w.bergen.district)
    assert w.askoy.measure.districts.filter(pk=w.bergen.district.pk).exists()


def test_a_municipal_partner_of_another_municipality_cannot_be_on_a_measure(w):
    with pytest.raises(ValidationError):
        measure_create(
            actor=SYSTEM,
            plan=w.askoy.plan,
            title="x",
            slug="x",
            lead=w.bergen.unit,
        )
    # Regional partners are shared.
    measure_create(actor=SYSTEM, plan=w.askoy.plan, title="y", slug="y", lead=w.police)


def test_a_plans_owner_must_be_of_its_municipality_or_serve_it(w):
    with pytest.raises(ValidationError) as excinfo:
        plan_create(
            actor=SYSTEM,
            title="x",
            slug="x",
            start_year=2024,
            owner=w.bergen.owner,
            municipality=w.askoy.municipality,
        )
    assert "owner" in excinfo.value.message_dict
    health = PartnerFactory(kind=Partner.Kind.HEALTH_TRUST, slug="helse-fonna")
    with pytest.raises(ValidationError) as excinfo:
        plan_create(
            actor=SYSTEM,
            title="x",
            slug="x",
            start_year=2024,
            owner=health,
            municipality=w.askoy.municipality,
        )
    assert "owner" in excinfo.value.message_dict
    # The police district serves Askøy: it may own a plan there.
    plan_create(
        actor=SYSTEM,
        title="Felles plan",
        slug="felles",
        start_year=2024,
        owner=w.police,
        municipality=w.askoy.municipality,
    )


def test_the_admin_measure_form_refuses_a_district_of_another_municipality(
    admin_client, w
):
    measure = w.askoy.measure
    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]),
        _measure_form(measure, districts=[w.bergen.district.pk]),
    )
    assert response.status_code == 200
    assert "districts" in response.context["adminform"].form.errors


def test_the_admin_measure_form_refuses_a_unit_of_another_municipality(admin_client, w):
    measure = w.askoy.measure
    data = _measure_form(measure)
    data["partner_roles-0-partner"] = w.bergen.unit.pk
    response = admin_client.post(
        reverse("admin:measures_measure_change", args=[measure.pk]), data
    )
    assert response.status_code == 200
    errors = " ".join(
        str(error)
        for formset in response.context["inline_admin_formsets"]
        for error in [*formset.formset.non_form_errors(), *formset.formset.errors]
    )
    assert "annen kommune" in errors, errors
    assert measure.partner_roles.get(role=MeasurePartner.Role.LEAD).partner == (
        w.askoy.unit
    )


def test_the_admin_plan_form_refuses_an_owner_of_another_municipality(admin_client, w):
    response = admin_client.post(
        reverse("admin:measures_plan_add"),
        {
            "title": "Snikplan",
            "slug": "snikplan",
            "status": "draft",
            "start_year": 2024,
            "municipality": w.askoy.municipality.pk,
            "owner": w.bergen.owner.pk,
            "reporting_interval": "",
            "uncertainty": "",
            "goals-TOTAL_FORMS": 0,
            "goals-INITIAL_FORMS": 0,
            "citations-TOTAL_FORMS": 0,
            "citations-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not Plan.objects.filter(slug="snikplan").exists()


@pytest.mark.parametrize(
    ("number", "message"),
    [("462", "fire sifre"), ("46270", "4"), ("46a7", "fire sifre")],
)
def test_a_kommunenummer_not_four_digits_is_refused_by_form_and_service(
    admin_client, w, number, message
):
    askoy = w.askoy.municipality
    response = admin_client.post(
        reverse("admin:partners_municipality_change", args=[askoy.pk]),
        {"name": askoy.name, "number": number, "slug": askoy.slug, "county": ""},
    )
    assert response.status_code == 200
    assert message in str(response.context["adminform"].form.errors["number"])
    with pytest.raises(ValidationError) as excinfo:
        partner_services.municipality_create(
            actor=SYSTEM, name="Fjell", number=number, slug="fjell"
        )
    assert "number" in excinfo.value.message_dict
    askoy.refresh_from_db()
    assert askoy.number == "4627"


def test_a_taken_kommunenummer_is_refused_by_form_and_service(admin_client, w):
    askoy = w.askoy.municipality
    response = admin_client.post(
        reverse("admin:partners_municipality_change", args=[askoy.pk]),
        {"name": askoy.name, "number": "4601", "slug": askoy.slug, "county": ""},
    )
    assert response.status_code == 200
    assert "number" in response.context["adminform"].form.errors
    with pytest.raises(ValidationError) as excinfo:
        partner_services.municipality_create(
            actor=SYSTEM, name="Fjell", number="4627", slug="fjell"
        )
    assert "number" in excinfo.value.message_dict
    assert not Municipality.objects.filter(name="Fjell").exists()


def _measure_form(measure, **changes) -> dict:
    roles = list(measure.partner_roles.order_by("-role", "partner__name"))
    data = {
        "plan": measure.plan_id,
        "identifier": measure.identifier,
        "title": measure.title,
        "slug": measure.slug,
        "description": measure.description,
        "category": measure.category,
        "goals": [g.pk for g in measure.goals.all()],
        "districts": [d.pk for d in measure.districts.all()],
        "weight": measure.weight,
        "uncertainty": "",
        "partner_roles-TOTAL_FORMS": len(roles),
        "partner_roles-INITIAL_FORMS": len(roles),
        "partner_roles-MIN_NUM_FORMS": 1,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
        "updates-TOTAL_FORMS": 0,
        "updates-INITIAL_FORMS": 0,
    }
    for index, role in enumerate(roles):
        data[f"partner_roles-{index}-id"] = role.pk
        data[f"partner_roles-{index}-measure"] = measure.pk
        data[f"partner_roles-{index}-partner"] = role.partner_id
        data[f"partner_roles-{index}-role"] = role.role
    data.update(changes)
    return data


# Done when: a new municipality's administrator builds a plan in the admin ---------


def test_a_new_municipalitys_administrator_builds_a_plan_without_seeing_bergen(
    client, admin_client, w, django_capture_on_commit_callbacks
):
    """Issue 15, «Done when», the admin part: a platform administrator onboards
    Fjell; Fjell's administrator adds a unit, a district, a plan with a goal and a
    measure led by the unit with the shared police district as contributor; no
    page they open shows anything of Bergen's."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:partners_municipality_add"),
            {
                "name": "Fjell",
                "number": "4626",
                "county": "Vestland",
                "slug": "fjell",
                "contact_email": "",
                "accessibility_email": "",
                "admin_username": "fjell-admin",
                "admin_email": "admin@fjell.example",
            },
        )
    assert response.status_code == 302
    fjell = Municipality.objects.get(slug="fjell")
    w.police.serves.add(fjell)
    administrator = UserFactory._meta.model.objects.get(username="fjell-admin")
    client.force_login(administrator)
    seen = []

    def get(url, **params):
        page = client.get(url, params)
        assert page.status_code == 200, url
        seen.append(page.content.decode())
        return page

    def post(url, data):
        page = client.post(url, data)
        if page.status_code != 302:
            form = page.context.get("adminform")
            raise AssertionError((url, form.form.errors if form else page.status_code))
        seen.append(client.get(page.url).content.decode())
        return page

    get(reverse("admin:index"))
    get(reverse("admin:partners_partner_add"))
    post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Fjell rustjeneste",
            "slug": "fjell-rustjeneste",
            "kind": Partner.Kind.MUNICIPAL_UNIT,
            "municipality": fjell.pk,
            "former_names-TOTAL_FORMS": 0,
            "former_names-INITIAL_FORMS": 0,
        },
    )
    unit = Partner.objects.get(slug="fjell-rustjeneste")
    get(reverse("admin:measures_district_add"))
    post(
        reverse("admin:measures_district_add"),
        {"name": "Straume", "slug": "straume", "municipality": fjell.pk},
    )
    district = District.objects.get(municipality=fjell, slug="straume")
    owner = Partner.objects.get(municipality=fjell, kind=Partner.Kind.MUNICIPALITY)
    get(reverse("admin:measures_plan_add"))
    post(
        reverse("admin:measures_plan_add"),
        {
            "title": "Ruspolitisk handlingsplan for Fjell",
            "slug": "rusplan",  # Bergen's plan has the same slug: fine
            "status": "adopted",
            "start_year": 2025,
            "end_year": 2028,
            "municipality": fjell.pk,
            "owner": owner.pk,
            "reporting_interval": "tertial",
            "requires_review": "on",
            "uncertainty": "",
            "goals-TOTAL_FORMS": 1,
            "goals-INITIAL_FORMS": 0,
            "goals-0-order": 1,
            "goals-0-title": "Færre overdoser",
            "goals-0-slug": "faerre-overdoser",
            "citations-TOTAL_FORMS": 0,
            "citations-INITIAL_FORMS": 0,
        },
    )
    plan = Plan.objects.get(municipality=fjell, slug="rusplan")
    goal = plan.goals.get()
    get(reverse("admin:measures_measure_add"))
    partners = _autocomplete(client, "measures", "measurepartner", "partner")
    assert {unit.pk, w.police.pk} <= partners
    assert not {w.bergen.unit.pk, w.bergen.owner.pk} & partners
    post(
        reverse("admin:measures_measure_add"),
        {
            "plan": plan.pk,
            "identifier": "1",
            "title": "Oppsøkende team på Straume",
            "slug": "oppsokende-team",
            "description": "",
            "category": "other",
            "goals": [goal.pk],
            "districts": [district.pk],
            "weight": 1,
            "uncertainty": "",
            "partner_roles-TOTAL_FORMS": 2,
            "partner_roles-INITIAL_FORMS": 0,
            "partner_roles-MIN_NUM_FORMS": 1,
            "partner_roles-0-partner": unit.pk,
            "partner_roles-0-role": "lead",
            "partner_roles-1-partner": w.police.pk,
            "partner_roles-1-role": "contributor",
            "citations-TOTAL_FORMS": 0,
            "citations-INITIAL_FORMS": 0,
            "updates-TOTAL_FORMS": 0,
            "updates-INITIAL_FORMS": 0,
        },
    )
    measure = Measure.objects.get(municipality=fjell, slug="oppsokende-team")
    assert set(measure.partners.all()) == {unit, w.police}
    assert list(measure.districts.all()) == [district]
    for name in (
        "measures_plan",
        "measures_measure",
        "measures_goal",
        "measures_district",
        "partners_partner",
        "partners_membership",
        "measures_statusupdate",
        "auth_user",
    ):
        get(reverse(f"admin:{name}_changelist"))
    get(reverse("admin:measures_measure_change", args=[measure.pk]))
    for page in seen:
        assert BERGEN_SECRET not in page
        assert "bergen-etat" not in page
    # And the new administrator did not gain anything in Bergen.
    assert not Measure.objects.filter(
        municipality=w.bergen.municipality, title__contains="Straume"
    ).exists()
    assert DistrictFactory._meta.model.objects.filter(slug="straume").count() == 1
