"""The language is in the address (rusplan/locale.py, decision 57): Bokmål with no
prefix, /nn/ and /en/ for the others; the switcher is links, and the old
switcher's cookie sends a visitor to their language's address once."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

SWITCHER = re.compile(r'<nav class="language-switcher".*?</nav>', re.S)


@pytest.fixture
def plan():
    return PlanFactory(title="Plan for rusfeltet", slug="rusplan")


def old_cookie_client(language: str) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize(
    ("address", "language"),
    [("/bergen/", "nb"), ("/nn/bergen/", "nn"), ("/en/bergen/", "en")],
)
def test_the_prefix_sets_the_language(client, plan, address, language):
    response = client.get(address)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert response["Content-Language"] == language


def test_bokmal_has_no_prefix_of_its_own(client, plan):
    assert reverse("home") == "/"
    assert client.get("/nb/bergen/").status_code == 404


def test_the_api_and_the_health_check_have_no_prefix(client):
    assert reverse("api:root") == "/api/v1/"
    assert reverse("healthz") == "/healthz"
    assert client.get("/nn/api/v1/").status_code == 404
    assert client.get("/nn/healthz", follow=True).status_code == 404


def test_the_admin_and_login_follow_the_prefix(client):
    login = client.get("/en/logg-inn/")

    assert login.status_code == 200
    assert '<html lang="en">' in login.text
    assert client.get("/nn/admin/").url.startswith("/nn/admin/login/")


def test_the_switcher_links_to_this_page_in_every_language(client, plan):
    path = plan.get_absolute_url() + "?vis=alle"

    switcher = SWITCHER.search(client.get("/nn" + path).text).group(0)

    assert 'aria-label="Språk"' in switcher
    assert "<form" not in switcher
    links = re.findall(r"<a [^>]*>", switcher)
    assert len(links) == len(settings.LANGUAGES)
    assert f'href="{path}" lang="nb" hreflang="nb">' in switcher
    assert f'href="/nn{path}" lang="nn" hreflang="nn" aria-current="true">' in (
        switcher
    )
    assert f'href="/en{path}" lang="en" hreflang="en">' in switcher


def test_the_head_names_every_language_version_by_its_absolute_address(client, plan):
    html = client.get(plan.get_absolute_url()).text

    alternates = dict(
        re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', html)
    )

    assert alternates == {
        "nb": "http://testserver/bergen/planer/rusplan/",
        "nn": "http://testserver/nn/bergen/planer/rusplan/",
        "en": "http://testserver/en/bergen/planer/rusplan/",
    }


def test_a_page_with_no_translation_links_to_each_languages_front_page(client):
    html = client.get("/api/docs/").text

    switcher = SWITCHER.search(html).group(0)

    assert 'href="/nn/" lang="nn"' in switcher
    assert 'href="/en/" lang="en"' in switcher


# --- The old cookie ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["nn", "en"])
def test_the_old_cookie_redirects_once_to_the_prefixed_address(plan, language):
    client = old_cookie_client(language)

    response = client.get(plan.get_absolute_url() + "?q=a%20b&side=2")

    assert response.status_code == 302
    assert response["Location"] == (
        f"/{language}{plan.get_absolute_url()}?q=a%20b&side=2"
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert "Cookie" in response["Vary"]
    # The cookie is gone: Bokmål, chosen by a link, stays Bokmål.
    bokmal = client.get(plan.get_absolute_url())
    assert bokmal.status_code == 200
    assert '<html lang="nb">' in bokmal.text


def test_the_old_cookie_redirects_a_head_request_too(plan):
    response = old_cookie_client("nn").head(plan.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == f"/nn{plan.get_absolute_url()}"


def test_the_old_cookie_does_not_redirect_a_post(plan):
    response = old_cookie_client("nn").post(reverse("login"), {"username": "x"})

    assert response.status_code == 200
    assert '<html lang="nb">' in response.text


def test_the_old_cookie_does_not_redirect_the_api_or_the_health_check():
    client = old_cookie_client("en")

    assert client.get("/api/v1/").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_old_cookie_is_dropped_on_a_prefixed_page(plan):
    client = old_cookie_client("en")
    bokmal = plan.get_absolute_url()

    response = client.get(f"/nn{bokmal}")

    assert '<html lang="nn">' in response.text
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert response["Cache-Control"] == "private, no-store"
