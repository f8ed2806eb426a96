"""Removing the demo data: every row the generator made, and nothing else."""

from django.db import connection, transaction
from django.db.models import Q

from measures.data.demo.rows import (
    demo_districts,
    demo_measures,
    demo_municipalities,
    demo_partners,
    demo_plans,
    indicator_models,
)
from measures.models import District, Goal, Measure, Plan, StatusUpdate
from measures.signals import public_data_changed
from partners.models import Membership, Municipality, Partner, PartnerName


def _raw_delete(model, where: str, params=()) -> int:
    """DELETE without loading the rows: Django's delete() would fetch every one of a
    million updates to send signals."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.rowcount


def _in(queryset) -> tuple[str, tuple]:
    """`IN (<the queryset's ids>)` for a raw DELETE. The SQL is Django's, compiled
    from our own queryset; values travel as parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return f"IN ({sql})", tuple(params)


def _delete_referring_rows(model, ids_sql: str, params: tuple, done: set) -> None:
    """Delete the rows of other models that point at the given rows of `model`
    (updates, partner roles, goal and district links, and any model added later,
    such as budget lines), so that no foreign key is left dangling."""
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related is model or related in done or relation.many_to_many:
            continue
        column = connection.ops.quote_name(relation.field.column)
        _raw_delete(related, f"{column} {ids_sql}", params)
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        column = connection.ops.quote_name(m2m.m2m_column_name())
        _raw_delete(through, f"{column} {ids_sql}", params)


@transaction.atomic
def demo_data_delete() -> dict[str, int]:
    """Remove every row the generator made, and nothing else. Returns counts.

    Raw DELETEs, like the inserts: no history rows for removing fake data, and no
    million-row fetch to send signals. A real row that points at demo data makes
    the transaction fail instead of losing that row."""
    deleted: dict[str, int] = {}
    done: set = set()
    Measure.objects.filter(pk__in=demo_measures().values("pk")).update(
        current_update=None
    )
    models = indicator_models()
    if models is not None:
        indicator, value = models
        in_indicators, ind_params = _in(
            indicator.objects.filter(
                Q(goal__plan__in=demo_plans()) | Q(measure__plan__in=demo_plans())
            )
        )
        deleted["indicator_values"] = _raw_delete(
            value, f"indicator_id {in_indicators}", ind_params
        )
        deleted["indicators"] = _raw_delete(
            indicator, f"id {in_indicators}", ind_params
        )
        done.add(indicator)
    in_measures, measures_params = _in(demo_measures())
    # What points at the demo updates: the citations of updates published on demo
    # measures (make bench's mixed round publishes some, citing a source).
    in_updates, updates_params = _in(
        StatusUpdate.objects.filter(measure__in=demo_measures())
    )
    _delete_referring_rows(StatusUpdate, in_updates, updates_params, {Measure})
    deleted["updates"] = _raw_delete(
        StatusUpdate, f"measure_id {in_measures}", measures_params
    )
    done.add(StatusUpdate)
    _delete_referring_rows(Measure, in_measures, measures_params, done)
    deleted["measures"] = _raw_delete(Measure, f"id {in_measures}", measures_params)
    in_goals, goals_params = _in(Goal.objects.filter(plan__in=demo_plans()))
    _delete_referring_rows(Goal, in_goals, goals_params, done)
    deleted["goals"] = _raw_delete(Goal, f"id {in_goals}", goals_params)
    in_plans, plans_params = _in(demo_plans())
    # A demo plan's sharing is its own; a real plan shared with a demo
    # municipality stops the delete below.
    _raw_delete(Plan.shared_with.through, f"plan_id {in_plans}", plans_params)
    deleted["plans"] = _raw_delete(Plan, f"id {in_plans}", plans_params)
    in_districts, districts_params = _in(demo_districts())
    deleted["districts"] = _raw_delete(District, f"id {in_districts}", districts_params)
    # Only the partners' own rows go with them; anything else that still points at
    # a demo partner (a real plan it owns, say) stops the delete with an error.
    in_partners, partners_params = _in(demo_partners())
    for model in (PartnerName, Membership, Partner.serves.through):
        _raw_delete(model, f"partner_id {in_partners}", partners_params)
    deleted["partners"] = _raw_delete(Partner, f"id {in_partners}", partners_params)
    in_municipalities, municipalities_params = _in(demo_municipalities())
    deleted["municipalities"] = _raw_delete(
        Municipality, f"id {in_municipalities}", municipalities_params
    )
    # Foreign keys are checked at commit; check now, so that the error comes from
    # here (and rolls this back) even inside a caller's transaction.
    connection.check_constraints()
    public_data_changed.send(sender=__name__, using=connection.alias)
    return deleted
