"""Static files carry the same security headers as pages. WhiteNoise answers a
static file from its place in the middleware list and skips everything below it,
so the security middleware (SecurityMiddleware, CSP, X-Frame-Options) stands above
it (rusplan/settings.py MIDDLEWARE). A real file is fetched through the whole
stack, as served in production (STATIC_ROOT after collectstatic) and in DEBUG
(from the finders)."""

import shutil

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
)


@pytest.fixture
def production_like(settings, tmp_path):
    """The production block of rusplan/settings.py, and our static files in a
    STATIC_ROOT that WhiteNoise reads when it starts."""
    shutil.copytree(settings.BASE_DIR / "static", tmp_path / "static")
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def debug_mode(settings):
    """DEBUG: WhiteNoise serves from the finders, nothing collected."""
    settings.DEBUG = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def _security_headers(response) -> dict:
    return {name: response.get(name) for name in SECURITY_HEADERS}


def _static(client, path):
    response = client.get(path, secure=True)
    assert response.status_code == 200
    # Served by WhiteNoise, not by a view further down.
    assert type(response).__module__.startswith("whitenoise")
    return response


@pytest.mark.usefixtures("production_like")
def test_a_static_file_has_the_pages_security_headers_in_production(client):
    page = client.get(reverse("home"), secure=True)
    static = _static(client, "/static/css/rusplan.css")

    assert page.status_code == 200
    headers = _security_headers(static)
    assert headers == _security_headers(page)
    assert None not in headers.values(), headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.usefixtures("debug_mode")
@pytest.mark.parametrize(
    "path",
    ["/static/css/rusplan.css", "/static/vendor/bootstrap/css/bootstrap.min.css"],
)
def test_a_static_file_has_the_pages_security_headers_in_debug(client, path):
    page = client.get(reverse("home"))
    static = _static(client, path)

    headers = _security_headers(static)
    assert headers == _security_headers(page)
    # No HSTS in development (plain HTTP); everything else is there.
    assert headers.pop("Strict-Transport-Security") is None
    assert None not in headers.values(), headers
