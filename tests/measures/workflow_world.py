"""A small world for the workflow tests: two partners, a plan owner, their people,
and one measure per partner with an update in each state that matters.

alice: caseworker of partner A · charlie: caseworker of partner B ·
olivia: coordinator of the plan owner · admin: superuser.
"own" objects belong to partner A's measure in the owner's plan; "other" objects to
partner B's measure in a plan that someone else owns.
"""

import datetime
from dataclasses import dataclass

from measures.models import Phase, Plan, StatusUpdate
from partners.models import Membership, Partner
from tests.factories import (
    DistrictFactory,
    MeasureFactory,
    MembershipFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
    UserFactory,
)

AS_OF = datetime.date(2020, 4, 30)


@dataclass
class World:
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


def build_world() -> World:
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
    return World(
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


def form_data(measure, **overrides) -> dict:
    """A valid POST for the status update form, citing a new link."""
    measure.refresh_from_db()
    data = {
        "as_of": "30.04.2021",
        "phase": "in_progress",
        "health": "on_track",
        "progress": "60",
        "summary": "Avtale om lokaler er inngått.",
        "new_source_url": "https://www.bergen.kommune.no/",
        "new_source_publisher": "Bergen kommune",
        "new_source_title": "Forsiden",
        "new_source_kind": "municipal_page",
        "version": str(measure.version),
        "submit": "Send til godkjenning",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
