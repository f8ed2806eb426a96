"""Imports as background jobs (measures/queue.py): the admin stores the uploaded
file on an ImportJob and enqueues import_run, which runs the preview (a dry run)
or, once confirmed, the import itself, each in one transaction, and stores the
report as JSON for the job's page (mixin.py). The queue's worker may run on
another machine: the file travels in the database, not on a local disk.
"""

from __future__ import annotations

import datetime
import logging
from contextlib import contextmanager
from types import SimpleNamespace

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export.results import RowResult
from simple_history.models import HistoricalRecords

from measures import queue
from measures.admin.imports.formats import CSV, XLSX
from measures.admin.imports.indicator_values import IndicatorValueResource
from measures.admin.imports.measures import MeasureResource
from measures.admin.imports.status_updates import StatusUpdateResource
from measures.models import ImportJob, IndicatorValue, Measure, StatusUpdate
from measures.numbers import format_number
from partners.text import INVISIBLE_CHARACTERS

logger = logging.getLogger(__name__)

#: the resource of each model the admin imports, by model label
RESOURCES = {
    model._meta.label_lower: resource
    for model, resource in (
        (Measure, MeasureResource),
        (StatusUpdate, StatusUpdateResource),
        (IndicatorValue, IndicatorValueResource),
    )
}
FORMATS = {"csv": CSV, "xlsx": XLSX}
#: at most this many rows of the preview and of the problems are stored and shown
REPORT_ROWS = 1000
#: an unconfirmed preview's file is deleted after this long
KEEP_UNCONFIRMED = datetime.timedelta(days=1)
#: a job the queue does not know this long after it was queued is lost (Redis was
#: restarted without persistence, or emptied); before that it may be on its way
LOST_AFTER = datetime.timedelta(minutes=1)
Status = ImportJob.Status
Stage = ImportJob.Stage


# Starting and confirming (called by the admin's views) -------------------------


