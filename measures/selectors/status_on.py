"""A measure's published status on a day, as one text column for the queries that
look back in time (what changed, progress over time).

Why a text column: one value per measure and day instead of four, and a string
splits far faster than a JSON value decodes. Why hand-written SQL functions rather
than Concat/Cast/Coalesce: Django built and compiled the query of the largest plan
in about 10 ms with those (each Concat nests a pair per argument), half the time of
the query itself; these compile in a fraction of that and read the same in
PostgreSQL and SQLite.
"""

import datetime

from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from measures.models import StatusUpdate

STATUS_FIELDS = ("phase", "health", "progress", "as_of")


class _Text(Func):
    """The column as text, '' for NULL."""

    template = "COALESCE(CAST(%(expressions)s AS TEXT), '')"
    output_field = CharField()


class _Joined(Func):
    """The texts joined by "|" (no choice value holds one)."""

    arg_joiner = " || '|' || "
    template = "%(expressions)s"
    output_field = CharField()


def status_text(prefix: str = "", *, with_as_of: bool = True) -> _Joined:
    """ "phase|health|progress|as_of" of an update, or with prefix "current_" the
    measure's current status (progress '' when not assessed; as_of in ISO form,
    so that the texts sort as the dates do; left out `with_as_of=False`)."""
    names = STATUS_FIELDS if with_as_of else STATUS_FIELDS[:3]
    return _Joined(*(_Text(F(prefix + name)) for name in names))


def update_in_force_on(day: datetime.date) -> QuerySet[StatusUpdate]:
    """For a subquery over measures: the outer measure's published updates dated
    by `day`, the one in force then first (its first row is one step back in the
    index statusupdate_published_measure)."""
    return StatusUpdate.objects.filter(
        state=StatusUpdate.State.PUBLISHED,
        measure_id=OuterRef("pk"),
        as_of__lte=day,
    ).order_by("-as_of", "-published_at", "-id")


def status_on(day: datetime.date, *, with_as_of: bool = True) -> Case:
    """The measure's published status in force on `day` (status_text(), NULL when
    it had none): its current status when that is dated by then
    (refresh_current_status() keeps it), else the update in force then, one step
    back in the index statusupdate_published_measure."""
    return Case(
        # No current status: no published update at all.
        When(current_as_of__isnull=True, then=Value(None)),
        When(
            current_as_of__lte=day,
            then=status_text("current_", with_as_of=with_as_of),
        ),
        default=Subquery(
            update_in_force_on(day).values(status=status_text(with_as_of=with_as_of))[
                :1
            ]
        ),
        output_field=CharField(),
    )


def split_status(text: str) -> tuple:
    """(phase, health, progress[, as_of in ISO form]) of a status_text()."""
    phase, health, progress, *as_of = text.split("|")
    return (phase, health, int(progress) if progress else None, *as_of)
