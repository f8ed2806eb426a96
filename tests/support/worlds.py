"""The worlds the tests start from: a few partners, plans, measures and updates,
built through the factories.

The workflow world (build_workflow_world), for who may do what:
alice: caseworker of partner A · charlie: caseworker of partner B ·
olivia: coordinator of the plan owner · admin: superuser.
"own" objects belong to partner A's measure in the owner's plan; "other" objects to
partner B's measure in a plan that someone else owns.

The public world (build_public_world), for what the public sees: a plan with a goal
tree, partners (one renamed), districts and measures with published updates and
drafts that must never show; add_what_the_api_must_hide adds a draft plan, authors
and review comments, add_indicators_and_budgets indicators and budget lines.
"""

import datetime
from dataclasses import dataclass, field

from measures.models import (
    Citation,
    Health,
    Indicator,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from measures.services.plans import measure_sync_current_status
from partners.models import Membership, Partner
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    DistrictFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    MembershipFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
    UserFactory,
)

# --- the workflow world ----------------------------------------------------------

AS_OF = datetime.date(2020, 4, 30)


@dataclass
class WorkflowWorld:
    """Two partners, a plan owner, their people, and one measure per partner with
    an update in each state that matters (build_workflow_world)."""

    partner_a: Partner
    partner_b: Partner
    owner: Partner
    alice: object
    charlie: object
    olivia: object
    admin: object
    plan: Plan
    other_plan: Plan
    measure_a: object
    measure_b: object
    district: object
    submitted_a: StatusUpdate
    submitted_b: StatusUpdate
    draft_a: StatusUpdate
    draft_b: StatusUpdate
    published_a: StatusUpdate
    published_b: StatusUpdate

    def users(self) -> dict:
        return {
            "anonymous": None,
            "caseworker_a": self.alice,
            "caseworker_b": self.charlie,
            "coordinator": self.olivia,
            "staff": self.admin,
        }


def build_workflow_world() -> WorkflowWorld:
    partner_a = PartnerFactory(name="Partner A", slug="partner-a")
    partner_b = PartnerFactory(name="Partner B", slug="partner-b")
    owner = PartnerFactory(name="Planeier", slug="planeier")
    alice = UserFactory(username="alice", first_name="Alice")
    charlie = UserFactory(username="charlie")
    olivia = UserFactory(username="olivia")
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    MembershipFactory(user=alice, partner=partner_a)
    MembershipFactory(user=charlie, partner=partner_b)
    MembershipFactory(user=olivia, partner=owner, role=Membership.Role.COORDINATOR)
    plan = PlanFactory(owner=owner, slug="eierplan", start_year=2018, end_year=None)
    other_plan = PlanFactory(owner=partner_b, slug="annen-plan", start_year=2018)
    measure_a = MeasureFactory(plan=plan, slug="tiltak-a", lead=partner_a)
    measure_b = MeasureFactory(plan=other_plan, slug="tiltak-b", lead=partner_b)
    published_a = PublishedStatusUpdateFactory(measure=measure_a, as_of=AS_OF)
    published_b = PublishedStatusUpdateFactory(measure=measure_b, as_of=AS_OF)
    for measure, published in ((measure_a, published_a), (measure_b, published_b)):
        measure.current_update = published
        measure.current_phase = Phase.IN_PROGRESS
        measure.current_health = published.health
        measure.current_progress = published.progress
        measure.current_as_of = published.as_of
        measure.save()
    return WorkflowWorld(
        partner_a=partner_a,
        partner_b=partner_b,
        owner=owner,
        alice=alice,
        charlie=charlie,
        olivia=olivia,
        admin=admin,
        plan=plan,
        other_plan=other_plan,
        measure_a=measure_a,
        measure_b=measure_b,
        district=DistrictFactory(slug="bydel-a"),
        submitted_a=StatusUpdateFactory(
            measure=measure_a,
            author=alice,
            state=StatusUpdate.State.SUBMITTED,
            as_of=AS_OF,
        ),
        submitted_b=StatusUpdateFactory(
            measure=measure_b,
            author=charlie,
            state=StatusUpdate.State.SUBMITTED,
            as_of=AS_OF,
        ),
        draft_a=StatusUpdateFactory(measure=measure_a, author=alice, as_of=AS_OF),
        draft_b=StatusUpdateFactory(measure=measure_b, author=charlie, as_of=AS_OF),
        published_a=published_a,
        published_b=published_b,
    )


