"""CSP and other headers, CSRF, production settings, the admin's second factor and
the security event log."""

import json
import logging
import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rusplan.security_log import JsonFormatter, client_ip
from tests.factories import UserFactory
from tests.support.csp import assert_strict_csp, inline_code

PASSWORD = "korrekt-hest-batteri-stift"
BASE_DIR = Path(settings.BASE_DIR)

pytestmark = pytest.mark.django_db


def test_csp_header_on_public_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert_strict_csp(response)
    assert inline_code(response) == []


def test_csp_header_on_login_page(client):
    response = client.get(reverse("login"))

    assert_strict_csp(response)
    assert inline_code(response) == []


def test_csp_header_on_admin_login_with_and_without_otp(client, settings):
    for required in (False, True):
        settings.RUSPLAN_REQUIRE_OTP = required
        response = client.get(reverse("admin:login"))

        assert response.status_code == 200
        assert_strict_csp(response)
        assert inline_code(response) == []


def test_admin_pages_send_csp_and_need_no_inline_code(client, superuser, otp_off):
    client.force_login(superuser)
    urls = [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[superuser.pk]),
        reverse("admin:auth_user_history", args=[superuser.pk]),
        reverse("admin:otp_totp_totpdevice_add"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:jsi18n"),
    ]
    for url in urls:
        response = client.get(url)

        assert response.status_code == 200, url
        assert_strict_csp(response)
        assert inline_code(response) == [], url


def test_other_security_headers_in_every_mode(client):
    response = client.get(reverse("home"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_post_without_csrf_token_is_refused_in_norwegian(alice, caplog):
    client = Client(enforce_csrf_checks=True)

    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        response = client.post(
            reverse("login"), {"username": "alice", "password": PASSWORD}
        )

    assert response.status_code == 403
    assert "Skjemaet kunne ikke sendes" in response.content.decode()
    events = [r.security_event for r in caplog.records if hasattr(r, "security")]
    assert events == ["csrf_failure"]


def test_post_with_csrf_token_is_accepted(alice):
    client = Client(enforce_csrf_checks=True)
    token = client.get(reverse("login")).context["csrf_token"]

    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_no_view_is_exempt_from_csrf():
    offenders = [
        str(path.relative_to(BASE_DIR))
        for app in ("rusplan", "partners", "measures")
        for path in (BASE_DIR / app).rglob("*.py")
        if "csrf_exempt" in path.read_text(encoding="utf-8")
    ]

    assert offenders == []


def _check_deploy(**extra_env) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "rusplan.example.no",
        **extra_env,
    }
    env.pop("DATABASE_URL", None)
    if not env.get("RUSPLAN_QUEUE_URL"):
        env.pop("RUSPLAN_QUEUE_URL", None)

    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_reports_nothing_in_production_mode():
    result = _check_deploy(RUSPLAN_QUEUE_URL="redis://127.0.0.1:6379/1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_production_has_no_job_queue():
    """Without a queue the long work runs in the request (issue 14: a large import
    dies at the web server's timeout; a password reset answers slower for a known
    address): a production site must say where its jobs go."""
    result = _check_deploy(RUSPLAN_QUEUE_URL="")

    assert result.returncode != 0
    assert "rusplan.W001" in result.stdout + result.stderr


def test_production_mode_requires_otp_secure_cookies_and_slow_hashing_by_default():
    """Also the password hasher, which every test replaces with a fast one
    (tests/conftest.py): the site keeps Django's slow default."""
    code = (
        "from django.conf import settings as s; "
        "print(s.RUSPLAN_REQUIRE_OTP, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
        "s.SESSION_COOKIE_NAME, s.PASSWORD_HASHERS[0])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rusplan.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "rusplan.example.no",
    }
    env.pop("RUSPLAN_REQUIRE_OTP", None)
    env.pop("RUSPLAN_ADMIN_REQUIRE_OTP", None)

    result = subprocess.run(  # noqa: S603 (our own code, fixed arguments)
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "True",
        "__Host-rusplan_session",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def test_admin_refuses_superuser_without_second_factor(client, superuser, otp_required):
    client.force_login(superuser)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # The unverified session is logged out, not sent on to enrol an app without
    # the password (rusplan/two_factor/middleware.py): the admin's login asks for
    # the password and a code.
    assert "_auth_user_id" not in client.session
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert 'name="otp_token"' in response.content.decode()


def test_admin_login_asks_for_a_code_when_no_login_is_pending(
    client, superuser, otp_required
):
    login_page = client.get(reverse("admin:login")).content.decode()

    assert 'name="otp_token"' in login_page


def test_admin_refuses_password_without_token(client, superuser, otp_required):
    TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=True)

    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": PASSWORD, "next": reverse("admin:index")},
    )

    assert response.status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


def test_admin_refuses_wrong_token_and_logs_it(client, superuser, otp_required, caplog):
    device = TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=True)
    wrong = f"{(totp(device.bin_key) + 1) % 1_000_000:06d}"

    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        client.post(
            reverse("admin:login"),
            {
                "username": "admin",
                "password": PASSWORD,
                "otp_device": device.persistent_id,
                "otp_token": wrong,
            },
        )

    assert client.get(reverse("admin:index")).status_code == 302
    events = [r.security_event for r in _security_records(caplog)]
    assert "otp_failed" in events
    assert "login_succeeded" not in events


