"""generate_demo_data: fake scale data, deterministic, kept apart from real plans."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.data.demo.delete import demo_data_delete
from measures.data.demo.generate import DemoDataConflict, demo_data_generate
from measures.data.demo.rows import (
    demo_data_existing_size,
    demo_measures,
    demo_municipalities,
    demo_plans,
)
from measures.data.demo.size import DemoSize, measures_per_plan
from measures.data.loading.loader import load_plans
from measures.models import (
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Plan,
    StatusUpdate,
)
from measures.services.plans import measure_sync_current_status
from partners.models import Municipality, Partner
from tests.factories import SYSTEM, MunicipalityFactory, PlanFactory

pytestmark = pytest.mark.django_db

SMALL = DemoSize(
    measures=24,
    updates_per_measure=5,
    plans=3,
    indicators=6,
    values_per_indicator=4,
    seed=7,
)


def _demo_content() -> dict:
    """Everything the generator made, without database ids."""
    measures = demo_measures().order_by("slug")
    return {
        "municipalities": list(
            Municipality.objects.filter(slug__startswith="demo-")
            .order_by("slug")
            .values_list("slug", "name", "number", "county")
        ),
        "partners": list(
            Partner.objects.filter(slug__startswith="demo-")
            .order_by("slug")
            .values_list("slug", "name", "kind", "parent__slug", "municipality__slug")
        ),
        "serves": sorted(
            Partner.serves.through.objects.filter(
                partner__slug__startswith="demo-"
            ).values_list("partner__slug", "municipality__slug")
        ),
        "districts": list(
            District.objects.filter(slug__startswith="demo-")
            .order_by("slug")
            .values_list("slug", "name", "municipality__slug")
        ),
        "plans": list(
            demo_plans()
            .order_by("slug")
            .values_list(
                "slug",
                "title",
                "start_year",
                "status",
                "owner__slug",
                "municipality__slug",
            )
        ),
        "goals": list(
            Goal.objects.filter(plan__in=demo_plans())
            .order_by("plan__slug", "slug")
            .values_list("plan__slug", "slug", "title", "parent__slug")
        ),
        "measures": list(
            measures.values_list(
                "slug",
                "title",
                "identifier",
                "plan__slug",
                "municipality__slug",
                "category",
                "weight",
                "current_phase",
                "current_health",
                "current_progress",
                "current_as_of",
            )
        ),
        "roles": sorted(
            MeasurePartner.objects.filter(measure__in=measures).values_list(
                "measure__slug", "partner__slug", "role"
            )
        ),
        "goal_links": sorted(
            Measure.goals.through.objects.filter(measure__in=measures).values_list(
                "measure__slug", "goal__slug"
            )
        ),
        "district_links": sorted(
            Measure.districts.through.objects.filter(measure__in=measures).values_list(
                "measure__slug", "district__slug"
            )
        ),
        "updates": sorted(
            StatusUpdate.objects.filter(measure__in=measures).values_list(
                "measure__slug",
                "as_of",
                "phase",
                "health",
                "progress",
                "summary",
                "state",
                "published_at",
            )
        ),
        "indicators": list(
            Indicator.objects.filter(slug__startswith="demo-")
            .order_by("slug")
            .values_list("slug", "title", "kind", "goal__slug", "measure__slug")
        ),
        "indicator_values": sorted(
            IndicatorValue.objects.filter(
                indicator__slug__startswith="demo-"
            ).values_list("indicator__slug", "year", "number", "value", "state")
        ),
    }


def _real_content() -> dict:
    """Every row that is not demo data, with its values."""
    return {
        "municipalities": list(
            Municipality.objects.exclude(slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "partners": list(
            Partner.objects.exclude(slug__startswith="demo-").order_by("pk").values()
        ),
        "serves": list(
            Partner.serves.through.objects.exclude(partner__slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "districts": list(
            District.objects.exclude(slug__startswith="demo-").order_by("pk").values()
        ),
        "plans": list(
            Plan.objects.exclude(slug__startswith="demo-").order_by("pk").values()
        ),
        "goals": list(
            Goal.objects.exclude(plan__slug__startswith="demo-").order_by("pk").values()
        ),
        "measures": list(
            Measure.objects.exclude(plan__slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "roles": list(
            MeasurePartner.objects.exclude(measure__plan__slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "updates": list(
            StatusUpdate.objects.exclude(measure__plan__slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "indicators": list(
            Indicator.objects.exclude(slug__startswith="demo-").order_by("pk").values()
        ),
        "indicator_values": list(
            IndicatorValue.objects.exclude(indicator__slug__startswith="demo-")
            .order_by("pk")
            .values()
        ),
        "history": (
            Measure.history.count(),
            StatusUpdate.history.count(),
            Plan.history.count(),
            Partner.history.count(),
            Municipality.history.count(),
        ),
    }


def test_it_makes_the_requested_amount_of_fake_data():
    report = demo_data_generate(size=SMALL)

    assert report.created
    assert demo_plans().count() == 3
    assert demo_measures().count() == 24
    assert StatusUpdate.objects.filter(measure__in=demo_measures()).count() == 120
    assert report.counts["measures"] == 24
    assert report.counts["updates"] == 120
    assert Goal.objects.filter(plan__in=demo_plans()).count() == 3 * 13
    names = list(
        Partner.objects.filter(slug__startswith="demo-").values_list("name", flat=True)
    )
    assert "Demo-kommune 1" in names
    assert demo_municipalities().count() == 3 == report.counts["municipalities"]
    assert set(demo_measures().values_list("title", flat=True)) == {
        f"Demotiltak {n}" for n in range(1, 25)
    }


def test_it_makes_indicators_with_published_values_on_demo_plans():
    report = demo_data_generate(size=SMALL)

    indicators = Indicator.objects.filter(slug__startswith="demo-")
    assert indicators.count() == 6 == report.counts["indicators"]
    values = IndicatorValue.objects.filter(indicator__in=indicators)
    assert values.count() == 24 == report.counts["indicator_values"]
    assert set(values.values_list("state", flat=True)) == {"published"}
    on_goals = indicators.filter(goal__isnull=False)
    assert on_goals.exists()
    assert indicators.filter(measure__isnull=False).exists()
    assert not on_goals.exclude(goal__plan__in=demo_plans()).exists()
    assert (
        not indicators.filter(measure__isnull=False)
        .exclude(measure__plan__in=demo_plans())
        .exists()
    )
    for indicator in indicators:
        indicator.full_clean()
    for value in values:
        value.full_clean()


def test_every_measure_has_one_lead_and_every_update_is_published():
    demo_data_generate(size=SMALL)

    leads = (
        demo_measures()
        .annotate(n=Count("partner_roles", filter=Q(partner_roles__role="lead")))
        .values_list("n", flat=True)
    )
    assert set(leads) == {1}
    updates = StatusUpdate.objects.filter(measure__in=demo_measures())
    assert set(updates.values_list("state", flat=True)) == {"published"}
    assert not updates.filter(published_at__isnull=True).exists()


def test_generated_rows_pass_model_validation():
    demo_data_generate(size=SMALL)

    for municipality in demo_municipalities():
        municipality.full_clean()
    for partner in Partner.objects.filter(slug__startswith="demo-"):
        partner.full_clean()
    for district in District.objects.filter(slug__startswith="demo-"):
        district.full_clean()
    for plan in demo_plans():
        plan.full_clean()
    for measure in demo_measures():
        measure.full_clean()
    for update in StatusUpdate.objects.filter(measure__in=demo_measures()):
        update.full_clean()


def test_demo_plans_use_only_demo_partners_and_districts():
    demo_data_generate(size=SMALL)

    roles = MeasurePartner.objects.filter(measure__in=demo_measures())
    assert not roles.exclude(partner__slug__startswith="demo-").exists()
    links = Measure.districts.through.objects.filter(measure__in=demo_measures())
    assert not links.exclude(district__slug__startswith="demo-").exists()
    assert not demo_plans().exclude(owner__slug__startswith="demo-").exists()
    assert not links.exclude(district__municipality=F("measure__municipality")).exists()
    assert (
        not roles.filter(partner__municipality__isnull=False)
        .exclude(partner__municipality=F("measure__municipality"))
        .exists()
    )


def test_same_seed_gives_the_same_data():
    demo_data_generate(size=SMALL)
    first = _demo_content()
    demo_data_delete()

    demo_data_generate(size=SMALL)

    assert _demo_content() == first


def test_another_seed_gives_other_data():
    demo_data_generate(size=SMALL)
    first = _demo_content()

    demo_data_generate(
        size=DemoSize(measures=24, updates_per_measure=5, plans=3, seed=8)
    )

    assert _demo_content()["updates"] != first["updates"]


def test_current_status_is_the_latest_published_update():
    demo_data_generate(size=SMALL)

    for measure in demo_measures():
        latest = (
            StatusUpdate.objects.filter(measure=measure, state="published")
            .order_by("-as_of", "-published_at", "-id")
            .first()
        )
        assert measure.current_update_id == latest.pk
        assert measure.current_phase == latest.phase
        assert measure.current_health == latest.health
        assert measure.current_progress == latest.progress
        assert measure.current_as_of == latest.as_of
        # The service that keeps the status finds nothing to change.
        assert measure_sync_current_status(actor=SYSTEM, measure=measure).version == 1


def test_measures_without_updates_are_not_started():
    demo_data_generate(size=DemoSize(measures=5, updates_per_measure=0, plans=1))

    assert set(demo_measures().values_list("current_phase", flat=True)) == {
        "not_started"
    }
    assert not demo_measures().filter(current_update__isnull=False).exists()


def test_plan_sizes_rise_from_sixty_and_add_up():
    sizes = measures_per_plan(DemoSize(measures=20000, updates_per_measure=0, plans=50))

    assert sizes[0] == 60
    assert sizes == sorted(sizes)
    assert sum(sizes) == 20000


def test_it_writes_no_history_rows():
    demo_data_generate(size=SMALL)

    assert not Measure.history.filter(slug__startswith="demo-").exists()
    assert not StatusUpdate.history.filter(
        measure__in=demo_measures().values("pk")
    ).exists()


def test_bergen_data_is_untouched_by_generating_and_deleting():
    load_plans()
    before = _real_content()

    demo_data_generate(size=SMALL)
    assert _real_content() == before

    demo_data_delete()
    assert _real_content() == before


def test_delete_removes_every_demo_row():
    load_plans()
    demo_data_generate(size=SMALL)

    demo_data_delete()

    assert not Partner.objects.filter(slug__startswith="demo-").exists()
    assert not Municipality.objects.filter(slug__startswith="demo-").exists()
    assert not Partner.serves.through.objects.filter(
        municipality__slug__startswith="demo-"
    ).exists()
    assert not District.objects.filter(slug__startswith="demo-").exists()
    assert not demo_plans().exists()
    assert not Measure.objects.filter(slug__startswith="demo-").exists()
    assert not StatusUpdate.objects.filter(summary__startswith="Demostatus").exists()
    assert not Indicator.objects.filter(slug__startswith="demo-").exists()
    demo_values = IndicatorValue.objects.filter(indicator__slug__startswith="demo-")
    assert not demo_values.exists()
    assert demo_data_existing_size() is None


def test_delete_removes_updates_published_on_demo_measures_with_their_citations():
    # make bench's mixed round publishes cited updates on demo measures
    # (scripts/bench_writer.py); the next generation deletes the demo data.
    from django.utils import timezone

    from measures.services.sources import NewSource
    from measures.services.status_updates import status_update_record_published

    demo_data_generate(size=SMALL)
    measure = demo_measures().first()
    update = status_update_record_published(
        measure=measure,
        as_of=timezone.localdate(),
        phase="in_progress",
        summary="Benchmark-oppdatering",
        new_sources=[
            NewSource(
                url="https://example.invalid/rusplan-bench",
                publisher="Rusplan benchmark",
                title="Benchmark",
                kind="organisation",
            )
        ],
        actor=SYSTEM,
    )

    demo_data_delete()

    assert not StatusUpdate.objects.filter(pk=update.pk).exists()
    assert not demo_measures().exists()


def test_delete_refuses_when_real_data_points_at_demo_data():
    demo_data_generate(size=SMALL)
    owner = Partner.objects.get(slug="demo-kommune-1")
    PlanFactory(slug="ekte-plan", owner=owner)

    with pytest.raises(IntegrityError):
        demo_data_delete()

    assert Plan.objects.filter(slug="ekte-plan").exists()
    assert demo_measures().count() == 24


def test_delete_refuses_when_a_real_plan_is_in_a_demo_municipality():
    demo_data_generate(size=SMALL)
    PlanFactory(slug="ekte-plan", municipality=Municipality.objects.get(number="9101"))

    with pytest.raises(IntegrityError):
        demo_data_delete()

    assert Plan.objects.filter(slug="ekte-plan").exists()
    assert demo_municipalities().count() == 3


def test_rerun_with_the_same_parameters_does_nothing():
    demo_data_generate(size=SMALL)
    ids = set(demo_measures().values_list("pk", flat=True))

    report = demo_data_generate(size=SMALL)

    assert not report.created
    assert set(demo_measures().values_list("pk", flat=True)) == ids


def test_rerun_with_other_parameters_replaces_the_demo_data():
    demo_data_generate(size=SMALL)

    report = demo_data_generate(size=DemoSize(measures=10, updates_per_measure=2))

    assert report.created
    assert report.deleted["measures"] == 24
    assert demo_measures().count() == 10
    assert StatusUpdate.objects.filter(measure__in=demo_measures()).count() == 20
    assert demo_data_existing_size() == DemoSize(measures=10, updates_per_measure=2)


def test_rerun_regenerates_when_part_of_the_data_was_removed():
    demo_data_generate(size=SMALL)
    StatusUpdate.objects.filter(measure__in=demo_measures()).first().delete()

    report = demo_data_generate(size=SMALL)

    assert report.created
    assert StatusUpdate.objects.filter(measure__in=demo_measures()).count() == 120


def test_public_pages_show_the_new_data_at_once(client):
    assert "Demoplan 1" not in client.get(reverse("home")).content.decode()

    demo_data_generate(size=SMALL)

    assert "Demoplan 1" in client.get(reverse("home")).content.decode()
    plan = Plan.objects.get(slug="demo-plan-1")
    assert client.get(plan.get_absolute_url()).status_code == 200
    home = reverse("municipality-home", kwargs={"kommune": "demo-kommune-1"})
    assert "Demoplan 1" in client.get(home).content.decode()


def test_command_generates_and_prints_the_time(capsys):
    call_command(
        "generate_demo_data", "--measures=6", "--updates-per-measure=2", "--plans=2"
    )

    out = capsys.readouterr().out
    assert "Demodata laget på" in out
    assert " s: " in out
    assert demo_measures().count() == 6


def test_command_delete_removes_the_demo_data(capsys):
    call_command("generate_demo_data", "--measures=6", "--updates-per-measure=2")

    call_command("generate_demo_data", "--delete")

    assert not demo_measures().exists()
    assert "Demodata fjernet" in capsys.readouterr().out


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--measures=-1"],
        ["--measures=5", "--updates-per-measure=-2"],
        ["--measures=5", "--plans=-1"],
        ["--measures=5", "--values-per-indicator=-1"],
        ["--measures=5", "--municipalities=-1"],
        ["--measures=5", "--municipalities=357"],
        ["--measures=5", "--municipalities=3", "--plans=2"],
    ],
)
def test_command_rejects_bad_input_and_changes_nothing(arguments):
    with pytest.raises(CommandError):
        call_command("generate_demo_data", *arguments)

    assert not Partner.objects.filter(slug__startswith="demo-").exists()
    assert not Municipality.objects.exists()


# --- many municipalities --------------------------------------------------------

MANY = DemoSize(measures=60, updates_per_measure=1, municipalities=9, plans=12, seed=3)


def test_each_municipality_is_a_clearly_fake_tenant_of_its_own():
    demo_data_generate(size=MANY)

    municipalities = list(demo_municipalities().order_by("number"))
    assert [m.name for m in municipalities] == [
        f"Demo-kommune {i}" for i in range(1, 10)
    ]
    numbers = [m.number for m in municipalities]
    assert numbers == [str(n) for n in range(9101, 9110)]
    assert len({m.slug for m in municipalities}) == 9
    assert {m.slug for m in municipalities} == {
        f"demo-kommune-{i}" for i in range(1, 10)
    }
    assert {m.county for m in municipalities} == {"Demofylke"}
    # Each has its own organisation, units, districts and at least one plan.
    for municipality in municipalities:
        own = Partner.objects.get(municipality=municipality, kind="municipality")
        assert own.name == municipality.name
        units = Partner.objects.filter(municipality=municipality, kind="municipal_unit")
        assert units.count() == 4
        assert set(units.values_list("parent", flat=True)) == {own.pk}
        assert municipality.districts.count() == 4
        plans = municipality.plans.all()
        assert plans.exists()
        assert set(plans.values_list("owner", flat=True)) == {own.pk}


def test_every_demo_plan_district_and_municipal_partner_has_a_demo_municipality():
    demo_data_generate(size=MANY)

    demo = demo_municipalities()
    assert demo_plans().count() == 12
    assert not demo_plans().exclude(municipality__in=demo).exists()
    districts = District.objects.filter(slug__startswith="demo-")
    assert districts.count() == 9 * 4
    assert not districts.exclude(municipality__in=demo).exists()
    municipal = Partner.objects.filter(
        slug__startswith="demo-", kind__in=Partner.MUNICIPAL_KINDS
    )
    assert municipal.count() == 9 * 5
    assert not municipal.exclude(municipality__in=demo).exists()
    regional = Partner.objects.filter(slug__startswith="demo-").exclude(
        kind__in=Partner.MUNICIPAL_KINDS
    )
    assert not regional.filter(municipality__isnull=False).exists()


def test_measures_are_in_their_plans_municipality():
    demo_data_generate(size=MANY)

    measures = demo_measures()
    assert measures.count() == 60
    assert not measures.exclude(municipality=F("plan__municipality")).exists()
    # More plans than municipalities: some municipalities have two.
    per_municipality = demo_municipalities().annotate(n=Count("plans"))
    assert sorted(per_municipality.values_list("n", flat=True)) == [1] * 6 + [2] * 3


def test_regional_partners_serve_several_municipalities_and_work_across_them():
    demo_data_generate(size=DemoSize(measures=400, updates_per_measure=0, plans=8))

    police = Partner.objects.filter(slug__startswith="demo-", kind="police_district")
    trusts = Partner.objects.filter(slug__startswith="demo-", kind="health_trust")
    assert police.count() == 2
    assert trusts.count() == 1
    assert [p.serves.count() for p in police.order_by("slug")] == [4, 4]
    assert trusts.get().serves.count() == 8
    national = Partner.objects.filter(
        slug__startswith="demo-", kind="user_organisation"
    )
    assert {p.serves.count() for p in national} == {8}
    # A regional partner leads or contributes to measures in several municipalities,
    # only in those it serves.
    for partner in [*police, *trusts]:
        roles = MeasurePartner.objects.filter(partner=partner)
        worked_in = set(roles.values_list("measure__municipality", flat=True))
        assert len(worked_in) > 1
        assert worked_in <= set(partner.serves.values_list("pk", flat=True))
        assert roles.filter(role="lead").exists()
        assert roles.filter(role="contributor").exists()


def test_generate_refuses_a_municipality_that_is_not_demo_data_in_its_range(capsys):
    MunicipalityFactory(name="Ekte kommune", number="9102", slug="ekte-kommune")

    with pytest.raises(DemoDataConflict):
        demo_data_generate(size=SMALL)
    with pytest.raises(CommandError, match="9102"):
        call_command("generate_demo_data", "--measures=6", "--municipalities=2")

    assert not Partner.objects.filter(slug__startswith="demo-").exists()
    assert list(Municipality.objects.values_list("number", flat=True)) == ["9102"]


def test_the_front_page_lists_the_demo_municipalities_in_constant_queries(client):
    counts = {}
    for n in (3, 9):
        demo_data_generate(
            size=DemoSize(measures=5 * n, updates_per_measure=1, municipalities=n)
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        page = response.content.decode()
        for i in range(1, n + 1):
            assert f"Demo-kommune {i} kommune" in page
            home = reverse("municipality-home", kwargs={"kommune": f"demo-kommune-{i}"})
            assert f'href="{home}"' in page or f'{home}"' in page
        counts[n] = len(queries)

    assert counts[3] == counts[9]


def test_a_regional_partners_page_answers_in_every_municipality_it_serves(client):
    # A police district with open measures in four municipalities: its page in one
    # of them once failed on the measures it has in the others.
    demo_data_generate(size=DemoSize(measures=80, updates_per_measure=2, plans=4))
    police = Partner.objects.get(slug="demo-politidistrikt-1")
    roles = MeasurePartner.objects.filter(partner=police).select_related(
        "measure__municipality"
    )

    assert client.get(police.get_absolute_url()).status_code == 200
    for municipality in police.serves.all():
        url = reverse(
            "measures:partner-detail",
            kwargs={"kommune": municipality.slug, "slug": police.slug},
        )
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for role in roles:
            # Links are full addresses (http://testserver/...).
            href = f'{role.measure.get_absolute_url()}"'
            assert (href in page) == (role.measure.municipality == municipality)
