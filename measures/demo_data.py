"""Fake, deterministic scale data for benchmarks (`manage.py generate_demo_data`).

Everything made here is clearly fake and kept apart from real plans:

- every partner, plan, district and measure has a slug that starts with ``demo-`` and
  a name such as "Demo-kommune 17" or "Demotiltak 123"; demo plans are owned by demo
  partners and use only demo partners and demo districts, so real plans (the shipped
  Bergen plans) are never touched, and ``demo_data_delete()`` removes exactly this;
- one partner, ``demo-data``, records the parameters it was made with, so that a
  second run with the same parameters does nothing (the national scale takes minutes);
- the same parameters, seed included, always give the same rows (ids aside).

Speed: rows go in with ``bulk_create`` in large batches, and on PostgreSQL the status
updates (the bulk of the data) with ``COPY``. No history rows are written:
django-simple-history records edits made by people, and a million generated rows would
only double the database and bury real history. Bulk writes send no model signals, so
generating and deleting send ``measures.signals.public_data_changed`` at the end (the
public page cache makes every page stale on it).

Proportions (per plan, with the national scale of 50 plans, 20,000 measures and
1,000,000 updates in brackets): one demo municipality owning the plan, four units of
it and four districts; one demo police district per four municipalities and one demo
health trust per twelve; five national demo user organisations; 13 goals in a tree
(an overall goal, 4 main goals, 2 sub-goals each); measures (400 on average, from 60
in the first plan to 740 in the last: see measures_per_plan) with one lead and
0-3 contributors, 0-2 districts and 1-2 goals; updates (50 a measure), all published,
dated through the plan period up to DEMO_TODAY; indicators in proportion to the plan
sizes (40 on average), half on goals and half on measures, each with published values
for consecutive tertials (20). Without the indicator models, no indicators.

No sources and no citations: demo data is never a public fact of a real plan, so it
cites nothing (and a million citations would only slow the benchmarks down).
"""

import dataclasses
import datetime
import io
import itertools
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from measures.models import (
    Category,
    District,
    Goal,
    Health,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    StatusUpdate,
)
from measures.periods import spans_back
from measures.signals import public_data_changed
from partners.models import Membership, Partner, PartnerName

PREFIX = "demo-"
MARKER_SLUG = "demo-data"
# Format of the parameter record; bump it when the generator's output changes so that
# an old data set is replaced rather than reused.
FORMAT = 1
# Generated updates are dated up to this day, not today, so that the data do not
# depend on when they were made.
DEMO_TODAY = datetime.date(2025, 6, 30)

BATCH_SIZE = 5000
UNITS_PER_MUNICIPALITY = 4
DISTRICTS_PER_MUNICIPALITY = 4
MUNICIPALITIES_PER_POLICE_DISTRICT = 4
MUNICIPALITIES_PER_HEALTH_TRUST = 12
USER_ORGANISATIONS = 5
MAIN_GOALS = 4
SUB_GOALS = 2
MEASURES_PER_PLAN = 400
# The first plan's size: the PDF report is timed on a plan of this size.
SMALLEST_PLAN = 60

DESCRIPTION = (
    "Fiktive data laget av manage.py generate_demo_data for ytelsestester. "
    "Ingenting her er ekte."
)
# (final phase, share of measures)
OUTCOMES = [
    (Phase.COMPLETED, 25),
    (Phase.IN_PROGRESS, 55),
    (Phase.NOT_STARTED, 8),
    (Phase.DISCONTINUED, 7),
    (Phase.CONTINUED, 5),
]
HEALTHS = [(Health.ON_TRACK, 60), (Health.AT_RISK, 25), (Health.OFF_TRACK, 15)]
CATEGORIES = [c.value for c in Category]


