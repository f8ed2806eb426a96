"""The page that refuses a report on a plan that takes none (a superseded plan's
measure, a caseworker on a completed plan: services/plan_status.py). A clear
409 that says why and where to go, instead of the form."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures.models import Plan
from measures.services import plan_status


def refuse(
    request: HttpRequest, plan: Plan, *, subject=None, typed: str = ""
) -> HttpResponse:
    """`subject`: the measure the user was reporting on (linked when the public
    may see it); `typed`: what the user wrote, shown to copy."""
    return render(
        request,
        "measures/workflow/plan_closed.html",
        {
            "plan": plan,
            "reason": plan_status.refusal(plan),
            "successors": plan.successors.filter(
                status=Plan.Status.ADOPTED, is_training=False
            ).order_by("-start_year"),
            "subject": subject,
            "subject_url": subject.get_absolute_url()
            if subject is not None and plan.is_public
            else "",
            "typed": typed.strip(),
        },
        status=409,
    )
