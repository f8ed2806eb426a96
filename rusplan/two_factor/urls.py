from django.urls import path

from . import views

urlpatterns = [
    path("logg-inn/kode/", views.verify, name="second_factor_verify"),
    path("logg-inn/ny-app/", views.enrol, name="second_factor_enrol"),
    path("konto/reservekoder/", views.recovery_codes, name="recovery_codes"),
]
