"""The plan page's goal tree, built in Python (rusplan_tags.goal_node): every goal
with its roll-up, its sources numbered in reading order, its uncertainty, its own
measures and the goals below it; every text escaped."""

import pytest

from measures.models import Citation, Phase
from tests.factories import (
    GoalFactory,
    MeasureFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def _tree(html: str) -> str:
    start = html.index('id="mal"')
    return html[start : html.index('id="over-tid"', start)]


def test_goals_nest_with_their_texts_escaped_and_sources_in_reading_order(client):
    plan = PlanFactory()
    top = GoalFactory(
        plan=plan,
        title="Mål <b>én</b>",
        slug="en",
        description="Første linje\nAndre <i>linje</i>",
        uncertainty="Årstallet <u>usikkert</u>",
    )
    below = GoalFactory(plan=plan, parent=top, title="Delmål & mer", slug="under")
    for goal, publisher in ((below, "Kilde B"), (top, "Kilde A")):
        Citation.objects.create(source=SourceFactory(publisher=publisher), goal=goal)
    measure = MeasureFactory(plan=plan, title="Tiltak <script>", identifier="1.1")
    measure.goals.add(below)
    PublishedStatusUpdateFactory(measure=measure, phase=Phase.IN_PROGRESS, progress=30)

    tree = _tree(client.get(plan.get_absolute_url()).text)

    assert "<b>" not in tree and "<i>" not in tree and "<u>" not in tree
    assert "<script>" not in tree
    assert (
        '<h3 id="mal-en-title" class="goal-title">Mål &lt;b&gt;én&lt;/b&gt;</h3>'
        in tree
    )
    assert "<p>Første linje<br>Andre &lt;i&gt;linje&lt;/i&gt;</p>" in tree
    assert "Usikkert:</span> Årstallet &lt;u&gt;usikkert&lt;/u&gt;</p>" in tree
    # The goal below sits inside its parent's section, one heading level down.
    inner = tree.index('<section class="goal goal-level-1" id="mal-under"')
    assert tree.index('id="mal-en"') < inner < tree.rindex("</section>")
    assert '<h4 id="mal-under-title" class="goal-title">Delmål &amp; mer</h4>' in tree
    assert "Vis tiltakene for «Delmål &amp; mer» i tabellen" in tree
    # Numbered as read: the parent's source first, though cited last.
    assert 'aria-label="Kilde 1: Kilde A">[1]</a>' in tree
    assert 'aria-label="Kilde 2: Kilde B">[2]</a>' in tree
    assert tree.index("[1]</a>") < tree.index("[2]</a>")
    # The measure under its goal, with its phase and progress.
    assert "1.1 Tiltak &lt;script&gt;</a>" in tree
    assert "Pågår, 30&nbsp;%" in tree
    assert '<span class="rollup-percent">30&nbsp;%</span>' in tree
