"""Status updates: a dated report on a measure, through the review lifecycle
(measures/models/review.py)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models.choices import (
    PROGRESS_VALIDATORS,
    Health,
    Phase,
    choice_label,
    progress_in_range,
)
from measures.models.plans import Measure
from measures.models.review import (
    ReviewedRecord,
    ReviewState,
    author_field,
    review_constraints,
    reviewer_field,
)
from measures.models.uncertainty import uncertainty_field


class StatusUpdate(ReviewedRecord):
    """A dated report on a measure. Append-only once published: a correction is a
    new update. Drafts and returned updates may be edited by their author."""

    State = ReviewState

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("tiltak"),
        on_delete=models.PROTECT,
        related_name="updates",
    )
    as_of = models.DateField(_("status per"))
    phase = models.CharField(_("fase"), max_length=20, choices=Phase.choices)
    health = models.CharField(
        _("vurdering"),
        max_length=20,
        choices=Health.choices,
        blank=True,
        help_text=_("Tom for historiske hendelser som ikke har en vurdering."),
    )
    progress = models.PositiveSmallIntegerField(
        _("fremdrift (%)"),
        null=True,
        blank=True,
        validators=PROGRESS_VALIDATORS,
        help_text=_("0–100. Tom når fremdriften ikke er vurdert."),
    )
    summary = models.TextField(_("sammendrag"), max_length=5000)
    external_id = models.CharField(
        _("ekstern nøkkel"),
        max_length=100,
        blank=True,
        help_text=_("Stabil nøkkel for import og for data som følger med Rusplan."),
    )
    uncertainty = uncertainty_field()
    author = author_field("status_updates")
    reviewer = reviewer_field("reviewed_updates")

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("statusoppdatering")
        verbose_name_plural = _("statusoppdateringer")
        ordering = ["-as_of", "-published_at", "-id"]
        get_latest_by = ["as_of", "published_at", "id"]
        constraints = [
            *review_constraints(
                prefix="statusupdate",
                returned_message=_(
                    "Skriv en kommentar som forklarer hvorfor oppdateringen returneres."
                ),
            ),
            models.CheckConstraint(
                condition=progress_in_range("progress"),
                name="statusupdate_progress_0_100",
                violation_error_message=_("Fremdriften må være et tall fra 0 til 100."),
            ),
            models.CheckConstraint(
                condition=~Q(summary=""),
                name="statusupdate_summary_not_empty",
                violation_error_message=_("Skriv et sammendrag av status."),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="statusupdate_external_id_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["measure", "state", "-as_of"]),
            models.Index(fields=["state", "-published_at"]),
            # The newest published updates across all plans (the home page): without
            # it, a sort of every published update (a million at national scale).
            models.Index(
                fields=["-as_of", "-published_at", "-id"],
                condition=Q(state="published"),
                name="statusupdate_newest_published",
            ),
            # A measure's published updates newest first, with what a roll-up
            # reads (the plan page's progress over time looks up one per measure
            # and year-end, an index-only step; the measure page lists them).
            models.Index(
                fields=["measure", "as_of", "published_at", "id"],
                include=["phase", "health", "progress"],
                condition=Q(state="published"),
                name="statusupdate_published_measure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} – {self.as_of:%d.%m.%Y}"

    @property
    def phase_label(self) -> str:
        """As get_phase_display(), without its cost (choice_label())."""
        return str(choice_label(Phase, self.phase))

    @property
    def health_label(self) -> str:
        """As get_health_display(), "" when the update has no assessment."""
        return str(choice_label(Health, self.health))
