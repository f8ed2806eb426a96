"""Two municipalities side by side: each municipality's pages, lists, filters and
exports hold its own plans and measures (and the plans shared with it), the
national front page and a regional partner's page span both
(measures/municipal.py, plans_of() in measures/selectors/public.py)."""

import csv
import io
from dataclasses import dataclass

import pytest
from django.urls import reverse

from measures.models import Measure, Plan
from measures.numbers import format_nok
from measures.services.plans import measure_sync_current_status
from partners.models import Municipality, Partner
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    DistrictFactory,
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    bergen,
)

pytestmark = pytest.mark.django_db

# The same measure address in both municipalities (unique per municipality).
SAME_SLUG = "lavterskeltilbud"


@dataclass
class Side:
    """One municipality's share of the world."""

    municipality: Municipality
    plan: Plan
    own: Measure  # led by the municipality's own unit, at SAME_SLUG
    regional: Measure  # led by the regional partner
    district_name: str
    unit: Partner


@dataclass
class TwoMunicipalities:
    bergen: Side
    other: Side
    police: Partner  # a regional partner with measures in both


def _side(municipality: Municipality, name: str, police: Partner) -> Side:
    unit = PartnerFactory(
        name=f"Rusetaten i {name}",
        slug=f"rusetaten-{municipality.slug}",
        municipality=municipality,
    )
    plan = PlanFactory(
        municipality=municipality,
        title=f"Rusplan for {name}",
        slug=f"rusplan-{municipality.slug}",
        owner=unit,
    )
    district = DistrictFactory(
        municipality=municipality,
        name=f"Sentrum i {name}",
        # The same district address in both, as with the measures.
        slug="sentrum",
    )
    own = MeasureFactory(
        plan=plan, title=f"Lavterskeltilbud i {name}", slug=SAME_SLUG, lead=unit
    )
    regional = MeasureFactory(
        plan=plan,
        title=f"Politipatrulje i {name}",
        slug=f"politipatrulje-{municipality.slug}",
        lead=police,
    )
    for measure in (own, regional):
        measure.districts.add(district)
        # Open measures with a published update: they take reports, so a partner
        # page lists them among its unreported ones and its newest updates.
        PublishedStatusUpdateFactory(
            measure=measure, summary=f"Oppdatering om {measure.title}."
        )
        measure_sync_current_status(actor=SYSTEM, measure=measure)
        measure.refresh_from_db()
    return Side(
        municipality=municipality,
        plan=plan,
        own=own,
        regional=regional,
        district_name=district.name,
        unit=unit,
    )


@pytest.fixture
def world() -> TwoMunicipalities:
    police = PartnerFactory(
        name="Vest politidistrikt",
        slug="vest-politidistrikt",
        kind=Partner.Kind.POLICE_DISTRICT,
    )
    other = MunicipalityFactory(name="Askøy", slug="askoy")
    return TwoMunicipalities(
        bergen=_side(bergen(), "Bergen", police),
        other=_side(other, "Askøy", police),
        police=police,
    )


def _url(name: str, side: Side, **kwargs) -> str:
    return reverse(name, kwargs={"kommune": side.municipality.slug, **kwargs})


def _home(side: Side) -> str:
    return reverse("municipality-home", kwargs={"kommune": side.municipality.slug})


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def _section(html: str, start: str, end: str = "</section>") -> str:
    html = html[html.index(start) :]
    return html[: html.index(end)]


# --- a municipality's own pages ---------------------------------------------------


def test_the_municipality_home_lists_only_its_own_plans(client, world):
    for side, elsewhere in ((world.bergen, world.other), (world.other, world.bergen)):
        html = client.get(_home(side)).text

        assert side.plan.title in html
        assert side.plan.get_absolute_url() in html
        assert elsewhere.plan.title not in html
        assert elsewhere.district_name not in html
        # Its newest updates too.
        assert f"Oppdatering om {side.own.title}." in html
        assert f"Oppdatering om {elsewhere.own.title}." not in html


def test_the_measure_list_lists_and_offers_only_the_municipalitys_own(client, world):
    response = client.get(_url("measures:measure-list", world.bergen))

    titles = {measure.title for measure in response.context["page_obj"]}
    assert titles == {world.bergen.own.title, world.bergen.regional.title}
    form = response.context["filter"].form
    assert [plan.slug for plan in form.fields["plan"].queryset] == [
        world.bergen.plan.slug
    ]
    assert [d.name for d in form.fields["district"].queryset] == [
        world.bergen.district_name
    ]
    assert world.other.unit not in form.fields["partner"].queryset
    assert world.other.plan.title not in response.text
    # Another municipality's plan is not a choice here.
    refused = client.get(
        _url("measures:measure-list", world.bergen), {"plan": world.other.plan.slug}
    )
    assert "Planen finnes ikke." in refused.text


