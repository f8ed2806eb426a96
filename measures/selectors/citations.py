"""Reads of sources and citations for the public pages, the report and the API.

A page loads every citation it may show in one query (citations_for(); the plan and
measure pages check their facts in Python first: plan_page_citations(),
measure_page_citations()), wraps them in a CitationIndex, and the template asks the
index for a fact's citations with the {% cite %} tag. The index numbers each
source the first time the page cites it, so the numbers run 1, 2, 3 down the page,
and the page ends with the numbered list of its sources (includes/source_list.html),
each with its URL.

Only citations of public facts are ever read here: facts of draft and training
plans, and status updates and indicator values that are not published, never lend
their sources to a public list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from measures.models import (
    CITING_MODELS,
    BudgetLine,
    Citation,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    Plan,
    Source,
    StatusUpdate,
    plan_hidden,
)
from measures.selectors.public import plans_of, public_plans


@dataclass(frozen=True)
class SourceRef:
    """A source as a page cites it: its number on the page and the record."""

    number: int
    source: Source


def target_kind(citation: Citation) -> tuple[str, int]:
    for name in CITING_MODELS:
        pk = getattr(citation, f"{name}_id")
        if pk is not None:
            return name, pk
    raise ValueError("A citation without a target")  # the database forbids it


class CitationIndex:
    """The citations a page may show, numbered in the order the page cites them."""

    def __init__(self, citations: Iterable[Citation] = ()) -> None:
        self._by_target: dict[tuple[str, int], list[Citation]] = defaultdict(list)
        for citation in citations:
            self._by_target[target_kind(citation)].append(citation)
        self._numbers: dict[int, SourceRef] = {}

    def cite(self, kind: str, pk: int | None, field: str = "") -> list[SourceRef]:
        """The sources of one fact (`field` narrows to one detail of it), numbered."""
        if pk is None:
            return []
        refs = []
        for citation in self._by_target.get((kind, pk), ()):
            if citation.field != field:
                continue
            ref = self._numbers.get(citation.source_id)
            if ref is None:
                ref = SourceRef(len(self._numbers) + 1, citation.source)
                self._numbers[citation.source_id] = ref
            if ref not in refs:
                refs.append(ref)
        return refs

    def sources_of(self, kind: str, pk: int | None) -> list[Source]:
        """Every source of a fact, all fields, without numbering (for exports)."""
        seen: dict[int, Source] = {}
        for citation in self._by_target.get((kind, pk), ()):
            seen.setdefault(citation.source_id, citation.source)
        return list(seen.values())

    @property
    def listing(self) -> list[SourceRef]:
        """The sources cited so far, by number: the page's source list."""
        return sorted(self._numbers.values(), key=lambda ref: ref.number)


def _visible(kind: str, prefix: str) -> Q:
    """When a fact of this kind may be read: it is on a public plan (and, for
    updates and indicator values, published). `prefix` is the path to the fact
    ("" on the fact's own model, as citations_for() asks)."""
    # Status updates and indicator values both say "published" (ReviewState).
    published = Q(**{f"{prefix}state": StatusUpdate.State.PUBLISHED})
    if kind == "plan":
        return ~plan_hidden(prefix)
    if kind in ("goal", "measure"):
        return ~plan_hidden(f"{prefix}plan__")
    if kind == "status_update":
        return published & ~plan_hidden(f"{prefix}measure__plan__")
    if kind == "budget_line":
        return ~plan_hidden(f"{prefix}measure__plan__")
    if kind == "indicator":
        return _indicator_visible(prefix)
    if kind == "indicator_value":
        return published & _indicator_visible(f"{prefix}indicator__")
    return Q()  # partners and their former names are public


def _indicator_visible(prefix: str) -> Q:
    """An indicator belongs to a goal or a measure; either's plan must be public."""
    return Q(**{f"{prefix}goal__isnull": False}) & ~plan_hidden(
        f"{prefix}goal__plan__"
    ) | Q(**{f"{prefix}measure__isnull": False}) & ~plan_hidden(
        f"{prefix}measure__plan__"
    )


