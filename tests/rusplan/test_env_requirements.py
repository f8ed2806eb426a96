"""The one helper for tests that need a tool (tests/support/requirements.py):
skipped on a machine without it, failed when the run requires it, and no test
skips on its own."""

import re
from pathlib import Path

import pytest

from tests.support.requirements import need, required

TESTS = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_requirements(monkeypatch):
    for name in ("CI", "RUSPLAN_REQUIRE_GETTEXT", "RUSPLAN_REQUIRE_BROWSER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_missing_tool_skips_on_a_developers_machine(no_requirements):
    with pytest.raises(pytest.skip.Exception, match="xgettext is not installed"):
        need("gettext", False, "xgettext is not installed")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CI", "true"), ("CI", "1"), ("RUSPLAN_REQUIRE_GETTEXT", "1")],
)
def test_a_missing_tool_fails_when_the_run_requires_it(
    no_requirements, variable, value
):
    no_requirements.setenv(variable, value)

    assert required("gettext")
    with pytest.raises(pytest.fail.Exception, match="requires gettext"):
        need("gettext", False, "xgettext is not installed")


def test_another_tools_variable_requires_nothing_here(no_requirements):
    no_requirements.setenv("RUSPLAN_REQUIRE_BROWSER", "1")
    no_requirements.setenv("CI", "false")

    assert not required("gettext")


def test_an_available_tool_runs(no_requirements):
    no_requirements.setenv("CI", "true")

    need("gettext", True, "unused")


def test_no_test_skips_on_a_missing_tool_by_itself():
    """A skip for a missing program, service or database goes through the helper;
    skips that are about the data a parametrized case meets are left alone."""
    offenders = []
    for path in TESTS.rglob("*.py"):
        if path.name in ("requirements.py", Path(__file__).name):
            continue
        text = path.read_text(encoding="utf-8")
        if "skipif(" in text or "importorskip(" in text:
            offenders.append(f"{path.relative_to(TESTS)}: skipif/importorskip")
        if "pytest.skip(" in text and re.search(
            r"shutil\.which|RUSPLAN_REQUIRE|redis|chromium|vendor", text, re.I
        ):
            offenders.append(f"{path.relative_to(TESTS)}: pytest.skip beside a tool")
    assert offenders == []
