from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from measures import permissions
from measures.models import BudgetLine, Measure, Source
from measures.services.base import check, validated_save
from measures.services.sources import cite


def _plan(line: BudgetLine):
    return line.measure.plan


# Budget lines ----------------------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    measure: Measure,
    year: int,
    allocated_nok: int,
    spent_nok: int | None = None,
    actor,
    sources: Sequence[Source] = (),
    **fields,
) -> BudgetLine:
    """A budget line for a measure and a year (one per year and kind; a future
    year is allowed: budgets are decided ahead), citing `sources`."""
    check(actor, lambda user: permissions.can_manage_budget(user, measure.plan))
    line = BudgetLine(
        measure=measure,
        year=year,
        allocated_nok=allocated_nok,
        spent_nok=spent_nok,
        **fields,
    )
    validated_save(line, actor=actor)
    cite(target=line, sources=list(sources))
    return line


@transaction.atomic
def budget_line_update(
    *,
    budget_line: BudgetLine,
    actor,
    sources: Sequence[Source] | None = None,
    **fields,
) -> BudgetLine:
    """Change a budget line; `sources` (None: unchanged) replace what it cites."""
    check(actor, lambda user: permissions.can_manage_budget(user, _plan(budget_line)))
    for name, value in fields.items():
        setattr(budget_line, name, value)
    check(actor, lambda user: permissions.can_manage_budget(user, _plan(budget_line)))
    validated_save(budget_line, actor=actor)
    if sources is not None:
        cite(target=budget_line, sources=list(sources))
    return budget_line
