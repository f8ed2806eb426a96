"""The public page cache (rusplan/page_cache.py) and the resilient Redis backend
(rusplan/cache.py): cached pages are served to anonymous visitors only, publishing
is visible on the very next request, and a Redis outage makes pages slower, not
broken.

The Redis tests use a real Redis at 127.0.0.1:6379, database 15, with a key prefix
of their own. They are skipped when no Redis answers, unless the run requires Redis
(CI=true or RUSPLAN_REQUIRE_REDIS=1: tests/support/requirements.py), which turns the
skip into a failure.
"""

import contextlib
import datetime
import logging
import socket
import uuid
from dataclasses import dataclass

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, Phase, StatusUpdate
from measures.services.plans import measure_sync_current_status
from measures.services.status_updates import status_update_publish
from measures.signals import in_bulk_write, public_data_changed, written_in_bulk
from partners.models import Membership, Partner
from rusplan import page_cache
from rusplan.release import release_id
from tests.factories import (
    SYSTEM,
    DistrictFactory,
    MeasureFactory,
    MembershipFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.support.commands import load_bergen_plans
from tests.support.requirements import need

REDIS_URL = "redis://127.0.0.1:6379/15"
OLD_SUMMARY = "Lokalene er under ombygging."
NEW_SUMMARY = "Mottaket åpnet i de nye lokalene."


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return False


@pytest.fixture
def redis_cache(settings):
    """Django's cache pointed at the real Redis, database 15."""
    import redis

    need("redis", redis_answers(), f"no Redis answers at {REDIS_URL}")
    # A prefix per test: parallel runs share database 15, so none may clear it.
    prefix = f"rusplan-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "rusplan.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@dataclass
class Site:
    measure: Measure
    submitted: StatusUpdate
    coordinator: object
    urls: dict


def build_site() -> Site:
    """One plan, one measure with a published update (progress 20 %) and a
    submitted one waiting for review (progress 87 %)."""
    owner = PartnerFactory(name="Etat for rusomsorg", slug="etat")
    # A regional partner: its page across municipalities is a national page.
    lead = PartnerFactory(
        name="Utekontakten", slug="utekontakten", kind=Partner.Kind.USER_ORGANISATION
    )
    coordinator = UserFactory(username="olivia")
    MembershipFactory(user=coordinator, partner=owner, role=Membership.Role.COORDINATOR)
    plan = PlanFactory(title="Plan for rusfeltet", slug="rusplan", owner=owner)
    measure = MeasureFactory(plan=plan, title="Nytt mottak", slug="mottak", lead=lead)
    district = DistrictFactory(name="Årstad", slug="arstad")
    measure.districts.add(district)
    PublishedStatusUpdateFactory(measure=measure, progress=20, summary=OLD_SUMMARY)
    measure_sync_current_status(actor=SYSTEM, measure=measure)
    submitted = StatusUpdateFactory(
        measure=measure,
        author=UserFactory(username="alice"),
        state=StatusUpdate.State.SUBMITTED,
        # A new phase: what the national front page shows of a plan's measures.
        phase=Phase.COMPLETED,
        progress=87,
        summary=NEW_SUMMARY,
    )
    bergen = {"kommune": plan.municipality.slug}
    urls = {
        "home": reverse("home"),
        "municipality home": plan.municipality.get_absolute_url(),
        "plan": plan.get_absolute_url(),
        "measure": measure.get_absolute_url(),
        "partner": reverse(
            "measures:partner-detail", kwargs={**bergen, "slug": lead.slug}
        ),
        "partner national": lead.get_absolute_url(),
        "district": district.get_absolute_url(),
        "measure list": reverse("measures:measure-list", kwargs=bergen) + "?q=mottak",
    }
    return Site(measure, submitted, coordinator, urls)


def shows_new_status(name: str, html: str) -> bool:
    if name == "home":  # the national front page: phases per plan
        return f"{Phase.COMPLETED.label}: 1" in html
    if name in ("measure", "municipality home"):
        return NEW_SUMMARY in html
    return "87&nbsp;%" in html


def prime(client: Client, urls: dict) -> None:
    """Render every page twice, so that the second is served from the cache."""
    for name, url in urls.items():
        client.get(url)
        response = client.get(url)
        assert response.status_code == 200, name
        assert response[page_cache.CACHE_STATUS_HEADER] == "hit", name
        assert not shows_new_status(name, response.text), name


@contextlib.contextmanager
def announcements():
    """The senders of public_data_changed while the block runs."""
    senders = []

    def receiver(sender, **kwargs):
        senders.append(sender)

    public_data_changed.connect(receiver)
    try:
        yield senders
    finally:
        public_data_changed.disconnect(receiver)


def publish_through_review_queue(site: Site) -> None:
    coordinator = Client()
    coordinator.force_login(site.coordinator)
    response = coordinator.post(
        reverse("measures:update-publish", kwargs={"pk": site.submitted.pk}),
        {"version": site.submitted.version},
    )
    assert response.status_code == 302
    site.submitted.refresh_from_db()
    assert site.submitted.state == StatusUpdate.State.PUBLISHED


# --- Serving from the cache ---------------------------------------------------------


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_cache_without_queries(
    client, django_assert_num_queries
):
    site = build_site()
    first = client.get(site.urls["plan"])

    with django_assert_num_queries(0):
        second = client.get(site.urls["plan"])

    assert first[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert second[page_cache.CACHE_STATUS_HEADER] == "hit"
    assert second.content == first.content


@pytest.mark.django_db
def test_each_language_has_its_own_cached_page(client):
    site = build_site()
    client.get(site.urls["measure"])

    english = client.get("/en" + site.urls["measure"])
    bokmal = client.get(site.urls["measure"])

    assert english[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert '<html lang="en">' in english.text
    assert bokmal[page_cache.CACHE_STATUS_HEADER] == "hit"
    assert '<html lang="nb">' in bokmal.text


@pytest.mark.django_db
def test_query_string_is_part_of_the_cached_page(client):
    build_site()
    list_url = reverse("measures:measure-list", kwargs={"kommune": "bergen"})
    client.get(list_url + "?q=mottak")

    other = client.get(list_url + "?q=finnes-ikke")
    same = client.get(list_url + "?q=mottak")

    assert other[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert "Nytt mottak" not in other.text
    assert same[page_cache.CACHE_STATUS_HEADER] == "hit"
    assert "Nytt mottak" in same.text


@pytest.mark.django_db
def test_logged_in_users_are_never_served_from_cache(client):
    site = build_site()
    Client().get(site.urls["plan"])
    client.force_login(site.coordinator)

    response = client.get(site.urls["plan"])

    assert page_cache.CACHE_STATUS_HEADER not in response
    assert "Logg ut (olivia)" in response.text
    assert response["Cache-Control"] == "private, no-store"
    # ... and what they saw is not served to the next anonymous visitor.
    assert "olivia" not in Client().get(site.urls["plan"]).text


@pytest.mark.django_db
def test_post_to_a_public_page_is_not_served_from_cache(client):
    site = build_site()
    client.get(site.urls["home"])

    response = client.post(site.urls["home"])

    assert page_cache.CACHE_STATUS_HEADER not in response


@pytest.mark.django_db
def test_visitor_with_a_waiting_message_gets_a_fresh_page_with_the_message(client):
    site = build_site()
    client.get(site.urls["home"])
    carrier = HttpResponse()
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(messages.INFO, "Du er logget ut.")
    storage.update(carrier)
    client.cookies[CookieStorage.cookie_name] = carrier.cookies[
        CookieStorage.cookie_name
    ].value

    response = client.get(site.urls["home"])

    assert "Du er logget ut." in response.text
    assert page_cache.CACHE_STATUS_HEADER not in response
    assert "Du er logget ut." not in Client().get(site.urls["home"]).text


@pytest.mark.django_db
def test_missing_page_is_not_cached(client):
    missing = reverse(
        "measures:plan-detail", kwargs={"kommune": "bergen", "slug": "finnes-ikke"}
    )
    client.get(missing)

    response = client.get(missing)

    assert response.status_code == 404
    assert page_cache.CACHE_STATUS_HEADER not in response
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_page_from_the_cache_carries_the_same_http_cache_headers(client):
    site = build_site()

    first, second = client.get(site.urls["home"]), client.get(site.urls["home"])

    assert second[page_cache.CACHE_STATUS_HEADER] == "hit"
    for name in ("Cache-Control", "ETag", "Content-Language"):
        assert first[name] == second[name], name
    assert first["Cache-Control"].startswith("public")
    # The language is in the address, not the browser's Accept-Language; a
    # session cookie (someone logged in) makes it another response.
    assert "Accept-Language" not in first["Vary"]
    assert "Cookie" in first["Vary"]


@pytest.mark.django_db
def test_a_new_release_is_a_new_page(client, settings):
    site = build_site()
    client.get(site.urls["plan"])
    settings.RUSPLAN_RELEASE = "next"
    release_id.cache_clear()

    try:
        response = client.get(site.urls["plan"])
    finally:
        release_id.cache_clear()

    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"


@pytest.mark.django_db
def test_a_stored_page_does_not_outlive_the_day(client, monkeypatch):
    # Pages say what is due and what changed relative to today.
    site = build_site()
    assert client.get(site.urls["plan"])[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert client.get(site.urls["plan"])[page_cache.CACHE_STATUS_HEADER] == "hit"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    response = client.get(site.urls["plan"])

    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"


@pytest.mark.django_db
def test_workflow_pages_are_private_and_not_stored(client):
    site = build_site()
    client.force_login(site.coordinator)

    response = client.get(reverse("measures:review-queue"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- Fresh after publishing -------------------------------------------------------


@pytest.mark.django_db
def test_publishing_is_visible_on_the_next_request_inside_a_transaction(client):
    """Tests never commit; the immediate bump keeps pages fresh even so."""
    site = build_site()
    prime(client, site.urls)

    status_update_publish(
        actor=SYSTEM, update=site.submitted, reviewer=site.coordinator
    )

    for name, url in site.urls.items():
        response = client.get(url)
        assert response[page_cache.CACHE_STATUS_HEADER] == "miss", name
        assert shows_new_status(name, response.text), name


@pytest.mark.parametrize(
    "backend", ["locmem", pytest.param("redis", marks=pytest.mark.redis)]
)
@pytest.mark.django_db(transaction=True)
def test_publishing_makes_every_affected_page_fresh_on_the_next_request(
    backend, client, request
):
    if backend == "redis":
        request.getfixturevalue("redis_cache")
    site = build_site()
    prime(client, site.urls)

    publish_through_review_queue(site)

    for name, url in site.urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert shows_new_status(name, response.text), name


SCOPE = page_cache.MUNICIPALITY_SCOPE + "bergen"


@pytest.mark.django_db(transaction=True)
def test_commit_moves_the_generation_on_again():
    """A page rendered by another request from data not yet committed is stored
    under the generation current during the transaction; the commit leaves it."""
    site = build_site()

    with transaction.atomic():
        status_update_publish(
            actor=SYSTEM, update=site.submitted, reviewer=site.coordinator
        )
        during = page_cache.current_generation(SCOPE)
    after = page_cache.current_generation(SCOPE)

    assert after > during


@pytest.mark.django_db
def test_writes_to_non_public_models_keep_the_cached_pages(client):
    site = build_site()
    client.get(site.urls["home"])

    MembershipFactory(user=UserFactory(), partner=site.measure.plan.owner)
    response = client.get(site.urls["home"])

    assert response[page_cache.CACHE_STATUS_HEADER] == "hit"


@pytest.mark.django_db
def test_saving_and_submitting_an_unpublished_update_keeps_the_cached_pages(client):
    site = build_site()
    client.get(site.urls["measure"])

    StatusUpdateFactory(measure=site.measure, summary="Et utkast.")
    site.submitted.summary = "Rettet før gjennomgang."
    site.submitted.save()
    response = client.get(site.urls["measure"])

    assert response[page_cache.CACHE_STATUS_HEADER] == "hit"


@pytest.mark.django_db
def test_unpublishing_or_deleting_a_published_update_makes_pages_fresh(client):
    site = build_site()
    published = StatusUpdate.objects.get(summary=OLD_SUMMARY)
    client.get(site.urls["measure"])

    published.state = StatusUpdate.State.DRAFT  # an administrator's correction
    published.save()
    after_edit = client.get(site.urls["measure"])
    published.delete()
    after_delete = client.get(site.urls["measure"])

    assert after_edit[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert after_delete[page_cache.CACHE_STATUS_HEADER] == "miss"


@pytest.mark.django_db
def test_changing_a_measures_districts_makes_pages_fresh(client):
    site = build_site()
    client.get(site.urls["measure"])

    site.measure.districts.add(DistrictFactory(name="Fana", slug="fana"))
    response = client.get(site.urls["measure"])

    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert "Fana" in response.text


@pytest.mark.django_db
def test_a_bulk_write_makes_every_page_fresh_once_at_its_end(client):
    """written_in_bulk() (the shipped data's loader): saves inside the block are
    not traced one by one; the block's end makes every page stale."""
    site = build_site()
    prime(client, site.urls)
    with announcements() as announced, written_in_bulk(sender="a test"):
        with written_in_bulk(sender="an inner block"):
            site.measure.title = "Nytt mottak i Sentrum"
            site.measure.save()
        site.measure.districts.add(DistrictFactory(name="Fana", slug="fana"))
        during = client.get(site.urls["measure"])

    assert during[page_cache.CACHE_STATUS_HEADER] == "hit"
    assert announced == ["a test"]
    for name, url in site.urls.items():
        response = client.get(url)
        assert response[page_cache.CACHE_STATUS_HEADER] == "miss", name
    assert "Nytt mottak i Sentrum" in client.get(site.urls["measure"]).text


@pytest.mark.django_db
def test_a_bulk_write_that_fails_still_announces_itself_and_ends(client):
    site = build_site()
    prime(client, site.urls)
    with (
        announcements() as announced,
        pytest.raises(RuntimeError),
        written_in_bulk(sender="a failed load"),
    ):
        site.measure.title = "Halvveis"
        site.measure.save()
        raise RuntimeError("the file has an error")

    assert announced == ["a failed load"]
    assert not in_bulk_write()
    response = client.get(site.urls["measure"])
    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"


@pytest.mark.django_db
def test_loading_the_shipped_data_makes_every_page_fresh_once(client):
    """The page would be fresh with the saves traced one by one too (each
    reaches the national pages); that the loader announces itself once, and
    only once, is what shows it runs in written_in_bulk()."""
    client.get(reverse("home"))
    assert client.get(reverse("home"))[page_cache.CACHE_STATUS_HEADER] == "hit"
    with announcements() as announced:
        load_bergen_plans()

    assert announced == ["measures.data.loading.loader"]
    response = client.get(reverse("home"))
    assert response[page_cache.CACHE_STATUS_HEADER] == "miss"
    assert "Bergen" in response.text


@pytest.mark.django_db
def test_evicted_generation_starts_above_every_earlier_one():
    first = page_cache.current_generation()
    page_cache.content_changed()
    cache.delete(page_cache.GENERATION_KEY)

    assert page_cache.current_generation() > first + 1


# --- Redis down ---------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    port = closed_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "rusplan.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
    }
    return port


@pytest.mark.django_db
def test_pages_render_when_the_cache_url_points_at_a_closed_port(redis_down, client):
    site = build_site()

    for name, url in site.urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert response[page_cache.CACHE_STATUS_HEADER] == "miss", name


@pytest.mark.django_db
def test_publishing_works_when_redis_is_down(redis_down, client):
    site = build_site()

    publish_through_review_queue(site)

    assert shows_new_status("measure", client.get(site.urls["measure"]).text)


@pytest.mark.django_db
def test_redis_outage_is_logged_once_not_per_request(redis_down, client, caplog):
    site = build_site()
    caplog.set_level(logging.WARNING, logger="rusplan.cache")

    for _ in range(3):
        client.get(site.urls["home"])

    warnings = [r for r in caplog.records if r.name == "rusplan.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


def test_resilient_cache_treats_an_unreachable_redis_as_misses(redis_down):
    assert cache.set("key", "value") is None
    assert cache.get("key", "default") == "default"
    assert cache.add("key", "value") is False
    assert cache.get_many(["key"]) == {}
    with pytest.raises(ValueError):
        cache.incr("key")


@pytest.mark.redis
def test_resilient_cache_stores_and_reads_in_a_real_redis(redis_cache):
    cache.set("key", {"a": 1})
    cache.add("counter", 41)

    assert cache.get("key") == {"a": 1}
    assert cache.incr("counter") == 42
