"""The demo indicators: in proportion to the plans' sizes, half on goals and half
on measures, each with published values for consecutive tertials."""

import datetime
import random

from measures.data.demo.rows import DESCRIPTION, PREFIX, bulk, indicator_models
from measures.data.demo.size import DEMO_TODAY, DemoSize, measures_per_plan, shares
from measures.data.demo.world import World
from measures.periods import spans_back

INDICATOR_KINDS = [("people", "personer"), ("count", "tilfeller"), ("percent", "%")]


def make_indicators(size: DemoSize, rng: random.Random, world: World, measures):
    """Indicators in proportion to the plans' sizes, half on goals (outcomes) and
    half on measures (outputs), each with values for consecutive tertials ending
    with the plan period (or DEMO_TODAY's last whole tertial), all published."""
    models = indicator_models()
    if models is None or size.indicators == 0:
        return 0, 0
    indicator_model, value_model = models
    sizes = measures_per_plan(size)
    per_plan = shares(size.indicators, sizes)
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
    bulk(indicator_model, indicators)
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
    bulk(value_model, values)
    return len(indicators), len(values)
