"""The measure table of the plan page, the measure lists and the national search:
its rows are built in Python (rusplan_tags.measure_table_rows), not by the
template's autoescaping, so every text in them is checked here."""

import datetime

import pytest
from django.urls import reverse

from measures.models import Measure
from measures.selectors.public import set_lead_roles
from partners.models import Partner
from tests.factories import (
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _table(html: str) -> str:
    start = html.index('class="table stacked-table measure-table')
    return html[start : html.index("</table>", start)]


@pytest.fixture
def marked_up():
    """A measure whose every text carries markup, led by a partner under a former
    name in the plan's time."""
    municipality = MunicipalityFactory(name="Ås<b>", slug="as", number="9601")
    plan = PlanFactory(
        municipality=municipality,
        title="Plan <i>lang</i>",
        short_title="Plan <i>kort</i>",
        start_year=2018,
        end_year=2022,
    )
    partner = PartnerFactory(name="Nå <u>navn</u>", municipality=municipality)
    PartnerNameFactory(
        partner=partner,
        name="Før <s>navn</s>",
        valid_from=datetime.date(2010, 1, 1),
        valid_until=datetime.date(2023, 12, 31),
    )
    measure = MeasureFactory(
        plan=plan,
        identifier="T<1>",
        title="Tiltak <script>alert('x')</script> & mer",
        lead=partner,
    )
    PublishedStatusUpdateFactory(
        measure=measure, as_of=datetime.date(2022, 3, 9), progress=40
    )
    return measure


def test_every_text_in_a_row_is_escaped(client, marked_up):
    search = _table(
        client.get(reverse("measures:national-search"), {"q": "Tiltak"}).text
    )
    plan_page = _table(client.get(marked_up.plan.get_absolute_url()).text)

    for table in (search, plan_page):
        assert "<script>" not in table and "<b>" not in table and "<u>" not in table
        assert "Tiltak &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; mer" in (
            table
        )
        assert '<span class="measure-id">T&lt;1&gt;</span>' in table
        # The lead partner by its name in the plan's time, today's beside it.
        assert ">Før &lt;s&gt;navn&lt;/s&gt;</a>" in table
        assert "(nå Nå &lt;u&gt;navn&lt;/u&gt;)" in table
        assert "09.03.2022" in table
        assert "40&nbsp;%" in table
    assert ">Ås&lt;b&gt;</a>" in search
    assert ">Plan &lt;i&gt;kort&lt;/i&gt;</a>" in search
    # The plan's own page names neither the plan nor the municipality per row.
    assert "Plan &lt;i&gt;kort" not in plan_page


def test_a_row_without_status_says_so_and_an_empty_table_says_why(client):
    plan = PlanFactory()
    MeasureFactory(plan=plan, title="Uten status")

    table = _table(client.get(plan.get_absolute_url()).text)
    empty = _table(client.get(plan.get_absolute_url(), {"q": "finnes-ikke"}).text)

    assert "Ingen status registrert" in table
    assert "Ikke vurdert" in table
    status_per = '<span class="cell-label" aria-hidden="true">Status per</span>'
    assert f"{status_per}–</td>" in table
    assert 'colspan="6">Ingen tiltak passer til filtrene.' in empty


def test_lead_roles_take_the_pages_partners_and_read_one_not_among_them(
    marked_up, django_assert_num_queries
):
    """set_lead_roles(): the plan page's partners, read with their former names,
    are each lead role's partner without a query; a lead partner the page has not
    read is read once, with its former names."""
    other = MeasureFactory(plan=marked_up.plan, lead=PartnerFactory(name="Annen"))
    page_partners = list(
        Partner.objects.filter(measure_roles__measure=marked_up).prefetch_related(
            "former_names"
        )
    )
    first, second = (
        Measure.objects.get(pk=marked_up.pk),
        Measure.objects.get(pk=other.pk),
    )
    day = datetime.date(2020, 1, 1)

    with django_assert_num_queries(1):  # the roles; every partner is on the page
        set_lead_roles([first], partners=page_partners)
        assert first.lead_roles[0].partner is page_partners[0]
        assert first.lead_roles[0].partner.name_on(day) == "Før <s>navn</s>"
    with django_assert_num_queries(3):  # + the partner not on the page, its names
        set_lead_roles([first, second], partners=page_partners)
        assert [r.partner.name_on(day) for r in second.lead_roles] == ["Annen"]
    assert first.lead_roles[0].partner is page_partners[0]
