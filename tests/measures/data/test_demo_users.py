from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from measures import permissions
from measures.models import Measure, MeasurePartner, Plan, StatusUpdate
from partners.models import Partner
from tests.factories import (
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    StatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _bergen_like():
    police = PartnerFactory(
        slug="vest-politidistrikt", kind=Partner.Kind.POLICE_DISTRICT
    )
    unit = PartnerFactory(slug="etat", kind=Partner.Kind.MUNICIPAL_UNIT)
    owner = PartnerFactory(slug="byradsavdeling", kind=Partner.Kind.MUNICIPAL_UNIT)
    plan = PlanFactory(owner=owner)
    return (
        MeasureFactory(plan=plan, lead=police),
        MeasureFactory(plan=plan, lead=unit),
        plan,
    )


def test_demo_users_get_exactly_their_roles(monkeypatch):
    police_measure, unit_measure, plan = _bergen_like()
    monkeypatch.setenv("RUSPLAN_DEMO_PASSWORD", "et-langt-demopassord-123")
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    users = get_user_model().objects.in_bulk(
        ["demo-politi", "demo-kommune", "demo-koordinator"], field_name="username"
    )
    police, municipal, coordinator = (
        users["demo-politi"],
        users["demo-kommune"],
        users["demo-koordinator"],
    )
    assert police.check_password("et-langt-demopassord-123")
    assert permissions.can_edit_measure_status(police, police_measure)
    assert not permissions.can_edit_measure_status(police, unit_measure)
    assert permissions.can_edit_measure_status(municipal, unit_measure)
    assert not permissions.can_edit_measure_status(municipal, police_measure)
    assert permissions.can_review(coordinator, plan)
    assert not permissions.can_review(police, plan)
    assert "et-langt-demopassord-123" not in out.getvalue()


def test_generated_password_is_printed_and_command_is_repeatable(monkeypatch):
    _bergen_like()
    monkeypatch.delenv("RUSPLAN_DEMO_PASSWORD", raising=False)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    call_command("create_demo_users", stdout=StringIO())
    password = out.getvalue().rsplit(": ", 1)[1].strip()
    assert len(password) >= 12
    assert get_user_model().objects.filter(username__startswith="demo-").count() == 3


def test_without_plans_the_command_says_what_to_do():
    with pytest.raises(CommandError, match="load_bergen_plans"):
        call_command("create_demo_users", stdout=StringIO())


# --- the training plan ------------------------------------------------------------

TRAINING_TEXTS = (
    "Øvingsplan",
    "Øvingstiltak",
    "ovingsplan",
    "oving-",
    "Øvingsoppdatering",
)


def _demo(monkeypatch):
    _bergen_like()
    monkeypatch.setenv("RUSPLAN_DEMO_PASSWORD", "et-langt-demopassord-123")
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    users = get_user_model().objects.in_bulk(
        ["demo-politi", "demo-kommune", "demo-koordinator"], field_name="username"
    )
    return users, out.getvalue()


def test_the_command_creates_a_labelled_hidden_adopted_training_plan(monkeypatch):
    users, out = _demo(monkeypatch)
    plan = Plan.objects.get(slug="ovingsplan")
    assert plan.title == "Øvingsplan – ikke ekte data"
    # In its owner's municipality: Bergen's, as the shipped plans'.
    assert plan.municipality.number == "4601" == plan.owner.municipality.number
    assert plan.is_training and not plan.is_public
    assert plan.status == Plan.Status.ADOPTED
    assert plan.reporting_interval == Plan.ReportingInterval.TERTIAL
    assert plan.goals.count() == 1
    measures = list(plan.measures.all())
    assert len(measures) == 3
    assert all("øving" in m.title.lower() for m in measures)
    assert "Øvingsplan" in out
    assert "(saksbehandler)" in out and "(koordinator)" in out
    assert "caseworker" not in out and "coordinator" not in out
    police, municipal, coordinator = (
        users["demo-politi"],
        users["demo-kommune"],
        users["demo-koordinator"],
    )
    assert permissions.can_review(coordinator, plan)
    for user in (police, municipal):
        assert any(permissions.can_edit_measure_status(user, m) for m in measures)
    assert not permissions.can_edit_measure_status(
        police, plan.measures.get(identifier="Ø3")
    )


def test_running_the_command_twice_keeps_one_training_plan_and_its_updates(
    monkeypatch,
):
    users, _out = _demo(monkeypatch)
    measure = Measure.objects.get(slug="oving-felles-patruljering")
    update = StatusUpdateFactory(measure=measure, author=users["demo-politi"])
    history = MeasurePartner.history.count(), Plan.history.count()
    call_command("create_demo_users", stdout=StringIO())
    assert Plan.objects.filter(is_training=True).count() == 1
    assert Measure.objects.filter(plan__is_training=True).count() == 3
    assert StatusUpdate.objects.filter(pk=update.pk).exists()
    assert (MeasurePartner.history.count(), Plan.history.count()) == history


def _publish_training_update(monkeypatch, client):
    """demo-politi sends an update on a training measure, demo-koordinator
    publishes it; returns (measure, update), logged out."""
    users, _out = _demo(monkeypatch)
    measure = Measure.objects.get(slug="oving-felles-patruljering")
    client.force_login(users["demo-politi"])
    response = client.post(
        reverse("measures:measure-update", kwargs=measure.url_kwargs()),
        {
            "as_of": timezone.localdate().strftime("%d.%m.%Y"),
            "phase": "in_progress",
            "health": "on_track",
            "progress": "30",
            "summary": "Øvingsoppdatering: patruljene er i gang.",
            "new_source_url": "https://example.org/ovingskilde",
            "new_source_publisher": "Øvingsutgiver",
            "new_source_title": "Øvingskilde",
            "new_source_kind": "organisation",
            "version": str(measure.version),
            "submit": "1",
        },
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.get(measure=measure)
    client.force_login(users["demo-koordinator"])
    assert (
        "Øvingsoppdatering"
        in client.get(reverse("measures:review-queue")).content.decode()
    )
    client.post(
        reverse("measures:update-publish", kwargs={"pk": update.pk}),
        {"version": str(update.version)},
    )
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED
    client.logout()
    return measure, update


def _text(response) -> str:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    return content.decode("utf-8-sig")


def test_a_published_training_update_never_reaches_the_public(monkeypatch, client):
    measure, update = _publish_training_update(monkeypatch, client)
    plan = measure.plan
    kommune = {"kommune": plan.municipality.slug}

    hidden = [
        reverse("measures:plan-detail", kwargs=plan.url_kwargs()),
        reverse("measures:plan-report", kwargs=plan.url_kwargs()),
        reverse("measures:plan-export-csv", kwargs=plan.url_kwargs()),
        reverse("measures:plan-export-updates-csv", kwargs=plan.url_kwargs()),
        reverse("measures:measure-detail", kwargs=measure.url_kwargs()),
        reverse("api:plan-detail", kwargs={"slug": "ovingsplan"}),
        reverse("api:measure-detail", kwargs={"slug": measure.slug}),
        reverse("api:status-update-detail", kwargs={"pk": update.pk}),
    ]
    for url in hidden:
        assert client.get(url).status_code == 404, url
    lists = [
        reverse("home"),
        reverse("municipality-home", kwargs=kommune),
        reverse("measures:measure-list", kwargs=kommune),
        reverse("measures:export-measures-csv", kwargs=kommune),
        reverse("measures:export-updates-csv", kwargs=kommune),
        reverse("api:plan-list"),
        reverse("api:measure-list"),
        reverse("api:status-update-list"),
    ]
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200, url
        body = _text(response)
        for text in TRAINING_TEXTS:
            assert text not in body, (url, text)


def test_the_partner_page_of_a_training_partner_shows_no_training_plan(
    monkeypatch, client
):
    measure, _update = _publish_training_update(monkeypatch, client)
    police = measure.partner_roles.get(role="lead").partner
    pages = [
        reverse(
            "measures:partner-detail",
            kwargs={"kommune": measure.plan.municipality.slug, "slug": police.slug},
        ),
        police.get_absolute_url(),  # across all municipalities
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for text in TRAINING_TEXTS:
            assert text not in _text(response), (url, text)


def test_the_command_speaks_bokmal_whatever_language_was_active(monkeypatch):
    from django.utils import translation

    _bergen_like()
    monkeypatch.setenv("RUSPLAN_DEMO_PASSWORD", "et-langt-demopassord-123")
    out = StringIO()
    with translation.override("en"):
        call_command("create_demo_users", stdout=out)
        assert translation.get_language() == "en"
    text = out.getvalue()
    assert "Opprettet demo-politi: " in text
    assert "(saksbehandler)" in text
    assert "(koordinator)" in text
    assert "Passord: fra miljøvariabelen RUSPLAN_DEMO_PASSWORD." in text
    for english in ("caseworker", "coordinator", "Created", "Password"):
        assert english not in text


def test_with_demo_data_the_training_plan_stays_in_a_real_municipality(monkeypatch):
    from measures.data.demo.delete import demo_data_delete
    from measures.data.demo.generate import demo_data_generate
    from measures.data.demo.size import DemoSize

    _bergen_like()
    # Demo municipalities with more plans each, and units leading more measures,
    # than the real one.
    demo_data_generate(
        size=DemoSize(measures=120, updates_per_measure=0, plans=6, municipalities=2)
    )
    monkeypatch.setenv("RUSPLAN_DEMO_PASSWORD", "et-langt-demopassord-123")

    call_command("create_demo_users", stdout=StringIO())

    plan = Plan.objects.get(slug="ovingsplan")
    assert plan.municipality.number == "4601"
    assert not plan.owner.slug.startswith("demo-")
    partners = MeasurePartner.objects.filter(measure__plan=plan)
    assert not partners.filter(partner__slug__startswith="demo-").exists()
    # The demo data can still be removed, and the training plan stays.
    demo_data_delete()
    assert Plan.objects.filter(slug="ovingsplan").exists()
