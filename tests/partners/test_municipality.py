"""The municipality record (issue 15 item 1): kommunenummer, slug and the words
the site itself uses at the top of its addresses."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import URLPattern, URLResolver, get_resolver

from partners import services
from partners.models import Municipality, MunicipalityAdministrator
from partners.reserved import reserved_first_segments
from partners.scope import is_platform_admin
from tests.factories import SYSTEM, MunicipalityFactory, UserFactory


def first_words() -> set[str]:
    """The first literal word of every route at the top of the site."""
    words = set()
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLPattern | URLResolver):
            route = str(pattern.pattern).lstrip("^")
            word = route.split("/")[0]
            if word and "<" not in word and "(" not in word:
                words.add(word.rstrip("\\Z$"))
    return words


def test_no_municipality_can_take_a_word_the_site_uses():
    assert first_words() <= reserved_first_segments()


def test_language_prefixes_are_reserved_before_they_exist():
    assert {"nn", "en", "nb"} <= reserved_first_segments()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["api", "admin", "planer", "nn", "en", "healthz"])
def test_a_reserved_slug_is_refused_with_a_message(slug):
    with pytest.raises(ValidationError) as error:
        services.municipality_create(
            actor=SYSTEM, name="Askøy", number="4627", slug=slug
        )
    assert "ord nettstedet selv bruker" in str(error.value.message_dict["slug"])
    assert not Municipality.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["460", "46011", "abcd", "46 1", "٤٦٠١", ""])
def test_a_kommunenummer_that_is_not_four_digits_is_refused(number):
    with pytest.raises(ValidationError) as error:
        services.municipality_create(
            actor=SYSTEM, name="Askøy", number=number, slug="askoy"
        )
    assert "number" in error.value.message_dict
    assert not Municipality.objects.exists()


@pytest.mark.django_db
def test_a_kommunenummer_already_taken_is_refused():
    MunicipalityFactory(name="Bergen", number="4601", slug="bergen")

    with pytest.raises(ValidationError) as error:
        services.municipality_create(
            actor=SYSTEM, name="Askøy", number="4601", slug="askoy"
        )

    assert error.value.message_dict["number"] == [
        "En annen kommune har allerede dette kommunenummeret."
    ]


@pytest.mark.django_db
def test_the_database_refuses_a_number_that_is_not_four_digits():
    """Below the services too: a bulk insert or raw SQL cannot store one."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Municipality.objects.bulk_create(
            [Municipality(name="Feil", number="12a4", slug="feil")]
        )


@pytest.mark.django_db
def test_a_municipality_is_created_through_the_service_with_its_history():
    municipality = services.municipality_create(
        actor=SYSTEM, name="Askøy", number="4627", slug="askoy", county="Vestland"
    )

    assert municipality.get_absolute_url() == "/askoy/"
    assert municipality.history.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["Bergen", "API", "Askoy"])
def test_a_slug_with_capital_letters_is_refused(slug):
    """/Bergen/ beside /bergen/ would be two municipalities; «API» would slip
    past the reserved words."""
    with pytest.raises(ValidationError) as error:
        services.municipality_create(
            actor=SYSTEM, name="Askøy", number="4627", slug=slug
        )
    assert "små bokstaver" in str(error.value.message_dict["slug"])


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["0000", "0101", "0299"])
def test_a_number_below_any_county_is_refused(number):
    with pytest.raises(ValidationError) as error:
        services.municipality_create(
            actor=SYSTEM, name="Askøy", number=number, slug="askoy"
        )
    assert "fylkets" in str(error.value.message_dict["number"])


@pytest.mark.django_db
def test_oslo_the_lowest_number_is_a_municipality():
    services.municipality_create(actor=SYSTEM, name="Oslo", number="0301", slug="oslo")


@pytest.mark.django_db
def test_a_municipality_with_administrators_cannot_be_deleted():
    """A staff user with no administrator row is a platform administrator
    (partners/scope.py): deleting a municipality (from a shell or a script) must
    not delete its administrators' rows and so promote them. It is refused until
    they are removed through the service, which also takes their admin access."""
    municipality = MunicipalityFactory()
    user = UserFactory(username="kommuneadmin")
    row = services.municipality_administrator_add(
        actor=SYSTEM, user=user, municipality=municipality
    )

    with pytest.raises(ProtectedError), transaction.atomic():
        municipality.delete()

    user = type(user).objects.get(pk=user.pk)
    assert not is_platform_admin(user)
    assert MunicipalityAdministrator.objects.filter(pk=row.pk).exists()

    services.municipality_administrator_remove(actor=SYSTEM, administrator=row)
    municipality.delete()
    user = type(user).objects.get(pk=user.pk)
    assert not user.is_staff
    assert not is_platform_admin(user)
