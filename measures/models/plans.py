"""Plans and what they hold: districts, plans, goals, measures and the partners
responsible for each measure."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from measures.models.choices import (
    NO_STATUS_LABEL,
    OPEN_PHASES,
    Category,
    Health,
    Phase,
    choice_label,
    progress_in_range,
)
from measures.models.uncertainty import uncertainty_field
from partners.models import Municipality, Partner
from partners.paths import cached_reverse


class District(models.Model):
    """A bydel (city district) of one municipality."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommune"),
        on_delete=models.PROTECT,
        related_name="districts",
    )
    name = models.CharField(_("navn"), max_length=100)
    slug = models.SlugField(_("nettadressenavn"), max_length=100)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bydel")
        verbose_name_plural = _("bydeler")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="district_name_unique_per_municipality",
                violation_error_message=_(
                    "Kommunen har allerede en bydel med dette navnet."
                ),
            ),
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="district_slug_unique_per_municipality",
                violation_error_message=_(
                    "Kommunen har allerede en bydel med dette nettadressenavnet."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Reads self.municipality: select_related it in lists."""
        return cached_reverse(
            "measures:district-detail", kommune=self.municipality.slug, slug=self.slug
        )


def plan_hidden(prefix: str = "") -> Q:
    """The plans the public never sees: drafts and training plans. `prefix` is
    the lookup path to the plan, e.g. "measure__plan__"."""
    return Q(**{f"{prefix}status": "draft"}) | Q(**{f"{prefix}is_training": True})


def owner_problem(owner: Partner, municipality: Municipality) -> str:
    """Why `owner` cannot own a plan of `municipality` ("" if it can): a
    municipality or municipal unit owns only its own municipality's plans; a
    regional or national partner only plans of a municipality it serves
    (docs/decisions.md 56)."""
    if owner.is_municipal:
        if owner.municipality_id != municipality.pk:
            return _(
                "«%(owner)s» hører til en annen kommune. Velg kommunen eller en "
                "enhet i %(municipality)s kommune som eier."
            ) % {"owner": owner, "municipality": municipality}
        return ""
    if not owner.serves.filter(pk=municipality.pk).exists():
        return _(
            "«%(owner)s» betjener ikke %(municipality)s kommune. Velg kommunen "
            "eller en av dens enheter, eller registrer først at partneren betjener "
            "kommunen."
        ) % {"owner": owner, "municipality": municipality}
    return ""


def plan_municipality_ids(plan: "Plan") -> set[int]:
    """The municipality of `plan` and those it is shared with (an interkommunal
    plan): whose districts and municipal units its measures may name."""
    return {plan.municipality_id, *plan.shared_with.values_list("pk", flat=True)}


def foreign_districts(plan: "Plan", districts) -> list:
    """The districts that belong to none of the plan's municipalities."""
    allowed = plan_municipality_ids(plan)
    return [d for d in districts if d.municipality_id not in allowed]


def foreign_partners(plan: "Plan", partners) -> list:
    """The municipal partners (a municipality or its units) of a municipality
    the plan does not belong to; regional and national partners are shared and
    fit every plan."""
    allowed = plan_municipality_ids(plan)
    return [p for p in partners if p.is_municipal and p.municipality_id not in allowed]


class Plan(models.Model):
    class Status(models.TextChoices):
        NOT_GIVEN = "", _("Ikke oppgitt")
        DRAFT = "draft", _("Utkast")
        CONSULTATION = "consultation", _("På høring")
        ADOPTED = "adopted", _("Vedtatt")
        REVISED = "revised", _("Revidert")
        COMPLETED = "completed", _("Avsluttet")
        SUPERSEDED = "superseded", _("Erstattet")

    class ReportingInterval(models.TextChoices):
        NOT_GIVEN = "", _("Ikke oppgitt")
        MONTH = "month", _("Månedlig")
        QUARTER = "quarter", _("Kvartalsvis")
        TERTIAL = "tertial", _("Tertialvis")
        HALF_YEAR = "half_year", _("Halvårlig")
        YEAR = "year", _("Årlig")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommune"),
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_(
            "Kommunen planen hører til; adressen er /«kommune»/planer/«navn»/. "
            "Endres ikke etter at planen har fått tiltak."
        ),
    )
    shared_with = models.ManyToManyField(
        Municipality,
        verbose_name=_("felles plan med"),
        blank=True,
        related_name="shared_plans",
        help_text=_(
            "Andre kommuner som eier planen sammen med denne (interkommunal plan). "
            "Planen vises hos hver av dem."
        ),
    )
    title = models.CharField(_("tittel"), max_length=300)
    short_title = models.CharField(_("kort tittel"), max_length=100, blank=True)
    slug = models.SlugField(
        _("nettadressenavn"),
        max_length=100,
        help_text=_(
            "Brukes i adressen /«kommune»/planer/«navn»/ og må være unikt i "
            "kommunen. Endres ikke etter publisering."
        ),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("startår"))
    end_year = models.PositiveSmallIntegerField(
        _("sluttår"),
        null=True,
        blank=True,
        help_text=_("Tomt når planen ikke har en fastsatt sluttdato."),
    )
    adopted_on = models.DateField(_("vedtatt dato"), null=True, blank=True)
    adopted_by = models.CharField(
        _("vedtatt av"),
        max_length=200,
        blank=True,
        help_text=_("For eksempel bystyret."),
    )
    adoption_note = models.TextField(
        _("merknad om vedtaket"),
        blank=True,
        help_text=_("Usikkerhet eller andre behandlinger i byråd, komité og bystyre."),
    )
    council_case_reference = models.CharField(
        _("saksnummer"), max_length=100, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        blank=True,
        help_text=_(
            "Planens status slik kildene oppgir den; «Ikke oppgitt» når ingen kilde "
            "sier det. Planer med status «Utkast» vises ikke for publikum, og bare "
            "vedtatte planer tar imot statusoppdateringer."
        ),
    )
    owner = models.ForeignKey(
        Partner,
        verbose_name=_("eier"),
        on_delete=models.PROTECT,
        related_name="owned_plans",
        help_text=_(
            "Enheten som eier planen. Dens koordinatorer godkjenner oppdateringer."
        ),
    )
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("forløper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        help_text=_("Planen denne planen viderefører."),
    )
    reporting_interval = models.CharField(
        _("rapporteringsintervall"),
        max_length=20,
        choices=ReportingInterval.choices,
        default=ReportingInterval.NOT_GIVEN,
        blank=True,
        help_text=_(
            "Hvor ofte planen skal rapporteres, slik planen eller vedtaket sier. "
            "Påminnelser sendes bare når intervallet er oppgitt."
        ),
    )
    requires_review = models.BooleanField(
        _("krever godkjenning"),
        default=True,
        help_text=_("Oppdateringer må godkjennes av en koordinator før de publiseres."),
    )
    uncertainty = uncertainty_field()
    is_training = models.BooleanField(
        _("øvingsplan"),
        default=False,
        help_text=_(
            "En plan med oppdiktede data for å øve på arbeidsflyten. Vises aldri "
            "for publikum: ikke på sidene, i rapporter, eksporter eller API-et."
        ),
    )
    published_by_owner = models.BooleanField(
        _("publisert av eieren"),
        default=False,
        help_text=_(
            "Kryss av bare når eieren selv publiserer dataene i Rusplan. Ellers "
            "oppgis dataene som sammenstilt av Rusplan fra offentlige kilder."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planer")
        ordering = ["-start_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="plan_period_ordered",
                violation_error_message=_("Sluttåret kan ikke være før startåret."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__gte=1900, start_year__lte=2200),
                name="plan_start_year_plausible",
                violation_error_message=_(
                    "Startåret må være et årstall, for eksempel 2018."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("id")), name="plan_not_own_predecessor"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="plan_title_not_empty"),
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="plan_slug_unique_per_municipality",
                violation_error_message=_(
                    "Kommunen har allerede en plan med dette nettadressenavnet."
                ),
            ),
        ]
        indexes = [
            # The order of the measure lists and the API (newest plan first:
            # selectors.public.measure_list_queryset()). With it PostgreSQL reads
            # the plans in order and sorts only the first plans' measures for a
            # page; without, it sorted every public measure in the country (7.6
            # -> 0.2 ms for the API's first page at national scale).
            models.Index(F("start_year").desc(), "title", name="plan_list_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return cached_reverse("measures:plan-detail", **self.url_kwargs())

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.municipality_id is None:
            return
        if self.owner_id is not None:
            problem = owner_problem(self.owner, self.municipality)
            if problem:
                raise ValidationError({"owner": problem})
        if (
            self.slug
            and Plan.objects.filter(shared_with=self.municipality_id, slug=self.slug)
            .exclude(pk=self.pk)
            .exists()
        ):
            # A plan shared with the municipality answers at that address.
            raise ValidationError(
                {
                    "slug": _(
                        "En plan som er delt med kommunen, har allerede dette "
                        "nettadressenavnet. Velg et annet."
                    )
                }
            )
        if self.pk is None:
            return
        before = Plan.objects.filter(pk=self.pk).values_list(
            "municipality_id", flat=True
        )
        if before and before[0] != self.municipality_id and self.measures.exists():
            raise ValidationError(
                {
                    "municipality": _(
                        "Planen har tiltak og kan ikke flyttes til en annen kommune."
                    )
                }
            )

    def url_kwargs(self) -> dict:
        """Reads self.municipality: select_related it in lists."""
        return {"kommune": self.municipality.slug, "slug": self.slug}

    @property
    def is_public(self) -> bool:
        return not self.is_training and self.status != self.Status.DRAFT

    @property
    def period_label(self) -> str:
        if self.end_year is None:
            return _("fra %(start)s") % {"start": self.start_year}
        return f"{self.start_year}–{self.end_year}"


class Goal(models.Model):
    """A goal of a plan. Goals form a tree under the plan's overall goal."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("overordnet mål"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    title = models.CharField(_("tittel"), max_length=300)
    slug = models.SlugField(_("nettadressenavn"), max_length=100)
    description = models.TextField(_("beskrivelse"), blank=True)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    uncertainty = uncertainty_field()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slug"],
                name="goal_slug_unique_per_plan",
                violation_error_message=_(
                    "Planen har allerede et mål med dette nettadressenavnet."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="goal_not_own_parent"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="goal_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


MEASURE_SLUG_TAKEN = _(
    "Et tiltak med dette nettadressenavnet finnes allerede i kommunen. Velg et "
    "annet, for eksempel med planens årstall til slutt."
)


class Measure(models.Model):
    """A tiltak: something a plan promises, with partners responsible for it.

    current_* fields mirror the latest published StatusUpdate (by as-of date) so that
    lists and roll-ups never read update history. Only services write them.
    """

    # Indexed by the index on plan and id (Meta.indexes), not one of its own.
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="measures",
        db_index=False,
    )
    goals = models.ManyToManyField(
        Goal, verbose_name=_("mål"), related_name="measures", blank=True
    )
    identifier = models.CharField(
        _("tiltaksnummer"),
        max_length=30,
        blank=True,
        help_text=_("Nummeret tiltaket har i planen, om planen nummererer tiltakene."),
    )
    # The plan's municipality, kept here so that a measure's slug is unique
    # within its municipality in the database. Set from the plan on every save.
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommune"),
        on_delete=models.PROTECT,
        related_name="measures",
        editable=False,
    )
    title = models.CharField(_("tittel"), max_length=300)
    slug = models.SlugField(
        _("nettadressenavn"),
        max_length=120,
        help_text=_(
            "Brukes i adressen /«kommune»/tiltak/«navn»/ og må være unikt på tvers "
            "av kommunens planer. Legg til planens årstall om navnet er tatt."
        ),
    )
    description = models.TextField(_("beskrivelse"), blank=True)
    category = models.CharField(
        _("kategori"), max_length=30, choices=Category.choices, default=Category.OTHER
    )
    partners = models.ManyToManyField(
        Partner,
        verbose_name=_("partnere"),
        through="MeasurePartner",
        related_name="measures",
    )
    districts = models.ManyToManyField(
        District, verbose_name=_("bydeler"), related_name="measures", blank=True
    )
    planned_start = models.DateField(_("planlagt start"), null=True, blank=True)
    planned_end = models.DateField(_("planlagt slutt"), null=True, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("vekt"),
        default=1,
        help_text=_(
            "Hvor mye tiltaket teller når fremdriften for mål og plan regnes ut."
        ),
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("videreført fra"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("Det samme tiltaket i forløperplanen."),
    )
    uncertainty = uncertainty_field()

    current_update = models.ForeignKey(
        "StatusUpdate",
        verbose_name=_("gjeldende statusoppdatering"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    # Blank until an update is published: a measure nobody has reported on has no
    # phase ("Ingen status registrert"), which is not the same as "not started".
    current_phase = models.CharField(
        _("fase"),
        max_length=20,
        choices=Phase.choices,
        default="",
        blank=True,
        editable=False,
    )
    current_health = models.CharField(
        _("vurdering"),
        max_length=20,
        choices=Health.choices,
        blank=True,
        editable=False,
    )
    current_progress = models.PositiveSmallIntegerField(
        _("fremdrift (%)"), null=True, blank=True, editable=False
    )
    current_as_of = models.DateField(
        _("status per"), null=True, blank=True, editable=False
    )
    # Where its published updates stood on 31 December of each year before the
    # year of its current status (measures/year_ends.py has the rule and the
    # format), for the plan page's progress over time: read with the measure rather
    # than looked up among the updates, one index step per measure and year-end
    # (14 ms on the largest national plan). Derived like current_*, and kept with
    # them by refresh_current_status().
    # db_default too: servers still running the release before it (a rolling
    # upgrade, docs/deploy.md) insert measures without the column.
    year_end_statuses = models.TextField(
        blank=True, default="", db_default="", editable=False
    )
    # Bumped on every write; edits compare-and-swap on it so that no one silently
    # overwrites a colleague's change.
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    # The year-end statuses are derived from the updates, which have their own
    # history.
    history = HistoricalRecords(excluded_fields=["version", "year_end_statuses"])

    class Meta:
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")
        ordering = ["plan", "identifier", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="measure_planned_period_ordered",
                violation_error_message=_(
                    "Planlagt slutt kan ikke være før planlagt start."
                ),
            ),
            models.CheckConstraint(
                condition=progress_in_range("current_progress"),
                name="measure_current_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=100),
                name="measure_weight_1_100",
                violation_error_message=_("Vekten må være mellom 1 og 100."),
            ),
            models.CheckConstraint(
                condition=~Q(continues=F("id")), name="measure_not_own_predecessor"
            ),
            models.CheckConstraint(
                condition=~Q(title=""), name="measure_title_not_empty"
            ),
            models.UniqueConstraint(
                fields=["municipality", "slug"],
                name="measure_slug_unique_per_municipality",
                violation_error_message=MEASURE_SLUG_TAKEN,
            ),
        ]
        indexes = [
            # A plan's measures in id order: what PostgreSQL merges with a small
            # table of rows about measures (the plan's budget lines) by measure.
            # With the plan's index alone it walked every measure in the country
            # in id order until it reached the plan's (9 ms for the largest plan
            # at national scale; 0.2 ms with this one). It also does the work of
            # the foreign key's own index on plan.
            models.Index(fields=["plan", "id"], name="measure_plan_in_id_order"),
            models.Index(fields=["plan", "current_phase"]),
            models.Index(fields=["plan", "current_health"]),
            # Roll-ups per plan (selectors.rollup_groups) read only the index.
            models.Index(
                fields=["plan", "current_phase", "current_health"],
                include=["weight", "current_progress"],
                name="measure_rollup",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.municipality_id = self.plan.municipality_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return cached_reverse("measures:measure-detail", **self.url_kwargs())

    def full_clean(self, *args, **kwargs):
        # The municipality follows the plan; set it before the unique check reads it.
        if self.plan_id is not None:
            self.municipality_id = self.plan.municipality_id
        super().full_clean(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        # The unique constraint names `municipality`, which no form edits: a form
        # leaves such a constraint out of its checks (the save then failed with an
        # IntegrityError), and its message would name no field. Check it here, on
        # the slug, the field to change.
        if self.plan_id is None or not self.slug:
            return
        taken = Measure.objects.filter(
            municipality_id=self.plan.municipality_id, slug=self.slug
        ).exclude(pk=self.pk)
        if taken.exists():
            raise ValidationError({"slug": MEASURE_SLUG_TAKEN})
        # A shared plan's measures answer under each municipality it is shared
        # with: the slug may be taken there neither by their own measures nor by
        # those of another plan shared with them.
        from django.db.models import Q

        here = self.plan.municipality_id
        shared_with = list(self.plan.shared_with.values_list("pk", flat=True))
        elsewhere = (
            Measure.objects.filter(slug=self.slug)
            .filter(
                Q(plan__shared_with=here)
                | Q(municipality__in=shared_with)
                | Q(plan__shared_with__in=shared_with)
            )
            .exclude(pk=self.pk)
        )
        if elsewhere.exists():
            raise ValidationError({"slug": MEASURE_SLUG_TAKEN})

    def url_kwargs(self) -> dict:
        """Reads self.municipality: select_related it in lists."""
        return {"kommune": self.municipality.slug, "slug": self.slug}

    @property
    def has_status(self) -> bool:
        return bool(self.current_phase)

    @property
    def accepts_updates(self) -> bool:
        """Anyone who reports on the measure may start a new update: its plan is
        adopted, and the measure has no status yet, is not started or in progress
        (a completed, discontinued or continued measure is closed). A completed
        plan takes corrections from its coordinators only
        (services/plan_status.py)."""
        return (
            self.plan.status == Plan.Status.ADOPTED
            and self.current_phase in OPEN_PHASES
        )

    @property
    def status_label(self) -> str:
        """The phase, or «Ingen status registrert» when nothing is published.

        From the choice's own label: get_current_phase_display() builds a dict of
        every choice, translating each, on every call (a table of 25 measures
        spent a fifth of its time there)."""
        if not self.current_phase:
            return str(NO_STATUS_LABEL)
        return str(choice_label(Phase, self.current_phase))

    @property
    def health_label(self) -> str:
        """The assessment's label, '' when there is none (as status_label)."""
        return str(choice_label(Health, self.current_health))


class MeasurePartner(models.Model):
    """A partner's responsibility for a measure: exactly one lead, any contributors."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Ansvarlig")
        CONTRIBUTOR = "contributor", _("Bidragsyter")

    measure = models.ForeignKey(
        Measure,
        verbose_name=_("tiltak"),
        on_delete=models.CASCADE,
        related_name="partner_roles",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="measure_roles",
        # The index measurepartner_partner_role below starts with the partner.
        db_index=False,
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ansvar for tiltak")
        verbose_name_plural = _("ansvar for tiltak")
        ordering = ["measure", "role", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "partner"],
                name="measurepartner_unique",
                violation_error_message=_(
                    "Partneren er allerede knyttet til tiltaket."
                ),
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(role="lead"),
                name="measurepartner_one_lead",
                violation_error_message=_(
                    "Et tiltak kan bare ha én ansvarlig partner."
                ),
            ),
        ]
        indexes = [
            # A partner's roles (its pages), and its lead roles in measure order:
            # the budget of the measures a partner leads (selectors.budgets.
            # partner_budget()) joins them to the budget lines by measure. With
            # the partner's index alone, PostgreSQL walked every role in the
            # country in measure order to merge them with the few budget lines
            # (13 ms at ten times national scale for a partner leading none;
            # 0.2 ms with this one).
            models.Index(
                fields=["partner", "role", "measure"],
                name="measurepartner_partner_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_role_display()})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.measure_id is None or self.partner_id is None:
            return
        plan = self.measure.plan
        if foreign_partners(plan, [self.partner]):
            raise ValidationError(
                {
                    "partner": _(
                        "«%(partner)s» hører til en annen kommune enn planen "
                        "«%(plan)s». Velg en enhet i planens kommune, eller en "
                        "regional partner."
                    )
                    % {"partner": self.partner, "plan": plan}
                }
            )


def _refuse_foreign_relations(sender, instance, action, model, pk_set, **kwargs):
    """A measure's goals belong to its plan, and its districts to the plan's
    municipality (or one the plan is shared with), however they are added: in
    the model, so that no form, import or shell gets around it."""
    from django.core.exceptions import ValidationError

    if action != "pre_add" or not pk_set:
        return
    if isinstance(instance, Measure):
        measures, chosen = [instance], list(model.objects.filter(pk__in=pk_set))
    else:  # added from the other side: goal.measures.add(...)
        measures, chosen = list(Measure.objects.filter(pk__in=pk_set)), [instance]
    for measure in measures:
        if model is Goal or isinstance(instance, Goal):
            foreign = [goal for goal in chosen if goal.plan_id != measure.plan_id]
            if foreign:
                raise ValidationError(
                    {
                        "goals": _(
                            "Målene må høre til tiltakets plan («%(plan)s»). "
                            "Fjern: %(goals)s."
                        )
                        % {
                            "plan": measure.plan,
                            "goals": ", ".join(str(goal) for goal in foreign),
                        }
                    }
                )
        else:
            foreign = foreign_districts(measure.plan, chosen)
            if foreign:
                raise ValidationError(
                    {
                        "districts": _(
                            "Bydelene må høre til planens kommune "
                            "(%(municipality)s). Fjern: %(districts)s."
                        )
                        % {
                            "municipality": measure.plan.municipality,
                            "districts": ", ".join(str(d) for d in foreign),
                        }
                    }
                )


models.signals.m2m_changed.connect(
    _refuse_foreign_relations, sender=Measure.goals.through
)
models.signals.m2m_changed.connect(
    _refuse_foreign_relations, sender=Measure.districts.through
)


def shared_slug_clashes(plan: Plan, municipality: Municipality) -> list[str]:
    """The plan's and its measures' slugs that `municipality` already uses (for
    its own plans and measures, or those of another plan shared with it): a
    plan shared with it answers under its addresses too, so one address would
    name two things."""
    from django.db.models import Q

    in_it = Q(municipality=municipality) | Q(shared_with=municipality)
    clashes = []
    if Plan.objects.filter(in_it, slug=plan.slug).exclude(pk=plan.pk).exists():
        clashes.append(plan.slug)
    mine = plan.measures.values_list("slug", flat=True)
    taken = (
        Measure.objects.filter(slug__in=mine)
        .filter(Q(municipality=municipality) | Q(plan__shared_with=municipality))
        .exclude(plan=plan)
        .values_list("slug", flat=True)
    )
    return clashes + sorted(set(taken))


def _refuse_sharing_a_taken_slug(sender, instance, action, pk_set, **kwargs):
    """Sharing a plan with a municipality that already has a plan or measure of
    the same slug is refused, however it is done."""
    from django.core.exceptions import ValidationError

    if action != "pre_add" or not pk_set:
        return
    if isinstance(instance, Plan):
        pairs = [(instance, m) for m in Municipality.objects.filter(pk__in=pk_set)]
    else:  # municipality.shared_plans.add(plan)
        pairs = [(p, instance) for p in Plan.objects.filter(pk__in=pk_set)]
    for plan, municipality in pairs:
        if municipality.pk == plan.municipality_id:
            raise ValidationError(
                {"shared_with": _("En plan deles ikke med sin egen kommune.")}
            )
        clashes = shared_slug_clashes(plan, municipality)
        if clashes:
            raise ValidationError(
                {
                    "shared_with": _(
                        "%(municipality)s bruker allerede nettadressenavnene "
                        "%(slugs)s. Planen kan ikke deles med kommunen før "
                        "nettadressenavnene er ulike."
                    )
                    % {"municipality": municipality, "slugs": ", ".join(clashes)}
                }
            )


models.signals.m2m_changed.connect(
    _refuse_sharing_a_taken_slug, sender=Plan.shared_with.through
)
