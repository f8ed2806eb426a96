"""Site-wide pages. Rule: anyone may read them, and only read them (GET and HEAD:
any other method is a 405, `require_safe`)."""

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from measures.municipal import municipal_view
from measures.selectors.districts import districts_with_counts
from measures.selectors.municipalities import municipality_summaries
from measures.selectors.partners import partners_with_measures
from measures.selectors.plans import plan_summaries
from measures.selectors.public import latest_updates
from partners.models import Municipality

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The national front page: every municipality with its current plans and
    their measures' states."""
    return render(
        request,
        "rusplan/home.html",
        {"municipalities": municipality_summaries()},
    )


@require_safe
@municipal_view
def municipality_home(request: HttpRequest, municipality) -> HttpResponse:
    """A municipality's front page (/bergen/): its plans, newest updates, and its
    measures by district and partner."""
    summaries = plan_summaries(municipality=municipality)
    context = {
        "active_plans": [s for s in summaries if s.plan.status == "adopted"],
        "earlier_plans": [s for s in summaries if s.plan.status != "adopted"],
        "latest_updates": latest_updates(municipality=municipality),
        "partners": partners_with_measures(municipality=municipality),
        "districts": districts_with_counts(municipality=municipality),
    }
    return render(request, "rusplan/municipality_home.html", context)


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    feedback_email = getattr(
        settings, "ACCESSIBILITY_FEEDBACK_EMAIL", settings.DEFAULT_FROM_EMAIL
    )
    return render(
        request,
        "rusplan/accessibility.html",
        {
            "feedback_email": feedback_email,
            # Each municipality may take feedback on its own pages itself.
            "municipalities_with_feedback": Municipality.objects.exclude(
                accessibility_email=""
            ).order_by("name"),
        },
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


def _cache_ok() -> bool:
    # A value of our own, so that a stale key or a shared cache cannot pass for a
    # working one. The resilient Redis backend turns an outage into a miss.
    key = "rusplan:healthz:" + secrets.token_hex(8)
    value = secrets.token_hex(8)
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception:
        logger.exception("Health check: the cache does not answer")
        return False
    if not ok:
        logger.warning("Health check: the cache did not return what was stored")
    return ok


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: 200 when the database and the cache
    answer, 503 naming the part that does not. Touches no session, sets no cookie,
    writes nothing to the database."""
    parts = {
        "database": "ok" if _database_ok() else "error",
        "cache": "ok" if _cache_ok() else "error",
    }
    healthy = all(state == "ok" for state in parts.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "error", **parts},
        status=200 if healthy else 503,
    )
    response["Cache-Control"] = "no-store"
    return response
