"""An admin import running as a background job: who started it, what it imports,
how far it has come and what came of it (measures/admin/imports/jobs.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file on its way through the preview (a dry run) and, once
    confirmed, the import. The file itself is kept in `data` only as long as the
    import may still need it: it is emptied when the preview fails, when the
    import has run, and a day after a preview nobody confirmed."""

    class Stage(models.TextChoices):
        PREVIEW = "preview", _("prøvekjøring")
        CONFIRM = "confirm", _("import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("i kø")
        RUNNING = "running", _("kjører")
        DONE = "done", _("ferdig")
        FAILED = "failed", _("feilet")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("startet av"),
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    model = models.CharField(_("hva som importeres"), max_length=100)
    file_name = models.CharField(_("filnavn"), max_length=255)
    file_format = models.CharField(_("filformat"), max_length=10)
    data = models.BinaryField(_("filens innhold"), blank=True, default=b"")
    stage = models.CharField(
        _("steg"), max_length=10, choices=Stage, default=Stage.PREVIEW
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rader i filen"), default=0)
    done = models.PositiveIntegerField(_("rader lest"), default=0)
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    created = models.DateTimeField(_("opprettet"), auto_now_add=True)
    queued = models.DateTimeField(_("lagt i kø"), default=timezone.now)
    finished = models.DateTimeField(_("ferdig"), null=True, blank=True)

    class Meta:
        verbose_name = _("importjobb")
        verbose_name_plural = _("importjobber")
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")),
                name="importjob_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_stage_display()})"

    @property
    def queue_job_id(self) -> str:
        """The id of this stage's job in the queue (measures/queue.py)."""
        return f"import-{self.pk}-{self.stage}"

    @property
    def finished_running(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