# --- the public world ------------------------------------------------------------

SECRET_DRAFT = "Utkast som aldri skal vises"


@dataclass
class PublicWorld:
    """A plan with a goal tree, partners (one renamed), districts and measures."""

    plan: Plan
    predecessor: Plan
    goals: list
    partners: list
    districts: list
    measures: list = field(default_factory=list)

    def add_measures(self, count: int, *, updates: int = 2) -> list:
        start = len(self.measures)
        created = []
        for i in range(start, start + count):
            lead, contributor = self.partners if i % 2 == 0 else reversed(self.partners)
            measure = MeasureFactory(
                plan=self.plan,
                lead=lead,
                identifier=f"{i + 1}",
                title=f"Tiltak nummer {i + 1}",
                slug=f"tiltak-{i + 1}",
                description=f"Beskrivelse av tiltak {i + 1}.",
                weight=1 + i % 3,
            )
            MeasurePartner.objects.create(
                measure=measure, partner=contributor, role="contributor"
            )
            measure.goals.add(self.goals[1 + i % 3])
            measure.districts.add(self.districts[i % 2])
            self.add_updates(measure, updates)
            created.append(measure)
        self.measures += created
        return created

    def add_updates(self, measure, count: int) -> None:
        assessed = int(measure.identifier) % 3 != 0
        source, _ = Source.objects.get_or_create(
            url="https://example.invalid/kilde",
            defaults={
                "publisher": "Kilde for testen",
                "title": "Statusen i testen",
                "kind": Source.Kind.MUNICIPAL_PAGE,
            },
        )
        for j in range(count):
            update = PublishedStatusUpdateFactory(
                measure=measure,
                as_of=datetime.date(2018, 6, 1) + datetime.timedelta(days=40 * j),
                phase=Phase.IN_PROGRESS,
                health=Health.AT_RISK if assessed else "",
                progress=(10 + 5 * j) % 100 if assessed else None,
                summary=f"Publisert status {j} for {measure.title}.",
            )
            Citation.objects.create(source=source, status_update=update)
        StatusUpdateFactory(
            measure=measure, summary=SECRET_DRAFT, as_of=datetime.date(2030, 1, 1)
        )
        StatusUpdateFactory(
            measure=measure,
            summary=SECRET_DRAFT,
            state=StatusUpdate.State.SUBMITTED,
            as_of=datetime.date(2030, 1, 2),
        )
        measure_sync_current_status(actor=SYSTEM, measure=measure)


def build_public_world(measures: int = 3, updates: int = 2) -> PublicWorld:
    owner = PartnerFactory(
        name="Bergen kommune", slug="bergen-kommune", kind=Partner.Kind.MUNICIPALITY
    )
    police = PartnerFactory(
        name="Vest politidistrikt",
        slug="vest-politidistrikt",
        kind=Partner.Kind.POLICE_DISTRICT,
    )
    PartnerNameFactory(
        partner=police,
        name="Hordaland politidistrikt",
        valid_until=datetime.date(2015, 12, 31),
    )
    unit = PartnerFactory(name="Etat for rustjenester", slug="etat-for-rustjenester")
    predecessor = PlanFactory(
        title="Handlingsplan mot åpne russcener",
        short_title="Handlingsplan 2012",
        slug="handlingsplan-2012",
        start_year=2012,
        end_year=None,
        status=Plan.Status.SUPERSEDED,
        owner=owner,
    )
    plan = PlanFactory(
        title="Plan for rusfeltet 2018–2022",
        short_title="Rusplan 2018",
        slug="rusplan-2018",
        start_year=2018,
        end_year=2022,
        adopted_on=datetime.date(2017, 11, 22),
        adopted_by="Bystyret",
        predecessor=predecessor,
        owner=owner,
    )
    plan_source = Source.objects.create(
        url="https://example.invalid/plan",
        publisher="Bergen kommune",
        title="Planens nettside",
        kind=Source.Kind.PLAN_DOCUMENT,
    )
    Citation.objects.create(source=plan_source, plan=plan, field="adopted_on")
    overall = GoalFactory(plan=plan, title="Trygg by for alle", slug="trygg-by")
    child_a = GoalFactory(plan=plan, parent=overall, title="Mål A", slug="mal-a")
    child_b = GoalFactory(plan=plan, parent=overall, title="Mål B", slug="mal-b")
    grandchild = GoalFactory(plan=plan, parent=child_a, title="Mål A1", slug="mal-a1")
    world = PublicWorld(
        plan=plan,
        predecessor=predecessor,
        goals=[overall, child_a, child_b, grandchild],
        partners=[police, unit],
        districts=[
            DistrictFactory(name="Årstad", slug="arstad"),
            DistrictFactory(name="Åsane", slug="asane"),
        ],
    )
    world.add_measures(measures, updates=updates)
    return world


