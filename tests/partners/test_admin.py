import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import (
    Membership,
    Municipality,
    MunicipalityAdministrator,
    Partner,
    PartnerName,
)
from partners.services import municipality_administrator_add
from tests.factories import (
    SYSTEM,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    UserFactory,
)

# admin_client (pytest-django) is the superuser "admin". Fast hashing: these tests
# create many users.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("otp_off"),
]

User = get_user_model()


def _user():
    return UserFactory(password="!")


MAKERS = {
    Municipality: MunicipalityFactory,
    Partner: lambda: PartnerFactory(parent=PartnerFactory()),
    PartnerName: PartnerNameFactory,
    Membership: lambda: MembershipFactory(user=_user()),
    MunicipalityAdministrator: lambda: municipality_administrator_add(
        actor=SYSTEM, user=_user(), municipality=MunicipalityFactory()
    ),
    User: _user,
    Group: lambda: Group.objects.create(name=f"Gruppe {Group.objects.count()}"),
}
# Registered by third-party apps (django-axes, django-otp): their lists and add pages
# are checked to open, with no rows of our making.
OTHERS = [model for model in admin.site._registry if model not in MAKERS]


def _url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def test_every_registered_partners_and_auth_model_is_covered_here():
    registered = {
        model
        for model in admin.site._registry
        if model._meta.app_label in ("partners", "auth")
    }
    assert registered == set(MAKERS)


def _add_page_status(model, rf, user) -> int:
    request = rf.get("/")
    request.user = user
    return 200 if admin.site._registry[model].has_add_permission(request) else 403


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_admin_pages_open_for_superuser(admin_client, rf, superuser, model):
    obj = MAKERS[model]()

    assert admin_client.get(_url(model, "changelist")).status_code == 200
    expected = _add_page_status(model, rf, superuser)
    assert admin_client.get(_url(model, "add")).status_code == expected
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", OTHERS, ids=lambda m: m._meta.label)
def test_third_party_admin_pages_open_for_superuser(admin_client, rf, superuser, model):
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    expected = _add_page_status(model, rf, superuser)
    assert admin_client.get(_url(model, "add")).status_code == expected


def test_admin_index_is_in_norwegian(admin_client):
    content = admin_client.get(reverse("admin:index")).content.decode()
    assert "Rusplan – administrasjon" in content
    assert "Partnere" in content


def test_anonymous_user_is_sent_to_admin_login(client):
    response = client.get(_url(Partner, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def _changelist_queries(client, model) -> tuple[int, int]:
    url = _url(model, "changelist")
    client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The list shows its rows (each links to its change page), not only counts them.
    rows = response.context["cl"].result_list
    assert rows
    for row in rows:
        assert _url(model, "change", row.pk) in response.text, row
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    for _ in range(3):
        MAKERS[model]()
    few, few_rows = _changelist_queries(admin_client, model)
    for _ in range(27):
        MAKERS[model]()
    many, many_rows = _changelist_queries(admin_client, model)

    assert many_rows > few_rows >= 3
    assert many == few


def _partner_data(partner=None, **overrides) -> dict:
    data = {
        "name": partner.name if partner else "Vest politidistrikt",
        "short_name": "",
        "slug": partner.slug if partner else "vest-politidistrikt",
        "kind": Partner.Kind.POLICE_DISTRICT,
        "parent": "",
        "website": "",
        "description": "",
        "former_names-TOTAL_FORMS": "0",
        "former_names-INITIAL_FORMS": "0",
        "former_names-MIN_NUM_FORMS": "0",
        "former_names-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_partner_is_added_with_its_former_name(admin_client):
    response = admin_client.post(
        _url(Partner, "add"),
        _partner_data(
            **{
                "former_names-TOTAL_FORMS": "1",
                "former_names-0-name": "Hordaland politidistrikt",
                "former_names-0-valid_until": "31.12.2015",
                "former_names-0-source": "Politireformen",
            }
        ),
    )

    assert response.status_code == 302
    partner = Partner.objects.get()
    former = partner.former_names.get()
    assert former.name == "Hordaland politidistrikt"
    assert partner.name_on(former.valid_until) == "Hordaland politidistrikt"


def test_former_name_period_backwards_is_refused(admin_client):
    response = admin_client.post(
        _url(Partner, "add"),
        _partner_data(
            **{
                "former_names-TOTAL_FORMS": "1",
                "former_names-0-name": "Hordaland politidistrikt",
                "former_names-0-valid_from": "01.01.2016",
                "former_names-0-valid_until": "31.12.2015",
            }
        ),
    )

    assert "«Gyldig til» kan ikke være før «gyldig fra»." in response.content.decode()
    assert not Partner.objects.exists()


def test_partner_cannot_belong_to_its_own_unit(admin_client):
    municipality = PartnerFactory(kind=Partner.Kind.MUNICIPALITY)
    unit = PartnerFactory(parent=municipality)

    response = admin_client.post(
        _url(Partner, "change", municipality.pk),
        _partner_data(municipality, parent=str(unit.pk)),
    )

    assert "kan ikke høre til seg selv" in response.content.decode()
    municipality.refresh_from_db()
    assert municipality.parent is None


def test_duplicate_partner_slug_is_refused(admin_client):
    PartnerFactory(slug="vest-politidistrikt")

    response = admin_client.post(_url(Partner, "add"), _partner_data())

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"]
    assert Partner.objects.count() == 1


def test_membership_gives_a_user_a_role(admin_client):
    user, partner = _user(), PartnerFactory()

    response = admin_client.post(
        _url(Membership, "add"),
        {"user": str(user.pk), "partner": str(partner.pk), "role": "coordinator"},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=user, partner=partner).role == "coordinator"


def test_second_role_at_the_same_partner_is_refused(admin_client):
    membership = MembershipFactory(user=_user())

    response = admin_client.post(
        _url(Membership, "add"),
        {
            "user": str(membership.user_id),
            "partner": str(membership.partner_id),
            "role": "coordinator",
        },
    )

    assert "Brukeren har allerede en rolle hos denne partneren." in (
        response.content.decode()
    )
    assert Membership.objects.count() == 1


def test_user_page_shows_the_users_partner_roles(admin_client):
    membership = MembershipFactory(user=_user())

    response = admin_client.get(_url(User, "change", membership.user_id))

    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    memberships = [
        form.instance for formset in formsets for form in formset.initial_forms
    ]
    assert memberships == [membership]


def test_staff_who_may_only_view_cannot_revert_from_history(client):
    viewer = UserFactory(username="viewer", password="!", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_partner"))
    partner = PartnerFactory(name="Gammelt navn")
    partner.name = "Nytt navn"
    partner.save()
    first = partner.history.earliest()
    client.force_login(viewer)
    url = reverse(
        "admin:partners_partner_simple_history", args=[partner.pk, first.history_id]
    )

    assert client.get(url).status_code == 200
    response = client.post(url, _partner_data(partner, name="Gammelt navn"))

    assert response.status_code == 403
    partner.refresh_from_db()
    assert partner.name == "Nytt navn"
