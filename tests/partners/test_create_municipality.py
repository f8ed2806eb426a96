"""Onboarding a municipality: manage.py create_municipality and the admin's
«Ny kommune» page, through measures/services/municipalities.py (decision 56)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Measure, Plan
from measures.services.municipalities import municipality_onboard
from partners.models import Municipality, MunicipalityAdministrator, Partner
from partners.scope import administered_ids
from tests.factories import SYSTEM, UserFactory, bergen

pytestmark = pytest.mark.django_db

ASKOY = [
    "--name",
    "Askøy",
    "--number",
    "4627",
    "--county",
    "Vestland",
    "--slug",
    "askoy",
    "--admin-username",
    "askoy-admin",
    "--admin-email",
    "admin@askoy.example",
    "--domain",
    "rusplan.example",
]


def _create(*args, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_municipality", *args)


def test_command_creates_municipality_partner_administrator_and_training_plan(
    django_capture_on_commit_callbacks,
):
    _create(
        *ASKOY, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    askoy = Municipality.objects.get(number="4627")
    assert (askoy.name, askoy.slug, askoy.county) == ("Askøy", "askoy", "Vestland")
    partner = Partner.objects.get(municipality=askoy)
    assert partner.kind == Partner.Kind.MUNICIPALITY
    assert partner.name == "Askøy kommune"

    user = get_user_model().objects.get(username="askoy-admin")
    assert user.is_staff and not user.is_superuser
    assert MunicipalityAdministrator.objects.filter(
        user=user, municipality=askoy
    ).exists()
    assert administered_ids(user) == {askoy.pk}
    assert user.has_perm("measures.add_plan")
    assert not user.has_perm("partners.add_municipality")

    plan = Plan.objects.get(municipality=askoy, is_training=True)
    assert plan.owner == partner
    assert not plan.is_public
    assert Measure.objects.filter(plan=plan).count() >= 1
    assert plan.history.first().history_change_reason == "create_municipality"


def test_the_administrator_gets_a_mail_to_set_a_password_and_none_is_printed(
    django_capture_on_commit_callbacks, capsys
):
    _create(
        *ASKOY, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@askoy.example"]
    assert "Askøy" in message.subject
    link = re.search(r"https://rusplan\.example(/passord/ny/\S+/)", message.body)
    assert link is not None
    user = get_user_model().objects.get(username="askoy-admin")
    # No password anyone knows: the command prints none, and the link sets one.
    out = capsys.readouterr().out
    assert "askoy-admin" in out and "passord" in out.lower()
    assert not user.check_password("")


def test_the_link_in_the_mail_lets_the_administrator_choose_a_password(
    client, django_capture_on_commit_callbacks
):
    _create(
        *ASKOY, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    path = re.search(r"https://rusplan\.example(/passord/ny/\S+/)", mail.outbox[0].body)
    response = client.get(path.group(1), follow=True)
    assert response.status_code == 200
    assert b"new_password1" in response.content


@pytest.mark.parametrize(
    ("change", "option"),
    [
        (("--number", "462"), "--number"),
        (("--number", "46a7"), "--number"),
        (("--number", "4601"), "--number"),  # Bergen's
        (("--slug", "admin"), "--slug"),  # a word the site uses
        (("--slug", "bergen"), "--slug"),  # taken
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(
    change, option, django_capture_on_commit_callbacks
):
    bergen()
    args = list(ASKOY)
    flag, value = change
    args[args.index(flag) + 1] = value
    with pytest.raises(CommandError) as excinfo:
        _create(
            *args, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
        )
    assert option in str(excinfo.value)
    assert "Ingenting er opprettet" in str(excinfo.value)
    assert not Municipality.objects.filter(name="Askøy").exists()
    assert not get_user_model().objects.filter(username="askoy-admin").exists()
    assert mail.outbox == []


def test_running_twice_is_refused_and_changes_nothing(
    django_capture_on_commit_callbacks,
):
    _create(
        *ASKOY, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    with pytest.raises(CommandError) as excinfo:
        _create(
            *ASKOY,
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
    assert "--number" in str(excinfo.value)
    assert Municipality.objects.filter(number="4627").count() == 1
    assert Plan.objects.filter(municipality__number="4627").count() == 1
    assert len(mail.outbox) == 1


def test_a_taken_username_is_refused(django_capture_on_commit_callbacks):
    UserFactory(username="askoy-admin")
    with pytest.raises(CommandError) as excinfo:
        _create(
            *ASKOY,
            django_capture_on_commit_callbacks=django_capture_on_commit_callbacks,
        )
    assert "--admin-username" in str(excinfo.value)
    assert not Municipality.objects.filter(number="4627").exists()


def test_the_service_refuses_a_municipal_administrator():
    from django.core.exceptions import PermissionDenied

    done = municipality_onboard(
        actor=SYSTEM,
        name="Askøy",
        number="4627",
        slug="askoy",
        admin_username="askoy-admin",
        admin_email="admin@askoy.example",
        domain="rusplan.example",
    )
    with pytest.raises(PermissionDenied):
        municipality_onboard(
            actor=done.administrator,
            name="Fjell",
            number="4626",
            slug="fjell",
            admin_username="fjell-admin",
            admin_email="admin@fjell.example",
            domain="rusplan.example",
        )
    assert not Municipality.objects.filter(number="4626").exists()


# The admin's «Ny kommune» page ------------------------------------------------------


def _add_form(**changes) -> dict:
    data = {
        "name": "Askøy",
        "number": "4627",
        "county": "Vestland",
        "slug": "askoy",
        "contact_email": "",
        "accessibility_email": "",
        "admin_username": "askoy-admin",
        "admin_email": "admin@askoy.example",
    }
    data.update(changes)
    return data


def test_the_admin_add_page_onboards_through_the_same_service(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:partners_municipality_add"), _add_form()
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    askoy = Municipality.objects.get(number="4627")
    assert Partner.objects.filter(municipality=askoy, kind="municipality").exists()
    assert MunicipalityAdministrator.objects.filter(municipality=askoy).count() == 1
    assert Plan.objects.filter(municipality=askoy, is_training=True).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "462"}, "number"),
        ({"number": "4601"}, "number"),
        ({"slug": "api"}, "slug"),
        ({"admin_email": ""}, "admin_email"),
    ],
)
def test_the_admin_add_page_refuses_bad_input_on_the_form(admin_client, changes, field):
    bergen()
    response = admin_client.post(
        reverse("admin:partners_municipality_add"), _add_form(**changes)
    )
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Municipality.objects.filter(name="Askøy").exists()


def test_a_municipal_administrator_cannot_add_a_municipality(
    client, django_capture_on_commit_callbacks
):
    done = municipality_onboard(
        actor=SYSTEM,
        name="Askøy",
        number="4627",
        slug="askoy",
        admin_username="askoy-admin",
        admin_email="admin@askoy.example",
        domain="rusplan.example",
    )
    client.force_login(done.administrator)
    response = client.post(
        reverse("admin:partners_municipality_add"),
        _add_form(name="Fjell", number="4626", slug="fjell", admin_username="f"),
    )
    assert response.status_code == 403
    assert not Municipality.objects.filter(number="4626").exists()
