"""/healthz: the database and the cache, for load balancers and monitoring."""

import socket

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"


def test_healthz_sets_no_cookie_and_makes_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert not response.cookies
    assert captured.captured_queries[0]["sql"].strip().upper() == "SELECT 1"


def test_healthz_reports_a_cache_that_does_not_answer_as_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "rusplan.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}


def test_healthz_reports_a_database_that_does_not_answer_as_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("the database is gone")

    # Django's connection, not our code: the test stands in for a stopped server.
    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_healthz_rejects_post_and_changes_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post("/healthz")

    assert response.status_code == 405
