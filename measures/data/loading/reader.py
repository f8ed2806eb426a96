"""Reading and checking the shipped data file (bergen_plans.yaml or any file in its
format): the YAML itself, the keys each entry may and must have, and the values
turned into text, dates and numbers, every mistake a LoadError that names the entry.

Also the fields the loader owns on each model (docs/shipped-data.md). The loader
(measures/data/loading/loader.py) writes what this module reads.
"""

import datetime
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from measures.numbers import parse_number

DEFAULT_DATA_FILE = Path(__file__).resolve().parent.parent / "bergen_plans.yaml"

# The fields the loader owns on each model. Anything else (a plan's reporting
# interval, a measure's weight, relations of an existing measure) is left to the
# administrator.
PARTNER_FIELDS = ("name", "short_name", "kind", "parent", "website", "description")
PARTNER_NAME_FIELDS = ("valid_from", "valid_until", "dates_approximate")
SOURCE_FIELDS = (
    "publisher",
    "title",
    "kind",
    "published_on",
    "date_precision",
    "date_note",
    "external_id",
)
DISTRICT_FIELDS = ("name", "municipality")
PLAN_FIELDS = (
    "title",
    "short_title",
    "description",
    "start_year",
    "end_year",
    "adopted_on",
    "adopted_by",
    "adoption_note",
    "council_case_reference",
    "status",
    "owner",
    "predecessor",
    "uncertainty",
)
GOAL_FIELDS = (
    "title",
    "description",
    "order",
    "parent",
    "uncertainty",
)
MEASURE_FIELDS = (
    "plan",
    "identifier",
    "title",
    "description",
    "category",
    "planned_start",
    "planned_end",
    "continues",
    "uncertainty",
)
INDICATOR_FIELDS = (
    "title",
    "unit",
    "kind",
    "source_organisation",
    "description",
    "direction",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "goal",
    "measure",
    "small_number_threshold",
    "order",
    "uncertainty",
)
BUDGET_FIELDS = (
    "end_year",
    "allocated_nok",
    "spent_nok",
    "council_decision_reference",
    "note",
    "uncertainty",
)
# Every fact entry cites its sources with these keys (docs/shipped-data.md).
CITING_KEYS = ("sources", "field_sources")


class LoadError(Exception):
    """The data file is unreadable or one of its entries cannot be saved."""


def read_data_file(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise LoadError(
            _("Kunne ikke lese %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LoadError(
            _("%(path)s er ikke gyldig YAML: %(error)s")
            % {"path": path, "error": error}
        ) from error
    if not isinstance(data, dict):
        raise LoadError(
            _("%(path)s må inneholde delene partners, districts og plans.")
            % {"path": path}
        )
    check_keys(
        data,
        str(path),
        required=(),
        optional=(
            "namespace",
            "municipality",
            "sources",
            "partners",
            "districts",
            "plans",
            "indicators",
            "budgets",
        ),
    )
    return data


def check_keys(entry, where: str, *, required, optional) -> None:
    if not isinstance(entry, dict):
        raise LoadError(
            _("%(where)s: oppføringen er ikke en liste med felt.") % {"where": where}
        )
    # Unknown fields first: a misspelt key is also a missing one, and the typo is
    # the more useful thing to report.
    for key in entry:
        if key not in required and key not in optional:
            raise LoadError(
                _("%(where)s har et ukjent felt «%(key)s».")
                % {"where": where, "key": key}
            )
    for key in required:
        if key not in entry:
            raise LoadError(
                _("%(where)s mangler feltet «%(key)s».") % {"where": where, "key": key}
            )


def entry_list(data: dict, key: str, where: str) -> list:
    entries = data.get(key) or []
    if not isinstance(entries, list):
        raise LoadError(
            _("%(where)s: «%(key)s» må være en liste.") % {"where": where, "key": key}
        )
    return entries


def as_text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def as_date(value, where: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as error:
        raise LoadError(
            _("%(where)s: «%(value)s» er ikke en dato. Skriv ÅÅÅÅ-MM-DD.")
            % {"where": where, "value": value}
        ) from error


def as_decimal(value, where: str) -> Decimal:
    try:
        return parse_number(value)
    except ValidationError as error:
        raise LoadError(
            _("%(where)s: «%(value)s» er ikke et tall.")
            % {"where": where, "value": value}
        ) from error
