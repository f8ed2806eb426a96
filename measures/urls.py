from django.urls import path

from measures import indicator_views, views, workflow_views
from measures.reporting import views as report_views

app_name = "measures"


def _export(route: str, view, dataset: str, fmt: str, name: str):
    return path(route, view, {"dataset": dataset, "fmt": fmt}, name=name)


urlpatterns = [
    path("planer/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("planer/<slug:slug>/kilder/", views.plan_sources, name="plan-sources"),
    path("kilder/", views.source_list, name="source-list"),
    # Report "status per <date>" and open-data exports (measures/report_views.py).
    path("planer/<slug:slug>/rapport/", report_views.plan_report, name="plan-report"),
    path(
        "planer/<slug:slug>/rapport.pdf",
        report_views.plan_report_pdf,
        name="plan-report-pdf",
    ),
    _export(
        "planer/<slug:slug>/eksport.csv",
        report_views.plan_export,
        "tiltak",
        "csv",
        "plan-export-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport.xlsx",
        report_views.plan_export,
        "tiltak",
        "xlsx",
        "plan-export-xlsx",
    ),
    _export(
        "planer/<slug:slug>/eksport/statusoppdateringer.csv",
        report_views.plan_export,
        "statusoppdateringer",
        "csv",
        "plan-export-updates-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/statusoppdateringer.xlsx",
        report_views.plan_export,
        "statusoppdateringer",
        "xlsx",
        "plan-export-updates-xlsx",
    ),
    _export(
        "eksport/tiltak.csv",
        report_views.site_export,
        "tiltak",
        "csv",
        "export-measures-csv",
    ),
    _export(
        "eksport/statusoppdateringer.csv",
        report_views.site_export,
        "statusoppdateringer",
        "csv",
        "export-updates-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/indikatorverdier.csv",
        report_views.plan_export,
        "indikatorverdier",
        "csv",
        "plan-export-indicators-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/indikatorverdier.xlsx",
        report_views.plan_export,
        "indikatorverdier",
        "xlsx",
        "plan-export-indicators-xlsx",
    ),
    _export(
        "eksport/indikatorverdier.csv",
        report_views.site_export,
        "indikatorverdier",
        "csv",
        "export-indicators-csv",
    ),
    path("tiltak/", views.measure_list, name="measure-list"),
    path("tiltak/<slug:slug>/", views.measure_detail, name="measure-detail"),
    path("partnere/<slug:slug>/", views.partner_detail, name="partner-detail"),
    path("bydeler/<slug:slug>/", views.district_detail, name="district-detail"),
    # Caseworker and coordinator workflow (measures/workflow_views.py).
    path("mine-tiltak/", workflow_views.my_measures, name="my-measures"),
    path(
        "tiltak/<slug:slug>/oppdater/",
        workflow_views.measure_update,
        name="measure-update",
    ),
    path("oppdateringer/<int:pk>/", workflow_views.update_detail, name="update-detail"),
    path(
        "oppdateringer/<int:pk>/endre/", workflow_views.update_edit, name="update-edit"
    ),
    path(
        "oppdateringer/<int:pk>/publiser/",
        workflow_views.update_publish,
        name="update-publish",
    ),
    path(
        "oppdateringer/<int:pk>/returner/",
        workflow_views.update_return,
        name="update-return",
    ),
    path("gjennomgang/", workflow_views.review_queue, name="review-queue"),
    # Indicator values recorded in the browser (measures/indicator_views.py).
    path(
        "indikatorer/<slug:slug>/ny-verdi/",
        indicator_views.indicator_value_create,
        name="indicator-value-create",
    ),
    path(
        "indikatorverdier/<int:pk>/",
        indicator_views.indicator_value_detail,
        name="indicator-value-detail",
    ),
    path(
        "indikatorverdier/<int:pk>/endre/",
        indicator_views.indicator_value_edit,
        name="indicator-value-edit",
    ),
    path(
        "indikatorverdier/<int:pk>/publiser/",
        indicator_views.indicator_value_publish,
        name="indicator-value-publish",
    ),
    path(
        "indikatorverdier/<int:pk>/returner/",
        indicator_views.indicator_value_return,
        name="indicator-value-return",
    ),
]
