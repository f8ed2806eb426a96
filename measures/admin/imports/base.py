"""The base of the admin's import resources: ServiceResource, which reads a file's
rows through django-import-export's hooks and writes each through a service, all
or nothing, and ImportDiff, the cells of the preview. How an import works is in
the package docstring (measures/admin/imports/__init__.py).
"""

import copy
import datetime
import time
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from import_export import resources

from measures.admin.imports.cells import clean_cell, invisible_errors
from measures.columns import csv_cell
from partners.models import Municipality
from partners.scope import administered_ids, municipality_id_of

PREVIEW_CHARS = 120  # long texts are cut in the preview table

# An import-only column: the kommune (slug or number) the row is about. Needed
# only where a key (a plan's slug) exists in several municipalities.
MUNICIPALITY = "municipality"


class ImportDiff(resources.Diff):
    """The preview's cells, as (before, after) pairs of text: a changed cell shows
    the old content deleted and the new inserted, whole (a character diff of "31"
    to "30" reads badly). Plain text rather than import-export's HTML, so that a
    background job can store the preview as JSON and the page escapes it
    (templates/admin/measures/import_job.html); diff_match_patch's prettyHtml
    also writes style attributes that the admin's CSP blocks."""

    def __init__(self, resource, instance, new):
        self.left = resource.preview_values(instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = resource.preview_values(instance)

    def as_html(self):
        return [
            ("" if self.new else before, after)
            for before, after in zip(self.left, self.right, strict=False)
        ]


def preview_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return csv_cell(value)
    return Truncator(str(value)).chars(PREVIEW_CHARS)


class ServiceResource(resources.ModelResource):
    """Parses rows itself and writes them through the services (see the package
    docstring). Subclasses name their columns and implement find(), read(),
    write() and preview_values()."""

    #: every column of the export, in its order (exports.py)
    columns: tuple[str, ...] = ()
    #: columns the header must have
    required_columns: tuple[str, ...] = ()
    #: the key columns and the columns an import writes, shown in the preview
    preview_columns: tuple[str, ...] = ()
    #: columns an import writes (the rest of `columns` is read-only information)
    written_columns: tuple[str, ...] = ()

    class Meta:
        fields = ()
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    #: how often, at most, a running import reports how far it has come
    PROGRESS_SECONDS = 0.5

    def __init__(
        self,
        *,
        user=None,
        progress: Callable[[int], None] | None = None,
        preview: bool = True,
        **kwargs,
    ):
        """user: who imports (the services' actor; import_data's user= wins);
        progress: called with the number of rows read so far, now and then and
        at the end; preview=False skips the preview's cells (a confirmed import
        shows only totals), which saves a copy of every object."""
        super().__init__(**kwargs)
        self.user = user
        self.progress = progress
        if not preview:
            # A copy: import-export's options are shared by every instance.
            self._meta = copy.copy(type(self)._meta)
            self._meta.skip_diff = True
        self._seen: dict = {}
        self._municipality_rows: dict = {}
        self._header_problem = False
        self._row_number = 0
        self._rows_read = 0
        self._progress_at = 0.0

    @classmethod
    def get_diff_class(cls):
        return ImportDiff

    def get_diff_headers(self):
        return list(self.preview_columns)

    # import-export's hooks ----------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        # All or nothing, whoever calls: one transaction, rolled back on any
        # error, validation errors included.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("user", self.user)
        self._seen = {}
        self._municipality_rows = {}
        self._header_problem = False
        self._rows_read = 0
        self.user = kwargs["user"]
        result = super().import_data(
            dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
        )
        if self.progress is not None:
            self.progress(self._rows_read)
        return result

    def before_import(self, dataset, **kwargs):
        headers = [
            "" if header is None else str(header).strip().lower()
            for header in (dataset.headers or [])
        ]
        if headers:
            dataset.headers = headers
        problems = []
        unknown = [
            h for h in headers if h and h not in self.columns and h != MUNICIPALITY
        ]
        if unknown:
            problems.append(
                _(
                    "Ukjente kolonner: %(unknown)s. Rett overskriften eller fjern "
                    "kolonnen. Kolonnene filen kan ha er: %(known)s."
                )
                % {"unknown": ", ".join(unknown), "known": ", ".join(self.columns)}
            )
        twice = sorted({h for h in headers if h and headers.count(h) > 1})
        if twice:
            problems.append(
                _("Kolonnene %(columns)s står flere ganger. Behold én av hver.")
                % {"columns": ", ".join(twice)}
            )
        missing = [c for c in self.required_columns if c not in headers]
        if missing:
            problems.append(
                _(
                    "Filen mangler kolonnene %(missing)s. Den første raden må ha "
                    "kolonnenavnene fra eksporten."
                )
                % {"missing": ", ".join(missing)}
            )
        for index, header in enumerate(headers):
            if not header and any(clean_cell(row[index]) != "" for row in dataset):
                problems.append(
                    _("Kolonne nr. %(number)s har verdier, men ingen overskrift.")
                    % {"number": index + 1}
                )
        if problems:
            self._header_problem = True
            raise ValidationError(problems)

    def after_import(self, dataset, result, **kwargs):
        # One file, one municipality: a file that mixes them is refused whole
        # (and rolled back), naming the rows of each (decision 56).
        if len(self._municipality_rows) > 1:
            parts = [
                _("%(municipality)s: rad %(rows)s")
                % {
                    "municipality": municipality.name,
                    "rows": ", ".join(str(row) for row in sorted(rows)),
                }
                for municipality, rows in sorted(
                    self._municipality_rows.items(), key=lambda item: item[0].name
                )
            ]
            raise ValidationError(
                _(
                    "Filen blander kommuner (%(parts)s). Importer én kommunes rader "
                    "per fil. Ingenting er importert."
                )
                % {"parts": "; ".join(parts)}
            )

    def import_row(self, row, instance_loader, **kwargs):
        self._rows_read += 1
        if self.progress is not None:
            now = time.monotonic()
            if now - self._progress_at >= self.PROGRESS_SECONDS:
                self._progress_at = now
                self.progress(self._rows_read - 1)
        row = {key: clean_cell(value) for key, value in row.items() if key}
        if self._header_problem or all(value == "" for value in row.values()):
            # Nothing to do: the file's header is wrong (reported once), or the
            # row is blank (spreadsheets keep empty rows). No import type: not
            # counted, not shown, not logged.
            return self.get_row_result_class()()
        self._row_number = kwargs.get("row_number", 0)
        return super().import_row(row, instance_loader, **kwargs)

    def get_or_init_instance(self, instance_loader, row):
        return self.find(row)

    def import_instance(self, instance, row, **kwargs):
        # Invisible characters in any cell refuse the row, named by its column.
        errors: dict = invisible_errors(row)
        self.read(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        return not instance._import_changed

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        user = kwargs.get("user") or self.user
        if user is None or not user.is_active:
            raise ValidationError(_("En import må gjøres av en innlogget bruker."))
        try:
            saved = self.write(instance, is_create, user)
        except PermissionDenied as error:
            raise ValidationError(self.permission_message(instance)) from error
        except ValidationError as error:
            raise self._with_columns(error) from error
        for field in type(saved)._meta.concrete_fields:
            setattr(instance, field.attname, getattr(saved, field.attname))
        instance._state.adding = False
        instance._state.db = saved._state.db

    def save_m2m(self, instance, row, **kwargs):
        """The services save relations themselves."""

    # for subclasses ------------------------------------------------------------

    #: service error keys that are called something else in the file
    error_columns: dict[str, str] = {}

    def find(self, row) -> tuple:
        raise NotImplementedError

    def read(self, instance, row, errors: dict) -> None:
        raise NotImplementedError

    def write(self, instance, is_create: bool, user):
        raise NotImplementedError

    def preview_values(self, instance) -> list[str]:
        raise NotImplementedError

    def permission_message(self, instance) -> str:
        raise NotImplementedError

    # helpers ---------------------------------------------------------------------

    def resolve(self, row, candidates, *, column: str, slug: str, not_found):
        """The one object among `candidates` (the objects with the row's key in
        every municipality) that this row means: in the municipality of the
        row's `municipality` column if the file has one, and among those the
        importing user administers. Another municipality's object is refused
        with a message that says so; `not_found` is the error otherwise. The
        row is counted for its municipality (after_import)."""
        candidates = list(candidates)
        named = self._named_municipality(row)
        if named is not None:
            candidates = [c for c in candidates if municipality_id_of(c) == named.pk]
        ids = administered_ids(self.user)
        if ids is not None:
            theirs = [c for c in candidates if municipality_id_of(c) not in ids]
            candidates = [c for c in candidates if municipality_id_of(c) in ids]
            if not candidates and theirs:
                raise ValidationError(
                    {
                        column: _(
                            "«%(slug)s» hører til en annen kommune. Du kan bare "
                            "importere til %(mine)s."
                        )
                        % {"slug": slug, "mine": self._administered_names(ids)}
                    }
                )
        if not candidates:
            raise not_found
        if len(candidates) > 1:
            names = sorted(
                {
                    str(Municipality.objects.get(pk=municipality_id_of(c)))
                    for c in candidates
                }
            )
            raise ValidationError(
                {
                    column: _(
                        "«%(slug)s» finnes i flere kommuner (%(names)s). Skriv "
                        "kommunens nettadressenavn i kolonnen municipality."
                    )
                    % {"slug": slug, "names": ", ".join(names)}
                }
            )
        found = candidates[0]
        municipality = Municipality.objects.get(pk=municipality_id_of(found))
        self._municipality_rows.setdefault(municipality, set()).add(
            self.spreadsheet_row
        )
        return found

    def _named_municipality(self, row) -> Municipality | None:
        from measures.admin.imports.cells import cell_text

        given = cell_text(row.get(MUNICIPALITY, ""))
        if not given:
            return None
        municipality = Municipality.objects.filter(
            Q(slug=given) | Q(number=given)
        ).first()
        if municipality is None:
            raise ValidationError(
                {
                    MUNICIPALITY: _(
                        "Fant ingen kommune «%(given)s». Skriv kommunens "
                        "nettadressenavn (som bergen i /bergen/) eller "
                        "kommunenummer."
                    )
                    % {"given": given}
                }
            )
        ids = administered_ids(self.user)
        if ids is not None and municipality.pk not in ids:
            raise ValidationError(
                {
                    MUNICIPALITY: _(
                        "Raden gjelder %(municipality)s kommune. Du kan bare "
                        "importere til %(mine)s."
                    )
                    % {
                        "municipality": municipality,
                        "mine": self._administered_names(ids),
                    }
                }
            )
        return municipality

    @staticmethod
    def _administered_names(ids) -> str:
        return ", ".join(
            str(m) for m in Municipality.objects.filter(pk__in=sorted(ids))
        )

    @property
    def spreadsheet_row(self) -> int:
        """The row as a spreadsheet numbers it: the header is row 1."""
        return self._row_number + 1

    def claim(self, key, what: str) -> None:
        """Refuse a second row for the same object."""
        first = self._seen.setdefault(key, self.spreadsheet_row)
        if first != self.spreadsheet_row:
            raise ValidationError(
                _(
                    "Rad %(row)s gjelder det samme som rad %(first)s (%(what)s). "
                    "Hver ting kan stå på bare én rad: slett eller rett den ene."
                )
                % {"row": self.spreadsheet_row, "first": first, "what": what}
            )

    def _with_columns(self, error: ValidationError) -> ValidationError:
        if not hasattr(error, "error_dict"):
            return error
        renamed: dict = {}
        for key, texts in error.message_dict.items():
            renamed.setdefault(self.error_columns.get(key, key), []).extend(texts)
        return ValidationError(renamed)
