"""The report "status per <date>" in Chromium: accessible, and it prints."""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse

from tests.browser.axe import assert_no_axe_violations
from tests.support.requirements import need_program

pytestmark = pytest.mark.browser


@pytest.fixture
def report_path(site_data):
    from tests.factories import PublishedStatusUpdateFactory

    measure = site_data.measures.get()
    PublishedStatusUpdateFactory(
        measure=measure,
        as_of=datetime.date(2020, 10, 1),
        published_at=datetime.datetime(2020, 10, 2, tzinfo=datetime.UTC),
        summary="Tiltaket er i gang i Årstad.",
        progress=35,
    )
    return (
        reverse("measures:plan-report", kwargs=site_data.url_kwargs())
        + "?per=2020-12-31"
    )


def test_report_has_no_axe_violations(page, live_server, report_path):
    response = page.goto(live_server.url + report_path)

    assert response.status == 200
    assert page.locator("h1").inner_text() == "Testplan for rusfeltet"
    assert_no_axe_violations(page)


def test_report_with_a_bad_date_has_no_axe_violations(page, live_server, site_data):
    path = reverse("measures:plan-report", kwargs=site_data.url_kwargs())
    response = page.goto(live_server.url + path + "?per=2017-01-01")

    assert response.status == 400
    assert page.get_by_role("alert").is_visible()
    assert_no_axe_violations(page)


def test_report_prints_with_cover_and_page_numbers(
    page, live_server, report_path, tmp_path
):
    page.goto(live_server.url + report_path)

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)

    assert pdf.startswith(b"%PDF-")
    need_program("pdftotext", tool="pdftotext", package="poppler-utils")
    path = tmp_path / "print.pdf"
    path.write_bytes(pdf)
    pages = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\f")
    pages = [text for text in pages if text.strip()]
    # The cover alone on the first page, without a number; the site's menus and
    # the date form are not printed; later pages carry "n / total".
    assert "Status per 31.12.2020" in pages[0]
    assert "Sammendrag" not in pages[0]
    assert "Vis rapporten" not in "".join(pages)
    assert "Hovedmeny" not in "".join(pages)
    total = len(pages)
    assert total >= 4
    assert not re.search(rf"\b1\s*/\s*{total}\b", pages[0])
    assert re.search(rf"\b2\s*/\s*{total}\b", pages[1])
    assert re.search(rf"\b{total}\s*/\s*{total}\b", pages[-1])
    assert "Tiltaket er i gang i Årstad." in "".join(pages)
