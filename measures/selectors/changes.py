"""What changed lately, for the summaries at the top of the plan, partner and
district pages: each measure's published status at the end of the last ended
reporting period against its status now, and the newest published updates."""

import datetime
import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone

from measures.models import Health, Measure, Plan
from measures.models.choices import choice_label
from measures.periods import Period, last_ended_period, span_bounds
from measures.selectors.public import (
    default_report_date,
    newest_updates_of,
    newest_updates_of_rows,
)
from measures.selectors.rollups import phase_label
from measures.selectors.status_on import StatusOn, split_status
from measures.year_ends import status_text, year_end_text

# How many of the newest published updates a summary lists.
LATEST_UPDATES = 5
# How many changes a plan summary names; the rest are counted.
CHANGES_LISTED = 10


@dataclass(frozen=True)
class Status:
    """A measure's published status on a day: the update in force then."""

    phase: str
    health: str
    progress: int | None
    as_of: datetime.date

    @property
    def phase_label(self) -> str:
        return phase_label(self.phase)

    @property
    def health_label(self) -> str:
        return choice_label(Health, self.health)


@dataclass(frozen=True)
class Change:
    """A measure whose published status differs between the two days."""

    measure: dict  # slug, identifier, title
    before: Status | None  # None: no published status then
    after: Status

    @property
    def phase_changed(self) -> bool:
        return self.before is not None and self.before.phase != self.after.phase

    @property
    def progress_changed(self) -> bool:
        return self.before is not None and self.before.progress != self.after.progress

    @property
    def health_changed(self) -> bool:
        return self.before is not None and self.before.health != self.after.health


@dataclass(frozen=True)
class Changes:
    """The changes between `since` (the last day of `period_label`, the last
    reporting period that had ended by `until`) and `until` (today, or the last day
    of a plan whose period has ended)."""

    since: datetime.date
    until: datetime.date
    period_label: str
    listed: list[Change]
    total: int

    @property
    def unlisted(self) -> int:
        return self.total - len(self.listed)


def comparison_days(
    plan: Plan, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date, str]:
    """(since, until, label of the period ending on `since`) for `plan`. `until` is
    the plan's report date (default_report_date: today, or the end of a finished
    plan); `since` the end of the last of the plan's reporting periods that had
    ended by then. A plan whose reporting interval no source gives is compared
    with the end of the last ended year, and the page names that year."""
    until = default_report_date(plan, today or timezone.localdate())
    interval = plan.reporting_interval or "year"
    year, number = last_ended_period(interval, until)
    start, since = span_bounds(interval, year, number)
    period = Period(interval=interval, year=year, number=number, start=start, end=since)
    return since, until, period.label


def _parse(text: str | None) -> Status | None:
    if not text:
        return None
    phase, health, progress, as_of = split_status(text)
    return Status(
        phase=phase,
        health=health,
        progress=progress,
        as_of=datetime.date.fromisoformat(as_of[:10]),
    )


