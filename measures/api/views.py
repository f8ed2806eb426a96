"""The open-data API. Rule for every view here: anyone may read, nobody may write
(read-only viewsets: any other method is a 405), and only public data is shown:
plans that are not drafts and published updates (measures/api/selectors.py)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from measures import open_data
from measures.api import docs, selectors, serializers
from measures.api.filters import (
    ApiMeasureFilter,
    BudgetLineFilter,
    DistrictFilter,
    GoalFilter,
    IndicatorFilter,
    IndicatorValueFilter,
    PartnerFilter,
    PlanFilter,
    StatusUpdateFilter,
)
from measures.api.pagination import KeysFirstPagination
from measures.filters import SEARCH_MAX_LENGTH

ENDPOINTS = {
    "municipalities": "api:municipality-list",
    "plans": "api:plan-list",
    "goals": "api:goal-list",
    "measures": "api:measure-list",
    "partners": "api:partner-list",
    "districts": "api:district-list",
    "status_updates": "api:status-update-list",
    "indicators": "api:indicator-list",
    "indicator_values": "api:indicator-value-list",
    "budgets": "api:budget-line-list",
}

ATTRIBUTION_RULE = _(
    "Dataene er lisensiert under NLOD 2.0. De er sammenstilt av Rusplan fra "
    "offentlige kilder, som hvert objekt oppgir i feltet «sources» med nettadresse. "
    "Oppgi kilden slik hver plan sier i feltet «attribution», og lenk gjerne til "
    "objektets html_url."
)


class OpenDataMixin:
    """Open data may be read by scripts on any site: the API uses no cookies and
    no credentials, so allowing every origin exposes nothing more."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class ApiRootView(OpenDataMixin, APIView):
    @extend_schema(
        summary=_("Oversikt, lisens og kildehenvisning"),
        responses=serializers.ApiRootSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "title": "Rusplan API",
                "licence": {
                    "name": open_data.LICENCE_NAME,
                    "title": str(open_data.LICENCE_TITLE),
                    "url": open_data.LICENCE_URL,
                },
                "attribution": str(ATTRIBUTION_RULE),
                "schema": reverse("api:schema", request=request),
                "docs": reverse("api:docs", request=request),
                "endpoints": {
                    key: reverse(name, request=request)
                    for key, name in ENDPOINTS.items()
                },
            }
        )


class SchemaView(OpenDataMixin, SpectacularAPIView):
    pass


