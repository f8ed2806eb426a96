"""One way for a test to say what it needs from the machine.

A test that needs a tool we do not install with pip (Chromium, GNU gettext,
pdftotext, a running Redis) calls need(): on a developer's machine without the
tool it is skipped, with the reason; in CI it fails, so that a missing tool can
never turn a test into a silent skip. CI asks with CI=true (every tool), or one
tool at a time with RUSPLAN_REQUIRE_<TOOL>=1 (RUSPLAN_REQUIRE_BROWSER,
RUSPLAN_REQUIRE_REDIS, RUSPLAN_REQUIRE_GETTEXT, RUSPLAN_REQUIRE_PDFTOTEXT).
.ci/run sets CI=true after installing them (docs/development.md).

A test that holds for one database only is not missing a tool: it is marked with
POSTGRESQL_ONLY, and runs in CI's PostgreSQL pass.
"""

import os
import shutil

import pytest
from django.db import connection

TRUE = {"1", "true", "yes"}


def required(tool: str) -> bool:
    """Whether this run must have `tool` (CI=true, or RUSPLAN_REQUIRE_<TOOL>=1)."""
    variable = "RUSPLAN_REQUIRE_" + tool.upper().replace("-", "_")
    return any(
        os.environ.get(name, "").strip().lower() in TRUE for name in ("CI", variable)
    )


def need(tool: str, available: bool, reason: str) -> None:
    """Skip the test (fail it when the run requires `tool`) unless `available`."""
    if available:
        return
    if required(tool):
        variable = "RUSPLAN_REQUIRE_" + tool.upper().replace("-", "_")
        pytest.fail(
            f"{reason}. This run requires {tool} (CI=true or {variable}=1).",
            pytrace=False,
        )
    pytest.skip(reason)


def need_program(program: str, *, tool: str, package: str) -> str:
    """The path of `program`, or skip/fail as need() does."""
    path = shutil.which(program)
    need(
        tool,
        path is not None,
        f"{program} is not installed (apt-get install {package})",
    )
    return path


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only (DATABASE_URL): runs in CI's PostgreSQL pass",
)
