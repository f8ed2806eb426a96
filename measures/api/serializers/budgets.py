"""Budget lines: what a measure was allocated and spent, year by year."""

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
from measures.models import BudgetLine


class BudgetPageUrlField(PageUrlField):
    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Tiltakets side, med budsjettet."))
        super().__init__(**kwargs)

    def page_path(self, line: BudgetLine) -> str:
        return line.measure.get_absolute_url()


class BudgetLineSerializer(UncertaintyMixin, serializers.ModelSerializer):
    url = api_url("api:budget-line-detail")
    sources = citations_field()
    html_url = BudgetPageUrlField()
    municipality = municipality_of("measure.municipality")
    measure = slug_of(_("Tiltakets nettadressenavn (slug)."))
    plan = slug_of(_("Planens nettadressenavn (slug)."), source="measure.plan")

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "url",
            "html_url",
            "municipality",
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
