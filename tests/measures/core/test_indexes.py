"""The indexes the migrations leave in the database, on SQLite and PostgreSQL.

Migrations 0018 and 0019 drop a foreign key's own index by name in SQL (so that
the foreign key itself is not dropped and checked again) and tell Django's state
the field has none: if that name were wrong on one database, the old index would
stay there unseen by `makemigrations --check`. The composite indexes that replace
them lead with the same column, so every lookup by it still has an index."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: info["columns"]
        for name, info in constraints.items()
        if info["index"] and not info["primary_key"]
    }


def test_a_plans_measures_are_indexed_by_plan_and_id_only():
    indexes = _indexes("measures_measure")
    assert indexes["measure_plan_in_id_order"] == ["plan_id", "id"]
    assert ["plan_id"] not in indexes.values()


def test_a_partners_roles_are_indexed_by_partner_role_and_measure_only():
    indexes = _indexes("measures_measurepartner")
    expected = ["partner_id", "role", "measure_id"]
    assert indexes["measurepartner_partner_role"] == expected
    assert ["partner_id"] not in indexes.values()
