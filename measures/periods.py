"""Calendar arithmetic, written once: periods of a year and their labels.

Two kinds of period split a calendar year into spans of whole months that divide
twelve:

- a plan's *reporting interval* (month, quarter, tertial, half year, year): when
  caseworkers report (see measures/selectors/due.py for which measures are due);
- an indicator value's *period type* (year, tertial, month): what a number covers.

A tertial is January–April, May–August or September–December. Nothing here reads
the database; keys are the choice values stored on Plan.reporting_interval and
IndicatorValue.period_type.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# How many months each span covers; all of them divide twelve. The keys are the
# values of Plan.ReportingInterval and of PeriodType (which share year, tertial and
# month).
MONTHS_PER_SPAN = {
    "month": 1,
    "quarter": 3,
    "tertial": 4,
    "half_year": 6,
    "year": 12,
}

_LABELS = {
    "month": _("%(number)s. måned %(year)s"),
    "quarter": _("%(number)s. kvartal %(year)s"),
    "tertial": _("%(number)s. tertial %(year)s"),
    "half_year": _("%(number)s. halvår %(year)s"),
    "year": _("året %(year)s"),
}

MONTH_NAMES = (
    _("januar"),
    _("februar"),
    _("mars"),
    _("april"),
    _("mai"),
    _("juni"),
    _("juli"),
    _("august"),
    _("september"),
    _("oktober"),
    _("november"),
    _("desember"),
)


def span_number(span: str, day: datetime.date) -> int:
    """The 1-based number within its year of the `span` that contains `day`."""
    return (day.month - 1) // MONTHS_PER_SPAN[span] + 1


def span_bounds(
    span: str, year: int, number: int
) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of period `number` of `span` in `year`. The
    caller checks the number."""
    months = MONTHS_PER_SPAN[span]
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    last_day = calendar.monthrange(year, last_month)[1]
    return (
        datetime.date(year, first_month, 1),
        datetime.date(year, last_month, last_day),
    )


def spans_back(span: str, end: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """`count` periods (year, number) of `span` up to and including `end`, oldest
    first."""
    per_year = 12 // MONTHS_PER_SPAN[span]
    year, number = end
    result = []
    for _index in range(count):
        result.append((year, number))
        number -= 1
        if number == 0:
            year, number = year - 1, per_year
    return list(reversed(result))


@dataclass(frozen=True)
class Period:
    """One reporting period of a plan's interval."""

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
    number = span_number(interval, day)
    start, end = span_bounds(interval, day.year, number)
    return Period(interval=interval, year=day.year, number=number, start=start, end=end)


def period_bounds(
    period_type: str, year: int, number: int
) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of an indicator value's period."""
    return span_bounds(period_type, year, number)


def period_label(period_type: str, year: int, number: int) -> str:
    """An indicator value's period in words: "2018", "2. tertial 2025", "mars 2025"."""
    if period_type == "tertial":
        return str(_("%(number)s. tertial %(year)s") % {"number": number, "year": year})
    if period_type == "month":
        return f"{MONTH_NAMES[number - 1]} {year}"
    return str(year)


def last_ended_period(span: str, today: datetime.date) -> tuple[int, int]:
    """(year, number) of the latest period of `span` that has ended by `today`."""
    number = span_number(span, today)
    if number > 1:
        return today.year, number - 1
    return today.year - 1, 12 // MONTHS_PER_SPAN[span]


def next_period(span: str, year: int, number: int) -> tuple[int, int]:
    """The (year, number) after period `number` of `span` in `year`."""
    if number < 12 // MONTHS_PER_SPAN[span]:
        return year, number + 1
    return year + 1, 1
