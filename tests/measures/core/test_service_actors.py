"""Every write service takes the acting user and checks it (decision 51).

The services refuse with PermissionDenied and write nothing; a command that loads
shipped data passes a SystemActor, which history records by name.
"""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

import measures.services
import partners.services
from measures.models import IndicatorValue, Measure, Phase, Plan, StatusUpdate
from measures.services.base import SystemActor
from measures.services.indicator_values import indicator_value_record_published
from measures.services.plans import measure_sync_current_status, plan_update
from measures.services.status_updates import status_update_record_published
from partners.services import partner_create
from tests.factories import (
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    PlanFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Writes without their own check, each for services that checked their actor
# first: refreshing what a publish implies, and storing what a checked write cites.
INTERNAL = {"refresh_current_status", "cite"}


def _write_services():
    modules = [
        importlib.import_module(f"measures.services.{info.name}")
        for info in pkgutil.iter_modules(measures.services.__path__)
    ] + [partners.services]
    for module in modules:
        for name, function in vars(module).items():
            if (
                inspect.isfunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
                # @transaction.atomic: the mark of a write service.
                and hasattr(function, "__wrapped__")
                and name not in INTERNAL
            ):
                yield f"{module.__name__}.{name}", function


def test_every_write_service_requires_an_actor():
    services = dict(_write_services())
    assert len(services) > 40
    lacking = [
        name
        for name, function in services.items()
        if (
            "actor" not in inspect.signature(function).parameters
            or inspect.signature(function).parameters["actor"].default
            is not inspect.Parameter.empty
            or inspect.signature(function).parameters["actor"].kind
            is not inspect.Parameter.KEYWORD_ONLY
        )
    ]
    assert not lacking


def _staff(*codenames):
    user = UserFactory(is_staff=True, password="!")
    for codename in codenames:
        app, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=code)
        )
    return user


def _record(measure, actor):
    return status_update_record_published(
        actor=actor,
        measure=measure,
        as_of=datetime.date(2021, 4, 30),
        phase=Phase.COMPLETED,
        health="on_track",
        progress=100,
        summary="Ferdig.",
        sources=[SourceFactory()],
    )


@pytest.mark.parametrize(
    "make_actor",
    [
        lambda: _staff("measures.add_statusupdate", "measures.view_statusupdate"),
        lambda: _staff("measures.view_statusupdate", "measures.view_measure"),
        lambda: UserFactory(password="!"),
        lambda: AnonymousUser(),
        lambda: None,
        lambda: UserFactory(
            password="!", is_active=False, is_staff=True, is_superuser=True
        ),
    ],
    ids=["add-only", "view-only", "no-rights", "anonymous", "none", "inactive"],
)
def test_recording_a_published_update_needs_the_right_to_publish(make_actor):
    measure = MeasureFactory()
    actor = make_actor()

    with pytest.raises(PermissionDenied):
        _record(measure, actor)

    assert not StatusUpdate.objects.exists()
    measure.refresh_from_db()
    assert measure.current_phase == ""


@pytest.mark.parametrize("who", ["reviewer", "coordinator"])
def test_whoever_may_publish_through_review_may_record_a_published_update(who):
    measure = MeasureFactory()
    if who == "reviewer":
        actor = _staff("measures.change_statusupdate")
    else:
        actor = UserFactory(password="!")
        MembershipFactory(user=actor, partner=measure.plan.owner, role="coordinator")

    _record(measure, actor)

    measure.refresh_from_db()
    assert (measure.current_phase, measure.current_progress) == (Phase.COMPLETED, 100)


def test_recording_a_published_value_needs_the_right_to_publish():
    indicator = IndicatorFactory()
    actor = _staff("measures.add_indicatorvalue", "measures.view_indicatorvalue")

    with pytest.raises(PermissionDenied):
        indicator_value_record_published(
            actor=actor,
            indicator=indicator,
            year=2019,
            value=27,
            sources=[SourceFactory()],
        )

    assert not IndicatorValue.objects.exists()


def test_changing_a_plan_needs_the_model_permission():
    plan = PlanFactory(title="Før")

    with pytest.raises(PermissionDenied):
        plan_update(actor=_staff("measures.view_plan"), plan=plan, title="Etter")
    plan_update(actor=_staff("measures.change_plan"), plan=plan, title="Etter")

    assert Plan.objects.get(pk=plan.pk).title == "Etter"


def test_a_caseworker_may_not_resync_a_measure_status():
    measure = MeasureFactory()
    caseworker = UserFactory(password="!")

    with pytest.raises(PermissionDenied):
        measure_sync_current_status(actor=caseworker, measure=measure)
    assert Measure.objects.get(pk=measure.pk).version == measure.version


def test_a_partner_is_added_only_by_an_administrator():
    with pytest.raises(PermissionDenied):
        partner_create(
            actor=UserFactory(password="!"), name="Etat", slug="etat", kind="other"
        )
    partner = partner_create(
        actor=_staff("partners.add_partner"), name="Etat", slug="etat", kind="other"
    )
    assert partner.pk is not None


def test_a_system_actor_is_recorded_in_history_by_name():
    plan = PlanFactory(title="Før")

    plan_update(actor=SystemActor("load_bergen_plans"), plan=plan, title="Etter")

    latest = plan.history.order_by("-history_id").first()
    assert latest.history_change_reason == "load_bergen_plans"
    assert latest.history_user is None
