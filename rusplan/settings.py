"""Rusplan settings, read from the environment (django-environ).

Development needs no environment at all: SQLite under var/, console email and a
local-memory cache. Production is DJANGO_DEBUG=false, which refuses to start without
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS. Variables: docs/configuration.md.
"""

import datetime
import re
from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)


def _required_in_production(name: str, value):
    if not DEBUG and not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_DEBUG is false (production mode). "
            "See docs/configuration.md."
        )
    return value


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY", env.str("DJANGO_SECRET_KEY", default="")
) or ("insecure-development-key-" + "do-not-use-in-production-" + "x" * 20)
ALLOWED_HOSTS = _required_in_production(
    "DJANGO_ALLOWED_HOSTS", env.list("DJANGO_ALLOWED_HOSTS", default=[])
) or ["localhost", "127.0.0.1", "[::1]"]

DJANGO_APPS = [
    # The admin with Rusplan's site class: it requires a second factor in
    # production (rusplan/admin_site.py).
    "rusplan.admin_site.RusplanAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # axes and the two django-otp plugins with Norwegian headings in the admin
    # (rusplan/third_party_apps.py); same app labels.
    "rusplan.third_party_apps.AxesConfig",
    "csp",
    "django_otp",
    "rusplan.third_party_apps.OtpTotpConfig",
    "rusplan.third_party_apps.OtpStaticConfig",
    "rest_framework",
    "drf_spectacular",
    "import_export",
]
LOCAL_APPS = [
    "partners",
    "measures",
    "rusplan",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Above WhiteNoise, like the two above it, so that static files carry the same
    # security headers as pages (tests/rusplan/test_static_headers.py).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control, ETag and 304 for public responses: outside every middleware
    # that may set a cookie, so that it sees them all (rusplan/http_cache.py).
    "rusplan.http_cache.PublicHttpCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware without Accept-Language: the language is the address's
    # prefix, Bokmål without one; the API's is Accept-Language (rusplan/locale.py).
    "rusplan.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts; logs every 403 (rusplan/middleware.py).
    "rusplan.middleware.SessionTimeoutMiddleware",
    # With RUSPLAN_REQUIRE_OTP, a user who must pass a second factor and has not is
    # anonymous to every view until they do (rusplan/two_factor/middleware.py).
    "rusplan.two_factor.middleware.SecondFactorMiddleware",
    # Whole public pages for anonymous visitors (rusplan/page_cache.py).
    "rusplan.page_cache.PublicPageCacheMiddleware",
    "rusplan.middleware.SecurityEventMiddleware",
    # Records request.user as the author of every history row written in a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes turns a lockout into its response; its docs want it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rusplan.urls"


# A partner's page is served by measures; partners knows nothing of measures' URLs
# (apps depend one way: partners <- measures <- rusplan), so the project, which
# knows both, gives Partner its get_absolute_url(): a municipality's own
# organisation or unit has its page in that municipality (reads
# partner.municipality: select_related it in lists); a regional partner its page
# across every municipality it works in. A municipality's pages link to a
# regional partner's page in that municipality instead (the partner_path filter).
def _partner_url(partner) -> str:
    if partner.municipality_id is not None:
        return reverse(
            "measures:partner-detail",
            kwargs={"kommune": partner.municipality.slug, "slug": partner.slug},
        )
    return reverse("measures:partner-national", kwargs={"slug": partner.slug})


ABSOLUTE_URL_OVERRIDES = {"partners.partner": _partner_url}
WSGI_APPLICATION = "rusplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rusplan.context_processors.workspace",
                "rusplan.context_processors.municipality",
                "rusplan.context_processors.languages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rusplan.sqlite3'}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's planner prices a random page read at 4 sequential ones (its default,
# made for spinning disks). With the data in memory or on an SSD that made it scan
# every measure in the country rather than look up a partner's few thousand by
# key: a regional partner's page at ten times national scale took 250 ms, 160
# with 1.1, the value PostgreSQL's documentation gives for solid-state drives (no
# page got slower: docs/benchmarks.md). Each new connection sets it
# (rusplan/db_session.py); empty leaves the server's own.
RANDOM_PAGE_COST = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
if RANDOM_PAGE_COST and not re.fullmatch(r"\d+(\.\d+)?", RANDOM_PAGE_COST):
    raise ImproperlyConfigured(
        "DATABASE_RANDOM_PAGE_COST must be a number such as 1.1, or empty."
    )
SILENCED_SYSTEM_CHECKS = []
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # Two indexes cover their reads with INCLUDE columns (measure_rollup,
    # statusupdate_published_measure), which PostgreSQL, the production database,
    # builds. SQLite builds them without the extra columns and warns (models.W040)
    # on every check and migrate. Silenced for SQLite only, so that on
    # PostgreSQL a covering index that cannot be built still warns (decision 48).
    SILENCED_SYSTEM_CHECKS.append("models.W040")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://rusplan")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Django's Redis backend, but an unreachable Redis is a miss, not a 500
    # (rusplan/cache.py).
    CACHES["default"]["BACKEND"] = "rusplan.cache.ResilientRedisCache"
# How long a public page stays in the cache; any write to public data makes it
# stale at once anyway (rusplan/page_cache.py). 0 switches the page cache off.
RUSPLAN_PAGE_CACHE_SECONDS = env.int("RUSPLAN_PAGE_CACHE_SECONDS", default=300)
# How long a shared HTTP cache (nginx, a CDN) may serve a public page without
# asking again (s-maxage); browsers always revalidate (rusplan/http_cache.py).
RUSPLAN_SHARED_CACHE_SECONDS = env.int("RUSPLAN_SHARED_CACHE_SECONDS", default=1)
# Names the release in every ETag and page-cache key; empty: a digest of the
# code, templates, translations and static manifest (rusplan/release.py).
RUSPLAN_RELEASE = env.str("RUSPLAN_RELEASE", default="")

# Background jobs (imports, reminders, password-reset mail): RQ on Redis
# (measures/queue.py, docs/decisions.md 52). Without RUSPLAN_QUEUE_URL a job runs at
# once in the process that asks for it: fine for development, not for a large
# import. `manage.py run_worker` runs the jobs of the queue named here.
RUSPLAN_QUEUE_URL = env.str("RUSPLAN_QUEUE_URL", default="")
RUSPLAN_QUEUE_NAME = env.str("RUSPLAN_QUEUE_NAME", default="rusplan")
# A job running longer than this is stopped and counts as failed.
RUSPLAN_JOB_TIMEOUT_SECONDS = env.int("RUSPLAN_JOB_TIMEOUT_SECONDS", default=60 * 60)

EMAIL_CONFIG = env.email(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="rusplan@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        # Django's, with a Bokmål error message (rusplan/password_validation.py).
        "NAME": "rusplan.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time: Bokmål by default, Nynorsk and English on request.
LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norsk bokmål")),
    ("nn", _("Norsk nynorsk")),
    ("en", _("English")),
]
# Our own msgids (Bokmål) in locale/; then, kept by hand, Norwegian for the
# third-party msgids whose nb/nn catalogues are missing or say «ny tiltak»
# (decision 48). makemessages writes only to the first entry.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
# Dates read dd.mm.yyyy in every language (rusplan/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["rusplan.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap comes from the npm registry (`npm ci`), never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# django-simple-history: store the history user as a plain id so that deleting a
# user never deletes the record of what they did.
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Security events as one JSON object a line (rusplan/security_log.py).
        "security_json": {"()": "rusplan.security_log.JsonFormatter"},
        # Everything else as JSON too in production (rusplan/log_format.py).
        "json": {"()": "rusplan.log_format.JsonFormatter"},
    },
    "filters": {
        "not_security": {"()": "rusplan.security_log.ExcludeSecurityEvents"},
    },
    "handlers": {
        # stdout, for the service manager's journal or the container's log.
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": env.str(
                "DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json"
            ),
            "filters": ["not_security"],
        },
        "security": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "security_json",
        },
    },
    "loggers": {
        # Propagates to the root logger (so that pytest's caplog sees the records);
        # the console handler there skips them, so each event is written once.
        "rusplan.security": {"handlers": ["security"], "level": "INFO"},
        # WeasyPrint (the PDF report) logs every layout step at INFO and every CSS
        # property it does not know (SVG fills, say) as a warning; a stylesheet it
        # cannot load is an error.
        "weasyprint": {"level": "ERROR"},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes the app servers over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    # The __Host- prefix binds a cookie to this host, HTTPS and path /.
    SESSION_COOKIE_NAME = "__Host-rusplan_session"
    CSRF_COOKIE_NAME = "__Host-rusplan_csrftoken"

# Authentication and security (docs/security.md: every control and its test).
LOGIN_URL = "login"
# A URL name, so that it follows the language prefix (/nn/mine-tiltak/).
LOGIN_REDIRECT_URL = "measures:my-measures"
LOGOUT_REDIRECT_URL = "home"
# A password reset link works once, for one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before any other backend.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sessions: 30 minutes idle, 12 hours at most (rusplan/middleware.py). The cookie and
# the stored session expire with the idle timeout too.
RUSPLAN_SESSION_IDLE_SECONDS = 30 * 60
RUSPLAN_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_AGE = RUSPLAN_SESSION_IDLE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "rusplan.auth_views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# django-axes: five failures for one username from one address lock that pair out
# for 30 minutes; a successful login resets the count. Twenty failures from one
# address, whatever the usernames, lock that address out for every username
# (password spraying; rusplan/lockout.py). A wrong second-factor code counts as a
# failure too.
RUSPLAN_USERNAME_FAILURE_LIMIT = env.int("RUSPLAN_USERNAME_FAILURE_LIMIT", default=5)
RUSPLAN_ADDRESS_FAILURE_LIMIT = env.int("RUSPLAN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_FAILURE_LIMIT = "rusplan.lockout.failure_limit"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Our own structured events (rusplan.security) replace axes' free-text log lines.
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "rusplan.auth_views.lockout"
AXES_CLIENT_IP_CALLABLE = "rusplan.security_log.client_ip"
# Behind N reverse proxies that each append to X-Forwarded-For, the client address
# is the N-th entry from the right; 0 means REMOTE_ADDR (no proxy).
RUSPLAN_TRUSTED_PROXY_COUNT = env.int("RUSPLAN_TRUSTED_PROXY_COUNT", default=0)
RUSPLAN_SUPPORT_EMAIL = env.str("RUSPLAN_SUPPORT_EMAIL", default="")
# The municipality whose pages had the addresses from before municipalities
# (/planer/..., /tiltak/...): they answer 301 to /<this slug>/planer/... forever
# (measures/old_addresses.py, docs/municipalities.md).
RUSPLAN_OLD_ADDRESSES_MUNICIPALITY = env.str(
    "RUSPLAN_OLD_ADDRESSES_MUNICIPALITY", default="bergen"
)

# Content-Security-Policy (django-csp 4): no inline script or style anywhere,
# the admin included.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "form-action": [csp_constants.SELF],
    },
}

