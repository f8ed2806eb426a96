"""WCAG 2.1 A/AA checks with axe-core in a real browser."""

import pytest

from tests.browser.axe import assert_no_axe_violations

pytestmark = pytest.mark.browser


def test_public_page_has_no_axe_violations(page, live_server, site_data, public_path):
    response = page.goto(live_server.url + public_path)

    assert response.ok, f"{public_path} answered {response.status}"
    assert_no_axe_violations(page)


def test_admin_login_has_no_axe_violations(page, live_server, transactional_db):
    response = page.goto(live_server.url + "/admin/login/")

    assert response.ok
    assert_no_axe_violations(page)


def test_bergen_pages_have_no_axe_violations(page, live_server, bergen_data):
    from django.urls import reverse

    from measures.models import Plan
    from partners.models import Partner

    plans = list(
        Plan.objects.select_related("municipality", "owner")
        .prefetch_related("measures")
        .order_by("pk")
    )
    assert plans, "load_bergen_plans loaded no plans"
    bergen = {"kommune": "bergen"}
    urls = [
        reverse("home"),
        reverse("municipality-home", kwargs=bergen),
        reverse("measures:source-list", kwargs=bergen),
    ]
    for plan in plans:
        urls.append(plan.get_absolute_url())
        for name in ("plan-sources", "plan-indicators", "plan-report"):
            urls.append(reverse(f"measures:{name}", kwargs=plan.url_kwargs()))
        first_measure = plan.measures.first()
        if first_measure is not None:
            urls.append(first_measure.get_absolute_url())
        urls.append(
            reverse(
                "measures:partner-detail",
                kwargs={**bergen, "slug": plan.owner.slug},
            )
        )
    # The regional partners (police district, health trusts) across municipalities.
    regional = Partner.objects.filter(municipality=None).order_by("pk")
    assert regional, "load_bergen_plans loaded no regional partner"
    urls += [partner.get_absolute_url() for partner in regional]

    for url in dict.fromkeys(urls):
        response = page.goto(live_server.url + url)
        assert response.ok, f"{url} answered {response.status}"
        assert response.url == live_server.url + url, f"{url} redirected"
        assert_no_axe_violations(page)
