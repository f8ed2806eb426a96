import datetime

import pytest
from django.core.exceptions import ValidationError

from partners import services
from partners.models import Membership, Partner
from tests.factories import SYSTEM, PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def police():
    partner = services.partner_create(
        actor=SYSTEM,
        name="Vest politidistrikt",
        slug="vest-politidistrikt",
        kind=Partner.Kind.POLICE_DISTRICT,
    )
    services.partner_name_add(
        actor=SYSTEM,
        partner=partner,
        name="Hordaland politidistrikt",
        valid_until=datetime.date(2015, 12, 31),
    )
    return partner


def test_name_in_force_before_the_change_is_the_former_name(police):
    assert police.name_on(datetime.date(2012, 3, 26)) == "Hordaland politidistrikt"
    assert police.name_on(datetime.date(2015, 12, 31)) == "Hordaland politidistrikt"


def test_name_in_force_from_the_change_is_the_current_name(police):
    assert police.name_on(datetime.date(2016, 1, 1)) == "Vest politidistrikt"
    assert police.name_on(None) == "Vest politidistrikt"


def test_former_name_without_dates_never_applies():
    partner = PartnerFactory(name="Bymiljøetaten")
    services.partner_name_add(actor=SYSTEM, partner=partner, name="Grønn etat")
    assert partner.name_on(datetime.date(2012, 1, 1)) == "Bymiljøetaten"


def test_rename_keeps_the_old_name_until_the_day_before():
    partner = PartnerFactory(name="Byrådsavdeling A")
    services.partner_rename(
        actor=SYSTEM,
        partner=partner,
        new_name="Byrådsavdeling B",
        effective=datetime.date(2019, 6, 1),
    )
    assert partner.name == "Byrådsavdeling B"
    assert partner.name_on(datetime.date(2019, 5, 31)) == "Byrådsavdeling A"
    assert partner.name_on(datetime.date(2019, 6, 1)) == "Byrådsavdeling B"


def test_former_name_period_must_be_ordered():
    with pytest.raises(ValidationError) as excinfo:
        services.partner_name_add(
            actor=SYSTEM,
            partner=PartnerFactory(),
            name="Gammelt",
            valid_from=datetime.date(2016, 1, 1),
            valid_until=datetime.date(2015, 1, 1),
        )
    assert "«Gyldig til» kan ikke være før «gyldig fra»." in str(excinfo.value)


def test_duplicate_partner_slug_is_refused():
    services.partner_create(
        actor=SYSTEM, name="A", slug="helse-bergen", kind=Partner.Kind.HEALTH_TRUST
    )
    with pytest.raises(ValidationError) as excinfo:
        services.partner_create(
            actor=SYSTEM, name="B", slug="helse-bergen", kind=Partner.Kind.HEALTH_TRUST
        )
    assert "slug" in excinfo.value.message_dict


def test_user_has_one_role_per_partner():
    user, partner = UserFactory(), PartnerFactory()
    services.membership_create(
        actor=SYSTEM, user=user, partner=partner, role="caseworker"
    )
    with pytest.raises(ValidationError):
        services.membership_create(
            actor=SYSTEM, user=user, partner=partner, role="coordinator"
        )
    assert Membership.objects.count() == 1


def test_unknown_partner_kind_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.partner_create(actor=SYSTEM, name="X", slug="x", kind="cult")
    assert "kind" in excinfo.value.message_dict
