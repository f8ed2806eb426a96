"""The demo measures: spread over the plans by measures_per_plan, each with a lead,
contributors, goals and districts, and its current and year-end statuses set from
the history made for it (updates.updates_for)."""

import datetime
import random

from measures.data.demo.rows import DESCRIPTION, PREFIX, bulk
from measures.data.demo.size import (
    DEMO_TODAY,
    DemoSize,
    measures_per_plan,
    weighted,
)
from measures.data.demo.updates import Update, updates_for
from measures.data.demo.world import World
from measures.models import Category, District, Goal, Measure, MeasurePartner, Phase
from measures.year_ends import format_year_ends, year_end_statuses
from partners.models import Partner

CATEGORIES = [c.value for c in Category]


def make_measures(size: DemoSize, rng: random.Random, world: World):
    """Measures with their current status already set from the history made for
    them; returns the measures and each one's history."""
    measures: list[Measure] = []
    histories: list[list[Update]] = []
    roles: list[tuple[int, Partner, str]] = []
    goal_links: list[tuple[int, Goal]] = []
    district_links: list[tuple[int, District]] = []
    number = 0
    for p, count in enumerate(measures_per_plan(size)):
        plan = world.plans[p]
        plan_start = datetime.date(plan.start_year, 1, 15)
        plan_end = min(datetime.date(plan.end_year, 12, 15), DEMO_TODAY)
        m = world.plan_municipality[p]
        municipality = world.municipal_partners[m]
        units = world.units[m]
        # Shared by the neighbouring municipalities: a police district's or
        # health trust's measures span several municipalities.
        police = world.police_of(m)
        trust = world.trust_of(m)
        goals = world.goals[p]
        for k in range(1, count + 1):
            number += 1
            goal = rng.choice(goals)
            history = updates_for(rng, size.updates_per_measure, plan_start, plan_end)
            last = history[-1] if history else None
            planned_start = plan_start + datetime.timedelta(days=rng.randrange(365))
            measure = Measure(
                plan=plan,
                # Measure.save() copies the plan's municipality; bulk_create does
                # not call save().
                municipality_id=plan.municipality_id,
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
                # The history is in date order, as the rule wants it.
                year_end_statuses=format_year_ends(year_end_statuses(history)),
            )
            index = len(measures)
            measures.append(measure)
            histories.append(history)
            lead = weighted(
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
            n_districts = weighted(rng, [(0, 30), (1, 50), (2, 20)])
            for district in rng.sample(world.districts[m], n_districts):
                district_links.append((index, district))
    bulk(Measure, measures)
    bulk(
        MeasurePartner,
        [
            MeasurePartner(measure=measures[i], partner=partner, role=role)
            for i, partner, role in roles
        ],
    )
    bulk(
        Measure.goals.through,
        [
            Measure.goals.through(measure_id=measures[i].pk, goal_id=goal.pk)
            for i, goal in goal_links
        ],
    )
    bulk(
        Measure.districts.through,
        [
            Measure.districts.through(measure_id=measures[i].pk, district_id=d.pk)
            for i, d in district_links
        ],
    )
    return measures, histories
