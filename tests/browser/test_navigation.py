"""Keyboard, small-screen and language behaviour in a real browser."""

import re

import pytest

pytestmark = pytest.mark.browser

SKIP_LINK_NB = "Hopp til hovedinnholdet"


def test_bootstrap_stylesheet_loads(page, live_server, site_data):
    stylesheets = {}
    page.on(
        "response",
        lambda response: (
            stylesheets.__setitem__(response.url, response.status)
            if response.url.endswith(".css")
            else None
        ),
    )

    page.goto(live_server.url + "/")

    bootstrap = [url for url in stylesheets if "vendor/bootstrap" in url]
    assert bootstrap, f"no Bootstrap stylesheet requested: {sorted(stylesheets)}"
    assert all(stylesheets[url] == 200 for url in bootstrap), stylesheets
    # Bootstrap's reboot sets the system font stack on <body>.
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "system-ui" in font


def test_page_does_not_scroll_sideways_at_320_px(
    page, live_server, site_data, public_path
):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(live_server.url + public_path)

    widths = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth,
                   client: document.documentElement.clientWidth})"""
    )
    assert widths["scroll"] <= widths["client"], (
        f"{public_path} is {widths['scroll']} px wide in a {widths['client']} px "
        "viewport"
    )


FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), "
    "[tabindex]:not([tabindex='-1'])"
)


def test_skip_link_is_first_stop_and_moves_focus_to_main(
    page, live_server, site_data, public_path
):
    page.goto(live_server.url + public_path)
    skip_link = page.locator("a[href='#main']").first

    first = page.evaluate(
        "selector => document.querySelector(selector).getAttribute('href')",
        FOCUSABLE,
    )
    assert first == "#main", "the skip link is not the first focusable element"
    # Decided by the markup, not by document.activeElement: the browser applies
    # `autofocus` some time after the load event, so reading the focus straight
    # after page.goto() raced it (CI once pressed Tab just before the login
    # field took focus).
    autofocus_in_main = page.evaluate(
        "() => { const field = document.querySelector('[autofocus]');"
        " return field === null ? null : field.closest('#main') !== null; }"
    )
    if autofocus_in_main is None:
        page.keyboard.press("Tab")
        assert skip_link.evaluate("link => link === document.activeElement")
    else:
        # A form that focuses its first field (the login page) skips the skip link
        # on purpose; that field must then be in the main content.
        assert autofocus_in_main, "a field outside <main> takes focus on page load"
        skip_link.focus()
    assert skip_link.bounding_box()["width"] > 1, "the focused skip link is hidden"

    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def _switch_language(page, name: str) -> None:
    """Follow the switcher's link by keyboard, as someone without a mouse would."""
    switcher = page.get_by_role("navigation", name=re.compile("Språk|Language"))
    switcher.get_by_role("link", name=name, exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_language_switcher_changes_page_language(page, live_server, site_data):
    from django.urls import reverse

    # A municipality's front page: its menu has «Alle tiltak».
    bergen = reverse("municipality-home", kwargs={"kommune": "bergen"})
    page.goto(live_server.url + bergen)
    skip_link = page.locator("a[href='#main']").first
    assert page.locator("html").get_attribute("lang") == "nb"
    assert skip_link.text_content().strip() == SKIP_LINK_NB

    _switch_language(page, "norsk (nynorsk)")
    assert page.url == f"{live_server.url}/nn{bergen}"
    assert page.locator("html").get_attribute("lang") == "nn"
    assert skip_link.text_content().strip() == "Hopp til hovudinnhaldet", (
        "not translated to nn (make compilemessages?)"
    )
    current = page.locator(".language-switcher a[aria-current=true]")
    assert current.get_attribute("hreflang") == "nn"

    _switch_language(page, "English")
    assert page.url == f"{live_server.url}/en{bergen}"
    assert page.locator("html").get_attribute("lang") == "en"
    assert skip_link.text_content().strip() == "Skip to main content", (
        "not translated to en (make compilemessages?)"
    )
    assert page.get_by_role("link", name="All measures").first.is_visible()

    _switch_language(page, "norsk (bokmål)")
    assert page.url == live_server.url + bergen
    assert page.locator("html").get_attribute("lang") == "nb"
    assert skip_link.text_content().strip() == SKIP_LINK_NB
