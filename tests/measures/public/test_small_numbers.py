"""A count of people below the threshold never reaches the public as the number.

Issue 5: "a count of 3 never appears as 3 on any public channel". One world, every
channel the public can read indicator values from: the plan and measure pages (HTML
and the SVG charts in them), the report "status per <date>" as HTML and as PDF, the
CSV and XLSX exports and the API. Each channel is read as a reader reads it, and only
where it shows values (a page number or a database id of 3 is not a count).
"""

import csv
import io
import re
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    PlanFactory,
    PublishedIndicatorValueFactory,
)
from tests.support.pages import indicator_texts, shows_number
from tests.support.requirements import need_program

pytestmark = pytest.mark.django_db

SMALL = 3  # a count of people below the default threshold (5)
VISIBLE = 12


@pytest.fixture
def small_count_world(partner_a):
    """A plan and its measure, each with an indicator with a count below the
    threshold (SMALL) and one above it (VISIBLE)."""
    plan = PlanFactory(title="Planen", slug="planen")
    goal = GoalFactory(plan=plan, title="Trygg by", slug="trygg")
    measure = MeasureFactory(
        plan=plan, title="Tiltaket", slug="tiltaket", lead=partner_a
    )
    measure.goals.add(goal)
    outcome = IndicatorFactory(goal=goal, title="Dødsfall", slug="dodsfall")
    output = IndicatorFactory(
        goal=None, measure=measure, title="Brukere", slug="brukere"
    )
    for indicator in (outcome, output):
        PublishedIndicatorValueFactory(indicator=indicator, year=2019, value=SMALL)
        PublishedIndicatorValueFactory(indicator=indicator, year=2020, value=VISIBLE)
    return plan, measure


def _rows_by_year(rows: list[dict], value_keys) -> list[str]:
    """The value cells of the 2019 and 2020 rows, as a reader of the file sees them."""
    return [
        str(row[key] or "")
        for row in rows
        if str(row["year"]) in ("2019", "2020")
        for key in value_keys
    ]


def page(client, world):
    plan, measure = world
    return indicator_texts(client.get(plan.get_absolute_url()).text) + indicator_texts(
        client.get(measure.get_absolute_url()).text
    )


def report_html(client, world):
    url = reverse("measures:plan-report", kwargs=world[0].url_kwargs())
    return indicator_texts(client.get(url).text)


def report_pdf(client, world, tmp_path):
    need_program("pdftotext", tool="pdftotext", package="poppler-utils")
    url = reverse("measures:plan-report-pdf", kwargs=world[0].url_kwargs())
    path = tmp_path / "rapport.pdf"
    path.write_bytes(client.get(url).content)
    text = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    # The data tables print each period on its own line: "2019   < 5".
    return [
        line.replace("\xa0", " ")
        for line in text.splitlines()
        if re.match(r"\s*20(19|20)\b", line)
    ]


def export_csv(client, world):
    url = reverse("measures:plan-export-indicators-csv", kwargs=world[0].url_kwargs())
    response = client.get(url)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    return _rows_by_year(rows, ("value", "value_text"))


def export_xlsx(client, world):
    url = reverse("measures:plan-export-indicators-xlsx", kwargs=world[0].url_kwargs())
    response = client.get(url)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    rows = [dict(zip(header, r, strict=False)) for r in body if any(r)]
    return _rows_by_year(rows, ("value", "value_text"))


def api(client, world):
    url = reverse("api:indicator-value-list")
    values = client.get(url, {"page_size": 200}).json()["results"]
    return _rows_by_year(values, ("value", "text"))


CHANNELS = {
    "plan and measure pages": page,
    "report HTML": report_html,
    "report PDF": report_pdf,
    "CSV export": export_csv,
    "XLSX export": export_xlsx,
    "API": api,
}


@pytest.mark.parametrize("channel", CHANNELS.values(), ids=CHANNELS.keys())
def test_a_count_of_three_never_appears_on_a_public_channel(
    client, small_count_world, channel, tmp_path
):
    fetch = channel
    args = (
        (client, small_count_world, tmp_path)
        if channel is report_pdf
        else (client, small_count_world)
    )

    texts = fetch(*args)

    assert shows_number(texts, VISIBLE), f"the channel shows no values: {texts}"
    assert not shows_number(texts, SMALL), texts
    assert any(re.search(r"<\s?5", t) for t in texts), texts


