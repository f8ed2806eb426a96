"""What the API shows of each object: the public pages' fields and nothing more.

Status updates carry no author, reviewer or review comment (the pages show none:
the responsible partners are on the measure). Objects are referred to by slug
(goals and updates, which have no unique slug, by id); each has `url` (itself in
the API) and `html_url` (its public page, the address to cite), and names its
`municipality`. The slugs of plans, measures and districts are unique only within
their municipality, so their `url` names it too (?municipality=).

One module per resource group; the shared fields and the uncertainty mixin are in
`common`, sources and citations in `sources`. The serializers the views use are
named here."""

from measures.api.serializers.budgets import BudgetLineSerializer
from measures.api.serializers.indicators import (
    IndicatorSerializer,
    IndicatorValueSerializer,
)
from measures.api.serializers.measures import MeasureSerializer
from measures.api.serializers.partners import (
    DistrictSerializer,
    MunicipalitySerializer,
    PartnerSerializer,
)
from measures.api.serializers.plans import GoalSerializer, PlanSerializer
from measures.api.serializers.root import ApiRootSerializer
from measures.api.serializers.updates import StatusUpdateSerializer

__all__ = [
    "ApiRootSerializer",
    "BudgetLineSerializer",
    "DistrictSerializer",
    "GoalSerializer",
    "IndicatorSerializer",
    "IndicatorValueSerializer",
    "MeasureSerializer",
    "MunicipalitySerializer",
    "PartnerSerializer",
    "PlanSerializer",
    "StatusUpdateSerializer",
]
