"""The table of a partner's measures with its role in each: its rows are built in
Python (rusplan_tags.partner_role_rows), not by the template's autoescaping, so
every text in them is checked here."""

import datetime

import pytest

from measures.models import MeasurePartner
from tests.factories import (
    MeasureFactory,
    MunicipalityFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


def _table(html: str) -> str:
    start = html.index('class="table stacked-table measure-table align-middle"')
    return html[start : html.index("</table>", start)]


def test_every_text_in_a_row_is_escaped_and_a_units_role_is_marked(client):
    municipality = MunicipalityFactory(name="Ås<b>", slug="as", number="9601")
    partner = PartnerFactory(name="Helse <i>Vest</i>", municipality=None)
    unit = PartnerFactory(
        name="Klinikk <u>A</u> & B", parent=partner, municipality=None
    )
    plan = PlanFactory(
        municipality=municipality,
        title="Plan <i>lang</i>",
        short_title="Plan <s>kort</s>",
        start_year=2018,
        end_year=2022,
    )
    measure = MeasureFactory(
        plan=plan, identifier="T<1>", title="Tiltak <script>x</script> & mer"
    )
    MeasurePartner.objects.create(
        measure=measure, partner=unit, role=MeasurePartner.Role.CONTRIBUTOR
    )
    PublishedStatusUpdateFactory(
        measure=measure, as_of=datetime.date(2022, 3, 9), progress=40
    )

    table = _table(client.get(partner.get_absolute_url()).text)

    assert '<span class="measure-id">T&lt;1&gt;</span>' in table
    assert ">Tiltak &lt;script&gt;x&lt;/script&gt; &amp; mer</a>" in table
    assert ">Plan &lt;s&gt;kort&lt;/s&gt;</a>" in table
    assert '<span class="small">(Ås&lt;b&gt;)</span>' in table
    assert "Bidragsyter" in table
    assert "via Klinikk &lt;u&gt;A&lt;/u&gt; &amp; B</span>" in table
    assert "40&nbsp;%<svg" in table
    assert "09.03.2022</td>" in table
    assert "<script>" not in table and "<u>" not in table and "<s>" not in table
