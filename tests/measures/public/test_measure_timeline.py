"""The measure page's published updates (rusplan_tags.status_timeline_items):
built in Python, not by the template's autoescaping, so every text is checked
here, in Bokmål and English."""

import datetime

import pytest

from measures.models import Citation
from tests.factories import MeasureFactory, PublishedStatusUpdateFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _timeline(html: str) -> str:
    start = html.index('<ol class="timeline list-unstyled">')
    return html[start : html.index("</ol>", start)]


@pytest.fixture
def measure():
    measure = MeasureFactory(title="Tiltaket")
    newest = PublishedStatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2021, 3, 9),
        phase="in_progress",
        progress=40,
        health="at_risk",
        summary="Første <b>linje</b>\nAndre & siste",
        uncertainty="Tallet <i>kan</i> endres",
        # 23:30 in UTC is past midnight in Norway: registered on 11.03.
        published_at=datetime.datetime(2021, 3, 10, 23, 30, tzinfo=datetime.UTC),
    )
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2020, 1, 1),
        phase="not_started",
        progress=None,
        health="",
        summary="Uten vurdering",
        uncertainty="",
    )
    Citation.objects.create(
        source=SourceFactory(publisher="Bergen <kommune>"), status_update=newest
    )
    return measure


def test_each_update_with_its_date_status_summary_uncertainty_and_registration(
    client, measure
):
    timeline = _timeline(client.get(measure.get_absolute_url()).text)

    newest, oldest = timeline.split('<li class="timeline-item">')[1:]
    assert '<h3 class="h6 mb-1">Status per 09.03.2021</h3>' in newest
    assert (
        '<p class="mb-1 small">Pågår · fremdrift 40&nbsp;% '
        '<span class="status-badge health-at_risk">Risiko for avvik</span></p>'
    ) in newest
    assert "Første &lt;b&gt;linje&lt;/b&gt;<br>Andre &amp; siste" in newest
    assert (
        '<p class="uncertain small"><span class="uncertain-label">Usikkert:</span> '
        "Tallet &lt;i&gt;kan&lt;/i&gt; endres</p>"
    ) in newest
    assert "Registrert i Rusplan 11.03.2021." in newest
    # Its source, numbered, the publisher escaped in the link's name.
    assert 'aria-label="Kilde 1: Bergen &lt;kommune&gt;">[1]</a></span>' in newest
    # No progress, no assessment and no uncertainty: nothing in their place.
    assert '<p class="mb-1 small">Ikke startet </p>' in oldest
    assert "uncertain" not in oldest
    assert "<b>" not in timeline and "<i>" not in timeline


def test_the_timeline_in_english(client, measure):
    timeline = _timeline(client.get("/en" + measure.get_absolute_url()).text)

    assert "Status per" not in timeline and "Registrert i Rusplan" not in timeline
    assert "fremdrift" not in timeline and "Usikkert:" not in timeline
    assert '<h3 class="h6 mb-1">Status as of ' in timeline
    assert "Recorded in Rusplan " in timeline
    assert "Første &lt;b&gt;linje&lt;/b&gt;<br>Andre &amp; siste" in timeline
