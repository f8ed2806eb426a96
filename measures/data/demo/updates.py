"""The demo measures' status updates: each measure's published history, made up
step by step, and written with COPY on PostgreSQL (a million rows never sit in
memory at once) or bulk_create elsewhere."""

import datetime
import io
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from measures.data.demo.rows import BATCH_SIZE, demo_measures
from measures.data.demo.size import weighted
from measures.models import Health, Measure, Phase, StatusUpdate

# (final phase, share of measures)
OUTCOMES = [
    (Phase.COMPLETED, 25),
    (Phase.IN_PROGRESS, 55),
    (Phase.NOT_STARTED, 8),
    (Phase.DISCONTINUED, 7),
    (Phase.CONTINUED, 5),
]
HEALTHS = [(Health.ON_TRACK, 60), (Health.AT_RISK, 25), (Health.OFF_TRACK, 15)]


@dataclass
class Update:
    as_of: datetime.date
    phase: str
    health: str
    progress: int | None
    published_at: datetime.datetime


def updates_for(
    rng: random.Random, count: int, start: datetime.date, end: datetime.date
) -> list[Update]:
    """A measure's published history: dated strictly one after the other through
    [start, end], with progress rising to its final phase in the last update."""
    if count == 0:
        return []
    outcome = weighted(rng, OUTCOMES)
    final_progress = {
        Phase.COMPLETED: 100,
        Phase.NOT_STARTED: None,
        Phase.IN_PROGRESS: 10 + rng.randrange(86),
        Phase.DISCONTINUED: rng.randrange(60),
        Phase.CONTINUED: 40 + rng.randrange(50),
    }[outcome]
    # Measures not started report no assessment; the others start after a few
    # updates.
    started_at = count if outcome == Phase.NOT_STARTED else rng.randrange(min(3, count))
    span = max((end - start).days, count)
    slot = span / count
    goal = final_progress if final_progress is not None else 50
    updates = []
    progress = 0
    for k in range(count):
        day = start + datetime.timedelta(days=int(k * slot + rng.random() * (slot - 1)))
        if k < started_at:
            phase, health, value = Phase.NOT_STARTED, "", None
        elif k == count - 1:
            phase, value = outcome, final_progress
            health = weighted(rng, HEALTHS)
        else:
            # Rising towards the final figure, never falling.
            share = (k - started_at + 1) / (count - started_at)
            progress = max(progress, min(goal, int(goal * share) + rng.randrange(5)))
            phase, value = Phase.IN_PROGRESS, progress
            health = weighted(rng, HEALTHS)
        published_at = datetime.datetime.combine(
            day + datetime.timedelta(days=1 + rng.randrange(14)),
            datetime.time(12, rng.randrange(60)),
            tzinfo=datetime.UTC,
        )
        updates.append(Update(day, phase, health, value, published_at))
    return updates


def _summary(measure: Measure, number: int, update: Update) -> str:
    if update.progress is None:
        return f"Demostatus {number} for {measure.title}: ikke startet."
    return f"Demostatus {number} for {measure.title}: fremdrift {update.progress} %."


def _update_rows(measures, histories) -> Iterator[tuple]:
    for measure, history in zip(measures, histories, strict=True):
        for number, update in enumerate(history, start=1):
            yield measure.pk, number, measure, update


class _CopySource(io.TextIOBase):
    """A file whose read() produces COPY text lines on demand, so a million rows
    never sit in memory at once."""

    def __init__(self, lines: Iterator[str], chunk_lines: int = 10000):
        self._lines = lines
        self._chunk_lines = chunk_lines
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self._buffer) < size:
            chunk = "".join(itertools.islice(self._lines, self._chunk_lines))
            if not chunk:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


UPDATE_COLUMNS = (
    "measure",
    "as_of",
    "phase",
    "health",
    "progress",
    "summary",
    "external_id",
    "uncertainty",
    "state",
    "review_comment",
    "created_at",
    "submitted_at",
    "published_at",
    "version",
)


def copy_updates(measures, histories) -> None:
    now = timezone.now().isoformat()
    published = StatusUpdate.State.PUBLISHED.value

    def lines() -> Iterator[str]:
        for measure_id, number, measure, u in _update_rows(measures, histories):
            progress = r"\N" if u.progress is None else str(u.progress)
            at = u.published_at.isoformat()
            yield (
                f"{measure_id}\t{u.as_of.isoformat()}\t{u.phase}\t{u.health}\t"
                f"{progress}\t{_summary(measure, number, u)}\t\t\t"
                f"{published}\t\t{now}\t{at}\t{at}\t1\n"
            )

    table = connection.ops.quote_name(StatusUpdate._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(StatusUpdate._meta.get_field(name).column)
        for name in UPDATE_COLUMNS
    )
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN", _CopySource(lines())
        )


def bulk_create_updates(measures, histories) -> None:
    published = StatusUpdate.State.PUBLISHED
    batch: list[StatusUpdate] = []
    for measure_id, number, measure, u in _update_rows(measures, histories):
        batch.append(
            StatusUpdate(
                measure_id=measure_id,
                as_of=u.as_of,
                phase=u.phase,
                health=u.health,
                progress=u.progress,
                summary=_summary(measure, number, u),
                state=published,
                submitted_at=u.published_at,
                published_at=u.published_at,
            )
        )
        if len(batch) >= BATCH_SIZE:
            StatusUpdate.objects.bulk_create(batch)
            batch = []
    if batch:
        StatusUpdate.objects.bulk_create(batch)


def link_current_updates() -> None:
    """Point each demo measure at its latest published update, in one statement.
    The other current_* fields were set from the same history when the measure was
    made."""
    latest = (
        StatusUpdate.objects.filter(
            measure=OuterRef("pk"), state=StatusUpdate.State.PUBLISHED
        )
        .order_by("-as_of", "-published_at", "-id")
        .values("pk")[:1]
    )
    demo_measures().update(current_update=Subquery(latest))
