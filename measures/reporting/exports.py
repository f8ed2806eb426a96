"""Open-data exports: a plan's measures with their current status and its published
status-update history, as CSV and XLSX. The format is specified in docs/exports.md;
the columns are defined in measures/columns.py, which the admin import reads too.

Memory stays flat however many rows there are: rows come from the database in
chunks (`.iterator(chunk_size=...)`: a server-side cursor on PostgreSQL), CSV is
streamed to the client as it is written, and XLSX is written by openpyxl's write-only
workbook (rows go to a temporary file on disk, never into a list) and then sent as
a file.

Only public data: plans that are not drafts, published updates and indicator values,
small numbers hidden as on the public pages (public_value() for
an anonymous reader, whoever downloads the file), no people (authors and reviewers
are staff accounts: personal data), no review comments.
"""

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from measures import open_data
from measures.columns import (
    CSV_DELIMITER,
    INDICATOR_VALUE_COLUMNS,
    LIST_SEPARATOR,
    MEASURE_COLUMNS,
    UPDATE_COLUMNS,
    Column,
    csv_cell,
)
from measures.models import (
    Category,
    Citation,
    Health,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    plan_hidden,
)
from measures.selectors.public import plans_of, public_measures, published_updates
from measures.selectors.small_numbers import public_value

# One licence for every channel (measures/open_data.py): NLOD 2.0.
LICENCE = open_data.LICENCE_NAME


CSV_CHUNK_ROWS = 2000  # rows per database round trip


CSV_FLUSH_BYTES = 64 * 1024  # how much CSV to gather before sending it


MEASURE_CHUNK_ROWS = 500  # measures carry prefetches, so smaller chunks


XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, the header included


XLSX_MAX_CELL = 32_767  # Excel's limit on the characters in a cell


class TooManyRows(Exception):
    """More rows than an XLSX sheet can hold."""


@dataclass(frozen=True)
class Dataset:
    """One export: its columns, its rows (lazily), and how to name and describe it."""

    name: str  # in file names: "tiltak", "statusoppdateringer"
    title: str  # translatable
    columns: tuple[Column, ...]
    rows: Callable[[], Iterator[tuple]]
    filename_stem: str
    source: str  # where the data come from, for the README sheet
    attribution: str  # what NLOD asks users to write

    @property
    def header(self) -> list[str]:
        return [column.key for column in self.columns]


def _labels(choices) -> dict[str, str]:
    """{code: label} in the active language, translated once per export rather
    than once per row; unknown codes read as ""."""
    return {key: str(label) for key, label in choices}


def _url_maker(
    base_url: str, name: str = "measures:measure-detail"
) -> Callable[[str], str]:
    """(municipality slug, slug) -> absolute URL of a page (the measure page by
    default), without a reverse() per row."""
    kommune, marker = "__kommune__", "__slug__"
    template = base_url.rstrip("/") + reverse(
        name, kwargs={"kommune": kommune, "slug": marker}
    )
    before, rest = template.split(kommune)
    middle, after = rest.split(marker)
    return lambda municipality, slug: before + municipality + middle + slug + after


def _measures_queryset(plan: Plan | None, municipality=None) -> QuerySet[Measure]:
    queryset = public_measures()
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    elif municipality is not None:
        queryset = queryset.filter(plans_of(municipality, "plan__"))
    return (
        queryset.select_related("municipality", "plan", "continues__plan")
        .prefetch_related(
            Prefetch(
                "partner_roles",
                queryset=MeasurePartner.objects.select_related("partner").order_by(
                    "role", "partner__slug"
                ),
            ),
            "goals",
            "districts",
            _CITATIONS,
        )
        .order_by("plan__slug", "identifier", "title", "pk")
    )


