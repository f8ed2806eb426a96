"""Fixtures shared by the measures tests. The builders behind them are in
tests/support; the workflow world (`world`) and the users are in tests/conftest.py."""

import pytest

from tests.support.commands import load_bergen_plans
from tests.support.worlds import build_public_world


@pytest.fixture
def public_world(db):
    """The public world (tests/support/worlds.py): the 2018 plan with a goal tree,
    two partners (one renamed), two districts and three measures, each with two
    published updates and two that must never show."""
    return build_public_world()


@pytest.fixture
def bergen_plans(db) -> str:
    """Bergen's plans, indicators and budgets as shipped (load_bergen_plans); what
    the loader printed."""
    return load_bergen_plans()
