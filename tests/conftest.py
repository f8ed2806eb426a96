import pytest
from django.core.cache import cache

from tests.factories import MembershipFactory, PartnerFactory, UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the local-memory cache outlives a
    test's database, and a page cached by one test must not show in the next."""
    cache.clear()


@pytest.fixture
def partner_a():
    return PartnerFactory(name="Partner A", slug="partner-a")


@pytest.fixture
def partner_b():
    return PartnerFactory(name="Partner B", slug="partner-b")


@pytest.fixture
def alice(partner_a):
    """Caseworker of partner A."""
    user = UserFactory(username="alice")
    MembershipFactory(user=user, partner=partner_a)
    return user


@pytest.fixture
def bob(partner_a):
    """Alice's colleague: another caseworker of partner A."""
    user = UserFactory(username="bob")
    MembershipFactory(user=user, partner=partner_a)
    return user


@pytest.fixture
def charlie(partner_b):
    """An outsider: caseworker of partner B."""
    user = UserFactory(username="charlie")
    MembershipFactory(user=user, partner=partner_b)
    return user


@pytest.fixture
def superuser():
    return UserFactory(username="admin", is_staff=True, is_superuser=True)
