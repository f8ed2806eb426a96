"""Indicators (what a plan wants to change) and their values, one per period.

Periods: a value covers a calendar year, a tertial (January–April, May–August,
September–December) or a month, stored as period_type + year + number (1 for a
year, 1–3 for a tertial, 1–12 for a month); measures/periods.py does the calendar
arithmetic. A value goes through the review lifecycle (models/review.py). See
docs/data-model.md.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models.review import (
    ReviewedRecord,
    author_field,
    review_constraints,
    reviewer_field,
)
from measures.models.uncertainty import uncertainty_field
from measures.periods import period_bounds, period_label


class PeriodType(models.TextChoices):
    YEAR = "year", _("År")
    TERTIAL = "tertial", _("Tertial")
    MONTH = "month", _("Måned")


YEAR_MESSAGE = _("Året må være et årstall, for eksempel 2018.")


PERIOD_NUMBERS = {PeriodType.YEAR: 1, PeriodType.TERTIAL: 3, PeriodType.MONTH: 12}


def _pair(value_field: str, year_field: str) -> Q:
    """Both set or both empty."""
    return Q(**{f"{value_field}__isnull": True, f"{year_field}__isnull": True}) | Q(
        **{f"{value_field}__isnull": False, f"{year_field}__isnull": False}
    )


def _plausible_year(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__gte": 1900, f"{field}__lte": 2200}
    )


class Indicator(models.Model):
    """A series of numbers that shows whether a goal (outcome) or a measure (output)
    has an effect. Belongs to exactly one goal or one measure."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("Antall personer")
        COUNT = "count", _("Antall (ikke personer)")
        NUMBER = "number", _("Annet tall")
        PERCENT = "percent", _("Prosent")
        NOK = "nok", _("Kroner")

    class Direction(models.TextChoices):
        UP = "up", _("Høyere er bedre")
        DOWN = "down", _("Lavere er bedre")
        NONE = "none", _("Ingen retning (beskrivende tall)")

    title = models.CharField(_("tittel"), max_length=300)
    slug = models.SlugField(
        _("nettadressenavn"),
        max_length=120,
        unique=True,
        help_text=_("Fast nøkkel for import og data som følger med. Endres ikke."),
    )
    unit = models.CharField(
        _("enhet"),
        max_length=50,
        blank=True,
        help_text=_("Vises etter tallet, for eksempel «dødsfall» eller «boenheter»."),
    )
    kind = models.CharField(
        _("type tall"), max_length=20, choices=Kind.choices, default=Kind.PEOPLE
    )
    source_organisation = models.CharField(
        _("kildeorganisasjon"),
        max_length=200,
        blank=True,
        help_text=_("Hvem som lager tallene, for eksempel FHI eller SSB."),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    direction = models.CharField(
        _("retning"), max_length=10, choices=Direction.choices, default=Direction.NONE
    )
    baseline_value = models.DecimalField(
        _("utgangsverdi"), max_digits=15, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("år for utgangsverdi"), null=True, blank=True
    )
    target_value = models.DecimalField(
        _("målverdi"),
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Bare når en plan eller et vedtak fastsetter et mål."),
    )
    target_year = models.PositiveSmallIntegerField(
        _("år for målverdi"), null=True, blank=True
    )
    goal = models.ForeignKey(
        "measures.Goal",
        verbose_name=_("mål (effekt)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=_("tiltak (resultat)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        _("grense for små tall"),
        default=5,
        help_text=_(
            "Antall personer under grensen vises som «< grensen» for publikum. "
            "0 slår skjermingen av."
        ),
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    uncertainty = uncertainty_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["order", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal__isnull=False, measure__isnull=True)
                | Q(goal__isnull=True, measure__isnull=False),
                name="indicator_goal_xor_measure",
                violation_error_message=_(
                    "Knytt indikatoren til enten et mål eller et tiltak, ikke begge."
                ),
            ),
            models.CheckConstraint(
                condition=_pair("baseline_value", "baseline_year"),
                name="indicator_baseline_value_and_year",
                violation_error_message=_(
                    "Utgangsverdien må ha både verdi og år, eller ingen av delene."
                ),
            ),
            models.CheckConstraint(
                condition=_pair("target_value", "target_year"),
                name="indicator_target_value_and_year",
                violation_error_message=_(
                    "Målverdien må ha både verdi og år, eller ingen av delene."
                ),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(target_year__isnull=True)
                | Q(target_year__gte=F("baseline_year")),
                name="indicator_target_not_before_baseline",
                violation_error_message=_(
                    "Året for målverdien kan ikke være før året for utgangsverdien."
                ),
            ),
            models.CheckConstraint(
                condition=_plausible_year("baseline_year")
                & _plausible_year("target_year"),
                name="indicator_years_plausible",
                violation_error_message=_("Årene må være årstall, for eksempel 2018."),
            ),
            models.CheckConstraint(
                condition=Q(small_number_threshold__lte=100),
                name="indicator_threshold_at_most_100",
                violation_error_message=_(
                    "Grensen for små tall kan ikke være over 100."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="indicator_title_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        counts = self.kind in (self.Kind.PEOPLE, self.Kind.COUNT)
        for name in ("baseline_value", "target_value"):
            value = getattr(self, name)
            if counts and value is not None and value < 0:
                raise ValidationError({name: _("Et antall kan ikke være negativt.")})

    @property
    def plan(self):
        """The plan, through the goal or the measure."""
        return (self.goal if self.goal_id else self.measure).plan

    @property
    def is_outcome(self) -> bool:
        return self.goal_id is not None

    @property
    def is_people_count(self) -> bool:
        return self.kind == self.Kind.PEOPLE

    @property
    def unit_after_value(self) -> str:
        """The unit to write after a formatted value: none for kroner and percent,
        whose values already carry it ("kr 346 100 000", "18,3 %"), so that a
        unit such as "kr" is not written twice."""
        if self.kind in (self.Kind.NOK, self.Kind.PERCENT):
            return ""
        return self.unit


class IndicatorValue(ReviewedRecord):
    """One value of an indicator for one period, with its source.

    The review lifecycle is the one of StatusUpdate (draft, submitted, published,
    returned) plus "replaced": a published value is never edited; a correction is a
    new value that `replaces` it, and publishing the correction marks the old one
    replaced. So the database holds at most one published and one open (draft,
    submitted or returned) value per indicator and period.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Sendt til godkjenning")
        PUBLISHED = "published", _("Publisert")
        RETURNED = "returned", _("Returnert")
        REPLACED = "replaced", _("Erstattet")

    class Qualifier(models.TextChoices):
        EXACT = "", _("Eksakt")
        APPROXIMATELY = "approx", _("Omtrent (ca.)")
        MORE_THAN = "more_than", _("Mer enn (over)")

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indikator"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    period_type = models.CharField(
        _("periodetype"),
        max_length=10,
        choices=PeriodType.choices,
        default=PeriodType.YEAR,
    )
    year = models.PositiveSmallIntegerField(_("år"))
    number = models.PositiveSmallIntegerField(
        _("periodenummer"),
        default=1,
        help_text=_("1 for et år, 1–3 for et tertial, 1–12 for en måned."),
    )
    value = models.DecimalField(_("verdi"), max_digits=15, decimal_places=2)
    qualifier = models.CharField(
        _("presisjon"),
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        blank=True,
    )
    note = models.TextField(_("merknad"), blank=True, max_length=2000)
    uncertainty = uncertainty_field()
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("erstatter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text=_("Den publiserte verdien for samme periode som denne retter."),
    )
    # Its own choices: the review states plus "replaced".
    state = models.CharField(
        _("tilstand"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    author = author_field("indicator_values")
    reviewer = reviewer_field("reviewed_indicator_values")

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        verbose_name = _("indikatorverdi")
        verbose_name_plural = _("indikatorverdier")
        ordering = ["indicator", "year", "period_type", "number", "-id"]
        constraints = [
            *review_constraints(
                prefix="indicatorvalue",
                returned_message=_(
                    "Skriv en kommentar som forklarer hvorfor verdien returneres."
                ),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2200),
                name="indicatorvalue_year_plausible",
                violation_error_message=_(
                    "Året må være et årstall, for eksempel 2018."
                ),
            ),
            models.CheckConstraint(
                condition=Q(period_type="year", number=1)
                | Q(period_type="tertial", number__gte=1, number__lte=3)
                | Q(period_type="month", number__gte=1, number__lte=12),
                name="indicatorvalue_period_number_valid",
                violation_error_message=_(
                    "Periodenummeret må være 1 for et år, 1–3 for et tertial og "
                    "1–12 for en måned."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_type", "year", "number"],
                condition=Q(state="published"),
                name="indicatorvalue_one_published_per_period",
                violation_error_message=_(
                    "Indikatoren har allerede en publisert verdi for denne perioden."
                ),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_type", "year", "number"],
                condition=Q(state__in=["draft", "submitted", "returned"]),
                name="indicatorvalue_one_open_per_period",
                violation_error_message=_(
                    "Det finnes allerede en verdi for denne perioden som er under "
                    "arbeid eller venter på godkjenning."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(replaces=F("id")),
                name="indicatorvalue_not_own_replacement",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "state", "year"]),
            models.Index(fields=["state", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.period_label}"

    def clean(self) -> None:
        if (
            self.indicator_id is not None
            and self.value is not None
            and self.value < 0
            and self.indicator.kind in (Indicator.Kind.PEOPLE, Indicator.Kind.COUNT)
        ):
            raise ValidationError({"value": _("Et antall kan ikke være negativt.")})

    @property
    def start(self) -> datetime.date:
        return period_bounds(self.period_type, self.year, self.number)[0]

    @property
    def end(self) -> datetime.date:
        return period_bounds(self.period_type, self.year, self.number)[1]

    @property
    def period_label(self) -> str:
        return period_label(self.period_type, self.year, self.number)
