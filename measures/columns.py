"""The columns of Rusplan's CSV and XLSX files and how a cell is written safely:
one definition for the exports (measures/reporting/exports.py) and the admin's
imports, which read the same columns, so a change here is a change to both. The
format is specified in docs/exports.md."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

CSV_DELIMITER = ";"  # what Excel expects where the decimal mark is a comma


LIST_SEPARATOR = "|"  # between slugs in one cell (slugs never contain it)


# A spreadsheet runs a cell that starts with one of these as a formula
# (OWASP: CSV injection). CSV cells that start with one get a leading apostrophe.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str  # stable: never translated, never renamed (docs/exports.md)
    description: str  # translatable


# --- The datasets -----------------------------------------------------------------

MEASURE_COLUMNS = (
    Column("plan", _("Planens nettadressenavn (nøkkel), som i /planer/<plan>/")),
    Column("slug", _("Tiltakets nettadressenavn (nøkkel), som i /tiltak/<tiltak>/")),
    Column("identifier", _("Tiltaksnummeret i planen, om planen nummererer tiltakene")),
    Column("title", _("Tittel")),
    Column("description", _("Beskrivelse")),
    Column("category", _("Kategori (kode)")),
    Column("category_label", _("Kategori (tekst)")),
    Column("goals", _("Målene tiltaket hører til (nettadressenavn, skilt med |)")),
    Column("lead", _("Ansvarlig partner (nettadressenavn)")),
    Column("lead_name", _("Ansvarlig partner (navn nå)")),
    Column("contributors", _("Bidragsytere (nettadressenavn, skilt med |)")),
    Column("districts", _("Bydeler (nettadressenavn, skilt med |)")),
    Column("planned_start", _("Planlagt start (ÅÅÅÅ-MM-DD)")),
    Column("planned_end", _("Planlagt slutt (ÅÅÅÅ-MM-DD)")),
    Column("weight", _("Vekt i fremdriften for mål og plan (1–100)")),
    Column(
        "continues", _("Videreført fra: tiltaket i forløperplanen (nettadressenavn)")
    ),
    Column("source_urls", _("Kilder (nettadresser, skilt med |)")),
    Column("uncertainty", _("Usikkerhet: hva kildene er uenige om (tom: ingen)")),
    Column("phase", _("Fase nå (kode; tom: ingen status registrert)")),
    Column("phase_label", _("Fase nå (tekst)")),
    Column("health", _("Vurdering nå, trafikklyset (kode; tom: ikke vurdert)")),
    Column("health_label", _("Vurdering nå (tekst)")),
    Column("progress", _("Fremdrift nå i prosent (tom: ikke vurdert)")),
    Column("status_as_of", _("Dato for gjeldende status (ÅÅÅÅ-MM-DD)")),
    Column("status_update_id", _("Id for gjeldende statusoppdatering")),
    Column("url", _("Tiltakets side i Rusplan")),
    Column("licence", _("Lisens: NLOD 2.0")),
)


UPDATE_COLUMNS = (
    Column("id", _("Statusoppdateringens id i Rusplan (nøkkel)")),
    Column(
        "external_id", _("Ekstern nøkkel, for data som er importert eller følger med")
    ),
    Column("plan", _("Planens nettadressenavn")),
    Column("measure", _("Tiltakets nettadressenavn (nøkkel for tiltaket)")),
    Column("measure_identifier", _("Tiltaksnummeret i planen")),
    Column("measure_title", _("Tiltakets tittel")),
    Column("as_of", _("Status per (ÅÅÅÅ-MM-DD)")),
    Column("phase", _("Fase (kode)")),
    Column("phase_label", _("Fase (tekst)")),
    Column("health", _("Vurdering, trafikklyset (kode; tom: ikke vurdert)")),
    Column("health_label", _("Vurdering (tekst)")),
    Column("progress", _("Fremdrift i prosent (tom: ikke vurdert)")),
    Column("summary", _("Sammendrag")),
    Column("source_urls", _("Kilder (nettadresser, skilt med |)")),
    Column("uncertainty", _("Usikkerhet: hva kildene er uenige om (tom: ingen)")),
    Column(
        "published_at", _("Publisert (tid i Europe/Oslo; i CSV med UTC-forskyvning)")
    ),
    Column("url", _("Tiltakets side i Rusplan, med alle publiserte oppdateringer")),
    Column("licence", _("Lisens: NLOD 2.0")),
)


INDICATOR_VALUE_COLUMNS = (
    Column("id", _("Verdiens id i Rusplan (nøkkel)")),
    Column("plan", _("Planens nettadressenavn")),
    Column("indicator", _("Indikatorens nettadressenavn (nøkkel for indikatoren)")),
    Column("indicator_title", _("Indikatorens tittel")),
    Column("goal", _("Målet indikatoren hører til (effekt), nettadressenavn")),
    Column("measure", _("Tiltaket indikatoren hører til (resultat), nettadressenavn")),
    Column("kind", _("Type tall (kode)")),
    Column("unit", _("Enhet")),
    Column("period_type", _("Periodetype: year, tertial eller month")),
    Column("year", _("År")),
    Column(
        "number", _("Periodenummer: 1 for et år, 1–3 for et tertial, 1–12 for en måned")
    ),
    Column("period_label", _("Perioden (tekst)")),
    Column("value", _("Verdien (tom når den er skjermet som lite tall)")),
    Column(
        "value_text", _("Verdien slik den vises, for eksempel «< 5» eller «ca. 12»")
    ),
    Column(
        "qualifier",
        _("Presisjon (kode): tom = eksakt, approx = omtrent, more_than = over"),
    ),
    Column("suppressed", _("1 når verdien er et lite tall som er skjermet, ellers 0")),
    Column("note", _("Merknad")),
    Column("source_urls", _("Kilder (nettadresser, skilt med |)")),
    Column("uncertainty", _("Usikkerhet: hva kildene er uenige om (tom: ingen)")),
    Column(
        "published_at", _("Publisert (tid i Europe/Oslo; i CSV med UTC-forskyvning)")
    ),
    Column("url", _("Indikatoren i Rusplan")),
    Column("licence", _("Lisens: NLOD 2.0")),
)


# --- CSV --------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """Keep a spreadsheet from running text as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value) -> str:
    """A value as CSV text: numbers with a decimal comma (Norwegian Excel reads
    them as numbers), dates in ISO 8601, text made safe from formulas."""
    if type(value) is str:  # most cells: checked first, a million rows add up
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        # 27.00 -> "27", 18.30 -> "18,3" (normalize() alone would give "2.7E+1")
        return format(value.normalize(), "f").replace(".", ",")
    if isinstance(value, float):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(str(value))
