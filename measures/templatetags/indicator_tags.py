"""Number and money formatting for templates (measures/numbers.py, and the small-number
rule of measures/selectors/small_numbers.py)."""

from django import template

from measures.numbers import format_nok, format_number

register = template.Library()


@register.filter
def nok(amount) -> str:
    """1234567 -> "kr 1 234 567" (no-break spaces); None -> ""."""
    return format_nok(amount)


@register.filter
def number(value) -> str:
    """1060 -> "1 060", Decimal("18.30") -> "18,3"."""
    if value is None or value == "":
        return ""
    return format_number(value)
