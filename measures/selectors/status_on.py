"""A measure's published status on a day, as one text column for the queries that
look back in time (what changed, progress over time), and the id of the update in
force on a day (the newest updates of a plan up to its report date).

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

from django.db.models import CharField, Expression, F, IntegerField

from measures.models import StatusUpdate

STATUS_FIELDS = ("phase", "health", "progress", "as_of")


def _text(column: str, fields) -> str:
    """ "phase|health|progress[|as_of]" of the row whose columns `column(name)`
    names ('' for a NULL progress; the choice values hold no "|")."""
    return " || '|' || ".join(
        f"COALESCE(CAST({column(name)} AS TEXT), '')" for name in fields
    )


def compile_columns(compiler, columns: dict) -> dict[str, str]:
    """The SQL of each of the outer query's columns: plain column references,
    which take no parameters (anything that did would misalign the expression's
    own, so it is refused)."""
    compiled = {}
    for name, column in columns.items():
        sql, params = compiler.compile(column)
        if params:
            raise ValueError(f"{name}: a column reference with parameters")
        compiled[name] = sql
    return compiled


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
        if self.columns:
            # Resolved already: a query used as a subquery resolves its
            # annotations again against the outer query, whose model is not ours.
            return self
        clone = self.copy()
        # The outer measure's columns, with whatever alias the query gives it.
        clone.columns = {
            name: F(name).resolve_expression(query, *args, **kwargs)
            for name in ("pk", "current_as_of", *(f"current_{f}" for f in self.fields))
        }
        return clone

    # The columns as source expressions: a query used as a subquery renames its
    # tables (U0, V0...) through them (relabeled_clone()).
    def get_source_expressions(self):
        return list(self.columns.values())

    def set_source_expressions(self, exprs):
        self.columns = dict(zip(self.columns, exprs, strict=True))

    def as_sql(self, compiler, connection):
        measure = compile_columns(compiler, self.columns)
        current = _text(lambda name: measure[f"current_{name}"], self.fields)
        in_force = _text(
            lambda name: f"u.{connection.ops.quote_name(name)}", self.fields
        )
        return _current_or_in_force(
            connection,
            measure["pk"],
            measure["current_as_of"],
            current,
            in_force,
            self.day,
        )


class UpdateInForce(StatusOn):
    """For a query over measures: the id of the measure's published update in
    force on `day` (NULL when it had none); as StatusOn, its current update when
    that is dated by then, else one step back in the index."""

    output_field = IntegerField()

    def __init__(self, day: datetime.date):
        super().__init__(day, with_as_of=False)
        self.fields = ()

    def resolve_expression(self, query=None, *args, **kwargs):
        if self.columns:
            return self
        clone = super().resolve_expression(query, *args, **kwargs)
        clone.columns["current_update_id"] = F("current_update_id").resolve_expression(
            query, *args, **kwargs
        )
        return clone

    def as_sql(self, compiler, connection):
        measure = compile_columns(compiler, self.columns)
        return _current_or_in_force(
            connection,
            measure["pk"],
            measure["current_as_of"],
            measure["current_update_id"],
            f"u.{connection.ops.quote_name('id')}",
            self.day,
        )


def _current_or_in_force(
    connection, pk: str, current_as_of: str, current: str, in_force: str, day
) -> tuple[str, list]:
    """`current` (SQL over the measure's current_* columns) when its current status
    is dated by `day`, else `in_force` (SQL over the update u in force on `day`),
    NULL for a measure with no published update."""
    quote = connection.ops.quote_name
    update = quote(StatusUpdate._meta.db_table)
    day = connection.ops.adapt_datefield_value(day)
    # Only names from the models and the query's own column references are
    # written in; the day and the state are parameters.
    sql = (
        f"CASE WHEN {current_as_of} IS NULL THEN NULL"  # noqa: S608
        f" WHEN {current_as_of} <= %s THEN {current}"
        f" ELSE (SELECT {in_force} FROM {update} u"
        f" WHERE u.{quote('measure_id')} = {pk}"
        f" AND u.{quote('state')} = %s AND u.{quote('as_of')} <= %s"
        f" ORDER BY u.{quote('as_of')} DESC, u.{quote('published_at')} DESC,"
        f" u.{quote('id')} DESC LIMIT 1) END"
    )
    return sql, [day, StatusUpdate.State.PUBLISHED.value, day]


def split_status(text: str) -> tuple:
    """(phase, health, progress[, as_of in ISO form]) of a status text."""
    phase, health, progress, *as_of = text.split("|")
    return (phase, health, int(progress) if progress else None, *as_of)
