"""A caseworker's first login with a second factor, in a real browser: password,
enrolment (the QR code, the key typed out, a code from the app), recovery codes,
then Mine tiltak; later a login with a code. Every page axe-clean, used with the
keyboard only, and without sideways scrolling at 320 px."""

import base64
import re

import pytest
from django_otp.oath import TOTP

from tests.browser.axe import assert_no_axe_violations

pytestmark = pytest.mark.browser

PASSWORD = "korrekt-hest-batteri-stift"  # tests/factories.py


def _url(live_server, path: str) -> str:
    return live_server.url + path


def _focused(page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id})")


def _check(page, what: str) -> None:
    """axe-core finds nothing, and nothing scrolls sideways at 320 px."""
    assert_no_axe_violations(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(size)
    assert width <= 320, f"{what} is {width} px wide in a 320 px viewport"


def _code_from_key(typed_key: str) -> str:
    """What an authenticator app shows for the key as the page types it out."""
    key = base64.b32decode(typed_key.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def _type_into_focused_field_and_submit(page, text: str) -> None:
    page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_first_login_enrols_an_app_shows_recovery_codes_then_mine_tiltak(
    page, live_server, world, settings
):
    settings.RUSPLAN_REQUIRE_OTP = True
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(_url(live_server, "/logg-inn/?next=/mine-tiltak/"))
    assert _focused(page)["id"] == "id_username"
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    _type_into_focused_field_and_submit(page, PASSWORD)

    assert page.url.startswith(_url(live_server, "/logg-inn/ny-app/"))
    assert page.locator("h1").inner_text() == "Ta i bruk en autentiseringsapp"
    qr = page.locator("img.enrol-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert qr.bounding_box()["width"] <= 320
    _check(page, "the enrolment page")

    # Keyboard only: Tab from the top of the page to the code field.
    key = page.locator("code.enrol-key").inner_text()
    for _ in range(40):
        page.keyboard.press("Tab")
        if _focused(page)["id"] == "id_code":
            break
    else:
        raise AssertionError("the code field never got focus")
    page.keyboard.type("000000" if _code_from_key(key) != "000000" else "111111")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Koden stemmer ikke" in page.locator("main").inner_text()
    _check(page, "the enrolment page with an error")

    page.locator("#id_code").fill("")
    page.locator("#id_code").focus()
    # django-otp waits a second after a wrong code before it checks another.
    page.wait_for_timeout(1100)
    _type_into_focused_field_and_submit(page, _code_from_key(key))

    assert page.url.startswith(_url(live_server, "/konto/reservekoder/"))
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    _check(page, "the recovery codes")

    link = page.get_by_role("link", name=re.compile("fortsett"))
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == _url(live_server, "/mine-tiltak/")
    assert page.locator("h1").inner_text() == "Mine tiltak"


def test_a_later_login_asks_for_a_code(page, live_server, world, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.RUSPLAN_REQUIRE_OTP = True
    device = TOTPDevice.objects.create(user=world.alice, name="Telefon")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(_url(live_server, "/mine-tiltak/"))
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()

    assert page.url.startswith(_url(live_server, "/logg-inn/kode/"))
    assert page.locator("h1").inner_text() == "Skriv inn koden"
    _check(page, "the code page")
    page.locator("#id_code").focus()
    _type_into_focused_field_and_submit(page, f"{TOTP(device.bin_key).token():06d}")

    assert page.url == _url(live_server, "/mine-tiltak/")
