"""What the API shows of each object: the public pages' fields and nothing more.

Status updates carry no author, reviewer or review comment (the pages show none:
the responsible partners are on the measure). Objects are referred to by slug
(goals and updates, which have no unique slug, by id); each has `url` (itself in
the API) and `html_url` (its public page, the address to cite)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from measures.indicator_selectors import PublicValue, format_value, public_value
from measures.models import (
    BudgetLine,
    Citation,
    District,
    Goal,
    Health,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from measures.open_data import attribution
from measures.selectors import NOT_ASSESSED, Rollup, plan_reference_date
from partners.models import Partner, PartnerName

# Why a measure's phase is null in the API: nothing about it has been published.
NO_PUBLISHED_UPDATE = "no_published_update"

# How "not assessed" (no health) is written: the value the measure filter takes.
NOT_ASSESSED_KEY = "none"


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The absolute address of the object's public page."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", _("Adressen til objektets offentlige side."))
        super().__init__(**kwargs)

    def page_path(self, obj) -> str:
        return obj.get_absolute_url()

    def to_representation(self, obj) -> str:
        return self.context["request"].build_absolute_uri(self.page_path(obj))


class GoalPageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Målet på planens side."))
        super().__init__(**kwargs)

    def page_path(self, goal: Goal) -> str:
        return f"{goal.plan.get_absolute_url()}#mal-{goal.slug}"


class UpdatePageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("Tiltakets side, der oppdateringen står i historikken.")
        )
        super().__init__(**kwargs)

    def page_path(self, update: StatusUpdate) -> str:
        return update.measure.get_absolute_url()


@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": r"^[-a-zA-Z0-9_]+$"}
)
class PublicSlugField(serializers.Field):
    """The slug of a related plan or measure, or null when there is none or it
    belongs to a draft plan (which the API does not show)."""

    def __init__(self, *, plan_of, **kwargs):
        self.plan_of = plan_of
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)

    def to_representation(self, value) -> str | None:
        if value is None or not self.plan_of(value).is_public:
            return None
        return value.slug


def _api_url(view_name: str, **kwargs) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(
        view_name=view_name, help_text=_("Objektets adresse i API-et."), **kwargs
    )


def _slug_of(help_text: str, **kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=help_text, **kwargs
    )


class RollupSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Antall tiltak."))
    assessed = serializers.IntegerField(
        help_text=_("Antall tiltak med vurdert fremdrift.")
    )
    progress = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Vektet fremdrift i prosent (0–100): gjennomsnittet av tiltakenes "
            "siste publiserte fremdrift, vektet. Null når ingen er vurdert."
        ),
    )
    phases = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Antall tiltak per fase."),
    )
    healths = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Antall tiltak per helse (trafikklys); «none» er ikke vurdert."),
    )

    def to_representation(self, value: Rollup) -> dict:
        return {
            "total": value.total,
            "assessed": value.assessed,
            "progress": value.progress,
            "phases": {share.key: share.count for share in value.phases},
            "healths": {
                (share.key if share.key != NOT_ASSESSED else NOT_ASSESSED_KEY): (
                    share.count
                )
                for share in value.healths
            },
        }


class SourceSerializer(serializers.ModelSerializer):
    date = serializers.CharField(
        source="date_label",
        read_only=True,
        help_text=_(
            "Datoen slik kilden oppgir den (dd.mm.åååå, mm.åååå, åååå) eller «udatert»."
        ),
    )

    class Meta:
        model = Source
        fields = [
            "publisher",
            "title",
            "url",
            "kind",
            "published_on",
            "date_precision",
            "date",
            "date_note",
            "accessed_on",
        ]


class CitationSerializer(serializers.ModelSerializer):
    source = SourceSerializer(read_only=True)
    field = serializers.CharField(
        read_only=True,
        help_text=_(
            "Opplysningen kilden belegger, for eksempel «status»; tom for hele saken."
        ),
    )

    class Meta:
        model = Citation
        fields = ["field", "source"]


def _citations_field() -> CitationSerializer:
    return CitationSerializer(
        source="citations",
        many=True,
        read_only=True,
        help_text=_("Kildene opplysningen bygger på, med nettadresse."),
    )


class UncertaintyMixin(serializers.Serializer):
    """`uncertain` and `uncertainty`: a fact the sources disagree on or do not
    confirm says so, in words."""

    uncertain = serializers.SerializerMethodField(
        help_text=_("Sann når kildene er uenige eller opplysningen ikke er bekreftet.")
    )
    uncertainty = serializers.SerializerMethodField(
        help_text=_("Hva som er usikkert, med ord; null når ingenting er det.")
    )

    def get_uncertain(self, instance) -> bool:
        return bool(instance.uncertainty)

    def get_uncertainty(self, instance) -> str | None:
        return instance.uncertainty or None


class FormerNameSerializer(serializers.ModelSerializer):
    sources = _citations_field()

    class Meta:
        model = PartnerName
        fields = ["name", "valid_from", "valid_until", "dates_approximate", "sources"]


class PlanOwnerSerializer(serializers.ModelSerializer):
    name_in_plan = serializers.SerializerMethodField(
        help_text=_("Navnet eieren hadde da planen ble vedtatt.")
    )

    class Meta:
        model = Partner
        fields = ["slug", "name", "name_in_plan"]

    def get_name_in_plan(self, partner: Partner) -> str:
        return partner.name_on(self.context["reference_date"])


class PlanSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:plan-detail", lookup_field="slug")
    html_url = PageUrlField()
    owner = serializers.SerializerMethodField()
    predecessor = PublicSlugField(
        plan_of=lambda plan: plan,
        help_text=_("Planen denne planen viderefører (slug), om den er offentlig."),
    )
    progress = serializers.SerializerMethodField(
        help_text=_("Fremdrift og statusfordeling for planens tiltak.")
    )
    attribution = serializers.SerializerMethodField(
        help_text=_("Kildehenvisningen lisensen (NLOD 2.0) ber om.")
    )
    sources = _citations_field()
    goals_url = serializers.SerializerMethodField()
    measures_url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "slug",
            "url",
            "html_url",
            "title",
            "short_title",
            "description",
            "status",
            "start_year",
            "end_year",
            "adopted_on",
            "adopted_by",
            "adoption_note",
            "council_case_reference",
            "owner",
            "predecessor",
            "reporting_interval",
            "sources",
            "uncertain",
            "uncertainty",
            "progress",
            "attribution",
            "goals_url",
            "measures_url",
        ]

    @extend_schema_field(PlanOwnerSerializer)
    def get_owner(self, plan: Plan) -> dict:
        context = {**self.context, "reference_date": plan_reference_date(plan)}
        return PlanOwnerSerializer(plan.owner, context=context).data

    @extend_schema_field(RollupSerializer)
    def get_progress(self, plan: Plan) -> dict:
        return RollupSerializer(self.context["rollups"][plan.pk]).data

    def get_attribution(self, plan: Plan) -> str:
        return attribution(plan)

    def _list_url(self, name: str, plan: Plan) -> str:
        url = reverse(name, request=self.context["request"])
        return f"{url}?plan={plan.slug}"

    @extend_schema_field(OpenApiTypes.URI)
    def get_goals_url(self, plan: Plan) -> str:
        return self._list_url("api:goal-list", plan)

    @extend_schema_field(OpenApiTypes.URI)
    def get_measures_url(self, plan: Plan) -> str:
        return self._list_url("api:measure-list", plan)


class GoalSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:goal-detail")
    html_url = GoalPageUrlField()
    plan = _slug_of(_("Planens nettadressenavn (slug)."))
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Id for det overordnede målet; null for et toppmål."),
    )
    sources = _citations_field()

    class Meta:
        model = Goal
        fields = [
            "id",
            "url",
            "html_url",
            "plan",
            "parent",
            "slug",
            "title",
            "description",
            "order",
            "sources",
            "uncertain",
            "uncertainty",
        ]


class MeasurePartnerSerializer(serializers.ModelSerializer):
    partner = _slug_of(_("Partnerens nettadressenavn (slug)."))
    name = serializers.CharField(
        source="partner.name",
        read_only=True,
        help_text=_("Navnet partneren har i dag."),
    )
    name_in_plan = serializers.SerializerMethodField(
        help_text=_("Navnet partneren hadde da planen ble vedtatt.")
    )

    class Meta:
        model = MeasurePartner
        fields = ["partner", "name", "name_in_plan", "role"]

    def get_name_in_plan(self, role: MeasurePartner) -> str:
        return role.partner.name_on(plan_reference_date(role.measure.plan))


class NoStatusChoiceField(serializers.ChoiceField):
    """A phase, or null for a measure with no published update: no status is not a
    phase, and never reads as "not started"."""

    def to_representation(self, value):
        return value or None


class CurrentStatusSerializer(serializers.Serializer):
    """A measure's status from its latest published update."""

    phase = NoStatusChoiceField(
        source="current_phase",
        choices=Phase.choices,
        allow_null=True,
        help_text=_("Fasen; null når ingen statusoppdatering er publisert."),
    )
    status_reason = serializers.SerializerMethodField(
        help_text=_(
            "«no_published_update» når tiltaket ikke har noen publisert "
            "statusoppdatering (ingen status registrert); ellers null."
        )
    )
    health = serializers.ChoiceField(
        source="current_health",
        choices=Health.choices,
        allow_blank=True,
        help_text=_("Tom når helsen ikke er vurdert."),
    )
    progress = serializers.IntegerField(
        source="current_progress",
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text=_("Fremdrift i prosent, eller null når den ikke er vurdert."),
    )
    as_of = serializers.DateField(
        source="current_as_of",
        allow_null=True,
        help_text=_("Datoen statusen gjelder; null før første publiserte status."),
    )

    def get_status_reason(self, measure) -> str | None:
        return None if measure.current_phase else NO_PUBLISHED_UPDATE


class MeasureSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:measure-detail", lookup_field="slug")
    html_url = PageUrlField()
    plan = _slug_of(_("Planens nettadressenavn (slug)."))
    goals = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Id-ene til målene tiltaket hører til.")
    )
    partners = MeasurePartnerSerializer(
        source="partner_roles", many=True, read_only=True
    )
    districts = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text=_("Bydelene tiltaket gjelder (slug); tom for hele kommunen."),
    )
    continues = PublicSlugField(
        plan_of=lambda measure: measure.plan,
        help_text=_("Det samme tiltaket i forløperplanen (slug), om det finnes."),
    )
    status = CurrentStatusSerializer(source="*", read_only=True)
    sources = _citations_field()

    class Meta:
        model = Measure
        fields = [
            "slug",
            "url",
            "html_url",
            "plan",
            "identifier",
            "title",
            "description",
            "category",
            "goals",
            "partners",
            "districts",
            "planned_start",
            "planned_end",
            "weight",
            "continues",
            "status",
            "sources",
            "uncertain",
            "uncertainty",
        ]


class PartnerSerializer(serializers.ModelSerializer):
    url = _api_url("api:partner-detail", lookup_field="slug")
    html_url = PageUrlField()
    parent = _slug_of(
        _("Organisasjonen enheten hører til (slug), eller null."), allow_null=True
    )
    former_names = FormerNameSerializer(many=True, read_only=True)

    class Meta:
        model = Partner
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "short_name",
            "kind",
            "parent",
            "website",
            "description",
            "former_names",
        ]


