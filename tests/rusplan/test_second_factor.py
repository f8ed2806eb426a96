"""The second factor at /logg-inn/ (rusplan/two_factor/): enrolment, recovery
codes, login with a code, lockout, the reset by an administrator, and that nothing
behind a login opens before the second factor is passed."""

import base64
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rusplan.two_factor import services
from tests.factories import UserFactory
from tests.support.csp import assert_strict_csp, inline_code

PASSWORD = "korrekt-hest-batteri-stift"
MINE_TILTAK = "/mine-tiltak/"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("otp_required"),
]


def _password(client, username, password=PASSWORD, next_to=MINE_TILTAK, ip=None):
    extra = {"REMOTE_ADDR": ip} if ip else {}
    return client.post(
        reverse("login") + f"?next={next_to}",
        {"username": username, "password": password, "next": next_to},
        **extra,
    )


def _code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def _wrong(device) -> str:
    return f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"


def _verify(client, code, next_to=MINE_TILTAK):
    return client.post(reverse("second_factor_verify"), {"code": code, "next": next_to})


def _app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Telefon", confirmed=True)


def _logged_in(client) -> bool:
    return client.get(MINE_TILTAK).status_code == 200


def _security_events(caplog) -> list:
    return [r for r in caplog.records if getattr(r, "security_event", None) is not None]


# --- first login: enrolment and recovery codes ---------------------------------


def test_a_right_password_without_a_device_leads_to_enrolment_not_in(client, alice):
    response = _password(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("second_factor_enrol") + "?next=%2Fmine-tiltak%2F"
    )
    assert not _logged_in(client)


def test_enrolment_shows_a_qr_code_and_the_key_under_the_csp(client, alice):
    _password(client, "alice")

    response = client.get(reverse("second_factor_enrol"))

    assert response.status_code == 200
    assert_strict_csp(response)
    assert inline_code(response) == []
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    content = response.content.decode()
    assert 'src="data:image/svg+xml' in content
    key = base64.b32encode(device.bin_key).decode()
    assert " ".join(key[i : i + 4] for i in range(0, len(key), 4)) in content
    assert response["Cache-Control"].startswith("max-age=0") or (
        "no-store" in response["Cache-Control"]
    )
    # Reloading shows the same key: a code already scanned keeps working.
    client.get(reverse("second_factor_enrol"))
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_enrolment_then_recovery_codes_once_then_next(client, alice):
    _password(client, "alice")
    client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=alice)

    response = client.post(
        reverse("second_factor_enrol"), {"code": _code(device), "next": MINE_TILTAK}
    )

    assert response["Location"] == (
        reverse("recovery_codes") + "?next=%2Fmine-tiltak%2F"
    )
    device.refresh_from_db()
    assert device.confirmed
    codes = list(
        StaticToken.objects.filter(device__user=alice).values_list("token", flat=True)
    )
    assert len(codes) == 10
    page = client.get(response["Location"]).content.decode()
    assert all(code in page for code in codes)
    assert "Skriv dem ut" in page
    assert 'href="/mine-tiltak/"' in page
    # Shown once.
    again = client.get(reverse("recovery_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "Du har 10 ubrukte reservekoder" in again
    assert _logged_in(client)


def _shown_key(response) -> bytes:
    """The key the enrolment page shows, as an app typed in by hand reads it."""
    text = response.context["key"].replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def test_two_enrolment_sessions_see_different_keys_and_one_confirm_ends_the_other(
    alice,
):
    """Someone who knows only the password must not see the key the user scans:
    they would keep a working app after the user confirms it."""
    intruder, owner = Client(), Client()
    _password(intruder, "alice")
    _password(owner, "alice")

    intruders_key = _shown_key(intruder.get(reverse("second_factor_enrol")))
    owners_key = _shown_key(owner.get(reverse("second_factor_enrol")))
    # Each keeps its own key on reload.
    assert _shown_key(owner.get(reverse("second_factor_enrol"))) == owners_key

    assert intruders_key != owners_key
    response = owner.post(
        reverse("second_factor_enrol"), {"code": f"{totp(owners_key):06d}"}
    )
    assert response["Location"].startswith(reverse("recovery_codes"))
    assert _logged_in(owner)
    # The intruder's key confirms nothing and logs nobody in.
    code = f"{totp(intruders_key):06d}"
    assert intruder.post(reverse("second_factor_enrol"), {"code": code})[
        "Location"
    ].startswith(reverse("second_factor_verify"))
    _verify(intruder, code)
    assert not _logged_in(intruder)
    assert list(TOTPDevice.objects.filter(user=alice).values_list("confirmed")) == [
        (True,)
    ]


def test_a_wrong_code_at_enrolment_is_refused_and_counted(client, alice):
    _password(client, "alice", ip="10.3.3.3")
    client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=alice)

    response = client.post(
        reverse("second_factor_enrol"), {"code": _wrong(device)}, REMOTE_ADDR="10.3.3.3"
    )

    assert response.status_code == 200
    assert "Koden stemmer ikke" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=alice).exists()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1
    assert not _logged_in(client)


