"""Roll-ups: how many measures are in each phase and traffic-light state, and
the weighted progress, for any set of measures. No status is its own bucket
(NO_STATUS), never a default phase; a progress figure says what it covers and is
shown as the whole plan's only when enough of it is assessed (PROGRESS_MIN_COVERAGE,
docs/decisions.md)."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from measures.models import NO_STATUS_LABEL, Health, Measure, Phase
from measures.models.choices import choice_label

NOT_ASSESSED = ""


NOT_ASSESSED_LABEL = _("Ikke vurdert")


# The phase bucket of measures with no published update: its own state, never
# counted as "not started".
NO_STATUS = ""


# A weighted progress is shown as a plan's (or goal's, partner's...) progress only
# when it covers at least this share of the measures, counted by weight: a figure
# for 1 of 7 measures says nothing about the plan. See docs/decisions.md.
PROGRESS_MIN_COVERAGE = Decimal("0.5")


# The fields a roll-up reads: lists fetch only these (with .values()).
ROLLUP_FIELDS = ("id", "weight", "current_progress", "current_phase", "current_health")


# Marks a row of rollup_groups(): how many measures the row stands for.
GROUP_SIZE = "group_size"


# Roll-ups ---------------------------------------------------------------------


class Share(NamedTuple):
    """How many measures have one phase (or one health). A named tuple, not a
    frozen dataclass: a roll-up makes eleven, and a partner page across the
    country hundreds of roll-ups (its frozen __init__ was a third of their time)."""

    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class Rollup:
    """Progress and status distribution of a set of measures.

    `progress` is the mean of the measures' current progress weighted by
    Measure.weight, over the measures that have a progress value; `assessed` says
    how many those are, so a page can be honest about the rest. `covers_enough`
    says whether the assessed measures carry enough of the weight
    (PROGRESS_MIN_COVERAGE) for the figure to stand for the whole set.
    """

    total: int
    assessed: int
    progress: int | None
    progress_exact: Decimal | None
    phases: tuple[Share, ...]
    healths: tuple[Share, ...]
    assessed_weight: int = 0
    total_weight: int = 0

    @property
    def unassessed(self) -> int:
        return self.total - self.assessed

    @property
    def covers_enough(self) -> bool:
        if self.progress is None or not self.total_weight:
            return False
        return Decimal(self.assessed_weight) >= (
            PROGRESS_MIN_COVERAGE * self.total_weight
        )

    @property
    def without_status(self) -> int:
        return self.phase_count(NO_STATUS)

    def phase_count(self, phase: str) -> int:
        return next((s.count for s in self.phases if s.key == phase), 0)

    def health_count(self, health: str) -> int:
        return next((s.count for s in self.healths if s.key == health), 0)


def phase_label(phase: str) -> str:
    """A phase's label; «Ingen status registrert» for a measure with none."""
    return choice_label(Phase, phase) if phase else NO_STATUS_LABEL


def _status(row) -> tuple:
    """(phase, health, progress, weight) of a measure given as a dict or an object.
    A plain dict is checked first: the Mapping check is slow, and pages roll up
    thousands of rows."""
    if type(row) is dict or isinstance(row, Mapping):
        return (
            row["current_phase"],
            row["current_health"],
            row["current_progress"],
            row["weight"],
        )
    return row.current_phase, row.current_health, row.current_progress, row.weight


def _percent(count: int, total: int) -> int:
    """100 * count / total rounded half up, in integers: floor(x + 1/2) is
    (200 * count + total) // (2 * total). A plan page makes a few hundred."""
    if not total:
        return 0
    return (200 * count + total) // (2 * total)


def rollup_groups(queryset: QuerySet[Measure], *keys: str) -> QuerySet:
    """The measures of `queryset` counted by the database, per `keys` (if any),
    phase and health: rows that rollup() takes in place of one row per measure, so a
    roll-up of thousands of measures moves a few dozen rows, not thousands."""
    return (
        queryset.order_by()
        .values(*keys, "current_phase", "current_health")
        .annotate(
            # COUNT(*), not COUNT(id): the index measure_rollup holds no id.
            **{GROUP_SIZE: Count("*")},
            group_assessed=Count("current_progress"),
            group_weight_sum=Sum("weight", filter=Q(current_progress__isnull=False)),
            group_weighted=Sum(F("weight") * F("current_progress")),
            group_total_weight=Sum("weight"),
        )
    )


# Every phase and health in their order, with "no status" and "not assessed" last.
# Built once: Choices.choices walks the enum on every call. The labels are lazy, so
# each page still shows them in its own language.
PHASE_CHOICES = (*Phase.choices, (NO_STATUS, NO_STATUS_LABEL))
_HEALTH_CHOICES = (*Health.choices, (NOT_ASSESSED, NOT_ASSESSED_LABEL))


def rollup(rows: Iterable) -> Rollup:
    """Roll up measures given as model instances or .values() dicts that carry
    ROLLUP_FIELDS, or as groups from rollup_groups(). Each measure counts once."""
    total = assessed = weight_sum = total_weight = 0
    weighted = 0
    phases: dict[str, int] = defaultdict(int)
    healths: dict[str, int] = defaultdict(int)
    for row in rows:
        if type(row) is dict and GROUP_SIZE in row:
            size = row[GROUP_SIZE]
            total += size
            phases[row["current_phase"]] += size
            healths[row["current_health"] or NOT_ASSESSED] += size
            assessed += row["group_assessed"]
            weight_sum += row["group_weight_sum"] or 0
            weighted += row["group_weighted"] or 0
            total_weight += row.get("group_total_weight") or 0
            continue
        total += 1
        phase, health, progress, weight = _status(row)
        total_weight += weight
        phases[phase or NO_STATUS] += 1
        healths[health or NOT_ASSESSED] += 1
        if progress is not None:
            assessed += 1
            weight_sum += weight
            weighted += weight * progress
    exact = Decimal(weighted) / weight_sum if weight_sum else None
    return Rollup(
        total=total,
        assessed=assessed,
        progress=int(exact.quantize(Decimal(1), ROUND_HALF_UP))
        if exact is not None
        else None,
        progress_exact=exact,
        phases=tuple(
            Share(key, label, phases[key], _percent(phases[key], total))
            for key, label in PHASE_CHOICES
        ),
        healths=tuple(
            Share(key, label, healths[key], _percent(healths[key], total))
            for key, label in _HEALTH_CHOICES
        ),
        assessed_weight=weight_sum,
        total_weight=total_weight,
    )


def measures_rollup(queryset: QuerySet[Measure]) -> Rollup:
    """Roll up a (filtered) measure queryset in one query."""
    return rollup(rollup_groups(queryset))
