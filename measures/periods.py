"""Reporting periods and which measures are due.

A plan's reporting interval (month, quarter, tertial, half year, year) splits every
calendar year into periods; a tertial is January–April, May–August or
September–December.

A measure is *due* in the current period when all of these hold:

- its plan is adopted and has a reporting interval;
- its current phase is "not started" or "in progress", or it has no status yet
  (finished measures take no more updates);
- it has no submitted or published update whose as-of date lies inside the current
  period. A draft does not count (it is not yet reported) and neither does a
  returned update.

A due measure is also *overdue* when it had no such update in the previous period
either: it missed the last deadline, not only the one coming up.

See docs/reminders.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Measure, Plan, StatusUpdate

# How many months each interval spans; all of them divide twelve.
_MONTHS = {
    Plan.ReportingInterval.MONTH: 1,
    Plan.ReportingInterval.QUARTER: 3,
    Plan.ReportingInterval.TERTIAL: 4,
    Plan.ReportingInterval.HALF_YEAR: 6,
    Plan.ReportingInterval.YEAR: 12,
}

_LABELS = {
    Plan.ReportingInterval.MONTH: _("%(number)s. måned %(year)s"),
    Plan.ReportingInterval.QUARTER: _("%(number)s. kvartal %(year)s"),
    Plan.ReportingInterval.TERTIAL: _("%(number)s. tertial %(year)s"),
    Plan.ReportingInterval.HALF_YEAR: _("%(number)s. halvår %(year)s"),
    Plan.ReportingInterval.YEAR: _("året %(year)s"),
}

REPORTED_STATES = (StatusUpdate.State.SUBMITTED, StatusUpdate.State.PUBLISHED)
# Blank is a measure nobody has reported on yet ("Ingen status registrert"): it is
# as open for updates as one that has not started.
OPEN_PHASES = ("", "not_started", "in_progress")


@dataclass(frozen=True)
class Period:
    interval: str
    year: int
    number: int  # 1-based index of the period within the year
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def key(self) -> str:
        """Stable key, e.g. "tertial:2025-2"; stored with sent reminders."""
        return f"{self.interval}:{self.year}-{self.number}"

    @property
    def label(self) -> str:
        return str(_LABELS[self.interval] % {"number": self.number, "year": self.year})

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        return period_for(self.interval, self.start - datetime.timedelta(days=1))


def period_for(interval: str, day: datetime.date) -> Period:
    """The period of `interval` that contains `day`."""
    months = _MONTHS[interval]
    number = (day.month - 1) // months + 1
    first_month = (number - 1) * months + 1
    start = datetime.date(day.year, first_month, 1)
    last_month = first_month + months - 1
    if last_month == 12:
        end = datetime.date(day.year, 12, 31)
    else:
        end = datetime.date(day.year, last_month + 1, 1) - datetime.timedelta(days=1)
    return Period(interval=interval, year=day.year, number=number, start=start, end=end)


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
