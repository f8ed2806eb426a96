"""Measures, with their partners' roles and their current status."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from measures.api.selectors import (
    LISTED_CITATIONS,
    LISTED_DISTRICTS,
    LISTED_GOALS,
    LISTED_ROLES,
)
from measures.api.serializers.common import (
    PageUrlField,
    PublicSlugField,
    UncertaintyMixin,
    municipal_api_url,
    municipality_of,
    slug_of,
)
from measures.api.serializers.sources import citations_field
from measures.models import District, Health, Measure, MeasurePartner, Phase
from measures.selectors.public import plan_reference_date

# Why a measure's phase is null in the API: nothing about it has been published.
NO_PUBLISHED_UPDATE = "no_published_update"


class MeasurePartnerSerializer(serializers.ModelSerializer):
    partner = slug_of(_("Partnerens nettadressenavn (slug)."))
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
        help_text=_("Tom når tiltaket ikke er vurdert."),
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


# The schema of the goals' ids and the districts' slugs, which drf-spectacular
# cannot find from the lists' names (they are not fields of Measure).
@extend_schema_field(OpenApiTypes.INT)
class ListedGoalField(serializers.PrimaryKeyRelatedField):
    pass


@extend_schema_field(
    {"type": "string", "title": capfirst(District._meta.get_field("slug").verbose_name)}
)
class ListedDistrictField(serializers.SlugRelatedField):
    pass


class MeasureSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = municipal_api_url("api:measure-detail")
    html_url = PageUrlField()
    municipality = municipality_of()
    plan = slug_of(_("Planens nettadressenavn (slug)."))
    # The relations are read from the lists api_measures() prefetches: this
    # serializer takes only measures from that queryset.
    goals = ListedGoalField(
        source=LISTED_GOALS,
        many=True,
        read_only=True,
        help_text=_("Id-ene til målene tiltaket hører til."),
    )
    partners = MeasurePartnerSerializer(source=LISTED_ROLES, many=True, read_only=True)
    districts = ListedDistrictField(
        source=LISTED_DISTRICTS,
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
    sources = citations_field(source=LISTED_CITATIONS)

    class Meta:
        model = Measure
        fields = [
            "slug",
            "url",
            "html_url",
            "municipality",
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
