"""The measures namespace: the public pages, then the reporting and workflow
leaves' URLs (measures/reporting/urls.py, measures/workflow/urls.py)."""

from django.urls import path

from measures import views
from measures.reporting import urls as reporting_urls
from measures.workflow import urls as workflow_urls

app_name = "measures"


urlpatterns = [
    path("planer/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("planer/<slug:slug>/kilder/", views.plan_sources, name="plan-sources"),
    path(
        "planer/<slug:slug>/indikatorer/",
        views.plan_indicators,
        name="plan-indicators",
    ),
    path("kilder/", views.source_list, name="source-list"),
    path("tiltak/", views.measure_list, name="measure-list"),
    path("tiltak/<slug:slug>/", views.measure_detail, name="measure-detail"),
    path("partnere/<slug:slug>/", views.partner_detail, name="partner-detail"),
    path("bydeler/<slug:slug>/", views.district_detail, name="district-detail"),
    # The leaves' own URLs, in this namespace: names and paths as before.
    *reporting_urls.urlpatterns,
    *workflow_urls.urlpatterns,
]
