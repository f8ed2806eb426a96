"""Login, logout, sessions, lockout, passwords and password reset."""

import datetime
import re
import time

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rusplan.middleware import LAST_ACTIVITY_KEY, LOGIN_AT_KEY
from tests.factories import UserFactory

PASSWORD = "korrekt-hest-batteri-stift"

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD, ip="127.0.0.1"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def _is_logged_in(client) -> bool:
    # The password change page needs a login; anonymous users are redirected.
    return client.get(reverse("password_change")).status_code == 200


def _move_session_times(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_auth_urls_are_norwegian_paths():
    assert reverse("login") == "/logg-inn/"
    assert reverse("logout") == "/logg-ut/"
    assert reverse("password_change") == "/passord/endre/"
    assert reverse("password_reset") == "/passord/glemt/"


def test_login_page_is_in_norwegian(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="nb">' in content
    assert "<h1>Logg inn</h1>" in content
    assert "Brukernavn" in content
    assert "Passord" in content
    assert "Glemt passordet?" in content


def test_login_lands_on_mine_tiltak(client, alice):
    response = _login(client, "alice")

    assert response.status_code == 302
    assert response["Location"] == "/mine-tiltak/"
    assert _is_logged_in(client)


def test_login_follows_a_safe_next_but_not_another_site(client, alice):
    response = client.post(
        reverse("login") + "?next=/passord/endre/",
        {"username": "alice", "password": PASSWORD, "next": "/passord/endre/"},
    )
    assert response["Location"] == "/passord/endre/"

    client.post(reverse("logout"))
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/mine-tiltak/"


def test_logged_in_user_sent_to_login_is_told_they_lack_access(client, alice):
    client.force_login(alice)

    response = client.get(reverse("login") + "?next=/admin/")

    assert response.status_code == 200
    assert "Du er logget inn, men har ikke tilgang" in response.content.decode()


def test_wrong_password_is_refused_in_norwegian(client, alice):
    response = _login(client, "alice", password="feil-passord-her")

    assert response.status_code == 200
    assert "Vennligst oppgi korrekt brukernavn og passord" in response.content.decode()
    assert not _is_logged_in(client)


def test_logout_rejects_get(client, alice):
    client.force_login(alice)

    assert client.get(reverse("logout")).status_code == 405
    assert _is_logged_in(client)


def test_logout_redirects_home(client, alice):
    client.force_login(alice)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not _is_logged_in(client)


def test_old_session_cookie_is_dead_after_logout(client, alice):
    _login(client, "alice")
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie

    assert not _is_logged_in(replay)


def test_login_changes_the_session_key(client, alice):
    client.get(reverse("login"))
    client.session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    _login(client, "alice")

    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_deactivated_users_session_stops_working(client, alice):
    client.force_login(alice)
    assert _is_logged_in(client)

    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert not _is_logged_in(client)


def test_deactivated_user_cannot_log_in(client, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    response = _login(client, "alice")

    assert response.status_code == 200
    assert not _is_logged_in(client)


def test_session_expires_after_30_idle_minutes(client, alice):
    client.force_login(alice)
    _move_session_times(client, **{LAST_ACTIVITY_KEY: 31 * 60})

    response = client.get(reverse("password_change"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "du ikke har vært aktiv på en stund" in response.content.decode()
    assert not _is_logged_in(client)


def test_session_survives_29_idle_minutes(client, alice):
    client.force_login(alice)
    _move_session_times(client, **{LAST_ACTIVITY_KEY: 29 * 60})

    assert _is_logged_in(client)


def test_activity_moves_the_idle_deadline(client, alice):
    client.force_login(alice)
    _move_session_times(client, **{LAST_ACTIVITY_KEY: 20 * 60})
    assert _is_logged_in(client)

    # 20 minutes after that request the session is only 20 minutes idle.
    session = client.session
    session[LAST_ACTIVITY_KEY] -= 20 * 60
    session.save()

    assert _is_logged_in(client)


def test_session_ends_12_hours_after_login_however_active(client, alice):
    client.force_login(alice)
    _move_session_times(client, **{LOGIN_AT_KEY: 12 * 3600 + 60, LAST_ACTIVITY_KEY: 5})

    response = client.get(reverse("password_change"), follow=True)

    assert "økten varte for lenge" in response.content.decode()
    assert not _is_logged_in(client)


def test_session_cookie_and_stored_session_expire_with_the_idle_timeout(client, alice):
    response = _login(client, "alice")

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    assert client.session.get_expiry_age() == 30 * 60


def test_five_failures_lock_out_username_and_address(client, alice):
    for _ in range(5):
        _login(client, "alice", password="feil-passord-her")

    response = _login(client, "alice")

    assert response.status_code == 429
    assert "script-src 'self'" in response["Content-Security-Policy"]
    content = response.content.decode()
    assert "Innloggingen er midlertidig stengt" in content
    assert "Du kan prøve igjen om 30 minutter" in content
    assert not _is_logged_in(client)


def test_four_failures_do_not_lock_out(client, alice):
    for _ in range(4):
        _login(client, "alice", password="feil-passord-her")

    response = _login(client, "alice")

    assert response.status_code == 302


def test_lockout_is_per_username_and_address(client, alice, bob):
    for _ in range(5):
        _login(client, "alice", password="feil-passord-her", ip="10.0.0.1")

    # The same user from another address, and another user from the same address.
    assert _login(Client(), "alice", ip="10.0.0.2").status_code == 302
    assert _login(Client(), "bob", ip="10.0.0.1").status_code == 302
    assert _login(Client(), "alice", ip="10.0.0.1").status_code == 429


def test_lockout_ends_after_30_minutes(client, alice):
    for _ in range(5):
        _login(client, "alice", password="feil-passord-her")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=31)
    )

    assert _login(client, "alice").status_code == 302


def test_successful_login_resets_the_failure_count(client, alice):
    for _ in range(4):
        _login(client, "alice", password="feil-passord-her")
    _login(client, "alice")
    client.post(reverse("logout"))

    for _ in range(4):
        _login(client, "alice", password="feil-passord-her")

    assert _login(client, "alice").status_code == 302


def test_client_login_without_request_is_refused_by_axes(alice):
    # Why other tests use client.force_login(user), or pass a request to login().
    with pytest.raises(AxesBackendRequestParameterRequired):
        Client().login(username="alice", password=PASSWORD)

    client = Client()
    request = HttpRequest()
    request.META["REMOTE_ADDR"] = "127.0.0.1"
    assert client.login(request=request, username="alice", password=PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-ord", "Det må ha minst 12 tegn"),
        ("q1w2e3r4t5y6", "for vanlig"),
        ("123456789012345", "bare tall"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)

    assert any(message in text for text in excinfo.value.messages)


def test_long_uncommon_password_is_accepted():
    validate_password("fjordbussen-gikk-klokken-sju")


def test_password_change_enforces_the_validators(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "kort-ord",
            "new_password2": "kort-ord",
        },
    )

    assert response.status_code == 200
    assert "Passordet er for kort" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_change_keeps_the_user_logged_in(client, alice):
    client.force_login(alice)
    new = "fjordbussen-gikk-klokken-sju"

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response["Location"] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert _is_logged_in(client)


def test_password_reset_sends_a_norwegian_email_with_a_working_link(client, alice):
    response = client.post(reverse("password_reset"), {"email": alice.email})

    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Velg nytt passord i Rusplan"
    assert message.to == [alice.email]
    assert "Brukernavnet ditt er: alice" in message.body
    assert "Lenken virker én gang og i 60 minutter." in message.body
    link = re.search(r"http://testserver(/passord/ny/\S+/)", message.body).group(1)

    set_password_url = client.get(link)["Location"]
    new = "fjordbussen-gikk-klokken-sju"
    response = client.post(
        set_password_url, {"new_password1": new, "new_password2": new}
    )

    assert response["Location"] == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert client.get(link).context["validlink"] is False


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client):
    UserFactory(username="dora")

    response = client.post(
        reverse("password_reset"), {"email": "ingen@example.invalid"}
    )

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_pages_are_in_norwegian(client):
    assert "Glemt passord" in client.get(reverse("password_reset")).content.decode()
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "Sjekk e-posten din" in done


# --- hypothesis: no input to the login and password forms gives a 500 ---------------

text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        ["", " ", "alice", PASSWORD, "\x00", "<script>alert(1)</script>", "x" * 5000]
    ),
)


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    username=text,
    password=text,
    email=st.one_of(text, st.emails()),
    new1=text,
    new2=text,
    next_url=text,
)
def test_any_input_to_the_login_and_password_forms_never_gives_a_server_error(
    alice, username, password, email, new1, new2, next_url
):
    anonymous = Client()
    # Failures pile up across examples: a lockout (429) is a fine answer too.
    response = anonymous.post(
        reverse("login"),
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code in (200, 302, 429)
    response = anonymous.post(reverse("password_reset"), {"email": email})
    assert response.status_code in (200, 302)

    logged_in = Client()
    logged_in.force_login(alice)
    response = logged_in.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new1, "new_password2": new2},
    )
    assert response.status_code in (200, 302)

    # The set-password form behind a valid reset link (the token depends on the
    # password, which an example above may have changed).
    alice.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    link = reverse("password_reset_confirm", args=[uid, token])
    set_password_url = anonymous.get(link)["Location"]
    response = anonymous.post(
        set_password_url, {"new_password1": new1, "new_password2": new2}
    )
    assert response.status_code in (200, 302)
    # And a garbage link.
    response = anonymous.get(
        reverse("password_reset_confirm", args=["x" + uid, "y" + token])
    )
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/logg-inn/", "/admin/login/"])
@pytest.mark.parametrize("otp", [False, True])
def test_an_overlong_username_is_a_form_error_not_a_server_error(
    client, settings, url, otp
):
    # Django's login forms do not validate the username's length; django-axes then
    # stored the 5,000 characters in a varchar(255), which PostgreSQL refused (500).
    settings.RUSPLAN_REQUIRE_OTP = otp
    response = client.post(
        url,
        {"username": "x" * 5000, "password": "whatever-it-is"},
        REMOTE_ADDR="10.1.2.3",
    )

    assert response.status_code == 200
    assert "150" in response.text  # the message says how long a username may be
    assert not AccessAttempt.objects.filter(username__startswith="xxxx").exists()
