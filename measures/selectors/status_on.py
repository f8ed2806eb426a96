"""A measure's published status on a day, as one text column for the queries that
look back in time (what changed, progress over time), and the subquery for the
update in force on a day.

Why a text column: one value per measure and day instead of four, and a string
splits far faster than a JSON value decodes.

Why StatusOn writes its SQL out instead of composing Case, Subquery, Concat, Cast
and Coalesce: Django built and compiled those anew for every day on every page, and
that was most of the time of these queries (progress over time of a plan with 28
measures: about 8 of its 10 ms; "what changed" of the largest plan: 10 ms to build
and compile one query). The SQL below is the same in PostgreSQL and SQLite, and the
test suite runs on both.
"""

import datetime

from django.db.models import CharField, Expression, F, OuterRef, QuerySet

from measures.models import StatusUpdate

STATUS_FIELDS = ("phase", "health", "progress", "as_of")


def _text(column: str, fields) -> str:
    """ "phase|health|progress[|as_of]" of the row whose columns `column(name)`
    names ('' for a NULL progress; the choice values hold no "|")."""
    return " || '|' || ".join(
        f"COALESCE(CAST({column(name)} AS TEXT), '')" for name in fields
    )


class StatusOn(Expression):
    """For a query over measures: the measure's published status in force on
    `day` as "phase|health|progress|as_of" (as_of in ISO form, so that the texts
    sort as the dates do; left out with `with_as_of=False`), NULL when it had none.

    Its current status when that is dated by then (refresh_current_status() keeps
    it), else the update in force then: one step back in the index
    statusupdate_published_measure, only for measures updated after `day`."""

    output_field = CharField()

    def __init__(self, day: datetime.date, *, with_as_of: bool = True):
        super().__init__()
        self.day = day
        self.fields = STATUS_FIELDS if with_as_of else STATUS_FIELDS[:3]
        self.columns: dict[str, Expression] = {}

    def resolve_expression(self, query=None, *args, **kwargs):
        clone = self.copy()
        # The outer measure's columns, with whatever alias the query gives it.
        clone.columns = {
            name: F(name).resolve_expression(query, *args, **kwargs)
            for name in ("pk", "current_as_of", *(f"current_{f}" for f in self.fields))
        }
        return clone

    def as_sql(self, compiler, connection):
        measure = {name: compiler.compile(col)[0] for name, col in self.columns.items()}
        update = StatusUpdate._meta.db_table
        quote = connection.ops.quote_name
        day = connection.ops.adapt_datefield_value(self.day)
        current = _text(lambda name: measure[f"current_{name}"], self.fields)
        in_force = _text(lambda name: f"u.{quote(name)}", self.fields)
        # Only names from the models and the query's own column references are
        # written in; the day and the state are parameters.
        sql = (
            f"CASE WHEN {measure['current_as_of']} IS NULL THEN NULL"  # noqa: S608
            f" WHEN {measure['current_as_of']} <= %s THEN {current}"
            f" ELSE (SELECT {in_force} FROM {quote(update)} u"
            f" WHERE u.{quote('measure_id')} = {measure['pk']}"
            f" AND u.{quote('state')} = %s AND u.{quote('as_of')} <= %s"
            f" ORDER BY u.{quote('as_of')} DESC, u.{quote('published_at')} DESC,"
            f" u.{quote('id')} DESC LIMIT 1) END"
        )
        return sql, [day, StatusUpdate.State.PUBLISHED.value, day]


def split_status(text: str) -> tuple:
    """(phase, health, progress[, as_of in ISO form]) of a status text."""
    phase, health, progress, *as_of = text.split("|")
    return (phase, health, int(progress) if progress else None, *as_of)


def update_in_force_on(day: datetime.date) -> QuerySet[StatusUpdate]:
    """For a subquery over measures: the outer measure's published updates dated
    by `day`, the one in force then first (its first row is one step back in the
    index statusupdate_published_measure)."""
    return StatusUpdate.objects.filter(
        state=StatusUpdate.State.PUBLISHED,
        measure_id=OuterRef("pk"),
        as_of__lte=day,
    ).order_by("-as_of", "-published_at", "-id")
