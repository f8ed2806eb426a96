"""Which plans take reports (status updates and indicator values), and who may
still write on a plan that is no longer in force (docs/decisions.md 50).

- An adopted plan takes reports from everyone who reports on it.
- A completed plan takes corrections from those who review it (its coordinators,
  staff with the review permission): a new update or value that records a
  measure's final status, or a figure that arrived after the plan ended, and
  publishing what was sent in before it ended. Caseworkers are refused.
- Every other plan (draft, on consultation, status not given, revised, superseded)
  takes nothing new: no update or value is started, changed, sent in or published.

Returning a submitted update or value is allowed on any plan: it publishes
nothing, and it empties the review queue of what can no longer be published.
Recording already-public facts with a source (the admin's «publisert opplysning»,
imports, the shipped data) is not a report and is not governed here.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from measures.models import Plan
from measures.services.base import is_system

# The code on the ValidationError, for views that show the refusal page.
PLAN_CLOSED = "plan_closed"

Status = Plan.Status


def _current_status(plan: Plan) -> str:
    """The status as saved now: an administrator may have closed the plan while
    the form was open."""
    status = Plan.objects.filter(pk=plan.pk).values_list("status", flat=True).first()
    return plan.status if status is None else status


def takes_reports(
    plan: Plan,
    actor,
    *,
    may_correct: Callable[[object, Plan], bool],
    as_loaded: bool = False,
) -> bool:
    """Whether `actor` may write a report on `plan` now. `may_correct(actor, plan)`
    says who corrects a completed plan (the kind's review permission); a command
    acting as a SystemActor (the loader) is trusted with that. `as_loaded` reads
    the status the caller loaded (a page listing many records) instead of the
    database's; every write reads the database's."""
    status = plan.status if as_loaded else _current_status(plan)
    if status == Status.ADOPTED:
        return True
    if status == Status.COMPLETED:
        return is_system(actor) or may_correct(actor, plan)
    return False


def refusal(plan: Plan, *, as_loaded: bool = False) -> str:
    """Why `plan` takes no reports from this user, in a sentence that says where
    to go instead."""
    status = plan.status if as_loaded else _current_status(plan)
    names = {"plan": plan.title}
    if status == Status.COMPLETED:
        return (
            _(
                "«%(plan)s» er avsluttet og tar ikke imot nye oppdateringer. Bare "
                "planens koordinatorer kan rette statusen på tiltakene nå; kontakt dem "
                "om noe er feil."
            )
            % names
        )
    if status in (Status.SUPERSEDED, Status.REVISED):
        return (
            _(
                "«%(plan)s» er erstattet av en nyere plan og tar ikke imot nye "
                "oppdateringer. Rapporter på tiltaket i planen som gjelder nå."
            )
            % names
        )
    return _(
        "«%(plan)s» er ikke vedtatt (status: %(status)s) og tar ikke imot "
        "oppdateringer. Bare vedtatte planer rapporteres på."
    ) % {**names, "status": Status(status).label}


def check_takes_reports(
    plan: Plan, actor, *, may_correct: Callable[[object, Plan], bool]
) -> None:
    """Raise ValidationError (code PLAN_CLOSED) unless takes_reports()."""
    if not takes_reports(plan, actor, may_correct=may_correct):
        raise ValidationError(refusal(plan), code=PLAN_CLOSED)


def closed_for(plan: Plan, actor, *, may_correct) -> str:
    """For a page that lists records to publish: why `actor` may not publish on
    `plan` as loaded, or "" when they may (no query)."""
    if takes_reports(plan, actor, may_correct=may_correct, as_loaded=True):
        return ""
    return refusal(plan, as_loaded=True)