@pytest.mark.parametrize("channel", CHANNELS.values(), ids=CHANNELS.keys())
def test_an_outsider_logged_in_sees_no_small_number_either(
    client, small_count_world, charlie, channel, tmp_path
):
    client.force_login(charlie)  # caseworker of another partner
    args = (
        (client, small_count_world, tmp_path)
        if channel is report_pdf
        else (client, small_count_world)
    )

    assert not shows_number(channel(*args), SMALL)


# --- the boundary: threshold - 1 hidden, threshold shown, on every channel ------------
#
# A rule of `value < threshold - 1` (a count of 4 shown with threshold 5) passed the
# tests above, which use a count of 3. Here each channel is read for one value at
# the boundary, in a world where nothing else is near it; the baseline, shown on the
# pages and in the API, is the same count.

THRESHOLD = 5


@pytest.fixture
def boundary_world(request, partner_a):
    count = request.param
    plan = PlanFactory(title="Planen", slug="planen")
    goal = GoalFactory(plan=plan, title="Trygg by", slug="trygg")
    measure = MeasureFactory(
        plan=plan, title="Tiltaket", slug="tiltaket", lead=partner_a
    )
    measure.goals.add(goal)
    outcome = IndicatorFactory(
        goal=goal,
        title="Dødsfall",
        slug="dodsfall",
        small_number_threshold=THRESHOLD,
        baseline_value=count,
        baseline_year=2018,
    )
    output = IndicatorFactory(
        goal=None,
        measure=measure,
        title="Brukere",
        slug="brukere",
        small_number_threshold=THRESHOLD,
    )
    for indicator in (outcome, output):
        PublishedIndicatorValueFactory(indicator=indicator, year=2019, value=count)
        PublishedIndicatorValueFactory(indicator=indicator, year=2020, value=VISIBLE)
    return plan, measure


def plan_indicators_page(client, world):
    url = reverse("measures:plan-indicators", kwargs=world[0].url_kwargs())
    return indicator_texts(client.get(url).text)


def site_export_csv(client, world):
    response = client.get(
        reverse(
            "measures:export-indicators-csv",
            kwargs={"kommune": world[0].municipality.slug},
        )
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    return _rows_by_year(rows, ("value", "value_text"))


def api_baselines(client, world):
    indicators = client.get(reverse("api:indicator-list")).json()["results"]
    baselines = [i["baseline"] for i in indicators if i["baseline"]]
    return [str(b[key]) for b in baselines for key in ("value", "text")] + [
        # The values themselves, one indicator at a time (the detail view).
        str(v[key])
        for i in indicators
        for v in client.get(
            reverse("api:indicator-value-list"), {"indicator": i["slug"]}
        ).json()["results"]
        if v["year"] in (2019, 2020)
        for key in ("value", "text")
    ]


BOUNDARY_CHANNELS = CHANNELS | {
    "plan indicators page": plan_indicators_page,
    "site CSV export": site_export_csv,
    "API baselines and values by indicator": api_baselines,
}


def _read(channel, client, world, tmp_path):
    if channel is report_pdf:
        return channel(client, world, tmp_path)
    return channel(client, world)


@pytest.mark.parametrize("boundary_world", [THRESHOLD - 1], indirect=True)
@pytest.mark.parametrize(
    "channel", BOUNDARY_CHANNELS.values(), ids=BOUNDARY_CHANNELS.keys()
)
def test_one_below_the_threshold_is_hidden(client, boundary_world, channel, tmp_path):
    texts = _read(channel, client, boundary_world, tmp_path)

    assert shows_number(texts, VISIBLE), f"the channel shows no values: {texts}"
    assert not shows_number(texts, THRESHOLD - 1), texts
    assert any(re.search(rf"<\s?{THRESHOLD}", t) for t in texts), texts


@pytest.mark.parametrize("boundary_world", [THRESHOLD], indirect=True)
@pytest.mark.parametrize(
    "channel", BOUNDARY_CHANNELS.values(), ids=BOUNDARY_CHANNELS.keys()
)
def test_the_threshold_itself_is_shown(client, boundary_world, channel, tmp_path):
    texts = _read(channel, client, boundary_world, tmp_path)

    assert shows_number(texts, THRESHOLD), texts
    assert not any(re.search(rf"<\s?{THRESHOLD}", t) for t in texts), texts
