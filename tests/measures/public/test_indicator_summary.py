"""The indicator summary of the plan page: its rows are built in Python
(indicator_tags.indicator_summary_rows), not by the template's autoescaping, so
every text in them is checked here."""

import pytest
from django.urls import reverse

from measures.models import Citation, Indicator
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _summary(html: str) -> str:
    start = html.index('class="indicator indicator-summary"')
    return html[start : html.index("</section>", start)]


def test_every_text_in_a_row_is_escaped_and_a_small_number_stays_hidden(client):
    plan = PlanFactory(start_year=2019, end_year=2022)
    goal = GoalFactory(plan=plan, title="Mål")
    indicator = IndicatorFactory(
        goal=goal,
        title="Overdoser <b>i</b> & rundt byen",
        slug="overdoser",
        unit="<i>personer</i>",
        kind=Indicator.Kind.PEOPLE,
        baseline_value=12,
        baseline_year=2018,
        target_value=3,
        target_year=2022,
    )
    value = PublishedIndicatorValueFactory(indicator=indicator, year=2021, value=3)
    Citation.objects.create(
        source=SourceFactory(publisher="Helse <Bergen> & co"), indicator_value=value
    )
    IndicatorFactory(goal=goal, title="Uten verdier", slug="uten-verdier", unit="")

    html = client.get(
        reverse("measures:plan-detail", args=[plan.municipality.slug, plan.slug])
    ).text
    summary = _summary(html)

    assert (
        '<th scope="row" id="indikator-overdoser">Overdoser &lt;b&gt;i&lt;/b&gt; '
        "&amp; rundt byen"
        ' <span class="fw-normal">(&lt;i&gt;personer&lt;/i&gt;)</span></th>'
    ) in summary
    # 3 people is under the threshold of 5: shown as "< 5", never as 3; the
    # baseline (12) is shown, the target (a decision) always.
    assert '<td class="text-end">&lt;\xa05</td>' in summary
    assert '<td class="text-end">12 (2018)</td>' in summary
    assert '<td class="text-end">3 (2022)</td>' in summary
    assert "<td>2021</td>" in summary
    assert 'aria-label="Kilde 1: Helse &lt;Bergen&gt; &amp; co">[1]</a>' in summary
    assert "<b>" not in summary and "<i>" not in summary
    # An indicator with no published value says so, with no period or source.
    row = summary[summary.index('id="indikator-uten-verdier"') :]
    row = row[: row.index("</tr>")]
    assert "Ingen publiserte verdier ennå." in row
    assert "–" in row and "cite" not in row
    assert "betyr færre enn 5 personer" in summary
