import pytest
from django.core.cache import cache
from django.utils import translation

from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from tests.support.queue import job_queue  # noqa: F401 - a fixture
from tests.support.worlds import build_workflow_world


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the local-memory cache outlives a
    test's database, and a page cached by one test must not show in the next."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in another language (a language cookie, a job run in the test's
    own process) leaves that language active in the thread; the next test must
    start in Bokmål, as a new request would."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _jobs_at_once(settings):
    """Jobs run at once, in the test, whatever the environment says; the
    job_queue fixture (tests/support/queue.py) gives a test the real queue."""
    settings.RUSPLAN_QUEUE_URL = ""


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
    """The superuser "admin", the one pytest-django's admin_client logs in (its
    admin_user takes the existing "admin" user)."""
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _no_second_factor_unless_asked(settings):
    """No second factor in tests, whatever the environment says (it is on in
    production mode), so that force_login gives a usable session. Tests of the
    second factor ask for it with ``otp_required``."""
    settings.RUSPLAN_REQUIRE_OTP = False


@pytest.fixture
def otp_off(settings):
    """No second factor, at /logg-inn/ or in the admin, as in development."""
    settings.RUSPLAN_REQUIRE_OTP = False


@pytest.fixture
def otp_required(settings):
    """A second factor for staff and members, at /logg-inn/ and in the admin, as
    in production."""
    settings.RUSPLAN_REQUIRE_OTP = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Passwords hashed with MD5 in every test: the default hasher (PBKDF2, a
    million rounds) takes about 0.4 s a password on a CI machine, and a test world
    makes several users; it was most of the suite's setup time. That the site
    itself keeps a slow hasher is tested in tests/rusplan/test_security.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """The workflow world (tests/support/worlds.py): partners A and B, a plan owner,
    their people (alice, charlie, olivia, admin), and a measure for each partner with
    an update in each state. It has its own partners and users, so it does not go
    with partner_a, alice, bob, charlie or superuser above. Tests that start from
    other data name their world for it (public_world, api_world, ...)."""
    return build_workflow_world()
