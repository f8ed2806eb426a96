from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from . import views

# Outside the language prefix: what a program or a proxy asks for, and Django's
# set_language, which old forms still post to.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The open-data API: /api/v1/, its schema /api/schema/ and docs /api/docs/.
    # Its language is the request's Accept-Language (rusplan/locale.py).
    path("api/", include("measures.api.urls")),
]

# The pages, in Bokmål at /bergen/... and in Nynorsk and English under /nn/ and
# /en/ (decision 57): the language is in the address, so a page is the same bytes
# for every visitor and any HTTP cache may keep it.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("", include("rusplan.auth_urls")),
    # The second step of a login, and recovery codes (rusplan/two_factor/).
    path("", include("rusplan.two_factor.urls")),
    path("", include("measures.urls")),
    # A municipality's front page, /bergen/: last, so that every word the site
    # uses at the top (partners/reserved.py) is matched first.
    path("<slug:kommune>/", views.municipality_home, name="municipality-home"),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
