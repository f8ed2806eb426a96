import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.paths import cached_reverse


def slug_not_reserved(value: str) -> None:
    """A municipality's slug is the first part of its pages' addresses
    (/bergen/...): it may not be a word the site itself uses there (/api/,
    /admin/, /planer/ of the old addresses, a language prefix...)."""
    from django.core.exceptions import ValidationError

    from partners.reserved import reserved_first_segments

    if value != value.lower():
        # /Bergen/ and /bergen/ would be two municipalities, and «API» would
        # pass the reserved words below.
        raise ValidationError(
            _("Bruk bare små bokstaver, tall og bindestrek, for eksempel «askoy»."),
            code="lowercase",
        )
    if value in reserved_first_segments():
        raise ValidationError(
            _(
                "«%(slug)s» er et ord nettstedet selv bruker i adresser. "
                "Velg et annet, for eksempel kommunens navn med fylket bak."
            ),
            params={"slug": value},
            code="reserved",
        )


class Municipality(models.Model):
    """A kommune: the tenant. Its plans, districts and municipal units live under
    /<slug>/ (docs/municipalities.md). Regional and national partners serve
    several municipalities (Partner.serves)."""

    name = models.CharField(
        _("navn"),
        max_length=100,
        unique=True,
        help_text=_("Kommunens navn uten «kommune», for eksempel «Bergen»."),
        error_messages={
            "unique": _("Det finnes allerede en kommune med dette navnet.")
        },
    )
    number = models.CharField(
        _("kommunenummer"),
        max_length=4,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9]{4}\Z",
                _(
                    "Kommunenummeret er fire sifre, slik SSB oppgir det, for "
                    "eksempel 4601."
                ),
                code="number_format",
            )
        ],
        help_text=_("Fire sifre, slik SSB oppgir det. Bergen er 4601."),
        error_messages={
            "unique": _("En annen kommune har allerede dette kommunenummeret.")
        },
    )
    county = models.CharField(_("fylke"), max_length=100, blank=True)
    slug = models.SlugField(
        _("nettadressenavn"),
        max_length=60,
        unique=True,
        validators=[slug_not_reserved],
        help_text=_(
            "Første del av adressen til kommunens sider, for eksempel «bergen» i "
            "/bergen/. Endres ikke etter publisering."
        ),
        error_messages={
            "unique": _("En annen kommune har allerede dette nettadressenavnet.")
        },
    )
    contact_email = models.EmailField(
        _("kontaktadresse"),
        blank=True,
        help_text=_("Hvor publikum kan spørre om kommunens planer."),
    )
    accessibility_email = models.EmailField(
        _("adresse for tilbakemelding om tilgjengelighet"),
        blank=True,
        help_text=_(
            "Hvor publikum melder fra om tilgjengelighet på kommunens sider. Tom: "
            "nettstedets adresse."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{4}$"),
                name="municipality_number_four_digits",
                violation_error_message=_(
                    "Kommunenummeret er fire sifre, for eksempel 4601."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(name=""), name="municipality_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return cached_reverse("municipality-home", kommune=self.slug)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        # SSB's numbers begin with the county's (03 Oslo up to 56 Finnmark):
        # 0000-0299 is no kommune, a typing slip more likely than a new county.
        if len(self.number) == 4 and self.number.isdigit() and self.number < "0300":
            raise ValidationError(
                {
                    "number": _(
                        "Ingen kommune har et nummer under 0300: de to første "
                        "sifrene er fylkets. Sjekk nummeret hos SSB."
                    )
                }
            )


class Partner(models.Model):
    """An organisation, or a unit of one, that is responsible for measures.

    A municipality's own organisation and its units belong to that municipality
    (`municipality`); police districts, health trusts, state agencies and user
    organisations belong to none and serve several (`serves`)."""

    MUNICIPAL_KINDS = ("municipality", "municipal_unit")

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Kommune")
        MUNICIPAL_UNIT = "municipal_unit", _("Kommunal enhet")
        POLICE_DISTRICT = "police_district", _("Politidistrikt")
        HEALTH_TRUST = "health_trust", _("Helseforetak")
        STATE_AGENCY = "state_agency", _("Statlig etat")
        USER_ORGANISATION = "user_organisation", _("Brukerorganisasjon")
        OTHER = "other", _("Annet")

    name = models.CharField(
        _("navn"), max_length=200, help_text=_("Navnet organisasjonen har i dag.")
    )
    short_name = models.CharField(_("kortnavn"), max_length=60, blank=True)
    slug = models.SlugField(
        _("nettadressenavn"),
        max_length=80,
        unique=True,
        help_text=_(
            "Brukes i adressen /partnere/«navn»/. Endres ikke etter publisering."
        ),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("overordnet"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("Organisasjonen en enhet hører til, for eksempel kommunen."),
    )
    website = models.URLField(_("nettsted"), blank=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_(
            "Kommunen en kommune eller kommunal enhet hører til. Tom for regionale "
            "og nasjonale partnere."
        ),
    )
    serves = models.ManyToManyField(
        Municipality,
        verbose_name=_("betjener kommunene"),
        blank=True,
        related_name="regional_partners",
        help_text=_(
            "Kommunene en regional eller nasjonal partner arbeider i, for eksempel "
            "kommunene et politidistrikt dekker."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partnere")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="partner_name_not_empty"
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="partner_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_municipal(self) -> bool:
        return self.kind in self.MUNICIPAL_KINDS

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.is_municipal and self.municipality_id is None:
            raise ValidationError(
                {"municipality": _("Velg kommunen en kommunal partner hører til.")}
            )
        if not self.is_municipal and self.municipality_id is not None:
            raise ValidationError(
                {
                    "municipality": _(
                        "Bare kommuner og kommunale enheter hører til én kommune. "
                        "Velg kommunene partneren betjener i stedet."
                    )
                }
            )
        parent = self.parent
        if (
            parent is not None
            and self.municipality_id is not None
            and parent.municipality_id not in (None, self.municipality_id)
        ):
            raise ValidationError(
                {"parent": _("Den overordnede må høre til samme kommune.")}
            )

    def name_on(self, day: datetime.date | None) -> str:
        """The name in force on `day`: a former name if one covers that day.

        Reads `self.former_names.all()`, so prefetch `former_names` in lists.
        """
        if day is None:
            return self.name
        for former in self.former_names.all():
            if former.covers(day):
                return former.name
        return self.name


class PartnerName(models.Model):
    """A name the partner had before, with the period it was in force.

    The current name lives on Partner.name; these rows are the history a page about an
    older plan needs ("Hordaland politidistrikt, nå Vest politidistrikt").
    """

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="former_names",
    )
    name = models.CharField(_("navn"), max_length=200)
    valid_from = models.DateField(_("gyldig fra"), null=True, blank=True)
    valid_until = models.DateField(
        _("gyldig til og med"),
        null=True,
        blank=True,
        help_text=_("Siste dag navnet var i bruk."),
    )
    dates_approximate = models.BooleanField(
        _("omtrentlige datoer"),
        default=False,
        help_text=_("Kryss av når kildene bare gir året, ikke dagen."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tidligere navn")
        verbose_name_plural = _("tidligere navn")
        ordering = ["partner", F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="partnername_period_ordered",
                violation_error_message=_(
                    "«Gyldig til» kan ikke være før «gyldig fra»."
                ),
            ),
            models.UniqueConstraint(
                fields=["partner", "name"], name="partnername_unique_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, day: datetime.date) -> bool:
        """True when the name was in force on `day`. Open ends are unbounded, but a
        name with neither date known covers nothing: we cannot say when it applied."""
        if self.valid_from is None and self.valid_until is None:
            return False
        starts_ok = self.valid_from is None or self.valid_from <= day
        ends_ok = self.valid_until is None or day <= self.valid_until
        return starts_ok and ends_ok


class Membership(models.Model):
    """A user's role in a partner: this is what every permission hangs on."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Saksbehandler")
        COORDINATOR = "coordinator", _("Koordinator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["partner", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "partner"],
                name="membership_unique_user_partner",
                violation_error_message=_(
                    "Brukeren har allerede en rolle hos denne partneren."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.partner} ({self.get_role_display()})"


class MunicipalityAdministrator(models.Model):
    """A user who administers one municipality in the Django admin: its plans,
    districts, units and their memberships, and nothing else there
    (partners/scope.py, docs/admin-guide.md). A staff user with no row here is a
    platform administrator and sees every municipality."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="administered_municipalities",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommune"),
        # PROTECT: a staff user with no row here is a platform administrator,
        # so deleting a municipality must not silently delete its
        # administrators' rows (that would promote them). Remove them first
        # through municipality_administrator_remove, which takes their access.
        on_delete=models.PROTECT,
        related_name="administrators",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommuneadministrator")
        verbose_name_plural = _("kommuneadministratorer")
        ordering = ["municipality", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality"],
                name="municipalityadministrator_unique",
                violation_error_message=_(
                    "Brukeren er allerede administrator for denne kommunen."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality}"
