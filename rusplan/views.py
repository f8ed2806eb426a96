"""Site-wide pages. Rule: anyone may read them."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures import selectors


def home(request: HttpRequest) -> HttpResponse:
    summaries = selectors.plan_summaries()
    context = {
        "active_plans": [s for s in summaries if s.plan.status == "adopted"],
        "earlier_plans": [s for s in summaries if s.plan.status != "adopted"],
        "latest_updates": selectors.latest_updates(),
        "partners": selectors.partners_with_measures(),
        "districts": selectors.districts_with_counts(),
    }
    return render(request, "rusplan/home.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    feedback_email = getattr(
        settings, "ACCESSIBILITY_FEEDBACK_EMAIL", settings.DEFAULT_FROM_EMAIL
    )
    return render(
        request, "rusplan/accessibility.html", {"feedback_email": feedback_email}
    )
