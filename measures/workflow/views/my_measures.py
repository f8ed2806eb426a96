"""Mine tiltak: a caseworker's measures and indicators, what is due, and their
drafts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures import permissions
from measures.selectors import workflow as workflow_selectors
from measures.selectors.workflow import indicators_for_user
from measures.services.base import require

# --- caseworker -------------------------------------------------------------------


@login_required
def my_measures(request: HttpRequest) -> HttpResponse:
    require(permissions.can_use_workspace(request.user))
    rows = workflow_selectors.my_measures(user=request.user)
    return render(
        request,
        "measures/workflow/my_measures.html",
        {
            "rows": rows,
            # Headed per municipality only when there is more than one.
            "groups": workflow_selectors.my_measures_by_municipality(rows),
            "due_count": sum(1 for row in rows if row.status and row.status.due),
            # Indicators the user records values for (indicator_selectors.py).
            "indicator_rows": indicators_for_user(user=request.user),
        },
    )
