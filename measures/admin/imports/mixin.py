"""The admin's import pages (django-import-export): the file formats of
formats.py, Norwegian forms and messages, the permission rule, and a failed
confirmation that says nothing was imported. The rows themselves are read and
written by the resources of this package. See docs/exports.md ("Import").
"""

from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportMixin
from import_export.forms import ImportForm

from measures.admin.imports.formats import CSV, XLSX


class ImportFileForm(ImportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = gettext_lazy("Fil")
        self.fields["import_file"].help_text = gettext_lazy(
            "CSV eller XLSX med kolonnene fra eksporten."
        )
        self.fields["format"].label = gettext_lazy("Format")
        self.fields["format"].help_text = gettext_lazy(
            "Velges etter filnavnet når du har valgt en fil."
        )


def import_report(result) -> dict:
    """What the import page shows of a result: problems with the file, problems
    per row (numbered as in a spreadsheet: the header is row 1), and the rows."""
    file_errors = []
    for error in result.base_errors:
        file_errors.extend(getattr(error.error, "messages", [str(error.error)]))
    problems = []
    for row in result.invalid_rows:
        for column, texts in row.field_specific_errors.items():
            problems += [(row.number + 1, column, text) for text in texts]
        problems += [
            (row.number + 1, "", text) for text in row.non_field_specific_errors
        ]
    for row in result.error_rows:
        problems += [(row.number + 1, "", str(error.error)) for error in row.errors]
    problems.sort(key=lambda problem: problem[0])
    return {
        "file_errors": file_errors,
        "row_problems": [
            {"row": row, "column": column, "message": message}
            for row, column, message in problems
        ],
        "preview_rows": [row for row in result.valid_rows() if row.diff is not None],
        "totals": result.totals,
        "failed": result.has_errors() or result.has_validation_errors(),
    }


class ServiceImportMixin(ImportMixin):
    """Import for an admin whose resource writes through the services
    (ServiceResource, base.py). Needs the model's add and change permissions; the
    services check each row's own rule (publishing, for example) on top."""

    import_template_name = "admin/measures/import.html"
    import_export_change_list_template = "admin/measures/change_list_import.html"
    import_form_class = ImportFileForm
    skip_import_confirm = False

    def get_import_formats(self):
        return [CSV, XLSX]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_context_data(self, **kwargs):
        resource = self.get_import_resource_classes(None)[0]
        written = set(resource.written_columns)
        keys = [c for c in resource.preview_columns if c not in written]
        return {
            "key_columns": keys,
            "required_columns": resource.required_columns,
            "written_columns": resource.written_columns,
            "ignored_columns": [
                c for c in resource.columns if c not in written and c not in keys
            ],
        }

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if getattr(response, "context_data", None) is not None:
            response.context_data["title"] = self._import_title()
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            report = import_report(result)
            response.context_data.update(report)
            if report["failed"]:
                self._remove_upload(response.context_data["form"])
        return response

    def _import_title(self) -> str:
        return _("Importer %(name)s") % {"name": self.model._meta.verbose_name_plural}

    def _remove_upload(self, form) -> None:
        """import-export keeps the uploaded file for the confirm step even when
        the dry run failed and there is nothing to confirm."""
        name = getattr(form.cleaned_data.get("import_file"), "tmp_storage_name", None)
        if name:
            storage = self.get_tmp_storage_class()(
                name=name, **self.get_tmp_storage_class_kwargs()
            )
            storage.remove()

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "Filen kunne ikke leses. Sjekk at den er en CSV- eller XLSX-fil og "
                "at formatet som er valgt, stemmer med filen."
            ),
        )

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # The resource rolled everything back (something changed since the
        # preview): show what, with the form to try again.
        messages.error(request, _("Ingenting er importert. Se feilene under."))
        context = self.admin_site.each_context(request)
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        context.update(self.get_import_context_data())
        context.update(import_report(result))
        context.update(
            {
                "title": self._import_title(),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "result": result,
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            _(
                "Importen er fullført (%(what)s): %(new)s nye, %(changed)s endret, "
                "%(skipped)s uendret."
            )
            % {
                "what": self.model._meta.verbose_name_plural,
                "new": totals["new"],
                "changed": totals["update"],
                "skipped": totals["skip"],
            },
        )
