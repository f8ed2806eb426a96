from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from measures.api import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("districts", views.DistrictViewSet, basename="district")
router.register("status-updates", views.StatusUpdateViewSet, basename="status-update")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register(
    "indicator-values", views.IndicatorValueViewSet, basename="indicator-value"
)
router.register("budgets", views.BudgetLineViewSet, basename="budget-line")

urlpatterns = [
    path("v1/", views.ApiRootView.as_view(), name="root"),
    path("v1/", include(router.urls)),
    # Any other address under v1/ (even with a newline in it): a JSON 404.
    re_path(r"^v1/(?P<rest>[\s\S]+)\Z", views.NotFoundView.as_view(), name="not-found"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.api_docs, name="docs"),
]
