"""The workflow leaf's URLs, in the measures namespace (measures/urls.py includes
them): Mine tiltak, status updates and indicator values in the browser, and the
coordinator's review queue for both."""

from django.urls import path

from measures.workflow.views import (
    indicator_values,
    my_measures,
    review_queue,
    status_updates,
)

# Under /<kommune>/ (measures/urls.py), beside the measure's public page.
municipal_patterns = [
    path(
        "tiltak/<slug:slug>/oppdater/",
        status_updates.measure_update,
        name="measure-update",
    ),
]

urlpatterns = [
    # Caseworkers' status updates (views/status_updates.py, views/my_measures.py).
    path("mine-tiltak/", my_measures.my_measures, name="my-measures"),
    path("oppdateringer/<int:pk>/", status_updates.update_detail, name="update-detail"),
    path(
        "oppdateringer/<int:pk>/endre/", status_updates.update_edit, name="update-edit"
    ),
    path(
        "oppdateringer/<int:pk>/publiser/",
        review_queue.update_publish,
        name="update-publish",
    ),
    path(
        "oppdateringer/<int:pk>/returner/",
        review_queue.update_return,
        name="update-return",
    ),
    path("gjennomgang/", review_queue.review_queue, name="review-queue"),
    # Indicator values recorded in the browser (measures/indicator_values.py).
    path(
        "indikatorer/<slug:slug>/ny-verdi/",
        indicator_values.indicator_value_create,
        name="indicator-value-create",
    ),
    path(
        "indikatorverdier/<int:pk>/",
        indicator_values.indicator_value_detail,
        name="indicator-value-detail",
    ),
    path(
        "indikatorverdier/<int:pk>/endre/",
        indicator_values.indicator_value_edit,
        name="indicator-value-edit",
    ),
    path(
        "indikatorverdier/<int:pk>/publiser/",
        review_queue.indicator_value_publish,
        name="indicator-value-publish",
    ),
    path(
        "indikatorverdier/<int:pk>/returner/",
        review_queue.indicator_value_return,
        name="indicator-value-return",
    ),
]
