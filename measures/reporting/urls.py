"""The reporting leaf's URLs, in the measures namespace (measures/urls.py includes
them): a plan's report for a date, its PDF, and the open-data exports."""

from django.urls import path

from measures.reporting import views


def _export(route: str, view, dataset: str, fmt: str, name: str):
    return path(route, view, {"dataset": dataset, "fmt": fmt}, name=name)


urlpatterns = [
    # Report "status per <date>" and open-data exports (measures/views.py).
    path("planer/<slug:slug>/rapport/", views.plan_report, name="plan-report"),
    path(
        "planer/<slug:slug>/rapport.pdf",
        views.plan_report_pdf,
        name="plan-report-pdf",
    ),
    _export(
        "planer/<slug:slug>/eksport.csv",
        views.plan_export,
        "tiltak",
        "csv",
        "plan-export-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport.xlsx",
        views.plan_export,
        "tiltak",
        "xlsx",
        "plan-export-xlsx",
    ),
    _export(
        "planer/<slug:slug>/eksport/statusoppdateringer.csv",
        views.plan_export,
        "statusoppdateringer",
        "csv",
        "plan-export-updates-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/statusoppdateringer.xlsx",
        views.plan_export,
        "statusoppdateringer",
        "xlsx",
        "plan-export-updates-xlsx",
    ),
    _export(
        "eksport/tiltak.csv",
        views.site_export,
        "tiltak",
        "csv",
        "export-measures-csv",
    ),
    _export(
        "eksport/statusoppdateringer.csv",
        views.site_export,
        "statusoppdateringer",
        "csv",
        "export-updates-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/indikatorverdier.csv",
        views.plan_export,
        "indikatorverdier",
        "csv",
        "plan-export-indicators-csv",
    ),
    _export(
        "planer/<slug:slug>/eksport/indikatorverdier.xlsx",
        views.plan_export,
        "indikatorverdier",
        "xlsx",
        "plan-export-indicators-xlsx",
    ),
    _export(
        "eksport/indikatorverdier.csv",
        views.site_export,
        "indikatorverdier",
        "csv",
        "export-indicators-csv",
    ),
]