class DistrictSerializer(serializers.ModelSerializer):
    url = _api_url("api:district-detail", lookup_field="slug")
    html_url = PageUrlField()
    municipality = _slug_of(
        _("Kommunen (partnerens slug), eller null."), allow_null=True
    )

    class Meta:
        model = District
        fields = ["slug", "url", "html_url", "name", "municipality"]


class StatusUpdateSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:status-update-detail")
    sources = _citations_field()
    html_url = UpdatePageUrlField()
    measure = _slug_of(_("Tiltakets nettadressenavn (slug)."))
    plan = _slug_of(_("Planens nettadressenavn (slug)."), source="measure.plan")

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "url",
            "html_url",
            "measure",
            "plan",
            "as_of",
            "phase",
            "health",
            "progress",
            "summary",
            "sources",
            "uncertain",
            "uncertainty",
            "published_at",
        ]


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    url = serializers.URLField()


class ApiRootSerializer(serializers.Serializer):
    title = serializers.CharField()
    licence = LicenceSerializer()
    attribution = serializers.CharField()
    schema = serializers.URLField(
        help_text=_("OpenAPI 3-skjemaet (YAML; ?format=json).")
    )
    docs = serializers.URLField(help_text=_("Dokumentasjonen som nettside."))
    endpoints = serializers.DictField(child=serializers.URLField())


