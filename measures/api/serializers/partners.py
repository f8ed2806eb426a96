"""Municipalities, partners (with their former names) and districts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.api.serializers.common import (
    PageUrlField,
    api_url,
    municipal_api_url,
    municipality_of,
    slug_of,
)
from measures.api.serializers.sources import citations_field
from measures.models import District
from partners.models import Municipality, Partner, PartnerName


class MunicipalitySerializer(serializers.ModelSerializer):
    url = api_url("api:municipality-detail", lookup_field="slug")
    html_url = PageUrlField(help_text=_("Kommunens forside."))
    number = serializers.CharField(
        read_only=True, help_text=_("Kommunenummeret, fire sifre (SSB).")
    )

    class Meta:
        model = Municipality
        fields = ["slug", "url", "html_url", "name", "number", "county"]


class FormerNameSerializer(serializers.ModelSerializer):
    sources = citations_field()

    class Meta:
        model = PartnerName
        fields = ["name", "valid_from", "valid_until", "dates_approximate", "sources"]


class PartnerSerializer(serializers.ModelSerializer):
    url = api_url("api:partner-detail", lookup_field="slug")
    html_url = PageUrlField()
    parent = slug_of(
        _("Organisasjonen enheten hører til (slug), eller null."), allow_null=True
    )
    former_names = FormerNameSerializer(many=True, read_only=True)
    municipality = slug_of(
        _(
            "Kommunen en kommune eller kommunal enhet hører til (slug); null for "
            "regionale og nasjonale partnere."
        ),
        allow_null=True,
    )
    serves = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text=_("Kommunene en regional eller nasjonal partner betjener (slug)."),
    )

    class Meta:
        model = Partner
        fields = [
            "slug",
            "url",
            "html_url",
            "name",
            "short_name",
            "kind",
            "municipality",
            "serves",
            "parent",
            "website",
            "description",
            "former_names",
        ]


class DistrictSerializer(serializers.ModelSerializer):
    url = municipal_api_url("api:district-detail")
    html_url = PageUrlField()
    municipality = municipality_of()

    class Meta:
        model = District
        fields = ["slug", "url", "html_url", "name", "municipality"]
