"""The admin's import pages in a real browser: upload, preview, confirm, under the
site's CSP (import-export's script picks the format from the file name), each
page checked with axe; with the real job queue, the progress page, whose script
polls the job's status and shows the preview when the job has run."""

import pytest
from django.utils import timezone

from tests.browser.axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-hest-batteri-stift"


@pytest.fixture
def import_data(transactional_db, settings):
    from measures.services.indicator_values import indicator_value_record_published
    from tests.factories import SYSTEM, IndicatorFactory, SourceFactory, UserFactory

    settings.RUSPLAN_REQUIRE_OTP = False
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    indicator = IndicatorFactory(slug="overdosedodsfall")
    indicator_value_record_published(
        actor=SYSTEM,
        indicator=indicator,
        year=2019,
        value=27,
        sources=[SourceFactory(url=FHI, publisher="FHI")],
    )
    return indicator


FHI = "https://www.fhi.no/tall"


def _csv(*rows: str) -> bytes:
    header = "indicator;period_type;year;number;value;source_urls"
    return ("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def test_admin_import_pages_work_under_the_csp_and_pass_axe(
    page, live_server, import_data
):
    from measures.models import IndicatorValue

    errors = []
    page.on(
        "console",
        lambda m: errors.append(page.url + " " + m.text) if m.type == "error" else None,
    )

    def check():
        """No CSP violation by the page; then axe (whose own checks apply inline
        styles, which the CSP reports: those are not the page's)."""
        assert not [e for e in errors if "Content Security Policy" in e], errors
        assert_no_axe_violations(page)
        errors.clear()

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto(live_server.url + "/admin/measures/indicatorvalue/")
    page.click("a.import_link")
    assert page.url.endswith("/admin/measures/indicatorvalue/import/")
    check()

    page.set_input_files(
        "#id_import_file",
        {
            "name": "verdier.csv",
            "mimeType": "text/csv",
            "buffer": _csv(f"overdosedodsfall;year;2019;1;x;{FHI}"),
        },
    )
    # guess_format.js (a file, allowed by the CSP) chose the format.
    assert page.eval_on_selector("#id_format", "el => el.selectedOptions[0].text") == (
        "csv"
    )
    page.click("input[type=submit][value='Prøvekjør']")
    page.locator("table.rusplan-import-errors").wait_for()
    check()
    page.click("text=Last opp en rettet fil")

    page.set_input_files(
        "#id_import_file",
        {
            "name": "verdier.csv",
            "mimeType": "text/csv",
            "buffer": _csv(
                f"overdosedodsfall;year;2019;1;26;{FHI}",
                f"overdosedodsfall;year;{timezone.localdate().year - 1};1;30;{FHI}",
            ),
        },
    )
    page.click("input[type=submit][value='Prøvekjør']")
    page.locator("input[name=confirm]").wait_for()
    assert page.locator("table.import-preview del").first.inner_text() == "27"
    check()

    page.click("input[name=confirm]")
    page.locator("p.success").wait_for()
    assert "/admin/measures/indicatorvalue/import/jobb/" in page.url
    assert "Importen er fullført" in page.locator("p.success").inner_text()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    published = IndicatorValue.objects.filter(state="published")
    assert sorted(published.values_list("value", flat=True)) == [26, 30]


def test_the_progress_page_follows_the_job_on_the_real_queue(
    page, live_server, import_data, job_queue
):
    from measures.models import IndicatorValue

    errors = []
    page.on(
        "console",
        lambda m: errors.append(page.url + " " + m.text) if m.type == "error" else None,
    )
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/measures/indicatorvalue/import/")
    last_year = timezone.localdate().year - 1
    page.set_input_files(
        "#id_import_file",
        {
            "name": "verdier.csv",
            "mimeType": "text/csv",
            "buffer": _csv(f"overdosedodsfall;year;{last_year};1;30;{FHI}"),
        },
    )
    page.click("input[type=submit][value='Prøvekjør']")

    # Queued: the bar, its text in a polite live region, a link without script.
    bar = page.locator("progress#import-progress")
    bar.wait_for()
    text = page.locator("#import-progress-text")
    assert text.get_attribute("aria-live") == "polite"
    assert text.inner_text() == "I kø: venter på en ledig arbeider."
    assert page.get_by_role("link", name="Oppdater", exact=True).is_visible()
    page.set_viewport_size({"width": 320, "height": 800})
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_no_axe_violations(page)
    errors.clear()  # axe's own inline styles, not the page's
    page.set_viewport_size({"width": 1280, "height": 900})
    focused = page.evaluate("document.activeElement.tagName")

    job_queue.run()

    # The script sees the job done and shows the preview, without a click.
    page.locator("input[name=confirm]").wait_for()
    assert "30" in page.locator("table.import-preview ins").all_inner_texts()
    assert focused == "BODY"  # nothing took the focus meanwhile
    page.click("input[name=confirm]")
    page.locator("#import-progress-text").wait_for()
    assert IndicatorValue.objects.filter(year=last_year).count() == 0
    job_queue.run()
    page.locator("p.success").wait_for()
    assert "Importen er fullført" in page.locator("p.success").inner_text()
    assert IndicatorValue.objects.get(year=last_year).value == 30
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert_no_axe_violations(page)
