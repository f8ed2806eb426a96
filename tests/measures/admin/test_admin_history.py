"""The admin's history pages in words: who made a change (a name, or the system
when a command or the loader wrote it), «–» for an empty value, labels for
choices."""

import html
import re

import pytest
from django.urls import reverse

from measures.models import StatusUpdate
from tests.factories import StatusUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db


def _visible(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _history(client, update) -> str:
    url = reverse("admin:measures_statusupdate_history", args=[update.pk])
    response = client.get(url)
    assert response.status_code == 200
    return _visible(response.content.decode().split('id="change-history"', 1)[1])


def test_history_names_people_and_the_system_and_shows_empty_values_as_a_dash(
    admin_client,
):
    # Written without a request, as the Bergen loader and commands do.
    update = StatusUpdateFactory(health="", progress=None, uncertainty="")
    reviewer = UserFactory(username="kari", first_name="Kari", last_name="Nordmann")
    update = StatusUpdate.objects.get(pk=update.pk)
    update.health = "at_risk"
    update.progress = 40
    update.reviewer = reviewer
    update._history_user = reviewer
    update.save()

    text = _history(admin_client, update)

    assert "Systemet (innlasting eller kommando)" in text
    assert "Kari Nordmann" in text
    assert "Vurdering: – → Risiko for avvik" in text
    assert "Fremdrift (%): – → 40" in text or "Fremdrift: – → 40" in text
    assert "– → Kari Nordmann" in text
    for wrong in ("None", "pk=None", "Ingen", "at_risk"):
        assert wrong not in text


def test_history_shows_the_username_when_there_is_no_full_name(admin_client):
    update = StatusUpdateFactory()
    update._history_user = UserFactory(username="uten-navn", first_name="")
    update.summary = "Ny tekst."
    update.save()
    assert "uten-navn" in _history(admin_client, update)
