"""Reading an import row's cells: CSV gives text, XLSX typed values. Each parser
raises a ValidationError filed under the row's column, saying what to write
instead; collect_errors() gathers them so that a row reports all its problems at
once. Shared by the resources of this package.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from measures.models import Plan
from measures.numbers import parse_number
from measures.services import sources as source_services
from partners.text import invisible_error


def clean_cell(value):
    """A cell as read from CSV (text) or XLSX (typed): empty is "", text is
    stripped, numbers, dates and times are kept."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def invisible_errors(row: dict) -> dict[str, list]:
    """The row's cells with invisible characters (partners/text.py), by column:
    the row is refused with a message that names the column and the character."""
    errors = {}
    for column, value in row.items():
        error = invisible_error(column, value)
        if error is not None:
            errors[column] = list(error)
    return errors


def cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


def parse_date(value, column: str) -> datetime.date | None:
    if value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValidationError(
        {
            column: _(
                "«%(value)s» er ikke en dato. Skriv datoen som ÅÅÅÅ-MM-DD, for "
                "eksempel 2020-12-31."
            )
            % {"value": text}
        }
    )


def parse_whole(value, column: str, low: int, high: int) -> int | None:
    """A whole number from low to high, or None for an empty cell."""
    if value == "":
        return None
    number = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str | Decimal):
        try:
            parsed = parse_number(value)
        except ValidationError:
            parsed = None
        if parsed is not None and parsed == parsed.to_integral_value():
            number = int(parsed)
    if number is None or not low <= number <= high:
        raise ValidationError(
            {
                column: _(
                    "«%(value)s» går ikke: skriv et helt tall fra %(low)s til %(high)s."
                )
                % {"value": cell_text(value), "low": low, "high": high}
            }
        )
    return number


def parse_code(value, column: str, choices, *, blank: bool = False) -> str:
    """A code of `choices`; the label in the active language is accepted too."""
    text = cell_text(value)
    if text == "" and blank:
        return ""
    codes = {code for code, _label in choices if code}
    if text in codes:
        return text
    by_label = {str(label).casefold(): code for code, label in choices}
    if text.casefold() in by_label and by_label[text.casefold()]:
        return by_label[text.casefold()]
    if text == "":
        message = _("Kolonnen må fylles ut. Bruk en av: %(codes)s.")
    else:
        message = _("«%(value)s» er ikke en gyldig kode. Bruk en av: %(codes)s.")
    raise ValidationError(
        {column: message % {"value": text, "codes": ", ".join(sorted(codes))}}
    )


def parse_slugs(value) -> list[str]:
    return [part.strip() for part in cell_text(value).split("|") if part.strip()]


# Import-only column of status updates and indicator values: the links the row
# cites (docs/exports.md, "source_urls").
SOURCE_URLS = "source_urls"


# Errors on a source made from a link (source_services.resolve_sources) belong to
# the column the link came from.
SOURCE_ERROR_COLUMNS = {
    f"source_urls:{field}": SOURCE_URLS
    for field in ("url", "publisher", "title", "kind", "published_on", "date_note")
}


def parse_source_urls(value) -> list[str]:
    """One or more http(s) links separated by white space or ';', without
    repeats; a link of another kind is an error that names it."""
    urls = []
    for part in cell_text(value).replace(";", " ").split():
        try:
            url = source_services.check_url(part)
        except ValidationError:
            raise ValidationError(
                _(
                    "«%(url)s» er ikke en nettadresse som begynner med http:// eller "
                    "https://. Skriv én eller flere lenker, skilt med mellomrom "
                    "eller semikolon."
                )
                % {"url": Truncator(part).chars(80)}
            ) from None
        if url not in urls:
            urls.append(url)
    return urls


def cited_urls(instance) -> set[str]:
    return set(instance.citations.values_list("source__url", flat=True))


def differs(new, old) -> bool:
    """Whether a value read from a row differs from the stored one; text is
    compared without surrounding white space and with one kind of line break."""
    if isinstance(new, str) and isinstance(old, str):
        return new.replace("\r\n", "\n").strip() != old.replace("\r\n", "\n").strip()
    return new != old


def collect_errors(errors: dict, column: str, read):
    """Run read(); file its ValidationError under `column` and return None."""
    try:
        return read()
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else None
        if messages:
            for key, texts in messages.items():
                errors.setdefault(column if key == NON_FIELD_ERRORS else key, [])
                errors[column if key == NON_FIELD_ERRORS else key] += texts
        else:
            errors.setdefault(column, []).extend(error.messages)
        return None


def check_plan(row, plan: Plan, what: str) -> None:
    """The optional `plan` column must agree with the object's plan."""
    given = cell_text(row.get("plan", ""))
    if given and given != plan.slug:
        raise ValidationError(
            {
                "plan": _(
                    "%(what)s hører til planen «%(plan)s», ikke «%(given)s». Rett "
                    "kolonnen plan."
                )
                % {"what": what, "plan": plan.slug, "given": given}
            }
        )
