"""The hand-kept catalogue of third-party msgids (locale_overrides/, decision 48):
`make messages` leaves it alone, and it never holds one of our own msgids (those
are Bokmål, in locale/, which comes first and would hide it)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.support.requirements import need_program

BASE = Path(settings.BASE_DIR)
SKIPPED = {".git", ".venv", "node_modules", "staticfiles", "var", "__pycache__"}


def _msgids(path: Path) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', path.read_text(), re.M))


def _override(language: str) -> Path:
    return BASE / "locale_overrides" / language / "LC_MESSAGES" / "django.po"


def test_overrides_come_after_our_own_catalogue():
    assert settings.LOCALE_PATHS == [BASE / "locale", BASE / "locale_overrides"]


@pytest.mark.parametrize(
    ("language", "msgid", "expected"),
    [
        ("nb", "Skip to main content", "Gå til hovedinnholdet"),
        ("nb", "Add %(name)s", "Legg til %(name)s"),
        ("nn", "Skip to main content", "Gå til hovudinnhaldet"),
    ],
)
def test_overrides_are_in_use(language, msgid, expected):
    # A variable, not a literal: makemessages must not extract these msgids.
    with translation.override(language):
        assert translation.gettext(msgid) == expected


def test_make_messages_leaves_the_overrides_alone(tmp_path):
    need_program("xgettext", tool="gettext", package="gettext")
    tree = tmp_path / "tree"
    shutil.copytree(
        BASE,
        tree,
        ignore=lambda directory, names: [
            name
            for name in names
            if name in SKIPPED or (name.startswith(".") and Path(directory) == BASE)
        ],
    )
    before = {lang: _override(lang).read_bytes() for lang in ("nb", "nn")}
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-l", "nn", "-l", "nb"]
        + ["--no-obsolete"]
        + [f"--ignore={name}" for name in sorted(SKIPPED)],
        cwd=tree,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "rusplan.settings"},
        capture_output=True,
        check=True,
    )
    for lang in ("nb", "nn"):
        path = tree / "locale_overrides" / lang / "LC_MESSAGES" / "django.po"
        assert path.read_bytes() == before[lang]
    # None of our own msgids (what makemessages extracts now) is overridden.
    ours = _msgids(tree / "locale" / "nn" / "LC_MESSAGES" / "django.po")
    for lang in ("nb", "nn"):
        assert _msgids(_override(lang)) & ours == set()
