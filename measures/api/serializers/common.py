"""Fields and the mixin every resource's serializer shares: its own address in
the API, its public page, related slugs, and what is uncertain about it."""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The absolute address of the object's public page."""

    def __init__(self, **kwargs):
        kwargs.update(source="*", read_only=True)
        kwargs.setdefault("help_text", _("Adressen til objektets offentlige side."))
        super().__init__(**kwargs)

    def page_path(self, obj) -> str:
        return obj.get_absolute_url()

    def to_representation(self, obj) -> str:
        return self.context["request"].build_absolute_uri(self.page_path(obj))


@extend_schema_field(
    {"type": "string", "nullable": True, "pattern": r"^[-a-zA-Z0-9_]+$"}
)
class PublicSlugField(serializers.Field):
    """The slug of a related plan or measure, or null when there is none or it
    belongs to a draft plan (which the API does not show)."""

    def __init__(self, *, plan_of, **kwargs):
        self.plan_of = plan_of
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, self.source)

    def to_representation(self, value) -> str | None:
        if value is None or not self.plan_of(value).is_public:
            return None
        return value.slug


def api_url(view_name: str, **kwargs) -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(
        view_name=view_name, help_text=_("Objektets adresse i API-et."), **kwargs
    )


class MunicipalApiUrlField(serializers.HyperlinkedIdentityField):
    """The address in the API of an object whose slug is unique only within its
    municipality (a plan, measure or district): with ?municipality=, so that it
    finds this object even when another municipality uses the same slug.
    Reads obj.municipality: select_related it."""

    def get_url(self, obj, view_name, request, format):
        url = super().get_url(obj, view_name, request, format)
        return f"{url}?{urlencode({'municipality': obj.municipality.slug})}"


def municipal_api_url(view_name: str) -> MunicipalApiUrlField:
    return MunicipalApiUrlField(
        view_name=view_name,
        lookup_field="slug",
        help_text=_("Objektets adresse i API-et."),
    )


def municipality_of(source: str = "municipality") -> serializers.SlugRelatedField:
    """The municipality an object belongs to, by slug (/api/v1/municipalities/).
    Reads the relation at `source`: select_related it."""
    return slug_of(
        _("Kommunen objektet hører til (slug)."),
        **({"source": source} if source != "municipality" else {}),
    )


def slug_of(help_text: str, **kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text=help_text, **kwargs
    )


class UncertaintyMixin(serializers.Serializer):
    """`uncertain` and `uncertainty`: a fact the sources disagree on or do not
    confirm says so, in words."""

    uncertain = serializers.SerializerMethodField(
        help_text=_("Sann når kildene er uenige eller opplysningen ikke er bekreftet.")
    )
    uncertainty = serializers.SerializerMethodField(
        help_text=_("Hva som er usikkert, med ord; null når ingenting er det.")
    )

    def get_uncertain(self, instance) -> bool:
        return bool(instance.uncertainty)

    def get_uncertainty(self, instance) -> str | None:
        return instance.uncertainty or None
