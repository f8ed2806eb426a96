"""System checks: `check` and `migrate` print no warnings about the covering
indexes SQLite cannot build (decision 48): silenced on SQLite, built (so nothing to
warn about) on PostgreSQL. The suite runs on both (.ci/run)."""

from io import StringIO

import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.db import connection

# The checks run with the database, as `migrate` runs them: W040 is a database
# check, and a JSONField's check asks SQLite whether it supports JSON.
pytestmark = pytest.mark.django_db


def test_check_reports_no_covering_index_warning():
    out, err = StringIO(), StringIO()
    # With the database, as `migrate` runs them: W040 is a database check.
    call_command("check", databases=["default"], stdout=out, stderr=err)
    assert "W040" not in out.getvalue() + err.getvalue()
    assert "System check identified no issues" in out.getvalue()


def test_migrate_prints_no_warnings():
    out, err = StringIO(), StringIO()
    call_command("migrate", "--check", stdout=out, stderr=err)
    assert "WARNINGS" not in out.getvalue() + err.getvalue()


def test_only_the_two_covering_indexes_are_what_sqlite_silences():
    """On SQLite the silence hides exactly the two known INCLUDE indexes: a new
    kind of warning, or W040 on another model, would be noticed here first. On
    PostgreSQL nothing is silenced and the indexes raise no W040 at all."""
    found = [
        message
        for message in checks.run_checks(
            tags=[checks.Tags.models], databases=["default"]
        )
        if message.id == "models.W040"
    ]
    on_sqlite = connection.vendor == "sqlite"
    expected = ["measures.Measure", "measures.StatusUpdate"] if on_sqlite else []
    assert sorted(str(message.obj._meta.label) for message in found) == expected
    silenced = ["models.W040"] if on_sqlite else []
    assert silenced == settings.SILENCED_SYSTEM_CHECKS