# Indicators, their values and budget lines ---------------------------------------


def _number(value: Decimal | None) -> int | float | None:
    """A decimal as JSON: a whole number without ".0"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


NUMBER_SCHEMA = {"type": "number", "nullable": True}


class IndicatorPageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("Indikatoren på målets plan eller på tiltakets side."),
        )
        super().__init__(**kwargs)

    def page_path(self, obj) -> str:
        indicator = obj if isinstance(obj, Indicator) else obj.indicator
        owner = indicator.goal.plan if indicator.goal_id else indicator.measure
        return f"{owner.get_absolute_url()}#indikator-{indicator.slug}"


class PublicNumberSerializer(serializers.Serializer):
    """A value as the public may see it: a count of people below the indicator's
    small-number threshold has no `value`, only the text "< N"."""

    year = serializers.IntegerField()
    value = serializers.SerializerMethodField(
        help_text=_("Tallet, eller null når det er skjermet (små tall).")
    )
    text = serializers.CharField(
        help_text=_("Tallet slik sidene viser det, for eksempel «1 060» eller «< 5».")
    )
    suppressed = serializers.BooleanField(
        help_text=_("Sann når tallet er under grensen for små tall og skjult.")
    )

    @extend_schema_field(NUMBER_SCHEMA)
    def get_value(self, shown) -> int | float | None:
        return _number(shown["number"])

    def to_representation(self, instance):
        year, shown = instance
        return super().to_representation(
            {
                "year": year,
                "number": shown.number,
                "text": shown.text,
                "suppressed": shown.suppressed,
            }
        )


def _shown(indicator: Indicator, number, context) -> PublicValue | None:
    # The API answers the same to everyone, so it always asks as the public.
    return public_value(indicator, number, user=context["request"].user)


class IndicatorSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:indicator-detail", lookup_field="slug")
    sources = _citations_field()
    html_url = IndicatorPageUrlField()
    plan = serializers.SerializerMethodField(
        help_text=_("Planens nettadressenavn (slug).")
    )
    goal = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Målet (id) for en effektindikator, ellers null."),
    )
    measure = _slug_of(
        _("Tiltaket (slug) for en resultatindikator, ellers null."), allow_null=True
    )
    baseline = serializers.SerializerMethodField(
        help_text=_("Utgangsverdien med år, skjermet som verdiene; null om ingen.")
    )
    target = serializers.SerializerMethodField(
        help_text=_("Målverdien med år (et vedtak, aldri skjermet); null om ingen.")
    )
    values_url = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "slug",
            "url",
            "html_url",
            "plan",
            "goal",
            "measure",
            "title",
            "unit",
            "kind",
            "direction",
            "source_organisation",
            "description",
            "baseline",
            "target",
            "small_number_threshold",
            "sources",
            "uncertain",
            "uncertainty",
            "values_url",
        ]

    def get_plan(self, indicator: Indicator) -> str:
        return indicator.plan.slug

    @extend_schema_field(PublicNumberSerializer(allow_null=True))
    def get_baseline(self, indicator: Indicator) -> dict | None:
        shown = _shown(indicator, indicator.baseline_value, self.context)
        if shown is None:
            return None
        return PublicNumberSerializer((indicator.baseline_year, shown)).data

    @extend_schema_field(PublicNumberSerializer(allow_null=True))
    def get_target(self, indicator: Indicator) -> dict | None:
        if indicator.target_value is None:
            return None
        shown = PublicValue(
            text=format_value(indicator.kind, indicator.target_value),
            number=indicator.target_value,
        )
        return PublicNumberSerializer((indicator.target_year, shown)).data

    @extend_schema_field(OpenApiTypes.URI)
    def get_values_url(self, indicator: Indicator) -> str:
        url = reverse("api:indicator-value-list", request=self.context["request"])
        return f"{url}?indicator={indicator.slug}"


class IndicatorValueSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:indicator-value-detail")
    sources = _citations_field()
    html_url = IndicatorPageUrlField()
    indicator = _slug_of(_("Indikatorens nettadressenavn (slug)."))
    plan = serializers.SerializerMethodField(
        help_text=_("Planens nettadressenavn (slug).")
    )
    period = serializers.CharField(
        source="period_label", read_only=True, help_text=_("Perioden i klartekst.")
    )
    start = serializers.DateField(read_only=True, help_text=_("Periodens første dag."))
    end = serializers.DateField(read_only=True, help_text=_("Periodens siste dag."))
    value = serializers.SerializerMethodField(
        help_text=_("Tallet, eller null når det er skjermet (små tall).")
    )
    text = serializers.SerializerMethodField(
        help_text=_("Tallet slik sidene viser det, for eksempel «ca. 300» eller «< 5».")
    )
    suppressed = serializers.SerializerMethodField(
        help_text=_("Sann når tallet er under grensen for små tall og skjult.")
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "url",
            "html_url",
            "indicator",
            "plan",
            "period_type",
            "year",
            "number",
            "period",
            "start",
            "end",
            "value",
            "text",
            "suppressed",
            "qualifier",
            "note",
            "sources",
            "uncertain",
            "uncertainty",
            "published_at",
        ]

    def to_representation(self, instance: IndicatorValue) -> dict:
        self._shown = _shown(instance.indicator, instance, self.context)
        return super().to_representation(instance)

    def get_plan(self, value: IndicatorValue) -> str:
        return value.indicator.plan.slug

    @extend_schema_field(NUMBER_SCHEMA)
    def get_value(self, value: IndicatorValue) -> int | float | None:
        return _number(self._shown.number)

    def get_text(self, value: IndicatorValue) -> str:
        return self._shown.text

    def get_suppressed(self, value: IndicatorValue) -> bool:
        return self._shown.suppressed


class BudgetPageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Tiltakets side, med budsjettet."))
        super().__init__(**kwargs)

    def page_path(self, line: BudgetLine) -> str:
        return line.measure.get_absolute_url()


class BudgetLineSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = _api_url("api:budget-line-detail")
    sources = _citations_field()
    html_url = BudgetPageUrlField()
    measure = _slug_of(_("Tiltakets nettadressenavn (slug)."))
    plan = _slug_of(_("Planens nettadressenavn (slug)."), source="measure.plan")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "url",
            "html_url",
            "measure",
            "plan",
            "year",
            "end_year",
            "kind",
            "allocated_nok",
            "spent_nok",
            "council_decision_reference",
            "note",
            "sources",
            "uncertain",
            "uncertainty",
        ]
