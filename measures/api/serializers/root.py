"""The API root: the licence and every endpoint."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


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
