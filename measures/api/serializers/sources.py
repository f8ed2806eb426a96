"""Sources and the citations that tie them to a fact, as every object lists them
under `sources`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.models import Citation, Source


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


def citations_field(source: str = "citations") -> CitationSerializer:
    return CitationSerializer(
        source=source,
        many=True,
        read_only=True,
        help_text=_("Kildene opplysningen bygger på, med nettadresse."),
    )
