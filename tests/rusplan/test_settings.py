"""Settings are read from the environment. Each case starts a fresh interpreter with
a clean environment, because settings are evaluated once per process."""

import json
import subprocess

import pytest
from django.conf import settings

from tests.support.processes import PRODUCTION, run_python
from tests.support.requirements import POSTGRESQL_ONLY

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": {k: settings.DATABASES["default"][k]
                 for k in ("ENGINE", "NAME", "USER", "HOST", "PORT")},
    "CACHE": settings.CACHES["default"],
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "EMAIL_HOST": settings.EMAIL_HOST,
    "EMAIL_PORT": settings.EMAIL_PORT,
    "EMAIL_HOST_USER": settings.EMAIL_HOST_USER,
    "EMAIL_USE_TLS": settings.EMAIL_USE_TLS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
}, default=str))
"""


def _manage_check(**environment: str) -> subprocess.CompletedProcess:
    return run_python(["manage.py", "check"], **environment)


def _settings(**environment: str) -> dict:
    result = run_python(
        ["-c", PRINT_SETTINGS], DJANGO_SETTINGS_MODULE="rusplan.settings", **environment
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_passes_with_no_environment_at_all():
    result = _manage_check()

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_are_sqlite_console_mail_and_local_cache():
    values = _settings()

    assert values["DEBUG"] is True
    assert values["DATABASE"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASE"]["NAME"].endswith("var/rusplan.sqlite3")
    assert values["CACHE"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_production_refuses_to_start_without_secret_key():
    environment = {**PRODUCTION}
    del environment["DJANGO_SECRET_KEY"]

    result = _manage_check(**environment)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    environment = {**PRODUCTION}
    del environment["DJANGO_ALLOWED_HOSTS"]

    result = _manage_check(**environment)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr
    assert "DJANGO_SECRET_KEY" not in result.stderr


def test_production_starts_with_secret_key_and_allowed_hosts():
    result = _manage_check(**PRODUCTION)
    values = _settings(**PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["rusplan.example.no", "www.rusplan.example.no"]
    assert values["SESSION_COOKIE_SECURE"] is True


def test_production_settings_pass_djangos_deployment_checks():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_database_url_selects_postgresql():
    values = _settings(
        DATABASE_URL="postgres://rusplan:pw@db.example:5433/rusplan_prod"
    )

    assert values["DATABASE"] == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "rusplan_prod",
        "USER": "rusplan",
        "HOST": "db.example",
        "PORT": 5433,
    }


def test_cache_url_selects_redis_through_the_resilient_backend():
    values = _settings(CACHE_URL="redis://127.0.0.1:6379/1")

    # Django's RedisCache, subclassed so that an outage is a miss (rusplan/cache.py).
    assert values["CACHE"]["BACKEND"] == "rusplan.cache.ResilientRedisCache"
    assert values["CACHE"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_email_url_configures_smtp():
    values = _settings(EMAIL_URL="smtp+tls://varsel:pw@smtp.example:587")

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.example"
    assert values["EMAIL_PORT"] == 587
    assert values["EMAIL_HOST_USER"] == "varsel"
    assert values["EMAIL_USE_TLS"] is True


def test_language_is_bokmal_with_nynorsk_and_english():
    assert settings.LANGUAGE_CODE == "nb"
    assert [code for code, _name in settings.LANGUAGES] == ["nb", "nn", "en"]
    assert settings.USE_I18N is True


def test_time_zone_is_oslo():
    assert settings.TIME_ZONE == "Europe/Oslo"
    assert settings.USE_TZ is True


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "django.contrib.sessions.middleware.SessionMiddleware",
            "rusplan.locale.ChosenLanguageMiddleware",
        ),
        (
            "rusplan.locale.ChosenLanguageMiddleware",
            "django.middleware.common.CommonMiddleware",
        ),
    ],
)
def test_locale_middleware_sits_where_django_requires(before, after):
    assert settings.MIDDLEWARE.index(before) < settings.MIDDLEWARE.index(after)


def test_random_page_cost_must_be_a_number_or_empty():
    refused = run_python(
        ["-c", "from django.conf import settings; settings.DEBUG"],
        DJANGO_SETTINGS_MODULE="rusplan.settings",
        DATABASE_RANDOM_PAGE_COST="1; DROP",
    )
    assert refused.returncode != 0
    assert "DATABASE_RANDOM_PAGE_COST must be a number" in refused.stderr


@POSTGRESQL_ONLY
@pytest.mark.django_db
def test_postgresql_sessions_price_random_reads_for_cached_data():
    # docs/benchmarks.md: a regional partner's page at ten times national scale.
    from django.db import connections

    # A new session, as a worker opens one.
    fresh = connections.create_connection("default")
    try:
        with fresh.cursor() as cursor:
            cursor.execute("SHOW random_page_cost")
            assert cursor.fetchone()[0] == "1.1"
    finally:
        fresh.close()
