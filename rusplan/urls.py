from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # The open-data API: /api/v1/, its schema /api/schema/ and docs /api/docs/.
    path("api/", include("measures.api.urls")),
    path("", include("rusplan.auth_urls")),
    # The second step of a login, and recovery codes (rusplan/two_factor/).
    path("", include("rusplan.two_factor.urls")),
    path("", include("measures.urls")),
    # A municipality's front page, /bergen/: last, so that every word the site
    # uses at the top (partners/reserved.py) is matched first.
    path("<slug:kommune>/", views.municipality_home, name="municipality-home"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