@extend_schema(exclude=True)
class NotFoundView(OpenDataMixin, APIView):
    """Any other address under /api/v1/, whatever the method: a JSON 404 (where
    Django would answer with the site's HTML page), so that a client always gets
    the content type the schema promises."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound(_("API-et har ingen adresse som dette."))


AMBIGUOUS_SLUG = _(
    "Flere kommuner har dette nettadressenavnet. Oppgi kommunen med "
    "municipality=<kommune>."
)


class MunicipalSlugMixin:
    """Plans, measures and districts: a slug is unique only within its
    municipality. The filters apply to one object too (DRF filters the queryset
    before the look-up), so ?municipality= picks the municipality's; a slug two
    municipalities use, without it, is a 400 that asks for it (not a 500)."""

    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_object(self):
        model = self.get_queryset().model
        try:
            return super().get_object()
        except model.MultipleObjectsReturned as error:
            found = self._as_before_municipalities()
            if found is None:
                raise ValidationError(
                    {"municipality": [str(AMBIGUOUS_SLUG)]}
                ) from error
            return found

    def _as_before_municipalities(self):
        """An address without ?municipality= from before municipalities named
        the object of the municipality the old page addresses lead to
        (RUSPLAN_OLD_ADDRESSES_MUNICIPALITY): it still does, as the pages' old
        addresses do, when several municipalities use the slug."""
        if "municipality" in self.request.query_params:
            return None
        found = (
            self.filter_queryset(self.get_queryset())
            .filter(
                municipality__slug=settings.RUSPLAN_OLD_ADDRESSES_MUNICIPALITY,
                **{self.lookup_field: self.kwargs[self.lookup_field]},
            )
            .first()
        )
        if found is not None:
            self.check_object_permissions(self.request, found)
        return found


# The detail of a plan, measure or district takes ?municipality= too.
MUNICIPALITY_PARAMETER = OpenApiParameter(
    "municipality",
    {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"},
    description=_(
        "Kommunens nettadressenavn (slug): nødvendig når flere kommuner bruker "
        "samme nettadressenavn."
    ),
)


@extend_schema_view(
    list=extend_schema(summary=_("Kommuner")),
    retrieve=extend_schema(summary=_("Én kommune")),
)
class MunicipalityViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MunicipalitySerializer
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_queryset(self):
        return selectors.api_municipalities()


@extend_schema_view(
    list=extend_schema(summary=_("Planer som ikke er utkast")),
    retrieve=extend_schema(summary=_("Én plan"), parameters=[MUNICIPALITY_PARAMETER]),
)
class PlanViewSet(OpenDataMixin, MunicipalSlugMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self):
        return selectors.api_plans()

    def get_serializer(self, *args, **kwargs):
        if args:
            plans = args[0] if isinstance(args[0], list) else [args[0]]
            kwargs["context"] = {
                **self.get_serializer_context(),
                "rollups": selectors.plan_rollups(plans),
            }
        return super().get_serializer(*args, **kwargs)


@extend_schema_view(
    list=extend_schema(summary=_("Mål i planene")),
    retrieve=extend_schema(summary=_("Ett mål")),
)
class GoalViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.GoalSerializer
    filterset_class = GoalFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.api_goals()


@extend_schema_view(
    list=extend_schema(
        summary=_("Tiltak, filtrert som på sidene"),
        description=_(
            "Samme filtre og samme rekkefølge som tiltakslisten /tiltak/ og "
            "tabellen på planens side: /api/v1/measures/?plan=<plan> gir de "
            "tiltakene planens side viser."
        ),
        parameters=[
            OpenApiParameter(
                "goal",
                OpenApiTypes.INT,
                description=_("Målets id: tiltakene under målet og målene under det."),
            ),
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
                description=_("Søk i tittel og beskrivelse (hvert ord må finnes)."),
            ),
        ],
    ),
    retrieve=extend_schema(
        summary=_("Ett tiltak"), parameters=[MUNICIPALITY_PARAMETER]
    ),
)
class MeasureViewSet(OpenDataMixin, MunicipalSlugMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.MeasureSerializer
    pagination_class = KeysFirstPagination
    filterset_class = ApiMeasureFilter

    def get_queryset(self):
        return selectors.api_measures()


@extend_schema_view(
    list=extend_schema(summary=_("Partnere")),
    retrieve=extend_schema(summary=_("Én partner")),
)
class PartnerViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PartnerSerializer
    filterset_class = PartnerFilter
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_queryset(self):
        return selectors.api_partners()


@extend_schema_view(
    list=extend_schema(summary=_("Bydeler")),
    retrieve=extend_schema(summary=_("Én bydel"), parameters=[MUNICIPALITY_PARAMETER]),
)
class DistrictViewSet(OpenDataMixin, MunicipalSlugMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.DistrictSerializer
    filterset_class = DistrictFilter

    def get_queryset(self):
        return selectors.api_districts()


@extend_schema_view(
    list=extend_schema(
        summary=_("Publiserte statusoppdateringer"),
        description=_("Nyeste først (etter status per-dato)."),
    ),
    retrieve=extend_schema(summary=_("Én publisert statusoppdatering")),
)
class StatusUpdateViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.StatusUpdateSerializer
    filterset_class = StatusUpdateFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.api_status_updates()


@extend_schema_view(
    list=extend_schema(
        summary=_("Indikatorer"),
        description=_(
            "Effektindikatorer (knyttet til et mål) og resultatindikatorer "
            "(knyttet til et tiltak) i planer som ikke er utkast."
        ),
    ),
    retrieve=extend_schema(summary=_("Én indikator")),
)
class IndicatorViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicatorSerializer
    filterset_class = IndicatorFilter
    lookup_field = "slug"
    lookup_value_converter = "slug"

    def get_queryset(self):
        return selectors.api_indicators()


@extend_schema_view(
    list=extend_schema(
        summary=_("Publiserte indikatorverdier"),
        description=_(
            "Antall personer under indikatorens grense for små tall vises som "
            "«< grensen»: value er da null og suppressed sann, som på sidene."
        ),
    ),
    retrieve=extend_schema(summary=_("Én publisert indikatorverdi")),
)
class IndicatorValueViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.api_indicator_values()


@extend_schema_view(
    list=extend_schema(summary=_("Budsjettlinjer per tiltak og år")),
    retrieve=extend_schema(summary=_("Én budsjettlinje")),
)
class BudgetLineViewSet(OpenDataMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.BudgetLineSerializer
    filterset_class = BudgetLineFilter
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.api_budget_lines()


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """The API's documentation as a page of its own, made from the OpenAPI schema
    on the server: no JavaScript, so nothing from a CDN and nothing the CSP
    blocks."""
    return render(
        request,
        "measures/public/api_docs.html",
        {
            "endpoints": docs.endpoints(),
            "licence": open_data,
            "root_url": reverse("api:root", request=request),
            "schema_url": reverse("api:schema", request=request),
        },
    )
