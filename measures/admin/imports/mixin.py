"""The admin's import pages (django-import-export's form, our flow): the upload
form, then a page per import job (jobs.py) that shows a progress bar while the
preview or the import runs in the background, then the preview with a confirm
button, the per-row errors, or the result. Norwegian forms and messages, the
permission rule (the model's add and change permissions), and every job visible
only to the user who started it (and superusers). See docs/exports.md ("Import").
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin
from import_export.forms import ImportForm

from measures.admin.imports import jobs
from measures.admin.imports.formats import CSV, XLSX
from measures.models import ImportJob


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


class ServiceImportMixin(ImportMixin):
    """Import for an admin whose resource writes through the services
    (ServiceResource, base.py). Needs the model's add and change permissions; the
    services check each row's own rule (publishing, for example) on top."""

    import_template_name = "admin/measures/import.html"
    import_job_template_name = "admin/measures/import_job.html"
    import_export_change_list_template = "admin/measures/change_list_import.html"
    import_form_class = ImportFileForm
    skip_import_confirm = False

    def get_import_formats(self):
        return [CSV, XLSX]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_urls(self):
        prefix = "{}_{}".format(*self.get_model_info())
        view = self.admin_site.admin_view  # staff only, never cached
        mine = [
            path(
                "import/",
                view(self.import_action),
                name=f"{prefix}_import",
            ),
            path(
                "import/jobb/<int:pk>/",
                view(self.import_job_view),
                name=f"{prefix}_import_job",
            ),
            path(
                "import/jobb/<int:pk>/status/",
                view(self.import_job_status_view),
                name=f"{prefix}_import_job_status",
            ),
            path(
                "import/jobb/<int:pk>/bekreft/",
                view(require_POST(self.import_job_confirm_view)),
                name=f"{prefix}_import_job_confirm",
            ),
        ]
        # import-export's own URLs give way: its confirm step (process_import)
        # would run the import in the request.
        theirs = [
            url
            for url in super().get_urls()
            if getattr(url, "name", None)
            not in (f"{prefix}_import", f"{prefix}_process_import")
        ]
        return mine + theirs

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

    # The upload -------------------------------------------------------------------

    def import_action(self, request, **kwargs):
        """The form; a valid upload becomes a job and its page."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if request.method == "POST" and form.is_valid():
            job = self._start_job(request, form)
            if job is not None:
                return HttpResponseRedirect(self._job_url(job, "import_job"))
        context = self._page_context(request)
        context.update(self.get_import_context_data())
        context.update({"form": form, "media": self.media + form.media})
        return TemplateResponse(request, [self.import_template_name], context)

    def _start_job(self, request, form) -> ImportJob | None:
        """Read the file here, so that a file that cannot be read is an error on
        the form at once and the job knows how many rows it has."""
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        upload = form.cleaned_data["import_file"]
        data = b"".join(upload.chunks())
        try:
            dataset = input_format.create_dataset(data)
        except Exception:  # any unreadable file is the same error
            self.add_data_read_fail_error_to_form(form, None)
            return None
        if not dataset:
            form.add_error(
                "import_file",
                _(
                    "Filen har ingen rader å importere. Den første raden må ha "
                    "kolonnenavnene fra eksporten, og dataene står under."
                ),
            )
            return None
        return jobs.import_job_start(
            user=request.user,
            model=self.model._meta.label_lower,
            file_name=upload.name,
            file_format=input_format.get_extension(),
            data=data,
            total=len(dataset),
        )

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "Filen kunne ikke leses. Sjekk at den er en CSV- eller XLSX-fil og "
                "at formatet som er valgt, stemmer med filen."
            ),
        )

    # The job ---------------------------------------------------------------------

    def import_job_view(self, request, pk):
        job = self._own_job(request, pk)
        state = jobs.import_job_state(job)
        report = job.result if job.finished_running else {}
        context = self._page_context(request)
        context.update(
            {
                "job": job,
                "state": state,
                "report": report,
                "can_confirm": (
                    job.stage == ImportJob.Stage.PREVIEW
                    and job.status == ImportJob.Status.DONE
                    and not report.get("failed")
                    and job.user_id == request.user.pk
                ),
                "job_url": self._job_url(job, "import_job"),
                "status_url": self._job_url(job, "import_job_status"),
                "confirm_url": self._job_url(job, "import_job_confirm"),
            }
        )
        if (
            job.stage == ImportJob.Stage.CONFIRM
            and job.status == ImportJob.Status.DONE
            and not report.get("failed")
        ):
            context["done_message"] = self._success_message(report["totals"])
        return TemplateResponse(request, [self.import_job_template_name], context)

    def import_job_status_view(self, request, pk):
        """The progress as JSON, for static/measures/import_progress.js."""
        job = self._own_job(request, pk)
        return JsonResponse(jobs.import_job_state(job))

    def import_job_confirm_view(self, request, pk):
        job = self._own_job(request, pk)
        if job.user_id != request.user.pk:
            raise Http404  # a superuser may look, but imports only as themselves
        if not jobs.import_job_confirm(job=job):
            messages.error(
                request,
                _(
                    "Denne prøvekjøringen kan ikke bekreftes (den er bekreftet "
                    "allerede, hadde feil eller er mer enn ett døgn gammel). Last opp "
                    "filen på nytt."
                ),
            )
            return HttpResponseRedirect(self._url("import"))
        return HttpResponseRedirect(self._job_url(job, "import_job"))

    def _own_job(self, request, pk) -> ImportJob:
        """The job, for the user who started it or a superuser; anyone else gets
        404 whatever the job is, so nobody learns which jobs exist."""
        jobs_here = ImportJob.objects.filter(model=self.model._meta.label_lower)
        if not request.user.is_superuser:
            jobs_here = jobs_here.filter(user=request.user)
        job = get_object_or_404(jobs_here, pk=pk)
        if not self.has_import_permission(request):
            raise PermissionDenied
        return job

    # Helpers -----------------------------------------------------------------------

    def _url(self, name: str, **kwargs) -> str:
        app_label, model_name = self.get_model_info()
        return reverse(f"admin:{app_label}_{model_name}_{name}", kwargs=kwargs or None)

    def _job_url(self, job, name: str) -> str:
        return self._url(name, pk=job.pk)

    def _page_context(self, request) -> dict:
        request.current_app = self.admin_site.name
        context = self.admin_site.each_context(request)
        context.update(
            {
                "title": _("Importer %(name)s")
                % {"name": self.model._meta.verbose_name_plural},
                "opts": self.model._meta,
            }
        )
        return context

    def _success_message(self, totals) -> str:
        return _(
            "Importen er fullført (%(what)s): %(new)s nye, %(changed)s endret, "
            "%(skipped)s uendret."
        ) % {
            "what": self.model._meta.verbose_name_plural,
            "new": totals["new"],
            "changed": totals["update"],
            "skipped": totals["skip"],
        }