def test_a_user_with_a_device_cannot_enrol_another(client, alice):
    _app(alice)
    _password(client, "alice")

    response = client.get(reverse("second_factor_enrol"))

    assert response["Location"].startswith(reverse("second_factor_verify"))
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_the_second_step_needs_a_right_password_first(client, alice):
    for name in ("second_factor_enrol", "second_factor_verify"):
        response = client.get(reverse(name))
        assert response["Location"].startswith(reverse("login"))
        response = client.post(reverse(name), {"code": "123456"})
        assert response["Location"].startswith(reverse("login"))
    assert not TOTPDevice.objects.exists()


def test_the_password_step_changes_the_session_key(client, alice):
    client.get(reverse("login"))
    client.session.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    _password(client, "alice")

    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != before


@hypothesis_settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    code=st.one_of(
        st.text(max_size=40),
        st.sampled_from(["", " ", "\x00", "123456", "1" * 5000, "<script>"]),
    ),
    next_to=st.one_of(st.text(max_size=40), st.just("//evil.example/")),
)
def test_any_input_to_the_second_step_never_gives_a_server_error(
    alice, bob, code, next_to
):
    _app(bob)
    for username, step in (
        ("alice", "second_factor_enrol"),
        ("bob", "second_factor_verify"),
    ):
        client = Client()
        _password(client, username, ip="10.9.9.9")
        response = client.post(
            reverse(step), {"code": code, "next": next_to}, REMOTE_ADDR="10.9.9.9"
        )
        # Failures pile up across examples: a lockout (429) is a fine answer too.
        assert response.status_code in (200, 302, 429)
        if response.status_code == 302:
            assert not response["Location"].startswith(("//", "http"))


# --- later logins: a code from the app or a recovery code -----------------------


def test_login_with_a_code_from_the_app(client, alice, caplog):
    device = _app(alice)

    response = _password(client, "alice")
    assert response["Location"] == (
        reverse("second_factor_verify") + "?next=%2Fmine-tiltak%2F"
    )
    assert not _logged_in(client)
    page = client.get(response["Location"])
    assert 'name="code"' in page.content.decode()
    assert_strict_csp(page)

    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        response = _verify(client, _code(device))

    assert response["Location"] == MINE_TILTAK
    assert _logged_in(client)
    assert client.session["otp_device_id"] == device.persistent_id
    assert "login_succeeded" in [r.security_event for r in _security_events(caplog)]


def test_login_follows_next_but_not_to_another_site(client, alice):
    device = _app(alice)
    _password(client, "alice", next_to="/passord/endre/")

    assert _verify(client, _code(device), "/passord/endre/")["Location"] == (
        "/passord/endre/"
    )

    other = Client()
    _password(other, "alice", next_to="https://evil.example/")
    device.refresh_from_db()
    device.last_t -= 1  # the same code again, as if in the next time step
    device.save()
    response = _verify(other, _code(device), "https://evil.example/")
    assert response["Location"] == MINE_TILTAK