def test_admin_admits_superuser_with_verified_totp(client, superuser, otp_required):
    device = TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=True)

    response = client.post(
        reverse("admin:login"),
        {
            "username": "admin",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": f"{totp(device.bin_key):06d}",
            "next": reverse("admin:index"),
        },
    )

    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert_strict_csp(response)


def test_admin_without_otp_in_development_mode(client, superuser, otp_off):
    client.force_login(superuser)

    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_is_closed_to_users_who_are_not_staff(client, alice, otp_off):
    client.force_login(alice)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _security_records(caplog):
    return [r for r in caplog.records if hasattr(r, "security_event")]


def test_login_events_are_logged_without_password_or_session_key(client, alice, caplog):
    wrong_password = "mitt-hemmelige-feilpassord"
    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        client.post(
            reverse("login"),
            {"username": "alice", "password": wrong_password},
            REMOTE_ADDR="10.1.2.3",
        )
        client.post(
            reverse("login"),
            {"username": "alice", "password": PASSWORD},
            REMOTE_ADDR="10.1.2.3",
        )
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")

    records = _security_records(caplog)
    assert [r.security_event for r in records] == [
        "login_failed",
        "login_succeeded",
        "logout",
    ]
    failed, succeeded, logged_out = (r.security for r in records)
    assert failed == {
        "username": "alice",
        "ip": "10.1.2.3",
        "method": "POST",
        "path": "/logg-inn/",
    }
    assert succeeded["user_id"] == alice.pk
    assert logged_out["reason"] == "user"

    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in records]
    written = "\n".join(lines) + caplog.text
    assert wrong_password not in written
    assert PASSWORD not in written
    assert session_key not in written
    assert json.loads(lines[0])["event"] == "login_failed"


def test_lockout_is_logged(client, alice, caplog):
    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        for _ in range(5):
            client.post(
                reverse("login"), {"username": "alice", "password": "feil-passord-x"}
            )

    lockouts = [r for r in _security_records(caplog) if r.security_event == "lockout"]
    assert len(lockouts) == 1
    assert lockouts[0].security["username"] == "alice"
    assert lockouts[0].levelno == logging.WARNING


def test_idle_timeout_is_logged_as_logout_with_reason(client, alice, caplog):
    client.force_login(alice)
    session = client.session
    session["_rusplan_last_activity"] -= 3600
    session.save()

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        client.get(reverse("home"))

    (record,) = _security_records(caplog)
    assert record.security_event == "logout"
    assert record.security["reason"] == "idle_timeout"


def test_403_is_logged_and_shown_in_norwegian(client, otp_off, caplog):
    staff = UserFactory(username="ellen", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(staff)

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        response = client.get(reverse("admin:auth_group_changelist"))

    assert response.status_code == 403
    assert "Ingen tilgang" in response.content.decode()
    (record,) = _security_records(caplog)
    assert record.security_event == "permission_denied"
    assert record.security["username"] == "ellen"
    assert record.security["status"] == 403


def test_log_event_drops_fields_it_does_not_know(caplog):
    from rusplan.security_log import log_event

    with caplog.at_level(logging.INFO, logger="rusplan.security"):
        log_event("test_event", password="hemmelig", sessionid="abc", reason="ok")

    (record,) = _security_records(caplog)
    assert record.security == {"reason": "ok"}


def test_client_ip_trusts_only_the_configured_proxies(rf, settings):
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7"
    )

    settings.RUSPLAN_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"
    settings.RUSPLAN_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.7"
    settings.RUSPLAN_TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.9"


def test_first_admin_login_with_a_static_token_from_the_command_line(
    client, superuser, otp_required
):
    out = StringIO()
    call_command("addstatictoken", "admin", stdout=out)
    token = out.getvalue().strip()
    device = StaticDevice.objects.get(user=superuser)
    form = {
        "username": "admin",
        "password": PASSWORD,
        "otp_device": device.persistent_id,
        "otp_token": token,
    }

    client.post(reverse("admin:login"), form)

    assert client.get(reverse("admin:index")).status_code == 200
    # A static token works once.
    other = Client()
    other.post(reverse("admin:login"), form)
    assert other.get(reverse("admin:index")).status_code == 302


def test_totp_enrolment_page_shows_a_qr_code_under_the_csp(client, superuser, otp_off):
    device = TOTPDevice.objects.create(user=superuser, name="Telefon", confirmed=False)
    client.force_login(superuser)

    page = client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    qrcode = client.get(reverse("admin:otp_totp_totpdevice_qrcode", args=[device.pk]))

    assert page.status_code == 200
    assert_strict_csp(page)
    assert inline_code(page) == []
    assert qrcode.status_code == 200
    assert qrcode["Content-Type"] == "image/svg+xml"


@hypothesis_settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    language=st.one_of(st.text(max_size=20), st.sampled_from(["nb", "nn", "en"])),
    next_url=st.one_of(
        st.text(max_size=60),
        st.sampled_from(["/", "//evil.example/", "https://evil.example/", "\x00"]),
    ),
)
def test_any_input_to_the_language_switcher_never_gives_a_server_error(
    language, next_url
):
    response = Client().post(
        reverse("set_language"), {"language": language, "next": next_url}
    )
    assert response.status_code in (200, 204, 302)
    if response.status_code == 302:
        assert not response["Location"].startswith(("//", "http")), "open redirect"
