"""Budget lines: sums of money for a measure, with the kind of figure each is."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models.uncertainty import uncertainty_field


class BudgetLine(models.Model):
    """A sum of money for one measure, in whole kroner, and what kind of figure it
    is: a proposal, an adopted budget, an allocation or a cost estimate. A figure
    for several years (21 MNOK for 2013–2015) has an end_year. The amount's column
    is still named allocated_nok for the migrations' sake."""

    class Kind(models.TextChoices):
        NOT_GIVEN = "", _("Ikke oppgitt")
        PROPOSAL = "proposal", _("Budsjettforslag")
        ADOPTED = "adopted", _("Vedtatt budsjett")
        ALLOCATION = "allocation", _("Bevilgning")
        ESTIMATE = "estimate", _("Kostnadsoverslag")
        PROJECT_COST = "project_cost", _("Prosjektkostnad")

    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=_("tiltak"),
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    year = models.PositiveSmallIntegerField(_("år"))
    end_year = models.PositiveSmallIntegerField(
        _("til og med år"),
        null=True,
        blank=True,
        help_text=_(
            "Bare når beløpet gjelder flere år samlet, for eksempel 2013–2015."
        ),
    )
    kind = models.CharField(
        _("type beløp"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.NOT_GIVEN,
        blank=True,
        help_text=_("Hva beløpet er, slik kilden sier: forslag, vedtak, bevilgning."),
    )
    allocated_nok = models.PositiveBigIntegerField(_("beløp (kr)"))
    spent_nok = models.PositiveBigIntegerField(
        _("brukt (kr)"),
        null=True,
        blank=True,
        help_text=_("Tomt til regnskapet er kjent."),
    )
    council_decision_reference = models.CharField(
        _("vedtak (saksnummer)"),
        max_length=200,
        blank=True,
        help_text=_("For eksempel bystyresak eller budsjettvedtak."),
    )
    note = models.TextField(_("merknad"), blank=True)
    uncertainty = uncertainty_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budsjettlinje")
        verbose_name_plural = _("budsjettlinjer")
        ordering = ["measure", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year", "kind"],
                name="budgetline_one_per_measure_year_kind",
                violation_error_message=_(
                    "Tiltaket har allerede et beløp av denne typen for dette året."
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gt=F("year")),
                name="budgetline_end_year_after_year",
                violation_error_message=_(
                    "«Til og med år» må være etter året, eller stå tomt."
                ),
            ),
            models.CheckConstraint(
                condition=Q(allocated_nok__gte=0)
                & (Q(spent_nok__isnull=True) | Q(spent_nok__gte=0)),
                name="budgetline_not_negative",
                violation_error_message=_("Beløpene kan ikke være negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2200),
                name="budgetline_year_plausible",
                violation_error_message=_(
                    "Året må være et årstall, for eksempel 2018."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} – {self.years_label}"

    @property
    def years_label(self) -> str:
        if self.end_year:
            return f"{self.year}–{self.end_year}"
        return str(self.year)