def import_job_start(
    *, user, model: str, file_name: str, file_format: str, data: bytes, total: int
) -> ImportJob:
    """Store the file and enqueue its preview."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            user=user,
            model=model,
            file_name=_visible(file_name)[:255],
            file_format=file_format,
            data=data,
            total=total,
        )
        _enqueue(job)
    return job


def _visible(file_name: str) -> str:
    """The name without invisible characters (partners/text.py), since the job's
    page shows it: a right-to-left override would show «fakturacsv.exe» for
    «faktura\u202eexe.csv». Django's upload parser drops them already (it keeps
    only printable characters); this holds for any other caller too. Stripped,
    not refused: the name is only a label, and the file is read by its format."""
    return "".join(c for c in file_name if c not in INVISIBLE_CHARACTERS)


def import_job_confirm(*, job: ImportJob) -> bool:
    """Enqueue the import of a preview that went without errors; False when the
    job is not such a preview (already confirmed, failed or expired)."""
    with transaction.atomic():
        claimed = (
            ImportJob.objects.filter(
                pk=job.pk, stage=Stage.PREVIEW, status=Status.DONE, finished__gte=_cut()
            )
            .filter(result__failed=False)
            .update(
                stage=Stage.CONFIRM,
                status=Status.QUEUED,
                done=0,
                finished=None,
                queued=timezone.now(),
            )
        )
        if not claimed:
            return False
        job.refresh_from_db()
        _enqueue(job)
    return True


def _enqueue(job: ImportJob) -> None:
    """Queue the job's stage; if the queue does not answer, the job fails at once
    with a message on its page (the request that started it redirects there)."""

    def not_queued() -> None:
        # The job's row is committed already: it is marked failed, not left
        # waiting for a worker that will never hear of it.
        _fail(
            job,
            _(
                "Køen for bakgrunnsjobber svarer ikke, så importen ble ikke "
                "startet. Ingenting er importert. Prøv igjen om litt, eller "
                "kontakt en administrator."
            ),
        )
        job.refresh_from_db()

    queue.enqueue(
        import_run, job_id=job.queue_job_id, on_failure=not_queued, import_job_id=job.pk
    )


def _cut() -> datetime.datetime:
    return timezone.now() - KEEP_UNCONFIRMED


# The job -------------------------------------------------------------------------


def import_run(*, import_job_id: int) -> None:
    """Run the job's stage. Every failure ends as a failed job with a Norwegian
    message on its page; the traceback goes to the log only."""
    claimed = ImportJob.objects.filter(pk=import_job_id, status=Status.QUEUED).update(
        status=Status.RUNNING
    )
    if not claimed:
        return  # run already, or gone
    job = ImportJob.objects.select_related("user").get(pk=import_job_id)
    try:
        report = _run(job)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _fail(
            job,
            _(
                "Importen stoppet på grunn av en feil hos oss. Ingenting er "
                "importert. Prøv igjen senere, eller kontakt brukerstøtte."
            ),
        )
        return
    _finish(job, status=Status.DONE, result=report)
    # Unconfirmed previews of anyone, a day old: their files go now.
    ImportJob.objects.filter(stage=Stage.PREVIEW, finished__lt=_cut()).exclude(
        data=b""
    ).update(data=b"")


def _run(job: ImportJob) -> dict:
    user = job.user
    app_label, model_name = job.model.split(".")
    if not (
        user.is_active
        and user.has_perm(f"{app_label}.add_{model_name}")
        and user.has_perm(f"{app_label}.change_{model_name}")
    ):
        return _refused(
            _("Du har ikke lenger rett til å importere dette. Ingenting er importert.")
        )
    dataset = FORMATS[job.file_format]().create_dataset(bytes(job.data))
    preview = job.stage == Stage.PREVIEW

    def progress(done: int) -> None:
        queue.report_progress(done=min(done, job.total), total=job.total)

    resource = RESOURCES[job.model](user=user, progress=progress, preview=preview)
    with _history_user(user):
        result = resource.import_data(
            dataset,
            dry_run=preview,
            raise_errors=False,
            file_name=job.file_name,
            user=user,
            retain_instance_in_row_result=not preview,
        )
    report = job_report(result)
    if not preview and not report["failed"]:
        _log_entries(user, result)
    return report


@contextmanager
def _history_user(user):
    """History rows written by the job name the user who started it, as rows
    written in a request do (simple_history's HistoryRequestMiddleware)."""
    context = HistoricalRecords.context
    before = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if before is None:
            del context.request
        else:
            context.request = before


def _refused(message: str) -> dict:
    return {"failed": True, "file_errors": [message], "row_problems": []}


def _fail(job: ImportJob, message: str) -> None:
    """The job ends as failed, with `message` on its page and nothing imported."""
    _finish(job, status=Status.FAILED, result={"failed": True, "message": message})


def _finish(job: ImportJob, *, status: str, result: dict) -> None:
    """The end of a stage: the report, and the file deleted unless a confirmation
    may still need it."""
    keep = job.stage == Stage.PREVIEW and status == Status.DONE and not result["failed"]
    fields = {
        "status": status,
        "result": result,
        "finished": timezone.now(),
        "done": job.total if status == Status.DONE else 0,
    }
    if not keep:
        fields["data"] = b""
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _log_entries(user, result) -> None:
    """The admin's history ("Recent actions"), as import-export writes it."""
    for import_type, flag in (
        (RowResult.IMPORT_TYPE_NEW, ADDITION),
        (RowResult.IMPORT_TYPE_UPDATE, CHANGE),
    ):
        instances = [row.instance for row in result if row.import_type == import_type]
        if instances:
            LogEntry.objects.log_actions(
                user.pk,
                instances,
                flag,
                change_message=_("Importert fra fil"),
                single_object=len(instances) == 1,
            )


# The report ----------------------------------------------------------------------


def job_report(result) -> dict:
    """What the job's page shows of a result, as JSON: problems with the file,
    problems per row (numbered as in a spreadsheet: the header is row 1), the
    preview's rows and the totals. At most REPORT_ROWS problems and rows."""
    file_errors = []
    for error in result.base_errors:
        file_errors.extend(
            str(text) for text in getattr(error.error, "messages", [error.error])
        )
    problems = []
    for row in result.invalid_rows:
        for column, texts in row.field_specific_errors.items():
            problems += [(row.number + 1, column, str(text)) for text in texts]
        problems += [
            (row.number + 1, "", str(text)) for text in row.non_field_specific_errors
        ]
    for row in result.error_rows:
        problems += [(row.number + 1, "", str(error.error)) for error in row.errors]
    problems.sort(key=lambda problem: problem[0])
    failed = result.has_errors() or result.has_validation_errors()
    changed = [] if failed else [row for row in result.valid_rows() if row.diff]
    return {
        "failed": failed,
        "file_errors": file_errors,
        "row_problems": [
            {"row": row, "column": column, "message": message}
            for row, column, message in problems[:REPORT_ROWS]
        ],
        "problem_count": len(problems),
        "headers": list(result.diff_headers),
        "preview_rows": [
            {"import_type": row.import_type, "cells": [list(c) for c in row.diff]}
            for row in changed[:REPORT_ROWS]
        ],
        "preview_count": len(changed),
        "totals": {key: result.totals.get(key, 0) for key in ("new", "update", "skip")},
    }


# What the page and the status view show -------------------------------------------


def import_job_state(job: ImportJob) -> dict:
    """The job's status and progress, from the database once it has finished,
    from the queue while it runs. A job the queue has lost (its worker died, or
    it ran out of time) is marked failed here, since it never will finish."""
    done = job.done
    if not job.finished_running and queue.queue_configured():
        rq_status, meta = queue.job_progress(job.queue_job_id)
        if rq_status in queue.LOST or (
            rq_status is None and job.queued < timezone.now() - LOST_AFTER
        ):
            _fail(
                job,
                _(
                    "Importen ble avbrutt før den var ferdig (den tok for lang "
                    "tid, eller arbeideren eller køen stoppet). Ingenting er "
                    "importert. Last opp filen på nytt."
                ),
            )
            job.refresh_from_db()
        else:
            done = meta.get("done", done)
    return {
        "status": job.status,
        "stage": job.stage,
        "done": done,
        "total": job.total,
        "finished": job.finished_running,
        "text": progress_text(job, done),
    }


def progress_text(job: ImportJob, done: int) -> str:
    if job.status == Status.QUEUED:
        return _("I kø: venter på en ledig arbeider.")
    if job.finished_running:
        return _("Ferdig. Siden lastes inn på nytt med resultatet.")
    return ngettext(
        "%(done)s av %(total)s rad",
        "%(done)s av %(total)s rader",
        job.total,
    ) % {"done": format_number(done), "total": format_number(job.total)}