@dataclass(frozen=True)
class DemoSize:
    measures: int
    updates_per_measure: int
    plans: int = 0  # 0: one plan per MEASURES_PER_PLAN measures
    indicators: int = 0
    values_per_indicator: int = 0
    seed: int = 1

    def __post_init__(self):
        if self.plans <= 0:
            object.__setattr__(
                self, "plans", max(1, -(-self.measures // MEASURES_PER_PLAN))
            )
        for name in ("measures", "updates_per_measure", "indicators"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.values_per_indicator < 0:
            raise ValueError("values_per_indicator must not be negative")

    def record(self) -> str:
        return (
            f"measures={self.measures} updates-per-measure={self.updates_per_measure} "
            f"plans={self.plans} indicators={self.indicators} "
            f"values-per-indicator={self.values_per_indicator} seed={self.seed} "
            f"format={FORMAT}"
        )

    @classmethod
    def from_record(cls, text: str) -> "DemoSize | None":
        found = dict(re.findall(r"([a-z-]+)=(\d+)", text))
        try:
            if int(found["format"]) != FORMAT:
                return None
            return cls(
                measures=int(found["measures"]),
                updates_per_measure=int(found["updates-per-measure"]),
                plans=int(found["plans"]),
                indicators=int(found["indicators"]),
                values_per_indicator=int(found["values-per-indicator"]),
                seed=int(found["seed"]),
            )
        except (KeyError, ValueError):
            return None


@dataclass
class DemoReport:
    size: DemoSize
    created: bool
    deleted: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --- Which rows are demo data --------------------------------------------------------


def demo_partners():
    return Partner.objects.filter(slug__startswith=PREFIX)


def demo_plans():
    return Plan.objects.filter(slug__startswith=PREFIX, owner__slug__startswith=PREFIX)


def demo_measures():
    return Measure.objects.filter(plan__in=demo_plans())


def demo_districts():
    return District.objects.filter(
        slug__startswith=PREFIX, municipality__slug__startswith=PREFIX
    )


def demo_data_existing_size() -> DemoSize | None:
    """The parameters the demo data in the database were made with, if any."""
    marker = Partner.objects.filter(slug=MARKER_SLUG).first()
    return DemoSize.from_record(marker.description) if marker else None


def _indicator_models():
    """(Indicator, IndicatorValue), or None before those models exist."""
    try:
        return (
            apps.get_model("measures", "Indicator"),
            apps.get_model("measures", "IndicatorValue"),
        )
    except LookupError:
        return None


# --- Delete ---------------------------------------------------------------------------


def _raw_delete(model, where: str, params=()) -> int:
    """DELETE without loading the rows: Django's delete() would fetch every one of a
    million updates to send signals."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608
        return cursor.rowcount


def _in(queryset) -> tuple[str, tuple]:
    """`IN (<the queryset's ids>)` for a raw DELETE. The SQL is Django's, compiled
    from our own queryset; values travel as parameters."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return f"IN ({sql})", tuple(params)


def _delete_referring_rows(model, ids_sql: str, params: tuple, done: set) -> None:
    """Delete the rows of other models that point at the given rows of `model`
    (updates, partner roles, goal and district links, and any model added later,
    such as budget lines), so that no foreign key is left dangling."""
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related is model or related in done or relation.many_to_many:
            continue
        column = connection.ops.quote_name(relation.field.column)
        _raw_delete(related, f"{column} {ids_sql}", params)
    for m2m in model._meta.many_to_many:
        through = m2m.remote_field.through
        column = connection.ops.quote_name(m2m.m2m_column_name())
        _raw_delete(through, f"{column} {ids_sql}", params)


@transaction.atomic
def demo_data_delete() -> dict[str, int]:
    """Remove every row the generator made, and nothing else. Returns counts.

    Raw DELETEs, like the inserts: no history rows for removing fake data, and no
    million-row fetch to send signals. A real row that points at demo data makes
    the transaction fail instead of losing that row."""
    deleted: dict[str, int] = {}
    done: set = set()
    Measure.objects.filter(pk__in=demo_measures().values("pk")).update(
        current_update=None
    )
    indicator_models = _indicator_models()
    if indicator_models is not None:
        indicator, value = indicator_models
        in_indicators, ind_params = _in(
            indicator.objects.filter(
                Q(goal__plan__in=demo_plans()) | Q(measure__plan__in=demo_plans())
            )
        )
        deleted["indicator_values"] = _raw_delete(
            value, f"indicator_id {in_indicators}", ind_params
        )
        deleted["indicators"] = _raw_delete(
            indicator, f"id {in_indicators}", ind_params
        )
        done.add(indicator)
    in_measures, measures_params = _in(demo_measures())
    deleted["updates"] = _raw_delete(
        StatusUpdate, f"measure_id {in_measures}", measures_params
    )
    done.add(StatusUpdate)
    _delete_referring_rows(Measure, in_measures, measures_params, done)
    deleted["measures"] = _raw_delete(Measure, f"id {in_measures}", measures_params)
    in_goals, goals_params = _in(Goal.objects.filter(plan__in=demo_plans()))
    _delete_referring_rows(Goal, in_goals, goals_params, done)
    deleted["goals"] = _raw_delete(Goal, f"id {in_goals}", goals_params)
    in_plans, plans_params = _in(demo_plans())
    deleted["plans"] = _raw_delete(Plan, f"id {in_plans}", plans_params)
    in_districts, districts_params = _in(demo_districts())
    deleted["districts"] = _raw_delete(District, f"id {in_districts}", districts_params)
    # Only the partners' own rows go with them; anything else that still points at
    # a demo partner (a real plan it owns, say) stops the delete with an error.
    in_partners, partners_params = _in(demo_partners())
    for model in (PartnerName, Membership):
        _raw_delete(model, f"partner_id {in_partners}", partners_params)
    deleted["partners"] = _raw_delete(Partner, f"id {in_partners}", partners_params)
    # Foreign keys are checked at commit; check now, so that the error comes from
    # here (and rolls this back) even inside a caller's transaction.
    connection.check_constraints()
    public_data_changed.send(sender=__name__, using=connection.alias)
    return deleted


# --- Generate ------------------------------------------------------------------------


def _weighted(rng: random.Random, choices):
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


@dataclass
class _World:
    """The partners, districts, plans and goals, with what measures choose from."""

    marker: Partner
    municipalities: list[Partner]
    units: list[list[Partner]]
    police: list[Partner]
    trusts: list[Partner]
    user_orgs: list[Partner]
    districts: list[list[District]]
    plans: list[Plan]
    goals: list[list[Goal]]  # per plan: the goals a measure may serve


def _bulk(model, objects: list, batch_size: int = BATCH_SIZE) -> list:
    return model.objects.bulk_create(objects, batch_size=batch_size)


def _partner(slug: str, name: str, kind: str, **fields) -> Partner:
    return Partner(
        slug=PREFIX + slug, name=name, kind=kind, description=DESCRIPTION, **fields
    )


def _make_world(size: DemoSize, rng: random.Random) -> _World:
    kinds = Partner.Kind
    n = size.plans
    marker = _partner("data", "Demodata (fiktive testdata)", kinds.OTHER)
    marker.description = f"{DESCRIPTION} Parametre: {size.record()}"
    municipalities = [
        _partner(f"kommune-{i}", f"Demo-kommune {i}", kinds.MUNICIPALITY)
        for i in range(1, n + 1)
    ]
    police = [
        _partner(
            f"politidistrikt-{i}", f"Demo-politidistrikt {i}", kinds.POLICE_DISTRICT
        )
        for i in range(1, -(-n // MUNICIPALITIES_PER_POLICE_DISTRICT) + 1)
    ]
    trusts = [
        _partner(f"helseforetak-{i}", f"Demo-helseforetak {i}", kinds.HEALTH_TRUST)
        for i in range(1, -(-n // MUNICIPALITIES_PER_HEALTH_TRUST) + 1)
    ]
    user_orgs = [
        _partner(
            f"brukerorganisasjon-{i}",
            f"Demo-brukerorganisasjon {i}",
            kinds.USER_ORGANISATION,
        )
        for i in range(1, USER_ORGANISATIONS + 1)
    ]
    _bulk(Partner, [marker, *municipalities, *police, *trusts, *user_orgs])
    units = [
        [
            _partner(
                f"enhet-{i}-{u}",
                f"Demo-enhet {i}-{u}",
                kinds.MUNICIPAL_UNIT,
                parent=municipality,
            )
            for u in range(1, UNITS_PER_MUNICIPALITY + 1)
        ]
        for i, municipality in enumerate(municipalities, start=1)
    ]
    _bulk(Partner, [unit for group in units for unit in group])
    districts = [
        [
            District(
                slug=f"{PREFIX}bydel-{i}-{d}",
                name=f"Demo-bydel {i}-{d}",
                municipality=municipality,
            )
            for d in range(1, DISTRICTS_PER_MUNICIPALITY + 1)
        ]
        for i, municipality in enumerate(municipalities, start=1)
    ]
    _bulk(District, [d for group in districts for d in group])

    plans = []
    for i, municipality in enumerate(municipalities, start=1):
        start = 2016 + rng.randrange(7)
        plans.append(
            Plan(
                slug=f"{PREFIX}plan-{i}",
                title=f"Demoplan {i} for rusfeltet {start}–{start + 4}",
                short_title=f"Demoplan {i}",
                description=DESCRIPTION,
                start_year=start,
                end_year=start + 4,
                adopted_on=datetime.date(start - 1, 12, 1 + rng.randrange(15)),
                adopted_by=f"Bystyret i Demo-kommune {i}",
                # Most plans are in force; every fifth is a finished one.
                status=Plan.Status.COMPLETED if i % 5 == 0 else Plan.Status.ADOPTED,
                owner=municipality,
            )
        )
    _bulk(Plan, plans)

    top_goals = [
        Goal(
            plan=plan,
            slug="demo-overordnet",
            title=f"Demo-overordnet mål for {plan.short_title}",
            order=0,
        )
        for plan in plans
    ]
    _bulk(Goal, top_goals)
    main_goals = [
        [
            Goal(
                plan=plan,
                parent=top,
                slug=f"demo-mal-{g}",
                title=f"Demomål {g} ({plan.short_title})",
                order=g,
            )
            for g in range(1, MAIN_GOALS + 1)
        ]
        for plan, top in zip(plans, top_goals, strict=True)
    ]
    _bulk(Goal, [g for group in main_goals for g in group])
    sub_goals = [
        [
            Goal(
                plan=main.plan,
                parent=main,
                slug=f"{main.slug}-{s}",
                title=f"Demodelmål {main.order}.{s} ({main.plan.short_title})",
                order=s,
            )
            for main in group
            for s in range(1, SUB_GOALS + 1)
        ]
        for group in main_goals
    ]
    _bulk(Goal, [g for group in sub_goals for g in group])
    return _World(
        marker=marker,
        municipalities=municipalities,
        units=units,
        police=police,
        trusts=trusts,
        user_orgs=user_orgs,
        districts=districts,
        plans=plans,
        goals=[main + sub for main, sub in zip(main_goals, sub_goals, strict=True)],
    )


@dataclass
class _Update:
    as_of: datetime.date
    phase: str
    health: str
    progress: int | None
    published_at: datetime.datetime


def _updates_for(
    rng: random.Random, count: int, start: datetime.date, end: datetime.date
) -> list[_Update]:
    """A measure's published history: dated strictly one after the other through
    [start, end], with progress rising to its final phase in the last update."""
    if count == 0:
        return []
    outcome = _weighted(rng, OUTCOMES)
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
            health = _weighted(rng, HEALTHS)
        else:
            # Rising towards the final figure, never falling.
            share = (k - started_at + 1) / (count - started_at)
            progress = max(progress, min(goal, int(goal * share) + rng.randrange(5)))
            phase, value = Phase.IN_PROGRESS, progress
            health = _weighted(rng, HEALTHS)
        published_at = datetime.datetime.combine(
            day + datetime.timedelta(days=1 + rng.randrange(14)),
            datetime.time(12, rng.randrange(60)),
            tzinfo=datetime.UTC,
        )
        updates.append(_Update(day, phase, health, value, published_at))
    return updates


def measures_per_plan(size: DemoSize) -> list[int]:
    """Plan sizes rising evenly from the first plan to the last, as real plans
    differ: the first has SMALLEST_PLAN measures (fewer if the average is lower),
    the average is measures / plans. National scale: 60, 74, ... 740."""
    n = size.plans
    if n == 1:
        return [size.measures]
    low = min(SMALLEST_PLAN, size.measures // n)
    high = 2 * size.measures / n - low
    sizes = [round(low + (high - low) * i / (n - 1)) for i in range(n)]
    sizes[-1] += size.measures - sum(sizes)
    return sizes


def _make_measures(size: DemoSize, rng: random.Random, world: _World):
    """Measures with their current status already set from the history made for
    them; returns the measures and each one's history."""
    measures: list[Measure] = []
    histories: list[list[_Update]] = []
    roles: list[tuple[int, Partner, str]] = []
    goal_links: list[tuple[int, Goal]] = []
    district_links: list[tuple[int, District]] = []
    number = 0
    for p, count in enumerate(measures_per_plan(size)):
        plan = world.plans[p]
        plan_start = datetime.date(plan.start_year, 1, 15)
        plan_end = min(datetime.date(plan.end_year, 12, 15), DEMO_TODAY)
        municipality = world.municipalities[p]
        units = world.units[p]
        police = world.police[p // MUNICIPALITIES_PER_POLICE_DISTRICT]
        trust = world.trusts[p // MUNICIPALITIES_PER_HEALTH_TRUST]
        goals = world.goals[p]
        for k in range(1, count + 1):
            number += 1
            goal = rng.choice(goals)
            history = _updates_for(rng, size.updates_per_measure, plan_start, plan_end)
            last = history[-1] if history else None
            planned_start = plan_start + datetime.timedelta(days=rng.randrange(365))
            measure = Measure(
                plan=plan,
                identifier=f"{goal.order}.{k}",
                title=f"Demotiltak {number}",
                slug=f"{PREFIX}tiltak-{number}",
                description=f"{DESCRIPTION} Tiltak {k} i {plan.short_title}.",
                category=rng.choice(CATEGORIES),
                weight=rng.choice((1, 1, 1, 2, 3)),
                planned_start=planned_start,
                planned_end=planned_start
                + datetime.timedelta(days=365 + rng.randrange(3 * 365)),
                current_phase=last.phase if last else Phase.NOT_STARTED,
                current_health=last.health if last else "",
                current_progress=last.progress if last else None,
                current_as_of=last.as_of if last else None,
            )
            index = len(measures)
            measures.append(measure)
            histories.append(history)
            lead = _weighted(
                rng,
                [
                    (rng.choice(units), 70),
                    (municipality, 10),
                    (police, 10),
                    (trust, 10),
                ],
            )
            roles.append((index, lead, MeasurePartner.Role.LEAD))
            contributors = {
                partner
                for partner, share in (
                    (police, 20),
                    (trust, 15),
                    (rng.choice(world.user_orgs), 10),
                    (rng.choice(units), 20),
                )
                if rng.randrange(100) < share and partner is not lead
            }
            for partner in sorted(contributors, key=lambda c: c.slug):
                roles.append((index, partner, MeasurePartner.Role.CONTRIBUTOR))
            goal_links.append((index, goal))
            if rng.randrange(100) < 20:
                other = rng.choice(goals)
                if other is not goal:
                    goal_links.append((index, other))
            n_districts = _weighted(rng, [(0, 30), (1, 50), (2, 20)])
            for district in rng.sample(world.districts[p], n_districts):
                district_links.append((index, district))
    _bulk(Measure, measures)
    _bulk(
        MeasurePartner,
        [
            MeasurePartner(measure=measures[i], partner=partner, role=role)
            for i, partner, role in roles
        ],
    )
    _bulk(
        Measure.goals.through,
        [
            Measure.goals.through(measure_id=measures[i].pk, goal_id=goal.pk)
            for i, goal in goal_links
        ],
    )
    _bulk(
        Measure.districts.through,
        [
            Measure.districts.through(measure_id=measures[i].pk, district_id=d.pk)
            for i, d in district_links
        ],
    )
    return measures, histories


def _summary(measure: Measure, number: int, update: _Update) -> str:
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


def _copy_updates(measures, histories) -> None:
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


def _bulk_create_updates(measures, histories) -> None:
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


def _link_current_updates() -> None:
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


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, adding up exactly."""
    weight_sum = sum(weights) or 1
    shares = [total * w // weight_sum for w in weights]
    for i in range(total - sum(shares)):
        shares[i % len(shares)] += 1
    return shares


INDICATOR_KINDS = [("people", "personer"), ("count", "tilfeller"), ("percent", "%")]


def _make_indicators(size: DemoSize, rng: random.Random, world: _World, measures):
    """Indicators in proportion to the plans' sizes, half on goals (outcomes) and
    half on measures (outputs), each with values for consecutive tertials ending
    with the plan period (or DEMO_TODAY's last whole tertial), all published."""
    models = _indicator_models()
    if models is None or size.indicators == 0:
        return 0, 0
    indicator_model, value_model = models
    sizes = measures_per_plan(size)
    per_plan = _shares(size.indicators, sizes)
    last_whole = (
        (DEMO_TODAY.year, (DEMO_TODAY.month - 1) // 4)
        if DEMO_TODAY.month > 4
        else (DEMO_TODAY.year - 1, 3)
    )
    indicators, series = [], []
    first_measure = 0
    number = 0
    for p, count in enumerate(per_plan):
        plan = world.plans[p]
        plan_measures = measures[first_measure : first_measure + sizes[p]]
        first_measure += sizes[p]
        end = min((plan.end_year, 3), last_whole)
        for k in range(count):
            number += 1
            kind, unit = INDICATOR_KINDS[number % len(INDICATOR_KINDS)]
            on_goal = k % 2 == 0 or not plan_measures
            base = rng.randrange(20, 400)
            indicators.append(
                indicator_model(
                    title=f"Demoindikator {number}",
                    slug=f"{PREFIX}indikator-{number}",
                    unit=unit,
                    kind=kind,
                    source_organisation="Demo-kilde",
                    description=DESCRIPTION,
                    direction=rng.choice(("up", "down")),
                    baseline_value=base,
                    baseline_year=plan.start_year - 1,
                    goal=rng.choice(world.goals[p]) if on_goal else None,
                    measure=None if on_goal else rng.choice(plan_measures),
                    order=k,
                )
            )
            series.append((base, spans_back("tertial", end, size.values_per_indicator)))
    _bulk(indicator_model, indicators)
    values = []
    for indicator, (base, periods) in zip(indicators, series, strict=True):
        level = base
        for year, tertial in periods:
            level = max(0, level + rng.randrange(-15, 16))
            published = datetime.datetime(
                year, 4 * tertial, 15, 12, tzinfo=datetime.UTC
            ) + datetime.timedelta(days=20 + rng.randrange(30))
            values.append(
                value_model(
                    indicator=indicator,
                    period_type="tertial",
                    year=year,
                    number=tertial,
                    value=min(level, 100) if indicator.kind == "percent" else level,
                    state="published",
                    submitted_at=published,
                    published_at=published,
                )
            )
    _bulk(value_model, values)
    return len(indicators), len(values)


def _tidy_tables() -> None:
    """On PostgreSQL: fresh planner statistics for the tables' new sizes and, outside
    a transaction, VACUUM too: linking the current updates rewrote every measure row,
    and the visibility map lets the planner use index-only scans at once instead of
    after autovacuum's next visit."""
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    models = [StatusUpdate, Measure, MeasurePartner, Goal, Plan, Partner, District]
    models += [Measure.goals.through, Measure.districts.through]
    # Without statistics the planner took 40,000 indicator values for a handful
    # and read them all for each plan page (docs/benchmarks.md).
    models += list(_indicator_models() or ())
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(
                f"{command} {connection.ops.quote_name(model._meta.db_table)}"
            )


def _intact(size: DemoSize) -> bool:
    """The demo data still have the size they were made with: no one has deleted
    or added measures or updates since."""
    updates = StatusUpdate.objects.filter(measure__plan__in=demo_plans())
    return (
        demo_measures().count() == size.measures
        and updates.count() == size.measures * size.updates_per_measure
    )


def demo_data_generate(
    *, size: DemoSize, log: Callable[[str], None] = lambda message: None
) -> DemoReport:
    """Make the demo data equal to `size`: nothing to do when the data present were
    made with the same parameters; otherwise delete any demo data and generate.

    Without the indicator models no indicators can be made, and the record says so
    (0), so that a run after those models arrive makes them."""
    started = time.monotonic()
    if _indicator_models() is None:
        size = dataclasses.replace(size, indicators=0, values_per_indicator=0)
    existing = demo_data_existing_size()
    if existing == size and _intact(size):
        return DemoReport(size=size, created=False, seconds=time.monotonic() - started)
    with transaction.atomic():
        report = DemoReport(size=size, created=True)
        if existing is not None or demo_partners().exists():
            report.deleted = demo_data_delete()
            log(f"deleted earlier demo data: {report.deleted}")
        rng = random.Random(size.seed)  # noqa: S311 - fake data, not a secret
        world = _make_world(size, rng)
        log(f"partners, districts, plans, goals: {time.monotonic() - started:.1f} s")
        measures, histories = _make_measures(size, rng, world)
        log(f"measures and their relations: {time.monotonic() - started:.1f} s")
        if connection.vendor == "postgresql":
            _copy_updates(measures, histories)
        else:
            _bulk_create_updates(measures, histories)
        log(f"status updates: {time.monotonic() - started:.1f} s")
        _link_current_updates()
        log(f"current status linked: {time.monotonic() - started:.1f} s")
        n_indicators, n_values = _make_indicators(size, rng, world, measures)
        if n_indicators:
            log(f"indicators: {time.monotonic() - started:.1f} s")
        report.counts = {
            "partners": demo_partners().count(),
            "districts": demo_districts().count(),
            "plans": len(world.plans),
            "goals": Goal.objects.filter(plan__in=demo_plans()).count(),
            "measures": len(measures),
            "updates": sum(len(h) for h in histories),
            "indicators": n_indicators,
            "indicator_values": n_values,
        }
    _tidy_tables()
    public_data_changed.send(sender=__name__, using=connection.alias)
    report.seconds = time.monotonic() - started
    return report