def public_citations() -> QuerySet[Citation]:
    """Citations of facts the public may read: the facts of public plans, and
    partners and their former names (always public)."""
    return Citation.objects.filter(
        _of_plan_facts(public_plans().values("pk"), published_only=True)
        | Q(partner__isnull=False)
        | Q(partner_name__isnull=False)
    )


def of_plan(plan_id: int) -> Q:
    """Citations of a plan's facts, published or not: the plan, its goals,
    measures, updates, indicators and their values, and budget lines."""
    return _of_plan_facts([plan_id], published_only=False)


def plan_citations(plan: Plan) -> QuerySet[Citation]:
    """Every public citation of a plan's facts (none for a plan that is not
    public)."""
    if not plan.is_public:
        return Citation.objects.none()
    return (
        Citation.objects.filter(_of_plan_facts([plan.pk], published_only=True))
        .select_related("source")
        .order_by("position", "id")
    )


def _of_plan_facts(plan_ids, *, published_only: bool) -> Q:
    """Citations of the facts of the plans `plan_ids` (ids, or a subquery of
    them): the plans themselves, their goals, measures, status updates, budget
    lines, indicators and indicator values, with only published updates and
    values when `published_only`.

    Each kind of fact is checked by a subquery of its own on the citation's one
    target (a citation has exactly one: citation_exactly_one_target), looked up
    by its key: a citation reads a few rows, whatever the size of the country.
    Written as joins from the citation to every kind of fact and on to their
    plans, PostgreSQL joined every update in the country: 0.4 s for a plan's
    sources at national scale, and 4 s for the report's citations at ten times
    (docs/benchmarks.md, the eleventh round)."""
    published = (
        Q(state=StatusUpdate.State.PUBLISHED) if published_only else Q()
    )  # Status updates and indicator values both say "published" (ReviewState).
    in_plans = {
        "goal": Goal.objects.filter(plan__in=plan_ids),
        "measure": Measure.objects.filter(plan__in=plan_ids),
        "status_update": StatusUpdate.objects.filter(
            published, measure__plan__in=plan_ids
        ),
        "budget_line": BudgetLine.objects.filter(measure__plan__in=plan_ids),
        "indicator": Indicator.objects.filter(
            Q(goal__plan__in=plan_ids) | Q(measure__plan__in=plan_ids)
        ),
        "indicator_value": IndicatorValue.objects.filter(
            published,
            Q(indicator__goal__plan__in=plan_ids)
            | Q(indicator__measure__plan__in=plan_ids),
        ),
    }
    condition = Q(plan_id__in=plan_ids)  # the plan itself: its key is enough
    for kind, facts in in_plans.items():
        condition |= Q(Exists(facts.filter(pk=OuterRef(f"{kind}_id"))))
    return condition


def citations_for(**targets: Iterable[int]) -> CitationIndex:
    """A CitationIndex over the public citations of the given facts, e.g.
    citations_for(measure=[3], status_update=[7, 8]) (one query). Each kind's
    facts are checked to be public in a subquery of their own over the given ids
    (_visible()): checked as joins from the citation, some twenty tables, the
    query took PostgreSQL longer to plan (12 ms) than to run."""
    condition = Q()
    for name, ids in targets.items():
        ids = [pk for pk in ids if pk is not None]
        if ids:
            model = apps.get_model(CITING_MODELS[name])
            visible = model.objects.filter(pk__in=ids).filter(_visible(name, ""))
            condition |= Q(**{f"{name}__in": visible.values("pk")})
    return _index_where(condition)


