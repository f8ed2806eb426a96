"""Partners, with their former names, and districts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.api.serializers.common import PageUrlField, api_url, slug_of
from measures.api.serializers.sources import citations_field
from measures.models import District
from partners.models import Partner, PartnerName


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
    url = api_url("api:district-detail", lookup_field="slug")
    html_url = PageUrlField()
    municipality = slug_of(
        _("Kommunen (partnerens slug), eller null."), allow_null=True
    )

    class Meta:
        model = District
        fields = ["slug", "url", "html_url", "name", "municipality"]
