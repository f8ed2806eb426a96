"""Password spraying: 20 failures from one address, across usernames, lock that
address out for every username (rusplan/lockout.py), on the site's login, the
admin's, and the second-factor step; 5 per username and address still hold."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

PASSWORD = "korrekt-hest-batteri-stift"
SPRAYER = "10.66.0.1"

pytestmark = pytest.mark.django_db


def _post(url, username, password, ip=SPRAYER, client=None):
    return (client or Client()).post(
        url, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _spray(failures: int, url: str = "/logg-inn/") -> None:
    """``failures`` wrong passwords from one address, four per username at most
    (below the per-username limit), for usernames that exist or not."""
    for n in range(failures):
        response = _post(url, f"offer{n // 4}", "Sommer2026!")
        # The failure that reaches the limit answers with the lockout itself.
        assert response.status_code in (200, 429), n


def test_the_thresholds_are_five_per_username_and_twenty_per_address(settings):
    assert settings.RUSPLAN_USERNAME_FAILURE_LIMIT == 5
    assert settings.RUSPLAN_ADDRESS_FAILURE_LIMIT == 20


def test_nineteen_failures_across_usernames_do_not_lock_the_address():
    UserFactory(username="dora")
    _spray(19)

    assert _post("/logg-inn/", "dora", PASSWORD).status_code == 302


def test_twenty_failures_across_usernames_lock_the_address_for_every_username():
    UserFactory(username="dora")
    _spray(20)

    response = _post("/logg-inn/", "dora", PASSWORD)

    assert response.status_code == 429
    assert "Innloggingen er midlertidig stengt" in response.content.decode()
    # Another username that never failed, and the admin's login, from there too.
    assert _post("/logg-inn/", "aldri-prøvd", "hva-som-helst").status_code == 429
    assert _post("/admin/login/", "dora", PASSWORD).status_code == 429
    # Dora from another address is not locked out.
    assert _post("/logg-inn/", "dora", PASSWORD, ip="10.66.0.2").status_code == 302


def test_the_twentieth_failure_itself_shows_the_lockout():
    _spray(19)

    assert _post("/logg-inn/", "offer99", "Sommer2026!").status_code == 429


@pytest.mark.usefixtures("otp_off")
def test_failures_at_the_admin_login_count_toward_the_address_limit():
    staff = UserFactory(username="stab", is_staff=True)
    _spray(19, url="/admin/login/")
    assert _post("/admin/login/", staff.username, PASSWORD).status_code == 302

    _spray(1, url="/admin/login/")

    assert _post("/admin/login/", staff.username, PASSWORD).status_code == 429


@pytest.mark.usefixtures("otp_required")
def test_a_wrong_second_factor_code_counts_toward_the_address_limit(alice):
    device = TOTPDevice.objects.create(user=alice, name="Telefon", confirmed=True)
    _spray(18)
    client = Client()
    _post("/logg-inn/", "alice", PASSWORD, client=client)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    verify = reverse("second_factor_verify")

    # The 19th failure: alice's own count is 1, the address's 19.
    assert client.post(verify, {"code": wrong}, REMOTE_ADDR=SPRAYER).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    # The 20th locks the address.
    assert client.post(verify, {"code": wrong}, REMOTE_ADDR=SPRAYER).status_code == 429
    right = f"{totp(device.bin_key):06d}"
    assert client.post(verify, {"code": right}, REMOTE_ADDR=SPRAYER).status_code == 429


@pytest.mark.usefixtures("otp_required")
def test_a_wrong_code_at_the_admins_login_counts_toward_the_lockout(superuser):
    device = TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=True)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"
    form = {
        "username": "admin",
        "password": PASSWORD,
        "otp_device": device.persistent_id,
        "otp_token": wrong,
    }
    for _ in range(4):
        assert Client().post("/admin/login/", form).status_code == 200
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )

    assert Client().post("/admin/login/", form).status_code == 429
