"""The Nynorsk and English catalogues are complete, and pages render in them.

Bokmål is the source language: every msgid is Bokmål, and locale/nn and locale/en
hold the translations (`make messages`, then `make compilemessages`;
docs/development.md). The page tests need the compiled .mo files.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation as django_translation

from measures.models import Phase
from tests.factories import (
    GoalFactory,
    MeasureFactory,
    PartnerFactory,
    PlanFactory,
    PublishedStatusUpdateFactory,
)
from tests.support.requirements import need_program

LANGUAGES = ("nn", "en")
# Python-format placeholders (%(name)s, %(count)d, %(seconds).1f) and a literal %%.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|%%")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _catalogue(language: str) -> Path:
    return Path(settings.BASE_DIR, "locale", language, "LC_MESSAGES", "django.po")


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file (blocks separated by a blank line): flags, msgctxt,
    msgid, msgid_plural and msgstr by plural index, multi-line strings joined.
    Obsolete entries (#~) are all comment, so they are left out."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, field = {"flags": set(), "msgstr": {}}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                if isinstance(field, int):
                    entry["msgstr"][field] += ast.literal_eval(line)
                else:
                    entry[field] += ast.literal_eval(line)
            else:
                keyword, value = line.split(" ", 1)
                if keyword.startswith("msgstr"):
                    field = int(keyword[7:-1]) if "[" in keyword else 0
                    entry["msgstr"][field] = ast.literal_eval(value)
                else:
                    field = keyword
                    entry[keyword] = ast.literal_eval(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _messages(language: str) -> list[dict]:
    """Every entry but the header."""
    return [entry for entry in _entries(_catalogue(language)) if entry["msgid"]]


def _where(entry: dict) -> str:
    return repr(entry["msgid"][:70])


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_exists_with_its_language_in_the_header(language):
    assert _catalogue(language).is_file(), "run `make messages`"
    header = next(e for e in _entries(_catalogue(language)) if e["msgid"] == "")
    assert f"Language: {language}\n" in header["msgstr"][0]
    assert "nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]
    assert len(_messages(language)) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    untranslated = [
        _where(entry)
        for entry in _messages(language)
        if not entry["msgstr"] or not all(entry["msgstr"].values())
    ]
    fuzzy = [
        _where(entry) for entry in _messages(language) if "fuzzy" in entry["flags"]
    ]
    assert not untranslated, f"untranslated in {language}: {untranslated}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_both_forms(language):
    plurals = [entry for entry in _messages(language) if "msgid_plural" in entry]
    assert plurals
    for entry in plurals:
        assert sorted(entry["msgstr"]) == [0, 1], _where(entry)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_html_tags_match_the_source(language):
    mismatches = []
    for entry in _messages(language):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, translation in entry["msgstr"].items():
            if not translation:
                continue  # reported by the test for untranslated messages
            source = sources[min(index, 1)]
            for pattern in (PLACEHOLDER, HTML_TAG):
                if sorted(pattern.findall(source)) != sorted(
                    pattern.findall(translation)
                ):
                    mismatches.append((_where(entry), translation))
    assert not mismatches, f"{language}: {mismatches}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language, tmp_path):
    msgfmt = need_program("msgfmt", tool="gettext", package="gettext")
    result = subprocess.run(  # noqa: S603
        [
            msgfmt,
            "--check",
            "--statistics",
            "-o",
            str(tmp_path / "django.mo"),
            str(_catalogue(language)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # msgfmt counts what is left to do only when there is some.
    assert "fuzzy" not in result.stderr, result.stderr
    assert "untranslated" not in result.stderr, result.stderr


def _keys(entries: list[dict]) -> set[tuple]:
    return {
        (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
        for entry in entries
        if entry["msgid"]
    }


def test_catalogues_have_every_string_marked_in_the_code(tmp_path):
    """What `make messages` would extract now is already in the catalogues: run it
    on a copy of the tree, so that the working tree is left alone."""
    need_program("xgettext", tool="gettext", package="gettext")
    skipped = {".git", ".venv", "node_modules", "staticfiles", "var", "__pycache__"}
    base = Path(settings.BASE_DIR)
    shutil.copytree(
        base,
        tmp_path / "tree",
        ignore=lambda directory, names: [
            name
            for name in names
            if name in skipped or (name.startswith(".") and Path(directory) == base)
        ],
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "nn", "--no-obsolete"]
        + [f"--ignore={name}" for name in sorted(skipped)],
        cwd=tmp_path / "tree",
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rusplan.settings"},
        capture_output=True,
        check=True,
    )
    extracted = _keys(
        _entries(tmp_path / "tree" / "locale" / "nn" / "LC_MESSAGES" / "django.po")
    )

    missing = extracted - _keys(_messages("nn"))

    assert not missing, f"run `make messages` and translate: {sorted(missing)}"


def test_catalogues_translate_the_same_messages():
    assert _keys(_messages("nn")) == _keys(_messages("en"))


@pytest.fixture
def plan(db):
    owner = PartnerFactory(name="Bergen kommune", slug="bergen-kommune")
    plan = PlanFactory(title="Ruspolitisk handlingsplan", slug="rusplan", owner=owner)
    goal = GoalFactory(plan=plan, title="Færre overdosedødsfall")
    measure = MeasureFactory(plan=plan, title="Lavterskeltilbud", lead=owner)
    measure.goals.add(goal)
    PublishedStatusUpdateFactory(measure=measure, phase=Phase.IN_PROGRESS)
    return plan


@pytest.mark.parametrize(
    ("language", "skip_link", "heading"),
    [
        ("nb", "Hopp til hovedinnholdet", "Gjeldende planer"),
        ("nn", "Hopp til hovudinnhaldet", "Gjeldande planar"),
        ("en", "Skip to main content", "Current plans"),
    ],
)
def test_home_page_renders_in_the_language_of_the_address(
    client, plan, language, skip_link, heading
):
    # The municipality's home page: what the site's home page was before the
    # national front page.
    with django_translation.override(language):
        url = plan.municipality.get_absolute_url()

    html = client.get(url).text

    assert url == ("/bergen/" if language == "nb" else f"/{language}/bergen/")
    assert f'<html lang="{language}">' in html
    assert skip_link in html
    assert heading in html
    assert "Ruspolitisk handlingsplan" in html


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nn", ["Kort fortalt", "Mål og tiltak", "Tiltaka i planen", "Pågår"]),
        ("en", ["In brief", "Goals and measures", "Measures", "In progress"]),
    ],
)
def test_plan_page_renders_in_the_language_of_its_prefix(client, plan, language, words):
    with django_translation.override(language):
        html = client.get(plan.get_absolute_url()).text

    assert f'<html lang="{language}">' in html
    for word in words:
        assert word in html, word
    # Proper names stay as they are.
    assert "Ruspolitisk handlingsplan" in html
    assert "Bergen kommune" in html
    assert "Færre overdosedødsfall" in html


def test_english_plan_page_has_no_bokmal_headings(client, plan):
    html = client.get(f"/en{plan.get_absolute_url()}").text

    for bokmal in ("Kort fortalt", "Mål og tiltak", "Tiltakene i planen", "Pågår"):
        assert bokmal not in html, bokmal


def _home_in(client, language: str) -> str:
    with django_translation.override(language):
        url = reverse("municipality-home", kwargs={"kommune": "bergen"})
    return client.get(url).text


def test_cached_page_in_one_language_is_not_served_in_another(client, plan):
    bokmal = _home_in(client, "nb")
    english = _home_in(client, "en")
    nynorsk = _home_in(client, "nn")

    assert "Gjeldende planer" in bokmal
    assert "Current plans" in english
    assert "Gjeldande planar" in nynorsk


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "nn", "de", "en", ""])
def test_bokmal_whatever_the_browser_asks_for(client, plan, accept):
    # Many Norwegians browse in English: the service speaks Bokmål first and
    # offers the other languages in the switcher (rusplan/locale.py).
    response = client.get(plan.get_absolute_url(), headers={"accept-language": accept})

    assert '<html lang="nb">' in response.text
    assert "Kort fortalt" in response.text
    assert response["Content-Language"] == "nb"


@pytest.mark.parametrize("cookie", ["xx", "de", "", 'en-US"', "<script>", "nb"])
def test_an_unknown_or_bokmal_language_cookie_gives_bokmal(client, plan, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie

    response = client.get(plan.get_absolute_url(), headers={"accept-language": "en"})

    assert response.status_code == 200
    assert '<html lang="nb">' in response.text


def test_links_on_a_nynorsk_page_stay_in_nynorsk(client, plan):
    bokmal = plan.get_absolute_url()
    html = client.get(f"/nn{bokmal}").text

    links = set(re.findall(r'<a [^>]*href="(/[^"]*)"', html))
    # The language switcher's links to Bokmål and English, and the open-data
    # API's documentation (its language is Accept-Language), are the only ones out.
    elsewhere = {bokmal, f"/en{bokmal}", reverse("api:docs")}
    assert links - elsewhere
    assert all(link.startswith("/nn/") for link in links - elsewhere), sorted(
        link for link in links - elsewhere if not link.startswith("/nn/")
    )


def test_the_old_switcher_form_still_sets_the_language(client, plan):
    # Django's set_language, which an old page's form posts to, sends the
    # visitor to the page under the prefix; the cookie it sets is dropped there.
    bokmal = plan.get_absolute_url()
    response = client.post("/i18n/setlang/", {"language": "nn", "next": bokmal})
    page = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == f"/nn{bokmal}"
    assert '<html lang="nn">' in page.text
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""


def test_the_api_answers_in_the_language_the_client_asks_for(client):
    # A program has no switcher: the API honours Accept-Language (rusplan/locale.py).
    english = client.get("/api/v1/finnes-ikke/", headers={"accept-language": "en"})
    bokmal = client.get("/api/v1/finnes-ikke/")

    assert english.status_code == bokmal.status_code == 404
    assert english["Content-Language"] == "en"
    assert bokmal["Content-Language"] == "nb"
    assert english.json() != bokmal.json()
    assert "Accept-Language" in english["Vary"]
