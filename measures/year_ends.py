"""A measure's year-end statuses (Measure.year_end_statuses): where its published
updates stood on 31 December of each year before the year of its current status,
for the plan page's progress over time and what changed since the last year-end.

Derived from the updates, never entered: refresh_current_status() (services/
plans.py) rewrites them whenever a measure's published updates change, as it does
the current status; the demo data and the migration that added them use the same
rule. Kept as text, "2019:in_progress|on_track|40|2019-11-30;2020:...", each status
as StatusOn() writes the status on 31 December of its year (phase, health,
progress, the as-of date of the update), because the plan page reads them for
hundreds of measures and a string splits far faster than a JSON value decodes."""

from collections.abc import Iterable, Sequence

# (phase, health, progress, as-of date in ISO form): StatusOn()'s parts.
Status = tuple[str, str, int | None, str]


def year_end_statuses(updates: Iterable) -> dict[int, Status]:
    """The year-end statuses of a measure whose published updates are `updates`
    (objects with as_of, phase, health and progress), in the order the update in
    force is chosen: by as-of date, then publication time, then id, so that the
    last one dated by a day is the one in force then (as StatusOn() and
    refresh_current_status() choose).

    One for each year from the first update's year to the year before the last
    update's (the current status's): before the first there was no status, and from
    the year of the current status on, the current status says it. Updates within
    one year replace each other; only the last counts at its end."""
    updates: Sequence = list(updates)
    statuses: dict[int, Status] = {}
    if not updates:
        return statuses
    in_force, index = None, 0
    for year in range(updates[0].as_of.year, updates[-1].as_of.year):
        while index < len(updates) and updates[index].as_of.year <= year:
            in_force = updates[index]
            index += 1
        statuses[year] = (
            in_force.phase,
            in_force.health,
            in_force.progress,
            in_force.as_of.isoformat(),
        )
    return statuses


def format_year_ends(statuses: dict[int, Status]) -> str:
    return ";".join(
        f"{year}:{status_text(*status)}" for year, status in sorted(statuses.items())
    )


def status_text(phase: str, health: str, progress: int | None, *as_of: str) -> str:
    """A status as StatusOn() writes it, with or without its as-of date;
    split_status() reads it."""
    return "|".join((phase, health, "" if progress is None else str(progress), *as_of))


def year_end_texts(text: str) -> dict[str, str]:
    """Year (as text) -> StatusOn()'s text of formatted year-end statuses: left as
    text, since the plan page splits only the statuses it shows or counts, not one
    per measure and year."""
    if not text:
        return {}
    return dict(item.split(":", 1) for item in text.split(";"))


def year_end_text(text: str, year: str) -> str | None:
    """The status text of one year (as text) in formatted year-end statuses, or
    None: what changed reads one year of each measure updated since, and a dict of
    every year per measure cost three times as much."""
    key = f"{year}:"
    if text.startswith(key):
        start = len(key)
    else:
        found = text.find(f";{key}")
        if found < 0:
            return None
        start = found + 1 + len(key)
    end = text.find(";", start)
    return text[start:] if end < 0 else text[start:end]