def test_login_with_a_recovery_code_spends_it(client, alice):
    _app(alice)
    code = services.recovery_codes_create(user=alice)[3]
    _password(client, "alice")

    response = _verify(client, f" {code.upper()[:4]} {code.upper()[4:]} ")

    assert response["Location"] == MINE_TILTAK
    assert _logged_in(client)
    assert not StaticToken.objects.filter(token=code).exists()
    assert StaticToken.objects.filter(device__user=alice).count() == 9

    other = Client()
    _password(other, "alice")
    response = _verify(other, code)
    assert response.status_code == 200
    assert not _logged_in(other)


def test_in_with_a_recovery_code_and_no_app_goes_on_to_set_one_up(client, alice):
    code = services.recovery_codes_create(user=alice)[0]
    _password(client, "alice")
    # Recovery codes alone are a device: the password does not open enrolment.
    assert client.get(reverse("second_factor_enrol"))["Location"].startswith(
        reverse("second_factor_verify")
    )

    response = _verify(client, code)

    assert response["Location"] == (
        reverse("second_factor_enrol") + "?next=%2Fmine-tiltak%2F"
    )
    assert _logged_in(client)
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    response = client.post(
        reverse("second_factor_enrol"), {"code": _code(device), "next": MINE_TILTAK}
    )
    assert response["Location"].startswith(reverse("recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id
    assert StaticToken.objects.filter(device__user=alice).count() == 10
    assert not StaticToken.objects.filter(token=code).exists()


def test_a_wrong_code_is_refused_logged_and_counted(client, alice, caplog):
    device = _app(alice)
    _password(client, "alice", ip="10.4.4.4")

    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        response = client.post(
            reverse("second_factor_verify"),
            {"code": _wrong(device)},
            REMOTE_ADDR="10.4.4.4",
        )

    assert response.status_code == 200
    assert "Koden stemmer ikke" in response.content.decode()
    assert not _logged_in(client)
    failed = [r for r in _security_events(caplog) if r.security_event == "otp_failed"]
    assert len(failed) == 1
    assert failed[0].security["username"] == "alice"
    assert failed[0].security["ip"] == "10.4.4.4"
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


def test_wrong_codes_and_passwords_together_lock_out(client, alice):
    device = _app(alice)
    for _ in range(4):
        _password(client, "alice", password="feil-passord-her")
    # A right password does not reset the count: only a passed second factor does.
    _password(client, "alice")
    assert _verify(client, _wrong(device)).status_code == 429

    response = _verify(client, _code(device))

    assert response.status_code == 429
    assert "Innloggingen er midlertidig stengt" in response.content.decode()
    assert not _logged_in(client)


def test_four_wrong_codes_do_not_lock_out(client, alice):
    device = _app(alice)
    _password(client, "alice")
    for _ in range(4):
        assert _verify(client, _wrong(device)).status_code == 200
        # Past django-otp's growing wait between tries.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )

    assert _verify(client, _code(device))["Location"] == MINE_TILTAK


def test_a_code_typed_while_throttled_is_not_checked_or_counted(client, alice):
    device = _app(alice)
    _password(client, "alice")
    _verify(client, _wrong(device))

    response = _verify(client, _code(device))  # within django-otp's 1 s wait

    assert "Vent noen sekunder" in response.content.decode()
    assert AccessAttempt.objects.get(username="alice").failures_since_start == 1


# --- who is asked ---------------------------------------------------------------


def test_staff_without_membership_is_asked_too(client):
    UserFactory(username="stina", is_staff=True)

    response = _password(client, "stina")

    assert response["Location"].startswith(reverse("second_factor_enrol"))


def test_a_user_who_cannot_change_anything_is_not_asked(client):
    UserFactory(username="lesa")

    assert _password(client, "lesa")["Location"] == MINE_TILTAK


def test_no_second_factor_when_the_setting_is_off(client, alice, otp_off):
    _app(alice)

    assert _password(client, "alice")["Location"] == MINE_TILTAK
    assert _logged_in(client)


def test_the_setting_is_on_in_production_and_reads_the_old_name():
    base = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rusplan.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "rusplan.example.no",
    }
    base.pop("RUSPLAN_REQUIRE_OTP", None)
    base.pop("RUSPLAN_ADMIN_REQUIRE_OTP", None)
    code = (
        "import os, importlib, django; from django.conf import settings as s; "
        "django.setup(); print(s.DEBUG, s.RUSPLAN_REQUIRE_OTP)"
    )
    results = []
    for extra in (
        {"DJANGO_DEBUG": "true"},
        {"DJANGO_DEBUG": "false", "RUSPLAN_ADMIN_REQUIRE_OTP": "false"},
        {"DJANGO_DEBUG": "true", "RUSPLAN_REQUIRE_OTP": "true"},
    ):
        result = subprocess.run(  # noqa: S603 (our own code, fixed arguments)
            [sys.executable, "-c", code],
            cwd=Path(__file__).resolve().parents[2],
            env={**base, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        results.append(result.stdout.split())

    assert results == [["True", "False"], ["False", "False"], ["True", "True"]]


# --- deny by default until verified ---------------------------------------------


def test_an_unverified_session_sees_public_pages_as_anyone_does(client, world):
    client.force_login(world.alice)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Mine tiltak" not in response.content.decode()
    assert 'action="/logg-ut/"' not in response.content.decode()


def test_logout_works_before_the_second_factor(client, alice):
    _password(client, "alice")

    response = client.post(reverse("logout"))

    assert response["Location"] == reverse("home")
    assert client.get(reverse("second_factor_verify"))["Location"].startswith(
        reverse("login")
    )


def test_a_session_never_verified_is_sent_to_type_the_password_not_to_enrol(
    client, alice
):
    """A session logged in some other way (force_login) and never verified must
    not enrol an app without the password: it is logged out."""
    client.force_login(alice)

    response = client.get(reverse("second_factor_enrol"))

    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("second_factor_enrol"))["Location"].startswith(
        reverse("login")
    )
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_the_admins_login_sends_a_typed_password_on_to_the_second_step(client, alice):
    _password(client, "alice")

    response = client.get(reverse("admin:login"))

    assert response["Location"].startswith(reverse("second_factor_verify"))


# --- recovery codes and the reset by an administrator ---------------------------


def test_new_recovery_codes_replace_the_old(client, alice, otp_off):
    old = services.recovery_codes_create(user=alice)
    client.force_login(alice)

    response = client.post(reverse("recovery_codes"))
    page = client.get(response["Location"]).content.decode()

    new = list(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10
    assert not set(old) & set(new)
    assert all(code in page for code in new)
    assert (
        reverse("recovery_codes")
        in client.get(reverse("password_change")).content.decode()
    )


def test_new_recovery_codes_in_a_session_verified_by_one_keep_it_in(client, alice):
    """In with a recovery code (no phone), new codes are shown and the session
    stays verified: the codes are replaced on the device that verified it."""
    _app(alice)
    old = services.recovery_codes_create(user=alice)
    _password(client, "alice")
    _verify(client, old[0])
    assert _logged_in(client)

    response = client.post(reverse("recovery_codes"), {"next": MINE_TILTAK})
    page = client.get(response["Location"])

    assert page.status_code == 200
    new = list(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10
    assert all(code in page.content.decode() for code in new)
    assert _logged_in(client)
    other = Client()
    _password(other, "alice")
    assert "Koden stemmer ikke" in _verify(other, old[1]).content.decode()
    assert not _logged_in(other)


def test_a_recovery_code_on_any_static_device_is_accepted(client, alice):
    """An administrator may add a static device in the admin beside the user's
    recovery codes (docs/security.md): its code works too."""
    services.recovery_codes_create(user=alice)
    added = StaticDevice.objects.create(user=alice, name="Fra admin", confirmed=True)
    added.token_set.create(token="engang42")
    _password(client, "alice")

    _verify(client, "engang42")

    assert _logged_in(client)


def _reset_with_the_admin_action(client, user):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [user.pk]},
    )


def test_an_administrator_resets_a_lost_device(
    client, alice, superuser, settings, caplog
):
    device = _app(alice)
    services.recovery_codes_create(user=alice)
    alices_session = Client()
    _password(alices_session, "alice")
    _verify(alices_session, _code(device))
    assert _logged_in(alices_session)
    client.force_login(superuser)

    settings.RUSPLAN_REQUIRE_OTP = False  # the admin's own second factor aside
    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        response = _reset_with_the_admin_action(client, alice)
    message = client.get(response["Location"]).content.decode()
    settings.RUSPLAN_REQUIRE_OTP = True

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice).exists()
    assert not StaticDevice.objects.filter(user=alice).exists()
    assert LogEntry.objects.filter(object_id=str(alice.pk)).exists()
    reset = [
        r for r in _security_events(caplog) if r.security_event == "second_factor_reset"
    ]
    assert reset[0].security["username"] == "admin"
    assert reset[0].security["reason"] == f"user_id={alice.pk}"
    # Her session is ended at once; at her next login she enrols again.
    assert not Session.objects.filter(
        session_key=alices_session.session.session_key
    ).exists()
    assert "logget ut overalt" in message
    assert not _logged_in(alices_session)
    assert _password(Client(), "alice")["Location"].startswith(
        reverse("second_factor_enrol")
    )


def test_after_a_reset_an_old_session_cannot_enrol_without_the_password(
    alice, superuser
):
    """The stolen phone's session, still logged in when an administrator resets
    the second factor, must not enrol an app of its own."""
    device = _app(alice)
    stolen = Client()
    _password(stolen, "alice")
    _verify(stolen, _code(device))
    assert _logged_in(stolen)

    services.second_factor_reset(actor=superuser, user=alice)

    for url in (reverse("login"), reverse("second_factor_verify")):
        stolen.get(url, follow=True)
    response = stolen.get(reverse("second_factor_enrol"))
    assert response["Location"].startswith(reverse("login"))
    assert not _logged_in(stolen)
    assert not TOTPDevice.objects.filter(user=alice).exists()


def test_an_unverified_session_left_by_a_reset_is_logged_out(alice, superuser):
    """Even if its session row outlived the reset (ended by the middleware, not
    only by the reset), a session whose device is gone goes back to the password."""
    device = _app(alice)
    stolen = Client()
    _password(stolen, "alice")
    _verify(stolen, _code(device))
    TOTPDevice.objects.filter(user=alice).delete()

    response = stolen.get(reverse("second_factor_enrol"))

    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in stolen.session


def test_only_those_who_may_delete_devices_can_reset(alice, otp_off):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="change_user"),
        Permission.objects.get(codename="view_user"),
        Permission.objects.get(codename="delete_totpdevice"),
    )
    _app(alice)
    client = Client()
    client.force_login(clerk)

    changelist = client.get(reverse("admin:auth_user_changelist")).content.decode()
    response = _reset_with_the_admin_action(client, alice)

    assert "reset_second_factor" not in changelist
    assert response.status_code in (200, 302)
    assert TOTPDevice.objects.filter(user=alice).exists()
    with pytest.raises(PermissionDenied):
        services.second_factor_reset(actor=clerk, user=alice)
    clerk.user_permissions.add(Permission.objects.get(codename="delete_staticdevice"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert services.second_factor_reset(actor=clerk, user=alice) == 1


# --- django-otp's admin device pages (issue 14, item 8) -------------------------


@pytest.mark.parametrize("view", ["config", "qrcode"])
def test_admin_device_pages_answer_404_for_a_device_that_does_not_exist(
    client, superuser, otp_off, view
):
    client.force_login(superuser)
    device = TOTPDevice.objects.create(user=superuser, name="Telefon")
    url_name = f"admin:otp_totp_totpdevice_{view}"

    assert client.get(reverse(url_name, args=[device.pk])).status_code == 200
    assert client.get(reverse(url_name, args=[device.pk + 1000])).status_code == 404


def test_an_administrator_who_resets_their_own_second_factor_is_logged_out(
    client, superuser, settings
):
    """The reset ends the administrator's own session too; the request that did
    it must still answer (not a 400 for a session deleted under it)."""
    _app(superuser)
    client.force_login(superuser)
    settings.RUSPLAN_REQUIRE_OTP = False  # the admin's own second factor aside

    response = _reset_with_the_admin_action(client, superuser)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=superuser).exists()
    assert client.get(reverse("admin:index")).status_code == 302
