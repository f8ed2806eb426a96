"""Sources and citations: where every public fact comes from.

A Source is one public document (a municipal page, a council case, a plan, a news
story, statistics), identified by its URL: the same URL is the same source. A
Citation says that a fact (a plan, goal, measure, status update, indicator, indicator
value, budget line, partner or former partner name) rests on a source; `field`
narrows it to one detail of the fact (a plan's status, its adoption date), blank for
the fact as a whole. Facts cite in `position` order, and pages number the
citations in the order they first appear.

Citations protect their source (on_delete=PROTECT): a source that is cited cannot
be deleted, so no fact silently loses its evidence. measures.models re-exports
these classes. See docs/data-model.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

HTTP_URL_VALIDATOR = URLValidator(
    schemes=["http", "https"],
    message=_("Skriv en nettadresse som begynner med http:// eller https://."),
)


class Source(models.Model):
    class Kind(models.TextChoices):
        MUNICIPAL_PAGE = "municipal_page", _("Kommunens nettside")
        COUNCIL_CASE = "council_case", _("Politisk sak")
        PLAN_DOCUMENT = "plan_document", _("Plandokument")
        NEWS = "news", _("Nyhetssak")
        STATISTICS = "statistics", _("Statistikk")
        GOVERNMENT = "government", _("Statlig dokument")
        ORGANISATION = "organisation", _("Annen organisasjon")
        RESEARCH = "research", _("Forskning")

    class DatePrecision(models.TextChoices):
        DAY = "day", _("Dag")
        MONTH = "month", _("Måned")
        YEAR = "year", _("År")

    publisher = models.CharField(
        _("utgiver"),
        max_length=200,
        help_text=_("Hvem som har publisert kilden, for eksempel «Bergen kommune»."),
    )
    title = models.CharField(_("tittel"), max_length=500)
    url = models.URLField(
        _("nettadresse"),
        max_length=500,
        unique=True,
        validators=[HTTP_URL_VALIDATOR],
        error_messages={
            "unique": _(
                "En kilde med denne nettadressen finnes allerede. Velg den fra "
                "listen i stedet for å legge den inn på nytt."
            )
        },
    )
    kind = models.CharField(_("type kilde"), max_length=20, choices=Kind.choices)
    published_on = models.DateField(
        _("publisert"),
        null=True,
        blank=True,
        help_text=_("Tomt når kilden ikke er datert («udatert»)."),
    )
    date_precision = models.CharField(
        _("datoen gjelder"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Velg «Måned» eller «År» når kilden bare oppgir det."),
    )
    date_note = models.CharField(
        _("merknad om datoen"),
        max_length=300,
        blank=True,
        help_text=_(
            "For en udatert kilde: hva innholdet tilsier, for eksempel "
            "«Innholdet tilsier 2012»."
        ),
    )
    accessed_on = models.DateField(
        _("lest"),
        null=True,
        blank=True,
        help_text=_("Dagen kilden sist ble lest og sjekket."),
    )
    external_id = models.CharField(
        _("ekstern nøkkel"),
        max_length=100,
        blank=True,
        help_text=_("Stabil nøkkel for import og for data som følger med Rusplan."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrert av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kilde")
        verbose_name_plural = _("kilder")
        ordering = ["publisher", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_http",
                violation_error_message=_(
                    "Skriv en nettadresse som begynner med http:// eller https://."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="source_title_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(publisher=""), name="source_publisher_not_empty"
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="source_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}"

    def clean(self) -> None:
        today = timezone.localdate()
        errors = {}
        if self.published_on is not None and self.published_on > today:
            errors["published_on"] = _(
                "Publiseringsdatoen kan ikke være i fremtiden. Skriv datoen som står "
                "på kilden, eller la feltet stå tomt om kilden er udatert."
            )
        if self.accessed_on is not None and self.accessed_on > today:
            errors["accessed_on"] = _(
                "Datoen kilden ble lest kan ikke være i fremtiden."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def date_label(self) -> str:
        """The date as the source gives it: a day, a month, a year or «udatert»."""
        day: datetime.date | None = self.published_on
        if day is None:
            return str(_("udatert"))
        if self.date_precision == self.DatePrecision.YEAR:
            return f"{day:%Y}"
        if self.date_precision == self.DatePrecision.MONTH:
            return f"{day:%m.%Y}"
        return f"{day:%d.%m.%Y}"


# The facts a citation may point at: field name -> "app_label.Model".
CITING_MODELS = {
    "plan": "measures.Plan",
    "goal": "measures.Goal",
    "measure": "measures.Measure",
    "status_update": "measures.StatusUpdate",
    "indicator": "measures.Indicator",
    "indicator_value": "measures.IndicatorValue",
    "budget_line": "measures.BudgetLine",
    "partner": "partners.Partner",
    "partner_name": "partners.PartnerName",
}


def _exactly_one_target() -> Q:
    condition = Q()
    for name in CITING_MODELS:
        only_this = Q(**{f"{name}__isnull": False}) & Q(
            **{f"{other}__isnull": True for other in CITING_MODELS if other != name}
        )
        condition |= only_this
    return condition


def _target_field(verbose_name: str, model: str) -> models.ForeignKey:
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )


class Citation(models.Model):
    """A fact resting on a source. Exactly one target is set."""

    source = models.ForeignKey(
        Source,
        verbose_name=_("kilde"),
        on_delete=models.PROTECT,
        related_name="citations",
    )
    field = models.CharField(
        _("gjelder"),
        max_length=50,
        blank=True,
        help_text=_("Feltet kilden belegger, for eksempel «status». Tomt: hele saken."),
    )
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    plan = _target_field(_("plan"), "measures.Plan")
    goal = _target_field(_("mål"), "measures.Goal")
    measure = _target_field(_("tiltak"), "measures.Measure")
    status_update = _target_field(_("statusoppdatering"), "measures.StatusUpdate")
    indicator = _target_field(_("indikator"), "measures.Indicator")
    indicator_value = _target_field(_("indikatorverdi"), "measures.IndicatorValue")
    budget_line = _target_field(_("budsjettlinje"), "measures.BudgetLine")
    partner = _target_field(_("partner"), "partners.Partner")
    partner_name = _target_field(_("tidligere navn"), "partners.PartnerName")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kildehenvisning")
        verbose_name_plural = _("kildehenvisninger")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_target(), name="citation_exactly_one_target"
            ),
            *(
                models.UniqueConstraint(
                    fields=[name, "source", "field"],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"citation_unique_{name}",
                    violation_error_message=_("Kilden er allerede oppgitt for dette."),
                )
                for name in CITING_MODELS
            ),
        ]

    def __str__(self) -> str:
        return str(self.source)

    @property
    def target(self) -> models.Model | None:
        for name in CITING_MODELS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None
