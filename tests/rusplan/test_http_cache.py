"""Public responses any HTTP cache can keep (rusplan/http_cache.py, decision 57):
the same bytes for every anonymous visitor, Cache-Control public with s-maxage, a
weak ETag from the content version, and 304 without rendering."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.measures.public.test_public_pages import public_urls
from tests.support.worlds import build_public_world

pytestmark = pytest.mark.django_db


def every_public_url(world) -> dict[str, str]:
    """The public pages' tests' addresses, and the other public responses."""
    plan_kwargs = {"kommune": world.plan.municipality.slug, "slug": world.plan.slug}
    measure = world.measures[0]
    return {
        **public_urls(world),
        "national home": reverse("home"),
        "nynorsk plan": "/nn" + world.plan.get_absolute_url(),
        "national search": reverse("measures:national-search") + "?q=tiltak",
        "report": reverse("measures:plan-report", kwargs=plan_kwargs)
        + "?per=2024-12-31",
        "report pdf": reverse("measures:plan-report-pdf", kwargs=plan_kwargs),
        "csv export": reverse("measures:plan-export-csv", kwargs=plan_kwargs),
        "xlsx export": reverse("measures:plan-export-xlsx", kwargs=plan_kwargs),
        "site csv export": reverse(
            "measures:export-updates-csv", kwargs={"kommune": plan_kwargs["kommune"]}
        ),
        "api root": reverse("api:root"),
        "api docs": reverse("api:docs"),
        "api list": reverse("api:measure-list") + "?municipality=bergen",
        "api detail": reverse("api:measure-detail", kwargs={"slug": measure.slug})
        + "?municipality=bergen",
    }


# Rendered again for each visitor with a timestamp of its own inside.
NOT_BYTE_FOR_BYTE = {"report pdf", "xlsx export"}
ANSWERED_304 = ["plan", "nynorsk plan", "csv export", "api list", "report"]


@pytest.fixture
def world():
    return build_public_world()


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_every_public_response_is_the_same_for_every_visitor(world):
    for name, url in every_public_url(world).items():
        first, second = Client().get(url), Client().get(url)

        assert first.status_code == second.status_code == 200, name
        if name not in NOT_BYTE_FOR_BYTE:
            assert body(first) == body(second), name
        assert not first.cookies and not second.cookies, name
        assert cache_control(first) == {
            "public",
            "max-age=0",
            f"s-maxage={settings.RUSPLAN_SHARED_CACHE_SECONDS}",
        }, name
        assert first["ETag"].startswith('W/"'), name
        assert first["ETag"] == second["ETag"], name
        # A logged-in visitor's session cookie makes it another response.
        assert "Cookie" in first["Vary"], name
        assert b"csrfmiddlewaretoken" not in body(first), name


def test_the_shared_cache_time_is_a_setting(world, settings):
    settings.RUSPLAN_SHARED_CACHE_SECONDS = 30

    response = Client().get(world.plan.get_absolute_url())

    assert cache_control(response) == {"public", "max-age=0", "s-maxage=30"}


@pytest.mark.parametrize("page_cache_seconds", [300, 0])
@pytest.mark.parametrize("name", ANSWERED_304)
def test_a_conditional_get_with_the_etag_answers_304_without_a_query(
    world, settings, django_assert_num_queries, name, page_cache_seconds
):
    settings.RUSPLAN_PAGE_CACHE_SECONDS = page_cache_seconds
    url = every_public_url(world)[name]
    client = Client()
    tag = client.get(url)["ETag"]

    with django_assert_num_queries(0):
        response = client.get(url, headers={"if-none-match": tag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == tag
    assert "public" in response["Cache-Control"]


def test_a_head_request_with_the_etag_answers_304(world):
    url = world.plan.get_absolute_url()
    tag = Client().get(url)["ETag"]

    response = Client().head(url, headers={"if-none-match": f'"x", {tag}'})

    assert response.status_code == 304


def test_the_api_304_varies_as_its_200_does(world):
    url = every_public_url(world)["api list"]
    full = Client().get(url)

    revalidated = Client().get(url, headers={"if-none-match": full["ETag"]})

    assert revalidated.status_code == 304
    vary = {part.strip() for part in revalidated["Vary"].split(",")}
    assert "Accept-Language" in vary
    assert vary == {part.strip() for part in full["Vary"].split(",")}


def test_each_language_has_its_own_etag(world):
    bokmal = Client().get(world.plan.get_absolute_url())

    nynorsk = Client().get(
        "/nn" + world.plan.get_absolute_url(),
        headers={"if-none-match": bokmal["ETag"]},
    )

    assert nynorsk.status_code == 200
    assert nynorsk["ETag"] != bokmal["ETag"]


def test_a_publish_changes_the_etag_and_the_old_one_gets_the_new_page(world):
    url = world.plan.get_absolute_url()
    before = Client().get(url)["ETag"]
    measure = world.measures[0]
    measure.title = "Nytt navn på tiltaket"
    measure.save()  # the page cache's receiver bumps the generation

    response = Client().get(url, headers={"if-none-match": before})

    assert response.status_code == 200
    assert response["ETag"] != before
    assert "Nytt navn på tiltaket" in response.text


def test_a_new_day_changes_the_etag(world, monkeypatch):
    import datetime

    from django.utils import timezone

    url = world.plan.get_absolute_url()
    today = Client().get(url)["ETag"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert Client().get(url, headers={"if-none-match": today}).status_code == 200


def test_a_logged_in_user_gets_a_private_page_with_no_etag(world):
    url = world.plan.get_absolute_url()
    tag = Client().get(url)["ETag"]
    client = Client()
    client.force_login(UserFactory(username="olivia"))

    response = client.get(url, headers={"if-none-match": tag})

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_public_page_that_sets_a_cookie_is_private(world):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # dropped on the way

    response = client.get("/nn" + world.plan.get_absolute_url())

    assert response.cookies
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response


def test_a_post_to_a_public_address_is_not_answered_304(world):
    url = world.plan.get_absolute_url()
    tag = Client().get(url)["ETag"]

    response = Client().post(url, headers={"if-none-match": tag})

    assert response.status_code != 304
    assert "ETag" not in response
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_public_address_answers_only_reads(world, method):
    """A write to a public page is refused with 405 and the methods it takes, for
    a visitor and a logged-in editor alike (the test client sends no CSRF check,
    as a form with a valid token would pass it): never a page rendered as for a
    GET, which no cache keeps."""
    editor = Client()
    editor.force_login(UserFactory())
    for name, url in every_public_url(world).items():
        for client in (Client(), editor):
            response = getattr(client, method)(url, {"phase": "done"})

            assert response.status_code == 405, (name, method)
            assert "GET" in response["Allow"], (name, method)
            assert "POST" not in response["Allow"], (name, method)
            assert "ETag" not in response, (name, method)


def test_a_public_page_still_answers_head(world):
    response = Client().head(world.plan.get_absolute_url())

    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')


def test_a_missing_page_is_private_with_no_etag(client):
    response = client.get("/bergen/planer/finnes-ikke/")

    assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store"
    assert "ETag" not in response
