"""Norwegian numbers: reading what a person typed ("1 060", "18,3") and writing
numbers the Norwegian way (groups of three with a no-break space, decimal comma)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def parse_number(raw, *, field: str = "value") -> Decimal:
    """A Decimal from what a person typed: "1 060", "18,3" and "18.3" are numbers;
    "abc", "", NaN and infinities are not (ValidationError on `field`)."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite():
        message = _("Verdien må være et tall, for eksempel 27 eller 18,3.")
        raise ValidationError({field: ValidationError(message, code="not_a_number")})
    return number


NBSP = "\u00a0"


# Formatting ----------------------------------------------------------------------


def format_number(number: Decimal | int) -> str:
    """Norwegian style: groups of three with a no-break space, decimal comma,
    no trailing zeros ("1 060", "18,3")."""
    number = Decimal(number)
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _sep, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = NBSP.join(groups)
    if fraction:
        result += "," + fraction
    return sign + result


def format_nok(amount: Decimal | int | None) -> str:
    """Money as "kr 1 234 567"; empty for None."""
    if amount is None:
        return ""
    return f"kr{NBSP}{format_number(amount)}"
