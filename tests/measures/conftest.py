"""Fixtures shared by the measures tests. The builders behind them are in
tests/support; the users are in tests/conftest.py."""

import pytest

from tests.support.commands import load_bergen_plans


@pytest.fixture
def bergen_plans(db) -> str:
    """Bergen's plans, indicators and budgets as shipped (load_bergen_plans); what
    the loader printed."""
    return load_bergen_plans()
