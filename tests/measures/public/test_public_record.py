"""The public record with Bergen's shipped data, read as a council officer would:
no internal notation on any public channel, "no status" never shown as "not
started", every fact's sources clickable, and pages, report, CSV and API agreeing.

The crawl follows every link from the home page (pages, reports, source lists) and
reads every API list and CSV export, so a new page or channel is covered without
being named here.
"""

import csv
import io
import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, Plan
from measures.reporting.reports import AS_PUBLISHED, plan_report
from measures.selectors.public import default_report_date

pytestmark = pytest.mark.django_db

# Words and marks for ourselves that must never reach the public: the fact sheet's
# "(?)", its seed and source numbering, and the words for our own working files.
INTERNAL = re.compile(
    r"\(\?\)|\bseed\b|faktaark|fact ?sheet|\baudit|bergen-facts|\[S\d+\]|\bS\d{1,3}\b",
    re.IGNORECASE,
)
# Crawled page paths that are not part of the public record.
NOT_PUBLIC = (
    "/admin/",
    "/logg-inn/",
    "/logg-ut/",
    "/passord",
    "/mine-tiltak/",
    "/gjennomgang/",
    "/static/",
    "/api/",
    # The same pages in Nynorsk and English (the language switcher's links): the
    # same data, and the English text may say "audit" in its own sense.
    "/nn/",
    "/en/",
)
CRAWL_LIMIT = 400
PLAN_2018 = "plan-for-rusfeltet-2018-2022"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _text(html: str) -> str:
    """The words a reader sees and the link targets, not the markup's own names."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _file_text(content_type: str, body: bytes) -> str:
    """The text of a downloaded file: a spreadsheet's cells, a CSV's lines. (The
    PDF is the report page's own template, crawled as HTML.)"""
    if "spreadsheetml" in content_type:
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    if content_type.startswith("application/pdf"):
        return ""
    return body.decode("utf-8", "replace")


def _crawl(client) -> dict[str, str]:
    seen: dict[str, str] = {}
    # The report is reached through a form, not a link: start from it too.
    queue = ["/"] + [
        reverse("measures:plan-report", kwargs=plan.url_kwargs()) + query
        for plan in Plan.objects.select_related("municipality")
        for query in ("", "?grunnlag=publisert")
    ]
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        if not response["Content-Type"].startswith("text/html"):
            body = (
                b"".join(response.streaming_content)
                if response.streaming
                else response.content
            )
            seen[path] = _file_text(response["Content-Type"], body)
            continue
        seen[path] = response.text
        parser = _Links()
        parser.feed(response.text)
        for href in parser.hrefs:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc and parts.netloc != "testserver":
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not target.startswith("/") or target.startswith(NOT_PUBLIC):
                continue
            if "page=" in target or "sort=" in target or "?goal=" in target:
                continue  # the same rows in another order or slice
            if target not in seen:
                queue.append(target)
    return seen


def _api_lists(client) -> dict[str, str]:
    names = [
        "api:plan-list",
        "api:goal-list",
        "api:measure-list",
        "api:partner-list",
        "api:district-list",
        "api:status-update-list",
        "api:indicator-list",
        "api:indicator-value-list",
        "api:budget-line-list",
    ]
    texts = {}
    for name in names:
        response = client.get(reverse(name), {"page_size": 500})
        assert response.status_code == 200, name
        texts[name] = response.content.decode()
    return texts


def test_no_internal_notation_on_any_public_page_report_export_or_api(
    client, bergen_plans
):
    pages = _crawl(client)
    assert any(
        path.startswith("/bergen/planer/") and "/rapport/" in path for path in pages
    )
    assert "/bergen/kilder/" in pages
    channels = {**{p: _text(t) for p, t in pages.items()}, **_api_lists(client)}
    for plan in Plan.objects.select_related("municipality"):
        for name in ("plan-export-csv", "plan-export-updates-csv"):
            url = reverse(f"measures:{name}", kwargs=plan.url_kwargs())
            channels[url] = b"".join(client.get(url).streaming_content).decode()

    found = {
        where: sorted(set(INTERNAL.findall(text)))
        for where, text in channels.items()
        if INTERNAL.search(text)
    }

    assert found == {}


def test_no_channel_shows_a_measure_without_a_source_as_not_started(
    client, bergen_plans
):
    """The shipped data says "not started" nowhere: no source says it of any
    measure. Measures with no sourced event show «Ingen status registrert»."""
    without = Measure.objects.filter(current_phase="")
    assert without.exists()
    assert not Measure.objects.filter(current_phase="not_started").exists()
    measure = without.first()

    page = client.get(measure.get_absolute_url()).text
    api = client.get(
        reverse("api:measure-detail", kwargs={"slug": measure.slug})
    ).json()
    csv_url = reverse("measures:plan-export-csv", kwargs=measure.plan.url_kwargs())
    rows = csv.DictReader(
        io.StringIO(
            b"".join(client.get(csv_url).streaming_content).decode("utf-8-sig")
        ),
        delimiter=";",
    )
    row = next(r for r in rows if r["slug"] == measure.slug)

    assert "Ingen status registrert" in page
    assert "Ikke startet" not in _text(page)
    assert api["status"]["phase"] is None
    assert api["status"]["status_reason"] == "no_published_update"
    assert row["phase"] == "" and row["phase_label"] == ""


def test_the_2018_plans_report_per_2020_shows_what_was_under_way_with_sources(
    client, bergen_plans
):
    plan = Plan.objects.get(slug=PLAN_2018)

    response = client.get(
        reverse("measures:plan-report", kwargs=plan.url_kwargs()),
        {"per": "2020-12-31"},
    )
    report = response.context["report"]
    html = response.text

    under_way = report.rollup.phase_count("in_progress")
    assert under_way >= 8
    assert report.rollup.phase_count("not_started") == 0
    # Everything shipped was recorded in Rusplan after 2020, and says so.
    assert report.recorded_later == report.with_update == under_way
    assert "registrert etter 31.12.2020" in html
    # Every cited number links to an entry in the source list, with its URL.
    numbers = set(re.findall(r'href="#kilde-(\d+)"', html))
    assert numbers
    for number in numbers:
        entry = re.search(rf'<li id="kilde-{number}"[^>]*>(.*?)</li>', html, re.S)
        assert entry, number
        assert re.search(r'class="source-url" href="https?://', entry.group(1))
    # "As published" on that day: nothing had been published in Rusplan yet.
    as_published = plan_report(plan=plan, day=report.day, basis=AS_PUBLISHED)
    assert as_published.with_update == 0


def test_pages_report_csv_and_api_agree_on_every_measures_phase(client, bergen_plans):
    plan = Plan.objects.get(slug=PLAN_2018)
    day = default_report_date(plan, timezone.localdate())
    today = plan_report(plan=plan, day=day)
    api = client.get(
        reverse("api:measure-list"), {"plan": plan.slug, "page_size": 500}
    ).json()["results"]
    csv_url = reverse("measures:plan-export-csv", kwargs=plan.url_kwargs())
    rows = csv.DictReader(
        io.StringIO(
            b"".join(client.get(csv_url).streaming_content).decode("utf-8-sig")
        ),
        delimiter=";",
    )

    from_csv = {row["slug"]: row["phase"] for row in rows}
    from_api = {m["slug"]: m["status"]["phase"] or "" for m in api}
    from_db = dict(plan.measures.values_list("slug", "current_phase"))
    from_report = {row["slug"]: row["current_phase"] for row in today.measures}
    assert from_csv == from_api == from_db
    # The plan ended in 2022: its report opens on 31.12.2022, and every update
    # shipped is dated before that, so the report agrees with today's status.
    assert from_report == from_db
