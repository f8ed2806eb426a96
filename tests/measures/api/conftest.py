import pytest

from tests.support.worlds import add_what_the_api_must_hide


@pytest.fixture
def api_world(public_world):
    """The public world, and what the API must never show: a draft plan with its
    goal, measure, update, indicator and budget, authors' names and addresses, a
    returned update with its review comment, an unpublished indicator value."""
    add_what_the_api_must_hide(public_world)
    return public_world
