"""The demo world the measures live in: municipalities (the tenants) with their own
partner, units, districts and plans; police districts, health trusts and user
organisations that serve several of them; the plans' goals."""

import datetime
import random
from dataclasses import dataclass

from measures.data.demo.rows import DESCRIPTION, PREFIX, bulk, demo_number
from measures.data.demo.size import (
    COUNTY,
    DISTRICTS_PER_MUNICIPALITY,
    MAIN_GOALS,
    MUNICIPALITIES_PER_HEALTH_TRUST,
    MUNICIPALITIES_PER_POLICE_DISTRICT,
    SUB_GOALS,
    UNITS_PER_MUNICIPALITY,
    USER_ORGANISATIONS,
    DemoSize,
)
from measures.models import District, Goal, Plan
from partners.models import Municipality, Partner


@dataclass
class World:
    """The municipalities, partners, districts, plans and goals, with what measures
    choose from. Lists of lists are per municipality, except goals (per plan)."""

    marker: Partner
    municipalities: list[Municipality]
    municipal_partners: list[Partner]  # each municipality's own organisation
    units: list[list[Partner]]
    police: list[Partner]
    trusts: list[Partner]
    user_orgs: list[Partner]
    districts: list[list[District]]
    plans: list[Plan]
    plan_municipality: list[int]  # per plan: the index of its municipality
    goals: list[list[Goal]]  # per plan: the goals a measure may serve

    def police_of(self, m: int) -> Partner:
        return self.police[m // MUNICIPALITIES_PER_POLICE_DISTRICT]

    def trust_of(self, m: int) -> Partner:
        return self.trusts[m // MUNICIPALITIES_PER_HEALTH_TRUST]


def _partner(slug: str, name: str, kind: str, **fields) -> Partner:
    return Partner(
        slug=PREFIX + slug, name=name, kind=kind, description=DESCRIPTION, **fields
    )


def _serves(partners: list[Partner], municipalities: list[Municipality], per: int):
    """Partner.serves rows: partner k serves municipalities k*per ... (k+1)*per - 1;
    per 0: every municipality."""
    through = Partner.serves.through
    return [
        through(partner_id=partner.pk, municipality_id=municipality.pk)
        for k, partner in enumerate(partners)
        for municipality in (
            municipalities[k * per : (k + 1) * per] if per else municipalities
        )
    ]


def make_world(size: DemoSize, rng: random.Random) -> World:
    kinds = Partner.Kind
    n = size.plans
    m = size.municipalities
    marker = _partner("data", "Demodata (fiktive testdata)", kinds.OTHER)
    marker.description = f"{DESCRIPTION} Parametre: {size.record()}"
    municipalities = [
        Municipality(
            name=f"Demo-kommune {i}",
            number=demo_number(i - 1),
            county=COUNTY,
            slug=f"{PREFIX}kommune-{i}",
        )
        for i in range(1, m + 1)
    ]
    bulk(Municipality, municipalities)
    municipal_partners = [
        _partner(
            f"kommune-{i}",
            f"Demo-kommune {i}",
            kinds.MUNICIPALITY,
            municipality=municipality,
        )
        for i, municipality in enumerate(municipalities, start=1)
    ]
    police = [
        _partner(
            f"politidistrikt-{i}", f"Demo-politidistrikt {i}", kinds.POLICE_DISTRICT
        )
        for i in range(1, -(-m // MUNICIPALITIES_PER_POLICE_DISTRICT) + 1)
    ]
    trusts = [
        _partner(f"helseforetak-{i}", f"Demo-helseforetak {i}", kinds.HEALTH_TRUST)
        for i in range(1, -(-m // MUNICIPALITIES_PER_HEALTH_TRUST) + 1)
    ]
    user_orgs = [
        _partner(
            f"brukerorganisasjon-{i}",
            f"Demo-brukerorganisasjon {i}",
            kinds.USER_ORGANISATION,
        )
        for i in range(1, USER_ORGANISATIONS + 1)
    ]
    bulk(Partner, [marker, *municipal_partners, *police, *trusts, *user_orgs])
    # The regional partners serve their municipalities; the user organisations,
    # national, serve all.
    bulk(
        Partner.serves.through,
        _serves(police, municipalities, MUNICIPALITIES_PER_POLICE_DISTRICT)
        + _serves(trusts, municipalities, MUNICIPALITIES_PER_HEALTH_TRUST)
        + _serves(user_orgs, municipalities, 0),
    )
    units = [
        [
            _partner(
                f"enhet-{i}-{u}",
                f"Demo-enhet {i}-{u}",
                kinds.MUNICIPAL_UNIT,
                parent=partner,
                municipality=partner.municipality,
            )
            for u in range(1, UNITS_PER_MUNICIPALITY + 1)
        ]
        for i, partner in enumerate(municipal_partners, start=1)
    ]
    bulk(Partner, [unit for group in units for unit in group])
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
    bulk(District, [d for group in districts for d in group])

    plans = []
    plan_municipality = [size.municipality_of_plan(p) for p in range(n)]
    for i, k in enumerate(plan_municipality, start=1):
        start = 2016 + rng.randrange(7)
        plans.append(
            Plan(
                municipality=municipalities[k],
                slug=f"{PREFIX}plan-{i}",
                title=f"Demoplan {i} for rusfeltet {start}–{start + 4}",
                short_title=f"Demoplan {i}",
                description=DESCRIPTION,
                start_year=start,
                end_year=start + 4,
                adopted_on=datetime.date(start - 1, 12, 1 + rng.randrange(15)),
                adopted_by=f"Kommunestyret i {municipalities[k].name}",
                # Most plans are in force; every fifth is a finished one.
                status=Plan.Status.COMPLETED if i % 5 == 0 else Plan.Status.ADOPTED,
                owner=municipal_partners[k],
            )
        )
    bulk(Plan, plans)

    top_goals = [
        Goal(
            plan=plan,
            slug="demo-overordnet",
            title=f"Demo-overordnet mål for {plan.short_title}",
            order=0,
        )
        for plan in plans
    ]
    bulk(Goal, top_goals)
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
    bulk(Goal, [g for group in main_goals for g in group])
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
    bulk(Goal, [g for group in sub_goals for g in group])
    return World(
        marker=marker,
        municipalities=municipalities,
        municipal_partners=municipal_partners,
        units=units,
        police=police,
        trusts=trusts,
        user_orgs=user_orgs,
        districts=districts,
        plans=plans,
        plan_municipality=plan_municipality,
        goals=[main + sub for main, sub in zip(main_goals, sub_goals, strict=True)],
    )