def measures_dataset(*, plan: Plan | None, base_url: str, municipality=None) -> Dataset:
    """The measures of `plan` (of the municipality's public plans if None, of
    every public plan if both are None) with current status."""
    url_of = _url_maker(base_url)

    def rows() -> Iterator[tuple]:
        phases, healths = _labels(Phase.choices), _labels(Health.choices)
        categories = _labels(Category.choices)
        for measure in _measures_queryset(plan, municipality).iterator(
            chunk_size=MEASURE_CHUNK_ROWS
        ):
            roles = list(measure.partner_roles.all())
            lead = next((r.partner for r in roles if r.role == "lead"), None)
            continues = measure.continues
            if continues is not None and not continues.plan.is_public:
                continues = None
            yield (
                measure.plan.slug,
                measure.slug,
                measure.identifier,
                measure.title,
                measure.description,
                measure.category,
                categories.get(measure.category, ""),
                _joined(goal.slug for goal in measure.goals.all()),
                lead.slug if lead else "",
                lead.name if lead else "",
                _joined(r.partner.slug for r in roles if r.role != "lead"),
                _joined(district.slug for district in measure.districts.all()),
                measure.planned_start,
                measure.planned_end,
                measure.weight,
                continues.slug if continues else "",
                _urls(measure.citations.all()),
                measure.uncertainty,
                measure.current_phase,
                phases.get(measure.current_phase, ""),
                measure.current_health,
                healths.get(measure.current_health, ""),
                measure.current_progress,
                measure.current_as_of,
                measure.current_update_id,
                url_of(measure.municipality.slug, measure.slug),
                LICENCE,
            )

    return Dataset(
        name="tiltak",
        title=_("Tiltak med gjeldende status"),
        columns=MEASURE_COLUMNS,
        rows=rows,
        filename_stem=f"{_stem(plan, municipality)}-tiltak",
        source=_source(plan, base_url),
        attribution=_attribution(plan),
    )


