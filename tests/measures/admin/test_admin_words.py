"""The admin in Norwegian: each model's own add phrase («Nytt tiltak», never
«ny tiltak»), and no English left on the main pages in nb or nn, third-party
apps included (decision 48)."""

import contextlib
import html
import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse, translate_url

from measures.models import Measure
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db

ENGLISH = [
    "Add",
    "History",
    "Import",
    "Export",
    "Select",
    "Change",
    "Delete",
    "Action",
    "Actions",
    "Filter",
    "Search",
    "Save",
    "Skip to main content",
    "Toggle theme",
    "Model name",
    "Show counts",
    "Changed by",
    "Object",
    "None",
    "Identity",
    "Timestamps",
    "Access attempts",
    "Attempt Time",
    "IP Address",
    "Otp_Totp",
    "Otp_Static",
    "Axes",
]


def visible(page: str) -> str:
    """The text a reader sees, without scripts, styles and the options of
    select boxes (data: permission names, users, partners), except the actions
    box, whose options are ours."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<select(?![^>]*name=\"action\").*?</select>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def _get(client, url: str, language: str) -> str:
    # The language is the address's prefix (decision 57).
    response = client.get(translate_url(url, language))
    # Read-only models (axes' logs, sent reminders) refuse their add page.
    if response.status_code == 403 and url.endswith("/add/"):
        return ""
    assert response.status_code == 200, url
    return visible(response.content.decode())


def _main_pages(measure) -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
    urls += [
        reverse("admin:measures_measure_change", args=[measure.pk]),
        reverse("admin:measures_measure_history", args=[measure.pk]),
        reverse("admin:measures_measure_import"),
    ]
    return urls


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_measure_changelist_and_add_page_say_nytt_tiltak(admin_client, language):
    changelist = _get(
        admin_client, reverse("admin:measures_measure_changelist"), language
    )
    add = _get(admin_client, reverse("admin:measures_measure_add"), language)
    for text in (changelist, add):
        assert "nytt tiltak" in text.lower()
        assert "ny tiltak" not in text.lower()
    # The add page's title and breadcrumb.
    assert add.startswith("Nytt tiltak |")
    assert "Tiltak › Nytt tiltak" in add


def test_models_without_their_own_phrase_get_a_gender_neutral_one(admin_client):
    text = _get(admin_client, reverse("admin:auth_group_add"), "nb")
    assert "Legg til gruppe" in text
    assert "Legg til ny" not in text


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_main_admin_pages_have_no_english(admin_client, language):
    measure = MeasureFactory()
    found = {}
    for url in _main_pages(measure):
        text = _get(admin_client, url, language)
        for phrase in ENGLISH:
            if re.search(rf"\b{re.escape(phrase)}\b", text):
                found.setdefault(phrase, []).append(url)
    assert found == {}


def test_the_page_list_covers_every_registered_model(admin_client):
    urls = _main_pages(MeasureFactory())
    assert reverse("admin:measures_measure_add") in urls
    for app_label in ("axes", "otp_totp", "otp_static", "auth", "partners"):
        assert any(f"/admin/{app_label}/" in url for url in urls)
    assert Measure in admin.site._registry
