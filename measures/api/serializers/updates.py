"""Published status updates (no author, reviewer or review comment)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from measures.api.serializers.common import (
    PageUrlField,
    UncertaintyMixin,
    api_url,
    municipality_of,
    slug_of,
)
from measures.api.serializers.sources import citations_field
from measures.models import StatusUpdate


class UpdatePageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", _("Tiltakets side, der oppdateringen står i historikken.")
        )
        super().__init__(**kwargs)

    def page_path(self, update: StatusUpdate) -> str:
        return update.measure.get_absolute_url()


class StatusUpdateSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = api_url("api:status-update-detail")
    sources = citations_field()
    html_url = UpdatePageUrlField()
    municipality = municipality_of("measure.municipality")
    measure = slug_of(_("Tiltakets nettadressenavn (slug)."))
    plan = slug_of(_("Planens nettadressenavn (slug)."), source="measure.plan")

    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "url",
            "html_url",
            "municipality",
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
