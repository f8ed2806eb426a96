"""The measures namespace. A municipality's pages live under its slug
(/bergen/planer/<plan>/, docs/municipalities.md): the public pages here, then
the reporting leaf's and the measure-update form. The logged-in pages that are
not one municipality's (Mine tiltak, the review queue, an update by its number)
stay at the top, and the addresses from before municipalities answer 301 to
the same page under the municipality that had them (measures/old_addresses.py).
"""

from django.urls import include, path, re_path

from measures import old_addresses, views
from measures.reporting import urls as reporting_urls
from measures.workflow import urls as workflow_urls

app_name = "measures"


municipal_patterns = [
    path("tiltak/", views.measure_list, name="measure-list"),
    path("planer/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("planer/<slug:slug>/kilder/", views.plan_sources, name="plan-sources"),
    path(
        "planer/<slug:slug>/indikatorer/",
        views.plan_indicators,
        name="plan-indicators",
    ),
    path("kilder/", views.source_list, name="source-list"),
    path("tiltak/<slug:slug>/", views.measure_detail, name="measure-detail"),
    path("partnere/<slug:slug>/", views.partner_detail, name="partner-detail"),
    path("bydeler/<slug:slug>/", views.district_detail, name="district-detail"),
    *reporting_urls.urlpatterns,
    *workflow_urls.municipal_patterns,
]

urlpatterns = [
    *workflow_urls.urlpatterns,
    # A partner across every municipality it works in (Partner.get_absolute_url).
    path("aktorer/<slug:slug>/", views.partner_national, name="partner-national"),
    # The search across every municipality (the national front page's form).
    path("sok/", views.national_search, name="national-search"),
    re_path(
        old_addresses.OLD_ADDRESS_PATTERN,
        old_addresses.redirect_to_municipality,
        name="old-address",
    ),
    path("<slug:kommune>/", include(municipal_patterns)),
]
