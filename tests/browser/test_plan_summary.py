"""The plan page starts with the answer: for every shipped Bergen plan the summary
and the in-page navigation fit about two screens at 1280 px, and the summary holds
the measures' state counts."""

import pytest

pytestmark = pytest.mark.browser

# About two screens of 900 px, with room for a longer lead; the pages were 9,600 px
# tall with the measures last before (issue 13).
NAV_BELOW_PX = 1800


def test_every_bergen_plan_shows_summary_and_navigation_within_two_screens(
    page, live_server, bergen_data
):
    from measures.models import Plan
    from measures.selectors.public import public_plans

    plans = list(public_plans().order_by("pk"))
    assert plans, "load_bergen_plans loaded no public plans"
    assert Plan.objects.count() >= len(plans)
    for plan in plans:
        response = page.goto(live_server.url + plan.get_absolute_url())
        assert response.ok, plan.slug

        nav = page.locator('nav[aria-label="Innhold på siden"]')
        top = nav.evaluate("element => element.getBoundingClientRect().top + scrollY")
        assert top < NAV_BELOW_PX, f"{plan.slug}: navigation at {top:.0f} px"
        summary = page.locator("#sammendrag").locator("xpath=..").inner_text()
        assert "Ingen status registrert:" in summary, plan.slug
        assert "Ikke vurdert:" in summary, plan.slug
        assert "Siste statusoppdateringer" in summary, plan.slug
        for anchor in ("tiltak", "mal", "over-tid", "effekt", "budsjett", "kilder"):
            assert page.locator(f"#{anchor}").count() == 1, (plan.slug, anchor)


def test_on_a_phone_the_first_screen_reaches_the_plans_period_and_status(
    page, live_server, bergen_data
):
    from measures.selectors.public import public_plans

    page.set_viewport_size({"width": 375, "height": 812})
    for plan in public_plans().order_by("pk"):
        page.goto(live_server.url + plan.get_absolute_url())
        facts = page.locator(".page-summary .facts-inline")
        bottom = facts.evaluate("element => element.getBoundingClientRect().bottom")
        assert bottom <= 812, f"{plan.slug}: period and status end at {bottom:.0f} px"


def test_helse_bergen_lists_its_units_measure(page, live_server, bergen_data):
    from django.urls import reverse

    page.goto(
        live_server.url
        + reverse(
            "measures:partner-detail",
            kwargs={"kommune": "bergen", "slug": "helse-bergen"},
        )
    )

    table = page.locator("#tiltak").locator("xpath=..")
    assert "via Avdeling for rusmedisin" in table.inner_text()


def test_a_goal_link_opens_its_collapsed_goal(page, live_server, site_data):
    goal = site_data.goals.get()
    page.goto(f"{live_server.url}{site_data.get_absolute_url()}#mal-{goal.slug}")

    details = page.locator(f"#mal-{goal.slug}-detaljer")
    assert details.evaluate("element => element.open")
    assert page.locator(f"#mal-{goal.slug}-title").is_visible()
