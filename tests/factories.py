"""factory_boy factories. They build through the ORM for speed; tests of services
call the services themselves."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from measures.models import (
    BudgetLine,
    Citation,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Phase,
    Plan,
    Source,
    StatusUpdate,
)
from measures.services.plans import refresh_current_status
from partners.actors import SystemActor
from partners.models import Membership, Municipality, Partner, PartnerName

# The actor of test set-up writes that are not themselves under test (decision 51).
SYSTEM = SystemActor("tests")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("korrekt-hest-batteri-stift")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    """A test municipality; the first one a test asks for without arguments is
    Bergen (4601), as the shipped data's, so that the old addresses lead there."""

    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    # 9000-9999: no real kommune uses these numbers (SSB's are at most 56xx).
    # Demo data (generate_demo_data) takes 9101-9456; tests stay below it.
    number = factory.Sequence(lambda n: f"{9000 + n % 100:04d}")
    slug = factory.Sequence(lambda n: f"testkommune-{n}")
    county = "Testfylke"


def bergen() -> Municipality:
    """The default municipality of the factories below."""
    return MunicipalityFactory(
        name="Bergen", number="4601", slug="bergen", county="Vestland"
    )


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = Partner.Kind.MUNICIPAL_UNIT
    # A municipal unit belongs to a municipality; a regional partner to none.
    municipality = factory.LazyAttribute(
        lambda partner: bergen() if partner.kind in Partner.MUNICIPAL_KINDS else None
    )


class PartnerNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerName

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Tidligere navn {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = Membership.Role.CASEWORKER


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    municipality = factory.LazyFunction(bergen)
    name = factory.Sequence(lambda n: f"Bydel {n}")
    slug = factory.Sequence(lambda n: f"bydel-{n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    municipality = factory.LazyFunction(bergen)
    title = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")
    start_year = 2018
    end_year = 2022
    status = Plan.Status.ADOPTED
    # Tests of the workflow expect reporting periods; a plan with no interval
    # (the model's default, "ikke oppgitt") has none.
    reporting_interval = Plan.ReportingInterval.TERTIAL
    owner = factory.SubFactory(PartnerFactory)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Mål {n}")
    slug = factory.Sequence(lambda n: f"mal-{n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure
        skip_postgeneration_save = True

    plan = factory.SubFactory(PlanFactory)
    title = factory.Sequence(lambda n: f"Tiltak {n}")
    slug = factory.Sequence(lambda n: f"tiltak-{n}")

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        """Every measure gets a lead partner; pass lead=<Partner> to choose it."""
        if not create:
            return
        MeasurePartner.objects.create(
            measure=self,
            partner=extracted or PartnerFactory(),
            role=MeasurePartner.Role.LEAD,
        )


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate
        skip_postgeneration_save = True

    measure = factory.SubFactory(MeasureFactory)
    as_of = factory.LazyFunction(lambda: datetime.date(2020, 1, 1))
    phase = Phase.IN_PROGRESS
    health = "on_track"
    progress = 50
    summary = "Arbeidet går etter planen."
    state = StatusUpdate.State.DRAFT

    @factory.post_generation
    def cited(self, create, extracted, **kwargs):
        _cite_if_submitted(self, create, extracted, "status_update")


class PublishedStatusUpdateFactory(StatusUpdateFactory):
    """A published update, with its measure's current status refreshed as the
    services do: pages read the measure's current_* fields and current_update."""

    state = StatusUpdate.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def current_status(self, create, extracted, **kwargs):
        if create:
            refresh_current_status(self.measure)


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An outcome indicator of a goal; pass measure=<Measure>, goal=None for an
    output indicator."""

    class Meta:
        model = Indicator

    title = factory.Sequence(lambda n: f"Indikator {n}")
    slug = factory.Sequence(lambda n: f"indikator-{n}")
    kind = Indicator.Kind.PEOPLE
    unit = "personer"
    direction = Indicator.Direction.DOWN
    goal = factory.SubFactory(GoalFactory)
    measure = None


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue
        skip_postgeneration_save = True

    indicator = factory.SubFactory(IndicatorFactory)
    year = factory.Sequence(lambda n: 2000 + n % 20)
    value = 27
    state = IndicatorValue.State.DRAFT

    @factory.post_generation
    def cited(self, create, extracted, **kwargs):
        _cite_if_submitted(self, create, extracted, "indicator_value")


class PublishedIndicatorValueFactory(IndicatorValueFactory):
    state = IndicatorValue.State.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    measure = factory.SubFactory(MeasureFactory)
    year = 2019
    allocated_nok = 1_000_000


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("url",)

    publisher = "Bergen kommune"
    title = factory.Sequence(lambda n: f"Kilde {n}")
    url = factory.Sequence(lambda n: f"https://www.bergen.kommune.no/kilde-{n}")
    kind = Source.Kind.MUNICIPAL_PAGE
    published_on = factory.LazyFunction(lambda: datetime.date(2020, 3, 1))


SUBMITTED_SOURCE_URL = "https://www.bergen.kommune.no/innsendt-kilde"


def _cite_if_submitted(record, create, extracted, target: str) -> None:
    """A submitted record cites a source, as the services make sure; pass
    cited=False for one whose citation was removed after sending in."""
    if create and record.state == "submitted" and extracted is not False:
        Citation.objects.create(
            source=SourceFactory(url=SUBMITTED_SOURCE_URL),
            **{target: record},
        )
