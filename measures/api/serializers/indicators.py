"""Indicators and their published values, with small numbers hidden as the
public pages hide them."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from measures.api.serializers.common import (
    PageUrlField,
    UncertaintyMixin,
    api_url,
    slug_of,
)
from measures.api.serializers.sources import citations_field
from measures.models import Indicator, IndicatorValue
from measures.selectors.small_numbers import PublicValue, format_value, public_value


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
    url = api_url("api:indicator-detail", lookup_field="slug")
    sources = citations_field()
    html_url = IndicatorPageUrlField()
    # Through the goal's or the measure's plan (Indicator.plan, a property the
    # schema generator cannot follow).
    municipality = serializers.SerializerMethodField(
        help_text=_("Kommunen objektet hører til (slug).")
    )
    plan = serializers.SerializerMethodField(
        help_text=_("Planens nettadressenavn (slug).")
    )
    goal = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_("Målet (id) for en effektindikator, ellers null."),
    )
    measure = slug_of(
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
            "municipality",
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

    def get_municipality(self, indicator: Indicator) -> str:
        return indicator.plan.municipality.slug

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
    url = api_url("api:indicator-value-detail")
    sources = citations_field()
    html_url = IndicatorPageUrlField()
    municipality = serializers.SerializerMethodField(
        help_text=_("Kommunen objektet hører til (slug).")
    )
    indicator = slug_of(_("Indikatorens nettadressenavn (slug)."))
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
            "municipality",
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

    def get_municipality(self, value: IndicatorValue) -> str:
        return value.indicator.plan.municipality.slug

    @extend_schema_field(NUMBER_SCHEMA)
    def get_value(self, value: IndicatorValue) -> int | float | None:
        return _number(self._shown.number)

    def get_text(self, value: IndicatorValue) -> str:
        return self._shown.text

    def get_suppressed(self, value: IndicatorValue) -> bool:
        return self._shown.suppressed