AUTHOR_NAME = "forfatter-som-ikke-skal-vises"
AUTHOR_EMAIL = "forfatter.hemmelig@example.invalid"
DRAFT_PLAN_TITLE = "Hemmelig utkast til plan"
REVIEW_COMMENT = "Rett opp kilden, dette er en intern merknad."


def add_what_the_api_must_hide(world: PublicWorld) -> None:
    """What the API must never show: a draft plan with a goal, a measure and a
    published update, and the name and address of the people who wrote updates."""
    author = UserFactory(username=AUTHOR_NAME, email=AUTHOR_EMAIL)
    StatusUpdate.objects.update(author=author, reviewer=author)
    draft = PlanFactory(
        title=DRAFT_PLAN_TITLE,
        slug="hemmelig-utkast",
        status=Plan.Status.DRAFT,
        owner=world.plan.owner,
    )
    goal = GoalFactory(plan=draft, title=DRAFT_PLAN_TITLE, slug="utkastmal")
    measure = MeasureFactory(
        plan=draft,
        title=DRAFT_PLAN_TITLE,
        slug="utkasttiltak",
        lead=world.partners[0],
    )
    measure.goals.add(goal)
    measure.districts.add(world.districts[0])
    PublishedStatusUpdateFactory(measure=measure, summary=DRAFT_PLAN_TITLE)
    StatusUpdateFactory(
        measure=world.measures[0],
        summary=SECRET_DRAFT,
        state=StatusUpdate.State.RETURNED,
        review_comment=REVIEW_COMMENT,
        author=author,
    )
    # A public measure that continues the draft plan's measure: the link is hidden.
    world.measures[1].continues = measure
    world.measures[1].save()
    hidden = IndicatorFactory(goal=goal, title=DRAFT_PLAN_TITLE, slug="utkastindikator")
    PublishedIndicatorValueFactory(indicator=hidden, year=2020, note=DRAFT_PLAN_TITLE)
    BudgetLineFactory(measure=measure, note=DRAFT_PLAN_TITLE)
    add_indicators_and_budgets(world)
    IndicatorValueFactory(
        indicator=Indicator.objects.get(slug="overdosedodsfall"),
        year=2022,
        value=99,
        note=SECRET_DRAFT,
        author=author,
    )


def add_indicators_and_budgets(world: PublicWorld, *, count: int = 1) -> None:
    """Per round: an outcome indicator (people, threshold 5) of the top goal with a
    small and a large value, an output indicator (a count, not people) of a measure,
    and a budget line for two years of that measure."""
    start = Indicator.objects.filter(slug__startswith="overdosedodsfall").count()
    for i in range(start, start + count):
        suffix = "" if i == 0 else f"-{i}"
        deaths = IndicatorFactory(
            goal=world.goals[0],
            title=f"Overdosedødsfall{suffix}",
            slug=f"overdosedodsfall{suffix}",
            kind=Indicator.Kind.PEOPLE,
            small_number_threshold=5,
            baseline_value=3,
            baseline_year=2017,
            target_value=0,
            target_year=2022,
        )
        PublishedIndicatorValueFactory(indicator=deaths, year=2019, value=3)
        PublishedIndicatorValueFactory(indicator=deaths, year=2020, value=27)
        measure = world.measures[i % len(world.measures)]
        places = IndicatorFactory(
            goal=None,
            measure=measure,
            title=f"Plasser{suffix}",
            slug=f"plasser{suffix}",
            kind=Indicator.Kind.COUNT,
            unit="plasser",
        )
        PublishedIndicatorValueFactory(indicator=places, year=2019, value=3)
        for year in (2019 + 2 * i, 2020 + 2 * i):
            BudgetLineFactory(measure=measure, year=year, allocated_nok=1_500_000)