def plan_page_citations(*, plan: Plan, goals, series) -> CitationIndex:
    """The citations of what the plan page shows: the plan, its goals, its
    indicators and the values shown of them (one query).

    The page has read these through the public selectors, so the rules of
    _visible() are checked here, in Python, on the objects themselves: the plan is
    public, each goal and indicator is the plan's, each value is published and of
    one of those indicators. Anything else is left out. citations_for() checks the
    same in subqueries, which Django built and PostgreSQL planned for 5.5 of its
    7.5 ms on the largest plan."""
    if not plan.is_public:
        return CitationIndex()
    goal_ids = {goal.pk for goal in goals if goal.plan_id == plan.pk}
    indicators, values = _shown_indicators(
        series, lambda indicator: indicator.goal_id in goal_ids
    )
    return _index_of(
        plan={plan.pk}, goal=goal_ids, indicator=indicators, indicator_value=values
    )


def measure_page_citations(*, measure, updates, budget_lines, series) -> CitationIndex:
    """The citations of what a measure's page shows: the measure, its published
    updates, its budget lines, its indicators and their values (one query),
    checked in Python as plan_page_citations() checks (3 of the page's 30 ms
    went to citations_for()'s subqueries). `measure` comes with its plan."""
    if not measure.plan.is_public:
        return CitationIndex()
    mine = measure.pk
    indicators, values = _shown_indicators(
        series, lambda indicator: indicator.measure_id == mine
    )
    return _index_of(
        measure={mine},
        status_update={
            update.pk
            for update in updates
            if update.measure_id == mine
            and update.state == StatusUpdate.State.PUBLISHED
        },
        budget_line={line.pk for line in budget_lines if line.measure_id == mine},
        indicator=indicators,
        indicator_value=values,
    )


def _shown_indicators(series, is_ours) -> tuple[set[int], set[int]]:
    """The ids of the indicators of `series` that `is_ours` accepts, and of their
    published values shown."""
    indicators, values = set(), set()
    for one in series:
        indicator = one.indicator
        if not is_ours(indicator):
            continue
        indicators.add(indicator.pk)
        values.update(
            point.value.pk
            for point in one.points
            if point.value.indicator_id == indicator.pk
            and point.value.state == IndicatorValue.State.PUBLISHED
        )
    return indicators, values


def _index_of(**ids: set[int]) -> CitationIndex:
    """A CitationIndex over the citations of facts given by id, already checked to
    be public by the caller (one query)."""
    condition = Q()
    for name, pks in ids.items():
        if pks:
            condition |= Q(**{f"{name}__in": sorted(pks)})
    return _index_where(condition)


def _index_where(condition: Q) -> CitationIndex:
    """The citations that `condition` selects, in their order, with their sources
    (one query; none for an empty condition, which would select every citation)."""
    if not condition:
        return CitationIndex()
    return CitationIndex(
        Citation.objects.filter(condition)
        .select_related("source")
        .order_by("position", "id")
    )


def plan_citation_index(plan: Plan) -> CitationIndex:
    return CitationIndex(plan_citations(plan))


def public_sources(*, municipality=None) -> QuerySet[Source]:
    """Sources cited by at least one public fact; of one municipality's facts
    (its plans' and its partners') when `municipality` is given."""
    if municipality is None:
        citations = public_citations()
    else:
        partners = Q(partner__municipality=municipality) | Q(
            partner__serves=municipality
        )
        names = Q(partner_name__partner__municipality=municipality) | Q(
            partner_name__partner__serves=municipality
        )
        # The ids as a list: as a subquery in each kind's check, PostgreSQL took
        # 14 ms to plan each of the page's two queries (the count and the page).
        plans = list(
            public_plans().filter(plans_of(municipality)).values_list("pk", flat=True)
        )
        citations = Citation.objects.filter(
            _of_plan_facts(plans, published_only=True) | partners | names
        )
    return Source.objects.filter(pk__in=citations.values("source_id")).order_by(
        "publisher", "title", "id"
    )


def plan_sources(plan: Plan) -> list[Source]:
    """The sources of a plan's public facts, each once."""
    ids = plan_citations(plan).values("source_id")
    return list(Source.objects.filter(pk__in=ids).order_by("publisher", "title", "id"))
