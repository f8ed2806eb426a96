"""Which measures are due for a report in the current reporting period.

A measure is *due* in the current period when all of these hold:

- its plan is adopted and has a reporting interval;
- its current phase is "not started" or "in progress", or it has no status yet
  (finished measures take no more updates);
- it has no submitted or published update whose as-of date lies inside the current
  period. A draft does not count (it is not yet reported) and neither does a
  returned update.

A due measure is also *overdue* when it had no such update in the previous period
either: it missed the last deadline, not only the one coming up. The calendar
arithmetic is measures/periods.py. See docs/reminders.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from measures.models import OPEN_PHASES, Measure, Plan, StatusUpdate
from measures.periods import Period, period_for

REPORTED_STATES = (StatusUpdate.State.SUBMITTED, StatusUpdate.State.PUBLISHED)


def current_period(plan: Plan, today: datetime.date | None = None) -> Period:
    return period_for(plan.reporting_interval, today or timezone.localdate())


def takes_reports(measure: Measure) -> bool:
    """Adopted plans with a reporting interval expect reports of open measures; a
    plan whose interval no source gives has no periods, so nothing is ever due."""
    return (
        measure.plan.status == Plan.Status.ADOPTED
        and bool(measure.plan.reporting_interval)
        and measure.current_phase in OPEN_PHASES
    )


@dataclass(frozen=True)
class ReportingStatus:
    period: Period
    due: bool
    overdue: bool
    reported_on: datetime.date | None  # as-of of this period's report, if any


def reporting_status(
    measures: Iterable[Measure], today: datetime.date | None = None
) -> dict[int, ReportingStatus]:
    """{measure id: status} for measures that take reports, in one query.

    The measures must come with their plan (select_related("plan")). Measures that
    take no reports (draft or finished plans, finished measures) are left out.
    """
    today = today or timezone.localdate()
    candidates = [m for m in measures if takes_reports(m)]
    if not candidates:
        return {}
    # One period (and previous period) per reporting interval, not per measure: a
    # partner page asks for nearly two thousand measures in a dozen plans.
    by_interval: dict[str, tuple[Period, Period]] = {}
    for measure in candidates:
        interval = measure.plan.reporting_interval
        if interval not in by_interval:
            period = period_for(interval, today)
            by_interval[interval] = (period, period.previous())
    periods = {m.pk: by_interval[m.plan.reporting_interval] for m in candidates}
    earliest = min(previous.start for _, previous in by_interval.values())
    reported: dict[int, list[datetime.date]] = {}
    rows = StatusUpdate.objects.filter(
        measure_id__in=list(periods),
        state__in=REPORTED_STATES,
        as_of__gte=earliest,
    ).values_list("measure_id", "as_of")
    for measure_id, as_of in rows:
        reported.setdefault(measure_id, []).append(as_of)
    result = {}
    for measure in candidates:
        period, previous = periods[measure.pk]
        dates = reported.get(measure.pk, [])
        this_period = [d for d in dates if period.contains(d)]
        due = not this_period
        # A plan adopted after the previous period ended had no deadline then.
        had_previous_deadline = (
            measure.plan.adopted_on is None or measure.plan.adopted_on <= previous.end
        )
        result[measure.pk] = ReportingStatus(
            period=period,
            due=due,
            overdue=due
            and had_previous_deadline
            and not any(previous.contains(d) for d in dates),
            reported_on=max(this_period) if this_period else None,
        )
    return result
