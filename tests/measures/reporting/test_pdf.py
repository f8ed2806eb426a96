"""The report PDF is tagged PDF/UA: a screen reader gets its structure, language and
title (measures/reporting/pdf.py). Read back with pikepdf, as a checker would."""

import datetime
import io

import pikepdf
import pytest
from django.urls import reverse
from django.utils import translation

from measures.models import Health
from tests.factories import (
    GoalFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    plan = PlanFactory(
        title="Plan for rusfeltet 2018–2022",
        slug="rusplan-2018",
        start_year=2018,
        end_year=2022,
        owner=PartnerFactory(name="Bergen kommune", slug="bergen-kommune"),
    )
    goal = GoalFactory(plan=plan, title="Trygg by for alle")
    measure = MeasureFactory(plan=plan, identifier="1", title="Overdoseteam")
    measure.goals.add(goal)
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2020, 10, 1),
        progress=40,
        health=Health.ON_TRACK,
    )
    return plan


def _pdf(client, plan, language=None) -> pikepdf.Pdf:
    with translation.override(language):
        url = reverse("measures:plan-report-pdf", kwargs=plan.url_kwargs())
    response = client.get(url + "?per=2020-12-31")
    assert response.status_code == 200
    return pikepdf.open(io.BytesIO(response.content))


def _structure_types(node, found: list[str], depth: int = 0) -> list[str]:
    """The /S (structure type) of every element under `node`, in document order."""
    if depth > 200:  # a malformed tree that loops
        raise AssertionError("structure tree deeper than 200 levels")
    if isinstance(node, pikepdf.Array):
        for child in node:
            _structure_types(child, found, depth + 1)
    elif isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(str(node.S))
        if "/K" in node:
            _structure_types(node.K, found, depth + 1)
    return found


def test_the_report_pdf_is_tagged_with_a_structure_tree(client, plan):
    pdf = _pdf(client, plan)

    assert bool(pdf.Root.MarkInfo.Marked) is True
    types = _structure_types(pdf.Root.StructTreeRoot, [])
    for element in ("/H1", "/H2", "/P", "/Table", "/TR", "/TH", "/TD", "/L", "/LI"):
        assert element in types, f"no {element} in the structure tree: {types}"
    # Reading order follows the HTML: the title before the table of contents
    # heading, which comes before the first table.
    assert types.index("/H1") < types.index("/H2") < types.index("/Table")


def test_the_report_pdf_declares_pdf_ua_title_and_display_title(client, plan):
    pdf = _pdf(client, plan)
    title = "Status per 31.12.2020: Plan for rusfeltet 2018–2022"

    assert str(pdf.docinfo.Title) == title
    with pdf.open_metadata() as xmp:
        assert xmp["dc:title"] == title
        assert xmp["pdfuaid:part"] == "1"
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True


@pytest.mark.parametrize("language", [None, "nn", "en"])
def test_the_report_pdf_has_the_language_of_the_page(client, plan, language):
    pdf = _pdf(client, plan, language)

    assert str(pdf.Root.Lang) == (language or "nb")
