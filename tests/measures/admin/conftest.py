import datetime

import pytest

from measures.models import Indicator
from measures.services.indicator_values import indicator_value_record_published
from measures.services.status_updates import status_update_record_published
from tests.factories import (
    SYSTEM,
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    SourceFactory,
)


@pytest.fixture(autouse=True)
def _admin_without_second_factor(otp_off):
    """The admin tests log in without a second factor (admin_client, from
    pytest-django, is the superuser "admin"); tests/rusplan/test_security.py tests
    the second factor."""


class World:
    pass


@pytest.fixture
def import_world():
    """A plan with a measure, an update and indicator values: what the exports
    read back into the import start from."""
    w = World()
    w.owner = PartnerFactory(name="Bergen kommune", slug="bergen-kommune")
    w.lead = PartnerFactory(name="Etat for rus", slug="etat-rus")
    w.helper = PartnerFactory(name="Helse Bergen", slug="helse-bergen")
    w.plan = PlanFactory(slug="rusplan-2018", owner=w.owner, start_year=2018)
    w.goal = GoalFactory(plan=w.plan, slug="trygg-by")
    w.other_goal = GoalFactory(plan=w.plan, slug="bolig")
    w.measure = MeasureFactory(
        plan=w.plan, slug="lar-senter", title="LAR-senter", lead=w.lead
    )
    w.measure.goals.add(w.goal)
    w.update = status_update_record_published(
        actor=SYSTEM,
        measure=w.measure,
        as_of=datetime.date(2019, 6, 30),
        phase="in_progress",
        health="on_track",
        progress=40,
        summary="Senteret åpnet.\nFlere får tilbud.",
        sources=[SourceFactory(title="Årsrapport 2019")],
        external_id="lar-2019",
    )
    w.indicator = IndicatorFactory(
        goal=w.goal, slug="overdosedodsfall", kind=Indicator.Kind.PEOPLE
    )
    w.output = IndicatorFactory(
        goal=None, measure=w.measure, slug="lar-pasienter", kind=Indicator.Kind.COUNT
    )
    w.share = IndicatorFactory(
        goal=w.goal, slug="andel-i-arbeid", kind=Indicator.Kind.PERCENT, unit="%"
    )
    ssb = SourceFactory(url="https://www.ssb.no/arbeid", publisher="SSB")
    fhi = SourceFactory(url="https://www.fhi.no/dodsfall", publisher="FHI")
    indicator_value_record_published(
        actor=SYSTEM, indicator=w.share, year=2020, value="18.3", sources=[ssb]
    )
    w.values = {
        year: indicator_value_record_published(
            actor=SYSTEM, indicator=w.indicator, year=year, value=value, sources=[fhi]
        )
        for year, value in ((2019, 27), (2020, 31), (2021, 3))
    }
    w.measure.refresh_from_db()
    return w
