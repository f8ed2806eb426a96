"""The table of a partner's or district's measures per plan: its rows are built in
Python (rusplan_tags.plan_rollup_rows), not by the template's autoescaping, so
every text in them is checked here."""

import datetime

import pytest

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
    start = html.index('class="table stacked-table align-middle plan-rollup-table')
    return html[start : html.index("</table>", start)]


def test_every_text_in_a_row_is_escaped(client):
    municipality = MunicipalityFactory(name="Ås<b>", slug="as", number="9601")
    # A regional partner (in no municipality): its page spans every municipality
    # and names each plan's.
    partner = PartnerFactory(name="Nå <u>navn</u>", municipality=None)
    PartnerNameFactory(
        partner=partner,
        name="Før <s>navn</s> & co",
        valid_from=datetime.date(2010, 1, 1),
        valid_until=datetime.date(2023, 12, 31),
    )
    plan = PlanFactory(
        municipality=municipality,
        title="Plan <i>lang</i>",
        start_year=2018,
        end_year=2022,
    )
    assessed = MeasureFactory(plan=plan, lead=partner, weight=1)
    PublishedStatusUpdateFactory(
        measure=assessed, as_of=datetime.date(2022, 3, 9), progress=40
    )
    MeasureFactory(plan=plan, lead=partner)  # no status: not assessed

    table = _table(client.get(partner.get_absolute_url()).text)

    assert ">Plan &lt;i&gt;lang&lt;/i&gt;</a>" in table
    assert '<span class="small">(Ås&lt;b&gt;)</span>' in table
    assert (
        "I denne planen het partneren Før &lt;s&gt;navn&lt;/s&gt; &amp; co "
        "(nå Nå &lt;u&gt;navn&lt;/u&gt;)."
    ) in table
    assert "2018–2022</td>" in table
    assert "40&nbsp;%<svg" in table
    assert "1 av 2</td>" in table
    assert "<b>" not in table and "<s>" not in table and "<u>" not in table


def test_a_plan_with_no_assessed_measure_says_so(client):
    partner = PartnerFactory(municipality=None)
    plan = PlanFactory(start_year=2020, end_year=None)
    MeasureFactory(plan=plan, lead=partner)

    table = _table(client.get(partner.get_absolute_url()).text)

    assert "Ikke vurdert</td>" in table
    assert "0 av 1</td>" in table
    assert "fra 2020</td>" in table