def test_another_municipalitys_plan_measure_and_district_are_404_here(client, world):
    bergen_plan = world.bergen.plan

    assert client.get(bergen_plan.get_absolute_url()).status_code == 200
    for name, slug in (
        ("measures:plan-detail", bergen_plan.slug),
        ("measures:plan-report", bergen_plan.slug),
        ("measures:plan-export-csv", bergen_plan.slug),
        ("measures:measure-detail", world.bergen.regional.slug),
        ("measures:partner-detail", world.bergen.unit.slug),
    ):
        url = _url(name, world.other, slug=slug)
        assert client.get(url).status_code == 404, url


def test_the_same_measure_and_district_slug_in_two_municipalities_each_show_their_own(
    client, world
):
    for side, elsewhere in ((world.bergen, world.other), (world.other, world.bergen)):
        measure_html = client.get(
            _url("measures:measure-detail", side, slug=SAME_SLUG)
        ).text
        district_html = client.get(
            _url("measures:district-detail", side, slug="sentrum")
        ).text

        assert side.own.title in measure_html
        assert elsewhere.own.title not in measure_html
        assert side.district_name in district_html
        assert side.own.title in district_html
        assert elsewhere.own.title not in district_html


# --- a plan shared between municipalities (interkommunal) --------------------------


def test_a_shared_plan_appears_in_both_municipalities_and_answers_under_both(
    client, world
):
    shared = world.bergen.plan
    # A plan is shared only where its slugs are free (Askøy uses the same ones).
    Plan.objects.filter(pk=shared.pk).update(slug="felles-plan")
    for measure in shared.measures.all():
        Measure.objects.filter(pk=measure.pk).update(slug=f"felles-{measure.slug}")
    shared.refresh_from_db()
    shared.shared_with.add(world.other.municipality)

    for side in (world.bergen, world.other):
        assert shared.title in client.get(_home(side)).text
        response = client.get(_url("measures:plan-detail", side, slug=shared.slug))
        assert response.status_code == 200
        assert world.bergen.own.title in response.text
        measures = client.get(_url("measures:measure-list", side)).context["page_obj"]
        assert world.bergen.own.title in {measure.title for measure in measures}
    # Askøy's own plan stays Askøy's.
    assert world.other.plan.title not in client.get(_home(world.bergen)).text
    national = client.get(reverse("home")).text
    assert shared.title in _section(national, 'id="kommune-askoy"', "</tbody>")


# --- across municipalities -------------------------------------------------------


def test_the_national_front_page_lists_each_municipality_with_its_current_plans(
    client, world
):
    html = client.get(reverse("home")).text

    for side, elsewhere in ((world.bergen, world.other), (world.other, world.bergen)):
        section = _section(html, f'id="kommune-{side.municipality.slug}"', "</tbody>")
        assert side.municipality.get_absolute_url() in section
        assert side.plan.title in section
        assert side.plan.get_absolute_url() in section
        assert elsewhere.plan.title not in section


def test_a_municipalitys_exports_hold_only_its_measures(client, world):
    for side, elsewhere in ((world.bergen, world.other), (world.other, world.bergen)):
        measures = _csv(client.get(_url("measures:export-measures-csv", side)))
        updates = _csv(client.get(_url("measures:export-updates-csv", side)))

        assert {row["title"] for row in measures} == {
            side.own.title,
            side.regional.title,
        }
        assert {row["plan"] for row in measures} == {side.plan.slug}
        prefix = f"http://testserver/{side.municipality.slug}/tiltak/"
        assert all(row["url"].startswith(prefix) for row in measures)
        assert {row["measure_title"] for row in updates} == {
            side.own.title,
            side.regional.title,
        }
        assert elsewhere.own.title not in str(measures + updates)


def test_a_regional_partner_spans_municipalities_but_its_page_in_one_does_not(
    client, world
):
    BudgetLineFactory(measure=world.bergen.regional, year=2020, allocated_nok=111_000)
    BudgetLineFactory(measure=world.other.regional, year=2020, allocated_nok=222_000)
    national = client.get(world.police.get_absolute_url())
    in_bergen = client.get(
        _url("measures:partner-detail", world.bergen, slug=world.police.slug)
    )

    assert national.status_code == 200
    assert in_bergen.status_code == 200
    for side in (world.bergen, world.other):
        assert side.regional.title in national.text
        assert side.plan.title in national.text
    assert world.bergen.regional.title in in_bergen.text
    # Askøy's measure, plan and newest update are nowhere on Bergen's page of it.
    assert world.other.regional.title not in in_bergen.text
    assert world.other.plan.title not in in_bergen.text
    assert f"Oppdatering om {world.other.regional.title}." not in in_bergen.text
    # Its budget: the measures it leads in each plan, here only Bergen's.
    for amount in (111_000, 222_000):
        assert format_nok(amount) in national.text
    assert format_nok(111_000) in in_bergen.text
    assert format_nok(222_000) not in in_bergen.text
    rows = {role.measure.title for role in in_bergen.context["page_obj"].object_list}
    assert rows == {world.bergen.regional.title}
