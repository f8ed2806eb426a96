"""demo_data_generate(): make the demo data equal to a DemoSize, in one
transaction, replacing demo data made with other parameters."""

import dataclasses
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Q

from measures.data.demo.delete import demo_data_delete
from measures.data.demo.indicators import make_indicators
from measures.data.demo.measures import make_measures
from measures.data.demo.rows import (
    PREFIX,
    demo_data_existing_size,
    demo_districts,
    demo_measures,
    demo_municipalities,
    demo_number,
    demo_partners,
    demo_plans,
    indicator_models,
)
from measures.data.demo.size import DemoReport, DemoSize
from measures.data.demo.updates import (
    bulk_create_updates,
    copy_updates,
    link_current_updates,
)
from measures.data.demo.world import make_world
from measures.models import District, Goal, Measure, MeasurePartner, Plan, StatusUpdate
from measures.signals import public_data_changed
from partners.models import Municipality, Partner


class DemoDataConflict(Exception):
    """A municipality that is not demo data has a number, slug or name the demo
    municipalities need."""


def _refuse_conflicts(size: DemoSize) -> None:
    numbers = [demo_number(k) for k in range(size.municipalities)]
    slugs = [f"{PREFIX}kommune-{i}" for i in range(1, size.municipalities + 1)]
    names = [f"Demo-kommune {i}" for i in range(1, size.municipalities + 1)]
    taken = Municipality.objects.filter(
        Q(number__in=numbers) | Q(slug__in=slugs) | Q(name__in=names)
    ).order_by("number")
    if taken.exists():
        raise DemoDataConflict(
            "These municipalities are not demo data but have a number, slug or name "
            "the demo municipalities need: "
            + ", ".join(f"{m.number} {m.name} ({m.slug})" for m in taken[:5])
        )


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
    models += [Municipality, Partner.serves.through]
    # Without statistics the planner took 40,000 indicator values for a handful
    # and read them all for each plan page (docs/benchmarks.md).
    models += list(indicator_models() or ())
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
    (0), so that a run after those models arrive makes them. Raises
    DemoDataConflict, changing nothing, when a municipality that is not demo data
    is in the way."""
    started = time.monotonic()
    if indicator_models() is None:
        size = dataclasses.replace(size, indicators=0, values_per_indicator=0)
    existing = demo_data_existing_size()
    if existing == size and _intact(size):
        return DemoReport(size=size, created=False, seconds=time.monotonic() - started)
    with transaction.atomic():
        report = DemoReport(size=size, created=True)
        if (
            existing is not None
            or demo_partners().exists()
            or demo_municipalities().exists()
        ):
            report.deleted = demo_data_delete()
            log(f"deleted earlier demo data: {report.deleted}")
        _refuse_conflicts(size)
        rng = random.Random(size.seed)  # noqa: S311 - fake data, not a secret
        world = make_world(size, rng)
        log(f"partners, districts, plans, goals: {time.monotonic() - started:.1f} s")
        measures, histories = make_measures(size, rng, world)
        log(f"measures and their relations: {time.monotonic() - started:.1f} s")
        if connection.vendor == "postgresql":
            copy_updates(measures, histories)
        else:
            bulk_create_updates(measures, histories)
        log(f"status updates: {time.monotonic() - started:.1f} s")
        link_current_updates()
        log(f"current status linked: {time.monotonic() - started:.1f} s")
        n_indicators, n_values = make_indicators(size, rng, world, measures)
        if n_indicators:
            log(f"indicators: {time.monotonic() - started:.1f} s")
        report.counts = {
            "municipalities": len(world.municipalities),
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