def plan_changes(
    *,
    plan: Plan,
    measure_rows: list[dict] | None = None,
    today: datetime.date | None = None,
) -> Changes:
    """The plan's measures whose published status changed between the end of the
    last ended reporting period and now. Newest change first.

    Only a measure with an update dated after `since` can have changed: the
    others are left out before any status is looked up. Given the plan page's
    `measure_rows` (plans.plan_measure_rows(): current status, its date and the
    year-end statuses) and a period that ends on 31 December (every year; the last
    tertial, half-year, quarter or month of one), no query: the status then is the
    year-end status, the status now the current one. Else one query: at most two
    index probes per measure, as StatusOn() looks back."""
    since, until, label = comparison_days(plan, today)
    rows = _statuses_from_rows(measure_rows, since, until)
    if rows is None:
        rows = (
            Measure.objects.filter(plan=plan, current_as_of__gt=since)
            .order_by()
            .annotate(before=StatusOn(since), after=StatusOn(until))
            .values_list("slug", "identifier", "title", "before", "after")
        )
    # Most measures may have changed (every one in a busy period), and only the
    # newest CHANGES_LISTED are shown: the texts are compared, counted and the
    # newest picked before any is parsed into a Status.
    changed = []
    for slug, identifier, title, before, after in rows:
        if not after:
            continue  # no published status now
        if before and before.rpartition("|")[0] == after.rpartition("|")[0]:
            continue  # a new update that changed nothing the summary shows
        # The as-of date ends the text, in ISO form: it sorts as the dates do.
        as_of = after.rpartition("|")[2]
        changed.append((as_of, identifier, slug, title, before, after))
    # Ties on the date and identifier decided by the address, so that the list
    # does not depend on the order the rows came in.
    newest = heapq.nlargest(CHANGES_LISTED, changed, key=lambda c: (c[0], c[1], c[2]))
    return Changes(
        since=since,
        until=until,
        period_label=label,
        listed=[
            Change(
                measure={"slug": slug, "identifier": identifier, "title": title},
                before=_parse(before),
                after=_parse(after),
            )
            for _as_of, identifier, slug, title, before, after in newest
        ],
        total=len(changed),
    )


def _statuses_from_rows(measure_rows, since: datetime.date, until: datetime.date):
    """(slug, identifier, title, status text on `since`, on `until`) of the rows
    updated after `since`, as plan_changes()'s query gives them, or None when the
    rows cannot say: no rows given, `since` not a year-end, or a current status
    dated after `until` (a finished plan reported on since its end)."""
    if measure_rows is None or (since.month, since.day) != (12, 31):
        return None
    year = str(since.year)
    statuses = []
    for row in measure_rows:
        as_of = row["current_as_of"]
        if as_of is None or as_of <= since:
            continue
        if as_of > until:
            return None
        now = status_text(
            row["current_phase"],
            row["current_health"],
            row["current_progress"],
            as_of.isoformat(),
        )
        then = year_end_text(row["year_end_statuses"], year)
        statuses.append((row["slug"], row["identifier"], row["title"], then, now))
    return statuses


def plan_latest_updates(
    *, plan: Plan, measure_rows: list[dict], today: datetime.date | None = None
) -> list:
    """The plan's newest published updates up to its report date (one query).
    `measure_rows`: the plan's measures with their current update and its date
    (plans.plan_measure_rows(), PlanPage.measure_rows).

    When every current update is dated by the report date (always while a plan
    runs), the newest are among the measures' current updates with the newest
    dates: newest_updates_of_rows() sorts only those. Else (a finished plan with
    updates since its end) each measure's update in force on the last day is looked
    up in the index first."""
    until = default_report_date(plan, today or timezone.localdate())
    if all(
        row["current_as_of"] is None or row["current_as_of"] <= until
        for row in measure_rows
    ):
        return newest_updates_of_rows(
            measure_rows, limit=LATEST_UPDATES, plans={plan.pk: plan}
        )
    return newest_updates_of(
        Measure.objects.filter(plan=plan), limit=LATEST_UPDATES, until=until
    )


def partner_latest_updates(*, measure_rows: list[dict], plans: Mapping) -> list:
    """The newest published updates of the measures a partner page lists
    (partners.partner_page(): the partner's and its units' measures, in the
    municipality's plans when the page is one municipality's; `plans`: their
    plans, PartnerPage.plans; one query)."""
    return newest_updates_of_rows(measure_rows, limit=LATEST_UPDATES, plans=plans)


def district_latest_updates(*, measure_rows: list[dict], plans: Mapping) -> list:
    """The newest published updates of the measures that reach a district
    (districts.district_page(): DistrictPage.measure_rows and .plans; one
    query). Read from the rows the page has, not by joining the district's
    measures again: that query took 5 of the largest district's 16 ms of SQL at
    national scale."""
    return newest_updates_of_rows(measure_rows, limit=LATEST_UPDATES, plans=plans)