# Admin import (django-import-export, docs/exports.md#import): every import runs in
# one transaction, rolled back on any row error (see measures/admin/imports/).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_CONFIRM = False

# A second factor (django-otp: an authenticator app, or a recovery code) in
# production mode for everyone who can change public data: staff, and every user
# with a membership (rusplan/two_factor/), at /logg-inn/ and in the admin.
# RUSPLAN_ADMIN_REQUIRE_OTP is the variable's old name, still read (decision 53).
RUSPLAN_REQUIRE_OTP = env.bool(
    "RUSPLAN_REQUIRE_OTP",
    default=env.bool("RUSPLAN_ADMIN_REQUIRE_OTP", default=not DEBUG),
)
# How many recovery codes a user gets at a time (each works once).
RUSPLAN_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "Rusplan"

# Open-data API (measures/api/, docs/api.md): read-only JSON of public data only.
# No authentication at all: everyone reads the same data, so no session, cookie or
# password reaches the API, and every client is throttled by address (the cache
# holds the counts; NUM_PROXIES finds the address as RUSPLAN_TRUSTED_PROXY_COUNT).
RUSPLAN_API_ANON_RATE = env.str("RUSPLAN_API_ANON_RATE", default="120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "measures.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["measures.api.throttling.AnonymousRateThrottle"],
    "NUM_PROXIES": RUSPLAN_TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rusplan API",
    "VERSION": "1",
    "LICENSE": {"name": "NLOD 2.0", "url": "https://data.norge.no/nlod/no/2.0"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Descriptions come from translated strings (extend_schema), not docstrings.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "measures.api.schema.document_errors",
    ],
}
