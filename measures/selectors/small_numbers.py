"""The one rule for small numbers.

public_value() is the only place that decides how an indicator value is shown to a
user: every channel (pages, SVG charts, data tables, CSV, API and PDF) goes through
it, so a count of people below the indicator's threshold is never shown exactly to
someone who may not see it. docs/council-guide.md explains the "< 5" convention to
readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from measures import permissions
from measures.models import Indicator, IndicatorValue
from measures.numbers import NBSP, format_nok, format_number


def format_value(kind: str, number: Decimal) -> str:
    """A value with the unit its kind implies (kroner, percent)."""
    if kind == Indicator.Kind.NOK:
        return format_nok(number)
    if kind == Indicator.Kind.PERCENT:
        return f"{format_number(number)}{NBSP}%"
    return format_number(number)


# The small-number rule ------------------------------------------------------------


@dataclass(frozen=True)
class PublicValue:
    """A value as one user may see it. `number` is None when it is hidden; a chart
    then draws up to `ceiling` (the threshold), hatched, with `text` ("< 5")."""

    text: str
    number: Decimal | None
    suppressed: bool = False
    ceiling: Decimal | None = None


def is_small_number(indicator: Indicator, number: Decimal) -> bool:
    """A count of people below the indicator's threshold (0 counts too)."""
    return (
        indicator.kind == Indicator.Kind.PEOPLE
        and indicator.small_number_threshold > 0
        and number < indicator.small_number_threshold
    )


def public_value(
    indicator: Indicator,
    value: IndicatorValue | Decimal | int | None,
    *,
    user,
    qualifier: str | None = None,
) -> PublicValue | None:
    """How `value` (an IndicatorValue or a bare number, e.g. a baseline) of
    `indicator` is shown to `user`.

    A count of people below the indicator's threshold is shown as "< N" unless the
    user is staff of the responsible partner or an administrator
    (permissions.can_see_exact_small_numbers). The indicator must come with its
    goal__plan or measure__plan (and measure partner roles) loaded.
    """
    if value is None:
        return None
    if isinstance(value, IndicatorValue):
        qualifier = value.qualifier if qualifier is None else qualifier
        value = value.value
    number = Decimal(value)
    if is_small_number(indicator, number) and not (
        permissions.can_see_exact_small_numbers(user, indicator)
    ):
        threshold = indicator.small_number_threshold
        return PublicValue(
            text=f"<{NBSP}{threshold}",
            number=None,
            suppressed=True,
            ceiling=Decimal(threshold),
        )
    text = format_value(indicator.kind, number)
    if qualifier == IndicatorValue.Qualifier.APPROXIMATELY:
        text = _("ca. %(value)s") % {"value": text}
    elif qualifier == IndicatorValue.Qualifier.MORE_THAN:
        text = _("over %(value)s") % {"value": text}
    return PublicValue(text=text, number=number)