def _joined(values: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(sorted(values))


def updates_dataset(*, plan: Plan | None, base_url: str, municipality=None) -> Dataset:
    """The published status updates of `plan` (of the municipality's public plans
    if None, of every public plan if both are None)."""
    url_of = _url_maker(base_url)
    queryset = published_updates()
    if plan is None and municipality is not None:
        queryset = queryset.filter(plans_of(municipality, "measure__plan__"))
    if plan is not None:
        # A plan's updates grouped by measure, oldest first: how people read them.
        queryset = queryset.filter(measure__plan=plan).order_by(
            "measure__identifier", "measure__title", "measure_id", "as_of", "id"
        )
    else:
        # Everything: in id order, which the primary key index gives without a
        # sort, so that the first rows go out at once.
        queryset = queryset.order_by("id")
    fields = (
        "id",
        "external_id",
        "measure__plan__slug",
        "measure__slug",
        "measure__identifier",
        "measure__title",
        "as_of",
        "phase",
        "health",
        "progress",
        "summary",
        "uncertainty",
        "published_at",
        "measure__municipality__slug",
    )

    def rows() -> Iterator[tuple]:
        phases, healths = _labels(Phase.choices), _labels(Health.choices)
        values = queryset.values_list(*fields).iterator(chunk_size=CSV_CHUNK_ROWS)
        for batch, urls in _with_source_urls(values, "status_update"):
            yield from _update_rows(batch, urls, phases, healths, url_of)

    return Dataset(
        name="statusoppdateringer",
        title=_("Publiserte statusoppdateringer"),
        columns=UPDATE_COLUMNS,
        rows=rows,
        filename_stem=f"{_stem(plan, municipality)}-statusoppdateringer",
        source=_source(plan, base_url),
        attribution=_attribution(plan),
    )


def _update_rows(batch, urls, phases, healths, url_of) -> Iterator[tuple]:
    for (
        pk,
        external_id,
        plan_slug,
        measure_slug,
        identifier,
        measure_title,
        as_of,
        phase,
        health,
        progress,
        summary,
        uncertainty,
        published_at,
        municipality_slug,
    ) in batch:
        yield (
            pk,
            external_id,
            plan_slug,
            measure_slug,
            identifier,
            measure_title,
            as_of,
            phase,
            phases.get(phase, ""),
            health,
            healths.get(health, ""),
            progress,
            summary,
            urls.get(pk, ""),
            uncertainty,
            timezone.localtime(published_at),
            url_of(municipality_slug, measure_slug) + "#historikk",
            LICENCE,
        )


# Every exported fact comes with the URLs of its sources
# (measures/selectors/citations.py).
_CITATIONS = Prefetch(
    "citations",
    queryset=Citation.objects.select_related("source").order_by("position", "id"),
)


def _urls(citations: Iterable[Citation]) -> str:
    """The distinct source URLs of a fact, in citation order, joined by " | "."""
    return LIST_SEPARATOR.join(dict.fromkeys(c.source.url for c in citations))


def _with_source_urls(rows: Iterator[tuple], target: str) -> Iterator[tuple]:
    """(batch of rows, {row id: source URLs}) for rows whose first value is the id
    of a `target` fact: one query per CSV_CHUNK_ROWS rows, so the export's memory
    stays flat however many rows it streams."""
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == CSV_CHUNK_ROWS:
            yield batch, _source_urls(target, [r[0] for r in batch])
            batch = []
    if batch:
        yield batch, _source_urls(target, [r[0] for r in batch])


def _source_urls(target: str, ids: list[int]) -> dict[int, str]:
    found: dict[int, dict[str, None]] = {}
    citations = (
        Citation.objects.filter(**{f"{target}__in": ids})
        .order_by("position", "id")
        .values_list(f"{target}_id", "source__url")
    )
    for pk, url in citations:
        found.setdefault(pk, {})[url] = None
    return {pk: LIST_SEPARATOR.join(urls) for pk, urls in found.items()}


def _stem(plan: Plan | None, municipality) -> str:
    if plan is not None:
        return plan.slug
    return municipality.slug if municipality is not None else "rusplan"


def _source(plan: Plan | None, base_url: str) -> str:
    site = base_url.rstrip("/")
    if plan is None:
        return str(_("Rusplan: %(url)s") % {"url": site + "/"})
    return str(
        _("%(owner)s, via Rusplan: %(url)s")
        % {"owner": plan.owner.name, "url": site + plan.get_absolute_url()}
    )


def _attribution(plan: Plan | None) -> str:
    return open_data.attribution(plan)


def indicator_values_dataset(
    *, plan: Plan | None, base_url: str, municipality=None
) -> Dataset:
    """The published values of the indicators of `plan` (of the municipality's
    public plans if None, of every public plan if both are None), with small
    numbers hidden as for any member of the public."""
    plan_url = _url_maker(base_url, "measures:plan-detail")
    measure_url = _url_maker(base_url)
    queryset = (
        IndicatorValue.objects.filter(state=IndicatorValue.State.PUBLISHED)
        .select_related(
            "indicator__goal__plan__municipality",
            "indicator__measure__plan",
            "indicator__measure__municipality",
        )
        .prefetch_related(_CITATIONS)
    )
    if plan is None and municipality is not None:
        queryset = queryset.filter(
            plans_of(municipality, "indicator__goal__plan__")
            | plans_of(municipality, "indicator__measure__plan__")
        )
    if plan is not None:
        queryset = queryset.filter(
            Q(indicator__goal__plan=plan) | Q(indicator__measure__plan=plan)
        )
    else:
        queryset = queryset.exclude(plan_hidden("indicator__goal__plan__"))
        queryset = queryset.exclude(plan_hidden("indicator__measure__plan__"))
    queryset = queryset.order_by(
        "indicator__order",
        "indicator__title",
        "indicator_id",
        "year",
        "period_type",
        "number",
        "id",
    )

    def rows() -> Iterator[tuple]:
        reader = AnonymousUser()
        for value in queryset.iterator(chunk_size=MEASURE_CHUNK_ROWS):
            indicator = value.indicator
            goal, measure = indicator.goal, indicator.measure
            owner_plan = goal.plan if goal else measure.plan
            shown = public_value(indicator, value, user=reader)
            anchor = f"#indikator-{indicator.slug}"
            yield (
                value.pk,
                owner_plan.slug,
                indicator.slug,
                indicator.title,
                goal.slug if goal else "",
                measure.slug if measure else "",
                indicator.kind,
                indicator.unit,
                value.period_type,
                value.year,
                value.number,
                value.period_label,
                shown.number,
                shown.text,
                value.qualifier,
                1 if shown.suppressed else 0,
                value.note,
                _urls(value.citations.all()),
                value.uncertainty,
                timezone.localtime(value.published_at),
                (
                    plan_url(owner_plan.municipality.slug, owner_plan.slug)
                    if goal
                    else measure_url(measure.municipality.slug, measure.slug)
                )
                + anchor,
                LICENCE,
            )

    return Dataset(
        name="indikatorverdier",
        title=_("Publiserte indikatorverdier"),
        columns=INDICATOR_VALUE_COLUMNS,
        rows=rows,
        filename_stem=f"{_stem(plan, municipality)}-indikatorverdier",
        source=_source(plan, base_url),
        attribution=_attribution(plan),
    )


DATASETS: dict[str, Callable[..., Dataset]] = {
    "tiltak": measures_dataset,
    "statusoppdateringer": updates_dataset,
    "indikatorverdier": indicator_values_dataset,
}


def csv_chunks(dataset: Dataset) -> Iterator[bytes]:
    """The dataset as UTF-8 CSV with a byte order mark (so that Excel reads æøå
    right), in pieces of about CSV_FLUSH_BYTES."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(dataset.header)
    for row in dataset.rows():
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() >= CSV_FLUSH_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX -------------------------------------------------------------------------


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: local time (Europe/Oslo), as the README says.
        return timezone.make_naive(value) if timezone.is_aware(value) else value
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_MAX_CELL]
    if not text.startswith("="):
        return text
    # openpyxl would write it as a formula; a text cell is never run.
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def write_xlsx(dataset: Dataset, target) -> None:
    """Write the dataset to the file object `target`: the data sheet first (named
    after the dataset, the header in row 1), then a sheet "Om dataene" with the
    licence, the source and every column described. Raises TooManyRows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name)
    bold = Font(bold=True)
    header = []
    for key in dataset.header:
        cell = WriteOnlyCell(sheet, value=key)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    written = 1
    for row in dataset.rows():
        written += 1
        if written > XLSX_MAX_ROWS:
            sheet.close()  # ends openpyxl's writer, which holds a temporary file
            raise TooManyRows
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    about = workbook.create_sheet("Om dataene")
    for line in _about_lines(dataset):
        about.append(line)
    workbook.save(target)


def _about_lines(dataset: Dataset) -> list[list[str]]:
    return [
        [str(dataset.title)],
        [],
        [str(_("Kilde")), dataset.source],
        [
            str(_("Lisens")),
            f"{open_data.LICENCE_TITLE}: {open_data.LICENCE_URL}",
        ],
        [str(_("Kildehenvisning")), str(dataset.attribution)],
        [str(_("Hentet")), timezone.localtime().strftime("%d.%m.%Y %H:%M")],
        [
            str(_("Innhold")),
            str(
                _(
                    "Bare offentlige opplysninger: planer som ikke er utkast, og "
                    "publiserte statusoppdateringer."
                )
            ),
        ],
        [],
        [str(_("Kolonne")), str(_("Innhold"))],
        *([column.key, str(column.description)] for column in dataset.columns),
    ]


def xlsx_file(dataset: Dataset):
    """The dataset as an XLSX workbook in an anonymous temporary file, rewound.
    The caller closes it (FileResponse does), which deletes it."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response
    try:
        write_xlsx(dataset, target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target
