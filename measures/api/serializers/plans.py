"""Plans, with their owner and progress rollup, and their goals."""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from measures.api.serializers.common import (
    PageUrlField,
    PublicSlugField,
    UncertaintyMixin,
    api_url,
    municipal_api_url,
    municipality_of,
    slug_of,
)
from measures.api.serializers.sources import citations_field
from measures.models import Goal, Plan
from measures.open_data import attribution
from measures.selectors.public import plan_reference_date
from measures.selectors.rollups import NOT_ASSESSED, Rollup
from partners.models import Partner

# How "not assessed" (no health) is written: the value the measure filter takes.
NOT_ASSESSED_KEY = "none"


class GoalPageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Målet på planens side."))
        super().__init__(**kwargs)

    def page_path(self, goal: Goal) -> str:
        return f"{goal.plan.get_absolute_url()}#mal-{goal.slug}"


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
        help_text=_(
            "Antall tiltak per vurdering (trafikklys); «none» er ikke vurdert."
        ),
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
    url = municipal_api_url("api:plan-detail")
    html_url = PageUrlField()
    municipality = municipality_of()
    shared_with = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text=_(
            "Andre kommuner planen er felles med (interkommunal plan), der den "
            "også vises (slug)."
        ),
    )
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
    sources = citations_field()
    goals_url = serializers.SerializerMethodField()
    measures_url = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "slug",
            "url",
            "html_url",
            "municipality",
            "shared_with",
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
        # With the municipality: a plan's slug is unique only within it.
        url = reverse(name, request=self.context["request"])
        query = urlencode({"plan": plan.slug, "municipality": plan.municipality.slug})
        return f"{url}?{query}"

    @extend_schema_field(OpenApiTypes.URI)
    def get_goals_url(self, plan: Plan) -> str:
        return self._list_url("api:goal-list", plan)

    @extend_schema_field(OpenApiTypes.URI)
    def get_measures_url(self, plan: Plan) -> str:
        return self._list_url("api:measure-list", plan)


class GoalSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = api_url("api:goal-detail")
    html_url = GoalPageUrlField()
    municipality = municipality_of("plan.municipality")
    plan = slug_of(_("Planens nettadressenavn (slug)."))
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Id for det overordnede målet; null for et toppmål."),
    )
    sources = citations_field()

    class Meta:
        model = Goal
        fields = [
            "id",
            "url",
            "html_url",
            "municipality",
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
