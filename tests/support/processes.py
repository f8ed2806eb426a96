"""A fresh interpreter with a clean environment, for what is read once per process
(settings, logging, gunicorn)."""

import os
import subprocess
import sys

from django.conf import settings

# The least a production start needs (rusplan/settings.py).
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-settings-test",
    "DJANGO_ALLOWED_HOSTS": "rusplan.example.no,www.rusplan.example.no",
    # A production site runs its long work on a worker (check --deploy: W001).
    "RUSPLAN_QUEUE_URL": "redis://127.0.0.1:6379/1",
}


def run_python(args: list[str], **environment: str) -> subprocess.CompletedProcess:
    """`python *args` in the project directory, with only `environment` set."""
    # Only what the interpreter needs to run: no DJANGO_* or *_URL leaks in from the
    # environment the tests happen to run in (CI sets DATABASE_URL, for one).
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
