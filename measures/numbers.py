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
