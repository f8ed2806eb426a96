from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from measures import permissions
from partners.models import Partner
from tests.factories import MeasureFactory, PartnerFactory, PlanFactory

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
