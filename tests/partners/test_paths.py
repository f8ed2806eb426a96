"""cached_reverse() gives what reverse() gives, or leaves the work to it."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from partners.paths import cached_reverse

ROUTES = [
    ("municipality-home", {"kommune": "bergen"}),
    ("measures:plan-detail", {"kommune": "bergen", "slug": "plan-for-rusfeltet"}),
    ("measures:measure-detail", {"kommune": "demo-kommune-7", "slug": "Tiltak_1"}),
    ("measures:partner-detail", {"kommune": "bergen", "slug": "vest-politidistrikt"}),
    ("measures:district-detail", {"kommune": "bergen", "slug": "arna"}),
    ("measures:partner-national", {"slug": "helse-bergen"}),
    ("measures:measure-list", {"kommune": "bergen"}),
    ("home", {}),
]


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
@pytest.mark.parametrize(("name", "kwargs"), ROUTES)
def test_the_same_address_as_reverse_in_every_language(name, kwargs, language):
    with translation.override(language):
        assert cached_reverse(name, **kwargs) == reverse(name, kwargs=kwargs)
        # A second call, from the cached pattern, with other arguments.
        other = {key: f"{value}-2" for key, value in kwargs.items()}
        assert cached_reverse(name, **other) == reverse(name, kwargs=other)


def test_the_script_prefix_is_part_of_the_address():
    try:
        set_script_prefix("/rusplan/")
        path = cached_reverse("measures:plan-detail", kommune="bergen", slug="p")
        assert path == reverse(
            "measures:plan-detail", kwargs={"kommune": "bergen", "slug": "p"}
        )
        assert path.startswith("/rusplan/")
    finally:
        set_script_prefix("/")
    assert cached_reverse("municipality-home", kommune="bergen") == "/bergen/"


@pytest.mark.parametrize(
    "value",
    ["æøå", "a b", "a/b", "{kommune}", "x%2F"],
    ids=["letters", "space", "slash", "braces", "percent"],
)
def test_a_value_it_cannot_fill_in_goes_to_reverse(value):
    # reverse() refuses these for a slug: so must cached_reverse().
    with pytest.raises(NoReverseMatch):
        cached_reverse("municipality-home", kommune=value)


def test_a_route_whose_converter_refuses_the_stand_in_goes_to_reverse():
    # admin:view_on_site takes an int: the stand-in is not one, reverse() decides.
    kwargs = {"content_type_id": "12", "object_id": "7"}
    assert cached_reverse("admin:view_on_site", **kwargs) == reverse(
        "admin:view_on_site", kwargs=kwargs
    )
    with pytest.raises(NoReverseMatch):
        cached_reverse("admin:view_on_site", content_type_id="x", object_id="7")


def test_an_unknown_route_or_argument_is_refused_as_by_reverse():
    with pytest.raises(NoReverseMatch):
        cached_reverse("measures:no-such-page", slug="x")
    with pytest.raises(NoReverseMatch):
        cached_reverse("municipality-home", slug="bergen")
