"""The report "status per <date>": a plan as it stood at the end of a day.

Two rules, chosen with ?grunnlag= (docs/council-reports.md):

- STATUS_DATE (the default, "what had happened by D"): each measure's status is its
  latest published update whose status date (as-of) is on or before D, whenever it
  was recorded. An update published after D is marked "registrert etter D" with its
  recording date, so a reader sees what was known later. Historical events shipped
  with Rusplan or imported keep their own dates, so a report for 31.12.2020 shows
  what was under way then. Indicator values count for periods that had ended by D,
  budget lines for years up to D's year, as they are registered now.
- AS_PUBLISHED ("slik det var publisert per D"): only what was public at the end of
  D: updates with an as-of date on or before D that were published by the end of
  that day (site time zone), indicator values published by then (even if a
  correction replaced them later), and budget lines as they stood then, from their
  history (django-simple-history). A report made today for 31.12.2020 says what one
  made on 31.12.2020 would have said.

Roll-ups are the plan page's own (rollup() and plan_goal_tree()),
fed with the status on the day instead of the current one. Small numbers are shown
as the public sees them (public_value() for an anonymous
reader), whoever makes the report: it is meant to be attached to a public case.

The plan's structure (its goals, measures, weights and partners) is read as it is
now: Rusplan keeps no dated copy of it (the admin history has one, but a report built
from it would differ from the plan page in ways nobody could check).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from measures.charts import indicators as indicator_charts
from measures.models import (
    OPEN_PHASES,
    BudgetLine,
    Indicator,
    IndicatorValue,
    MeasurePartner,
    Plan,
    StatusUpdate,
)
from measures.periods import Period, period_for
from measures.selectors.budgets import BudgetTotal
from measures.selectors.indicators import indicator_series
from measures.selectors.plans import natural_order, plan_goal_tree, plan_measure_rows
from measures.selectors.public import default_report_date
from measures.selectors.rollups import Rollup, rollup
from partners.models import Partner

# How the date is written in ?per=: ISO (what <input type="date"> sends) or the
# Norwegian dd.mm.yyyy that people type.
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NORWEGIAN = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
_ECHO_LIMIT = 40


# The two rules (?grunnlag=...): see the module docstring.
STATUS_DATE = "statusdato"
AS_PUBLISHED = "publisert"
BASES = (STATUS_DATE, AS_PUBLISHED)


class ReportDateError(ValueError):
    """A report date that cannot be used; the message says why, for the user."""


def plan_first_day(plan: Plan) -> datetime.date:
    return datetime.date(plan.start_year, 1, 1)


def report_basis(raw: str | None) -> str:
    """The rule named by ?grunnlag=; anything else is the default rule."""
    value = (raw or "").strip()
    return value if value in BASES else STATUS_DATE


def report_date(
    plan: Plan, raw: str | None, *, today: datetime.date | None = None
) -> datetime.date:
    """The day `raw` names (YYYY-MM-DD or dd.mm.yyyy), which must lie between the
    plan's first day (1 January of its start year) and today; empty means the
    default (default_report_date())."""
    today = today or timezone.localdate()
    value = (raw or "").strip()
    if not value:
        return default_report_date(plan, today)
    day = None
    try:
        if _ISO.match(value):
            day = datetime.date.fromisoformat(value)
        elif _NORWEGIAN.match(value):
            day = datetime.datetime.strptime(value, "%d.%m.%Y").date()  # noqa: DTZ007
    except ValueError:
        day = None
    if day is None:
        shown = value if len(value) <= _ECHO_LIMIT else value[:_ECHO_LIMIT] + "…"
        raise ReportDateError(
            _(
                "«%(value)s» er ikke en gyldig dato. Skriv datoen som ÅÅÅÅ-MM-DD, "
                "for eksempel 2020-12-31."
            )
            % {"value": shown}
        )
    first = plan_first_day(plan)
    if not first <= day <= today:
        raise ReportDateError(
            _(
                "Rapporten kan lages for en dato fra planens start %(first)s til og "
                "med i dag, %(today)s. %(day)s er utenfor."
            )
            % {
                "first": date_format(first, "SHORT_DATE_FORMAT"),
                "today": date_format(today, "SHORT_DATE_FORMAT"),
                "day": date_format(day, "SHORT_DATE_FORMAT"),
            }
        )
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the site's time zone (Europe/Oslo)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )


def published_status_on(
    *, plan: Plan, day: datetime.date, basis: str = AS_PUBLISHED
) -> dict[int, dict]:
    """{measure id: the update in force at the end of `day`} for the plan's
    measures (one query): of the published updates with an as-of date on or before
    `day` (under AS_PUBLISHED: that were also published before the day ended), the
    latest by as-of date, then by publication (the order
    measure_sync_current_status() uses). Each row says whether it was recorded
    (published) after the day: `recorded_later` and `recorded_on`."""
    day_ended = end_of_day(day)
    published = StatusUpdate.objects.filter(
        measure__plan=plan,
        state=StatusUpdate.State.PUBLISHED,
        as_of__lte=day,
    )
    if basis == AS_PUBLISHED:
        published = published.filter(published_at__lt=day_ended)
    rows = (
        published.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("measure_id")],
                order_by=[F("as_of").desc(), F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values(
            "id",
            "measure_id",
            "as_of",
            "phase",
            "health",
            "progress",
            "summary",
            "uncertainty",
            "published_at",
        )
    )
    status = {}
    for row in rows:
        row["recorded_later"] = row["published_at"] >= day_ended
        row["recorded_on"] = timezone.localdate(row["published_at"])
        status[row["measure_id"]] = row
    return status


def published_indicator_values_on(
    *, plan: Plan, day: datetime.date, basis: str = AS_PUBLISHED
) -> dict[int, list[IndicatorValue]]:
    """{indicator id: its values on `day`} for the indicators of the plan's goals
    and measures (one query). AS_PUBLISHED: per period, the value published last
    before the day ended, though a later correction may have replaced it.
    STATUS_DATE: per period that had ended by `day`, the value published now,
    marked `recorded_later` when it was published after the day."""
    day_ended = end_of_day(day)
    of_plan = Q(indicator__goal__plan=plan) | Q(indicator__measure__plan=plan)
    if basis == STATUS_DATE:
        values: dict[int, list[IndicatorValue]] = {}
        current = IndicatorValue.objects.filter(
            of_plan, state=IndicatorValue.State.PUBLISHED, year__lte=day.year
        ).order_by("year", "period_type", "number")
        for value in current:
            if value.end > day:
                continue
            value.recorded_later = value.published_at >= day_ended
            values.setdefault(value.indicator_id, []).append(value)
        return values
    rows = (
        IndicatorValue.objects.filter(
            of_plan,
            state__in=(IndicatorValue.State.PUBLISHED, IndicatorValue.State.REPLACED),
            published_at__lt=day_ended,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[
                    F("indicator_id"),
                    F("period_type"),
                    F("year"),
                    F("number"),
                ],
                order_by=[F("published_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
    )
    values: dict[int, list[IndicatorValue]] = {}
    for value in rows:
        values.setdefault(value.indicator_id, []).append(value)
    return values


@dataclass
class ReportIndicators:
    """The plan's indicators on the day: outcome indicators per goal (goal order),
    then output indicators per measure (the plan's order)."""

    by_goal: list  # [(Goal, [IndicatorSeries])]
    by_measure: list  # [(measure row, [IndicatorSeries])]

    def __bool__(self) -> bool:
        return bool(self.by_goal or self.by_measure)


def plan_indicators_on(
    *,
    plan: Plan,
    day: datetime.date,
    goals: list,
    measures: list,
    basis: str = AS_PUBLISHED,
) -> ReportIndicators:
    """Every indicator of the plan with the values in force on `day`, as the public
    sees them, each with its chart (two queries). `goals` are the report's goal
    nodes (flattened), `measures` its measure rows."""
    indicators = list(
        Indicator.objects.filter(Q(goal__plan=plan) | Q(measure__plan=plan))
        .select_related("goal", "measure")
        .order_by("order", "title", "id")
    )
    if not indicators:
        return ReportIndicators(by_goal=[], by_measure=[])
    values = published_indicator_values_on(plan=plan, day=day, basis=basis)
    reader = AnonymousUser()
    series: dict[tuple[str, int], list] = {}
    for indicator in indicators:
        indicator.published_values = values.get(indicator.pk, [])
        # The same series (values in period order, "< 5" for small numbers) as
        # on the plan page; only the values differ.
        one = indicator_series(indicator, reader)
        one.chart = indicator_charts.indicator_chart(one)
        if indicator.goal_id:
            key = ("goal", indicator.goal_id)
        else:
            key = ("measure", indicator.measure_id)
        series.setdefault(key, []).append(one)
    return ReportIndicators(
        by_goal=[
            (node.goal, series[("goal", node.goal.pk)])
            for node in goals
            if ("goal", node.goal.pk) in series
        ],
        by_measure=[
            (row, series[("measure", row["id"])])
            for row in measures
            if ("measure", row["id"]) in series
        ],
    )


@dataclass(frozen=True)
class ReportBudget:
    lines: list  # BudgetLine snapshots, by measure order then year
    totals: list  # BudgetTotal per year

    def __bool__(self) -> bool:
        return bool(self.lines)


def plan_budget_on(
    *, plan: Plan, day: datetime.date, measures: list, basis: str = AS_PUBLISHED
) -> ReportBudget:
    """The plan's budget lines with totals per year (one query): under
    AS_PUBLISHED as they stood at the end of `day`, from their history; under
    STATUS_DATE the lines registered now for years up to `day`'s year."""
    if basis == STATUS_DATE:
        lines = list(BudgetLine.objects.filter(measure__plan=plan, year__lte=day.year))
    else:
        lines = list(
            BudgetLine.history.as_of(end_of_day(day)).filter(measure__plan=plan)
        )
    if not lines:
        return ReportBudget(lines=[], totals=[])
    order = {row["id"]: index for index, row in enumerate(measures)}
    by_id = {row["id"]: row for row in measures}
    lines = [line for line in lines if line.measure_id in by_id]
    for line in lines:
        line.measure_row = by_id[line.measure_id]
    lines.sort(key=lambda line: (order[line.measure_id], line.year))
    # Only figures of the same kind and span add up (BudgetTotal).
    years: dict[tuple, list] = {}
    for line in lines:
        years.setdefault((line.year, line.end_year or 0, line.kind), []).append(line)
    totals = [
        BudgetTotal(
            year=year,
            end_year=end_year or None,
            kind=kind,
            allocated=sum(line.allocated_nok for line in year_lines),
            spent=sum(line.spent_nok or 0 for line in year_lines)
            if any(line.spent_nok is not None for line in year_lines)
            else None,
            lines=len(year_lines),
            lines_with_spent=sum(
                1 for line in year_lines if line.spent_nok is not None
            ),
        )
        for (year, end_year, kind), year_lines in sorted(years.items())
    ]
    return ReportBudget(lines=lines, totals=totals)


@dataclass
class ReportGap:
    """A partner with measures that had no published report for the period."""

    partner: Partner
    name_then: str
    measures: list = field(default_factory=list)


@dataclass(frozen=True)
class PlanReport:
    plan: Plan
    day: datetime.date
    basis: str
    generated_at: datetime.datetime
    owner_name_then: str
    rollup: Rollup
    goals: list
    measures_without_goal: list
    measures: list  # rows (plan_measure_rows) in the plan's order
    with_update: int  # measures with an update in force on the day
    period: Period | None  # None when the plan has no reporting interval
    expected: int  # measures open on the day, which should report for the period
    reported: int  # of those, how many had a published report for the period
    gaps: list[ReportGap]
    indicators: ReportIndicators
    budget: ReportBudget
    recorded_later: int  # measures whose status on the day was recorded after it

    @property
    def by_status_date(self) -> bool:
        return self.basis == STATUS_DATE

    @property
    def goal_rows(self) -> list:
        """The goal tree flattened, top down, for the table of progress per goal."""
        return self.flatten(self.goals)

    @staticmethod
    def flatten(nodes) -> list:
        flat = []
        for node in nodes:
            flat.append(node)
            flat.extend(PlanReport.flatten(node.children))
        return flat


def plan_report(
    *, plan: Plan, day: datetime.date, basis: str = STATUS_DATE
) -> PlanReport:
    """Everything the report shows (ten queries, however large the plan)."""
    status = published_status_on(plan=plan, day=day, basis=basis)
    rows = plan_measure_rows(plan=plan, status_on=status)
    tree = plan_goal_tree(plan=plan, rows=rows)
    roles = (
        MeasurePartner.objects.filter(measure__plan=plan)
        .select_related("partner")
        .prefetch_related(
            Prefetch("partner__former_names"),
        )
        .order_by("role", "partner__name")
    )
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["lead"] = None
        row["contributors"] = []
    names: dict[int, str] = {}
    partners: dict[int, Partner] = {}
    for role in roles:
        partner = role.partner
        if partner.pk not in names:
            names[partner.pk] = partner.name_on(day)
            partners[partner.pk] = partner
        row = by_id.get(role.measure_id)
        if row is None:
            continue
        if role.role == MeasurePartner.Role.LEAD:
            row["lead"] = names[partner.pk]
        else:
            row["contributors"].append(names[partner.pk])
        row.setdefault("partner_ids", []).append(partner.pk)
    # A plan whose reporting interval no source gives has no reporting periods.
    period = (
        period_for(plan.reporting_interval, day) if plan.reporting_interval else None
    )
    ordered = sorted(rows, key=natural_order)
    expected = reported = 0
    gaps: dict[int, ReportGap] = {}
    for row in ordered:
        if period is None or row["current_phase"] not in OPEN_PHASES:
            continue
        expected += 1
        update = row["update"]
        if update is not None and update["as_of"] >= period.start:
            reported += 1
            continue
        for partner_id in row.get("partner_ids", []):
            gap = gaps.get(partner_id)
            if gap is None:
                gap = gaps[partner_id] = ReportGap(
                    partner=partners[partner_id], name_then=names[partner_id]
                )
            gap.measures.append(row)
    goal_rows = PlanReport.flatten(tree.goals)
    return PlanReport(
        plan=plan,
        day=day,
        basis=basis,
        generated_at=timezone.localtime(),
        owner_name_then=plan.owner.name_on(day),
        rollup=rollup(rows),
        goals=tree.goals,
        measures_without_goal=tree.without_goal,
        measures=ordered,
        with_update=len(status),
        period=period,
        expected=expected,
        reported=reported,
        gaps=sorted(gaps.values(), key=lambda gap: gap.name_then),
        indicators=plan_indicators_on(
            plan=plan, day=day, goals=goal_rows, measures=ordered, basis=basis
        ),
        budget=plan_budget_on(plan=plan, day=day, measures=ordered, basis=basis),
        recorded_later=sum(1 for row in status.values() if row["recorded_later"]),
    )
