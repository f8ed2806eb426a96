from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from measures import permissions
from measures.models import Goal, Indicator, Measure, Source
from measures.services.base import check, validated_save
from measures.services.sources import cite


def load_indicator(indicator: Indicator) -> Indicator:
    return Indicator.objects.select_related(
        "goal__plan__owner", "measure__plan__owner"
    ).get(pk=indicator.pk)


# Indicators ----------------------------------------------------------------------


def _check_owner(goal: Goal | None, measure: Measure | None) -> None:
    if (goal is None) == (measure is None):
        raise ValidationError(
            _("Knytt indikatoren til enten et mål eller et tiltak, ikke begge."),
            code="invalid",
        )


@transaction.atomic
def indicator_create(
    *,
    title: str,
    slug: str,
    goal: Goal | None = None,
    measure: Measure | None = None,
    actor,
    sources: Sequence[Source] = (),
    **fields,
) -> Indicator:
    """An indicator of a goal (outcome) or of a measure (output), not both, citing
    `sources`."""
    _check_owner(goal, measure)
    plan = (goal or measure).plan
    check(actor, lambda user: permissions.can_manage_indicators(user, plan))
    indicator = Indicator(title=title, slug=slug, goal=goal, measure=measure, **fields)
    validated_save(indicator, actor=actor)
    cite(target=indicator, sources=list(sources))
    return indicator


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor,
    sources: Sequence[Source] | None = None,
    **fields,
) -> Indicator:
    """Change an indicator; `sources` (None: unchanged) replace what it cites."""
    check(actor, lambda user: permissions.can_manage_indicators(user, indicator.plan))
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check_owner(indicator.goal, indicator.measure)
    # Moving an indicator to another plan needs the right there too.
    check(actor, lambda user: permissions.can_manage_indicators(user, indicator.plan))
    validated_save(indicator, actor=actor)
    if sources is not None:
        cite(target=indicator, sources=list(sources))
    return indicator
