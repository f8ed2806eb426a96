"""Which release of Rusplan this process runs: part of every ETag and every page
cache key, so that a deploy (new code, templates, translations or static files)
makes every cached page and every browser's copy stale at once.

RUSPLAN_RELEASE names it (a deploy may set the commit id); without it, a digest of
the files a page is made from, computed once per process.
"""

import functools
import hashlib
from pathlib import Path

from django.conf import settings

# Folders of the project whose files shape what a page says.
SOURCE_FOLDERS = ("rusplan", "measures", "partners", "templates")
COMPILED_CATALOGUES = "**/LC_MESSAGES/*.mo"
STATIC_MANIFEST = "staticfiles.json"


@functools.cache
def release_id() -> str:
    if settings.RUSPLAN_RELEASE:
        return settings.RUSPLAN_RELEASE
    digest = hashlib.sha256()
    for path in _release_files():
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _release_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    files = [
        path
        for folder in SOURCE_FOLDERS
        for path in (base / folder).rglob("*")
        if path.suffix in (".py", ".html", ".txt") and path.is_file()
    ]
    for locale_path in settings.LOCALE_PATHS:
        files += Path(locale_path).glob(COMPILED_CATALOGUES)
    # The hashed names of the static files the pages link to.
    manifest = Path(settings.STATIC_ROOT) / STATIC_MANIFEST
    if manifest.is_file():
        files.append(manifest)
    return sorted(files)
