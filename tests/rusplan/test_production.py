"""Production mode: error pages without tracebacks, hashed static files, database
connection health checks, JSON logs, and gunicorn with its configuration file."""

import gc
import json
import logging
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import path

from rusplan import urls as root_urls
from rusplan.log_format import JsonFormatter
from tests.support.processes import PRODUCTION, run_python

BASE_DIR = django_settings.BASE_DIR
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")


def _explode(request):
    raise RuntimeError("secret internal detail")


# This module doubles as a URLconf with a view that fails (ROOT_URLCONF below).
# The site's patterns are spliced in, not included: Django allows i18n_patterns
# only at the top of the root URLconf.
urlpatterns = [
    path("boom/", _explode),
    *root_urls.urlpatterns,
]


@pytest.fixture
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_missing_page_shows_the_404_page_without_details(production_errors):
    response = production_errors.get("/finnes-ikke/")

    assert response.status_code == 404
    assert "Fant ikke siden" in response.text
    assert "Traceback" not in response.text
    assert "urlpatterns" not in response.text


@pytest.mark.django_db
def test_server_error_shows_the_500_page_and_logs_the_traceback(
    production_errors, caplog
):
    caplog.set_level(logging.ERROR, logger="django.request")

    response = production_errors.get("/boom/")

    assert response.status_code == 500
    assert "Noe gikk galt" in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged
    assert logged[0].exc_info[1].args == ("secret internal detail",)


def test_json_log_line_holds_status_path_and_traceback_in_one_record(rf):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/boom/",),
            sys.exc_info(),
            extra={"status_code": 500, "request": rf.get("/boom/?q=1")},
        )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["level"] == "ERROR"
    assert payload["logger"] == "django.request"
    assert payload["event"] == "Internal Server Error: /boom/"
    assert payload["status"] == 500
    assert payload["method"] == "GET"
    assert payload["path"] == "/boom/"
    assert "RuntimeError: boom" in payload["exception"]


PRINT_PRODUCTION_SETTINGS = """
import json, logging
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "conn_health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "console_formatter": type(
        logging.getLogger().handlers[0].formatter).__module__,
    "redirect_exempt": settings.SECURE_REDIRECT_EXEMPT,
}))
"""


def test_production_uses_hashed_compressed_static_files_and_json_logs():
    result = run_python(
        ["-c", PRINT_PRODUCTION_SETTINGS],
        DJANGO_SETTINGS_MODULE="rusplan.settings",
        DJANGO_CONN_MAX_AGE="60",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "conn_max_age": 60,
        "conn_health_checks": True,
        "console_formatter": "rusplan.log_format",
        "redirect_exempt": ["^healthz$"],
    }


def test_gunicorn_accepts_its_configuration_in_production_mode():
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own gunicorn
        [GUNICORN, "--check-config", "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_freezes_what_the_master_loaded_before_forking_a_worker():
    # The collector's full pass in a worker took 117 ms with the objects the
    # master loaded, 50 ms without them (docs/benchmarks.md).
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        config["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()


def test_gunicorn_workers_examine_young_objects_less_often():
    # A page's short-lived objects promoted by frequent young collections made a
    # full collection every few requests (docs/benchmarks.md).
    config = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    before = gc.get_threshold()
    try:
        config["post_fork"](server=None, worker=None)
        assert gc.get_threshold() == (20_000, before[1], before[2])
    finally:
        gc.set_threshold(*before)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    request = urllib.request.Request(url, headers={"Host": "rusplan.example.no"})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_gunicorn_serves_healthz_over_plain_http_and_logs_json(tmp_path):
    port = _free_port()
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **PRODUCTION,
        "DJANGO_ALLOWED_HOSTS": "rusplan.example.no",
        # /healthz runs only SELECT 1: an empty database will do.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    out = (tmp_path / "stdout").open("w")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments, our own gunicorn
        [GUNICORN, "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=environment,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "stdout").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        home_status, home_headers, _ = _get(f"http://127.0.0.1:{port}/")
    finally:
        server.terminate()
        server.wait(timeout=30)
        out.close()

    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "Set-Cookie" not in headers
    # Everything else is redirected to HTTPS in production.
    assert home_status == 301
    assert home_headers["Location"].startswith("https://rusplan.example.no/")
    access = [
        json.loads(line)
        for line in (tmp_path / "stdout").read_text().splitlines()
        if '"gunicorn.access"' in line
    ]
    assert {"path": "/healthz", "status": 200} in [
        {"path": entry["path"], "status": entry["status"]} for entry in access
    ]
