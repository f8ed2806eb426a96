"""Backup and restore as docs/deploy.md describes them: pg_dump in the custom format,
pg_restore into a new, empty database, and the restored database holds the same rows
and serves the same pages. PostgreSQL only (DATABASE_URL=postgres://...)."""

import os
import re
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client

from measures.models import Measure, Plan, StatusUpdate
from rusplan.page_cache import CACHE_STATUS_HEADER
from tests.support.requirements import POSTGRESQL_ONLY

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    POSTGRESQL_ONLY,
]

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _pg(*args: str) -> subprocess.CompletedProcess:
    """Run a PostgreSQL client program against the test database's server."""
    program = shutil.which(args[0])
    if program is None:
        pytest.fail(f"{args[0]} is not installed (Debian: postgresql-client)")
    db = connection.settings_dict
    environment = {
        **os.environ,
        "PGHOST": db["HOST"] or "",
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": db["USER"] or "",
        "PGPASSWORD": db["PASSWORD"] or "",
    }
    result = subprocess.run(  # noqa: S603 - fixed program names, our arguments
        [program, *args[1:]],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args[0]}: {result.stderr}"
    return result


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _pages(urls: list[str]) -> dict[str, str]:
    # Rendered from the database, not from the page cache.
    cache.clear()
    client = Client()
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[CACHE_STATUS_HEADER] == "miss", url
        pages[url] = CSRF_VALUE.sub("", response.text)
    return pages


@pytest.fixture
def restored_database_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    _pg("dropdb", "--if-exists", "--force", name)
    yield name
    _pg("dropdb", "--if-exists", "--force", name)


def test_pg_dump_and_pg_restore_give_the_same_rows_and_the_same_pages(
    tmp_path, restored_database_name
):
    call_command("load_bergen_plans", verbosity=0)
    # A public plan with measures (the 2024 plan, on consultation, has none yet).
    measure = (
        Measure.objects.exclude(plan__status=Plan.Status.DRAFT)
        .select_related("plan")
        .order_by("plan__slug", "slug")
        .first()
    )
    urls = [
        "/",
        "/bergen/",
        measure.plan.get_absolute_url(),
        measure.get_absolute_url(),
        "/bergen/kilder/",
    ]
    original_counts = _row_counts()
    original_pages = _pages(urls)
    assert original_counts["measures_measure"] > 0
    assert original_counts["measures_statusupdate"] == StatusUpdate.objects.count() > 0
    dump = tmp_path / "rusplan.dump"
    original_name = connection.settings_dict["NAME"]

    _pg("pg_dump", "--format=custom", f"--file={dump}", original_name)
    _pg("createdb", restored_database_name)
    _pg(
        "pg_restore",
        "--no-owner",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={restored_database_name}",
        str(dump),
    )
    connection.close()
    connection.settings_dict["NAME"] = restored_database_name
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == restored_database_name
        restored_counts = _row_counts()
        restored_pages = _pages(urls)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original_name

    assert restored_counts == original_counts
    assert restored_pages == original_pages
