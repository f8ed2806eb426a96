from django.urls import path

from . import views, workflow_views

app_name = "measures"

urlpatterns = [
    path("planer/<slug:slug>/", views.plan_detail, name="plan-detail"),
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
]
