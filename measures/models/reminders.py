"""Which reminder digests were sent, so nobody gets two in one reporting period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderSent(models.Model):
    """A reminder digest sent to a user for a reporting period.

    One row per user and period key (see measures/periods.py): the unique
    constraint is what keeps send_update_reminders from emailing anyone twice in a
    period, however often it runs.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="update_reminders",
    )
    period_key = models.CharField(
        _("rapporteringsperiode"),
        max_length=40,
        help_text=_("For eksempel «tertial:2025-2»."),
    )
    sent_at = models.DateTimeField(_("sendt"), auto_now_add=True)
    measure_count = models.PositiveIntegerField(_("antall tiltak"), default=0)

    class Meta:
        verbose_name = _("sendt påminnelse")
        verbose_name_plural = _("sendte påminnelser")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period_key"], name="remindersent_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.period_key}"
