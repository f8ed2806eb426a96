"""Invisible characters (bidirectional overrides and isolates, zero-width
characters, direction marks) are refused in every text field: every site form,
every admin add and change form (found from the admin's registry, so a new one is
covered), the services, with a message naming the field and the character, the
form keeping what was typed, and nothing written. partners/text.py; the import is
tested in tests/measures/admin/test_import.py."""

import inspect
import re
import sys

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import IndicatorValue, ReminderSent, StatusUpdate
from measures.services.plans import measure_update
from partners.services import municipality_administrator_add, partner_update
from partners.text import (
    INVISIBLE_CHARACTERS,
    INVISIBLE_CODE,
    VisibleTextFormMixin,
    guards_text,
    invisible_characters,
)
from tests.factories import (
    SYSTEM,
    BudgetLineFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MeasureFactory,
    PartnerFactory,
    PartnerNameFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
    UserFactory,
)
from tests.support.html_forms import page_form

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("otp_off"),
]

# One of each class the rule names; every character is checked one by one against
# the rule itself below.
KINDS = {
    "bidi-override": "\u202e",
    "bidi-isolate": "\u2068",
    "zero-width": "\u200b",
    "direction-mark": "\u200f",
}
MESSAGE_PART = "inneholder usynlige tegn som kan endre hvordan teksten vises"
# The apps whose rows a refused form must leave as they were (their history
# tables too: simple-history's models live in the same app).
WATCHED_APPS = ("measures", "partners", "auth", "otp_totp", "otp_static")


def _typed(char: str) -> str:
    return f"Tekst{char}her"


def _snapshot() -> dict:
    return {
        model._meta.label: sorted(
            map(repr, model._default_manager.values_list()), key=str
        )
        for app in WATCHED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def _html(response) -> str:
    return response.content.decode()


# --- the rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "char", sorted(INVISIBLE_CHARACTERS), ids=lambda c: f"U+{ord(c):04X}"
)
def test_each_invisible_character_is_found_and_named(char):
    assert invisible_characters(f"a{char}b{char}") == [f"U+{ord(char):04X}"]


def test_the_named_ranges_are_all_refused():
    named = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    named += [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x200E, 0x200F]
    assert {chr(c) for c in named} <= INVISIBLE_CHARACTERS


def test_ordinary_text_passes():
    text = "Bergen – «Trygg by» æøå ÆØÅ kr\u00a01\u00a0234 §\u00ad 😀 ﷺ العربية"
    assert invisible_characters(text) == []


# --- the services -----------------------------------------------------------------


@pytest.mark.parametrize("char", KINDS.values(), ids=KINDS.keys())
def test_the_services_refuse_and_write_nothing(char):
    measure = MeasureFactory(title="Før")
    partner = PartnerFactory(name="Partner før")
    before = _snapshot()

    with pytest.raises(ValidationError) as refused:
        measure_update(actor=SYSTEM, measure=measure, title=_typed(char))
    with pytest.raises(ValidationError) as refused_partner:
        partner_update(actor=SYSTEM, partner=partner, name=_typed(char))

    assert refused.value.error_dict["title"][0].code == INVISIBLE_CODE
    assert f"U+{ord(char):04X}" in refused.value.message_dict["title"][0]
    assert refused_partner.value.error_dict["name"][0].code == INVISIBLE_CODE
    assert _snapshot() == before


# --- every form class of ours has the guard ---------------------------------------


def _our_form_classes():
    for name, module in list(sys.modules.items()):
        if not name.startswith(("measures.", "partners.", "rusplan.")):
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def test_every_site_form_of_ours_has_the_guard(client):
    client.get("/")  # the URL conf is imported: every form module with it
    found = list(_our_form_classes())
    # The admin's forms get the guard from the admin site (rusplan/admin_site.py),
    # tested below through every registered admin.
    site_forms = [cls for cls in found if ".admin" not in cls.__module__]

    assert len(site_forms) >= 6, site_forms
    missing = [cls for cls in site_forms if not issubclass(cls, VisibleTextFormMixin)]
    assert missing == []


def test_every_registered_admin_builds_guarded_forms(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request)
        assert issubclass(form, VisibleTextFormMixin), model
        for inline in model_admin.get_inline_instances(request):
            assert issubclass(inline.form, VisibleTextFormMixin), (model, inline)


def test_password_fields_are_left_alone():
    assert not guards_text(forms.CharField(widget=forms.PasswordInput))
    assert guards_text(forms.CharField())
    assert guards_text(forms.SlugField())


# --- the admin, every add and change page -----------------------------------------


def _field_errors(context) -> dict:
    """html field name -> (the form field, its error codes), for the admin form and
    its inline forms."""
    found = {}
    form = context["adminform"].form
    forms_ = [form]
    for inline in context.get("inline_admin_formsets") or []:
        forms_ += list(inline.formset.forms)
    for each in forms_:
        # A read-only inline's forms are never cleaned: their errors are a plain {}.
        errors = each.errors.as_data() if hasattr(each.errors, "as_data") else {}
        codes = {name: [e.code for e in listed] for name, listed in errors.items()}
        for name, field in each.fields.items():
            found[each.add_prefix(name)] = (field, codes.get(name, []))
    return found


def _assert_refused(response, typed: str, filled: list[str]):
    assert response.status_code == 200, response.get("Location")
    html = _html(response)
    assert MESSAGE_PART in html
    errors = _field_errors(response.context)
    for name in filled:
        # A split widget (date and time) names its parts name_0, name_1.
        field, codes = errors.get(name) or errors[re.sub(r"_\d+$", "", name)]
        if guards_text(field):
            assert INVISIBLE_CODE in codes, (name, codes)
        else:
            # A number or date typed in a text box: refused by its own rule.
            assert codes, name
    # The form keeps what was typed.
    assert html.count(typed) >= len(filled)


# The apps whose every registered model has a change page tested here; the
# third-party admins (django-axes, django-otp) have their add pages tested.
OUR_APPS = ("measures", "partners", "auth")


@pytest.fixture
def every_kind_of_row(world):
    """The workflow world and a row of every other model our admins show."""
    PublishedIndicatorValueFactory(
        indicator=IndicatorFactory(goal=GoalFactory(plan=world.plan))
    )
    BudgetLineFactory(measure=world.measure_a)
    SourceFactory()
    PartnerNameFactory(partner=world.partner_a)
    ReminderSent.objects.create(user=world.alice, period_key="tertial:2025-1")
    Group.objects.create(name="Gruppe")
    municipality_administrator_add(
        actor=SYSTEM, user=UserFactory(), municipality=world.plan.municipality
    )
    return world


def _admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def _post_every_text_field(client, url, model, char):
    page = client.get(url)
    assert page.status_code == 200
    form = page_form(_html(page), id=f"{model._meta.model_name}_form")
    if not form.text_fields:
        pytest.skip("nothing to type into on this page")
    typed = _typed(char)
    before = _snapshot()

    response = client.post(
        url, form.post_data(**dict.fromkeys(form.text_fields, typed))
    )

    _assert_refused(response, typed, form.text_fields)
    assert _snapshot() == before


def _admins_with_text(view):
    for model in admin.site._registry:
        if view == "change" and model._meta.app_label not in OUR_APPS:
            continue
        yield model


@pytest.mark.parametrize("char", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize(
    "model", list(_admins_with_text("change")), ids=lambda m: m._meta.label
)
def test_admin_change_forms_refuse(admin_client, every_kind_of_row, model, char):
    obj = model._default_manager.order_by("pk").last()
    assert obj is not None, f"add a {model.__name__} to every_kind_of_row"
    _post_every_text_field(
        admin_client, _admin_url(model, "change", obj.pk), model, char
    )


@pytest.mark.parametrize("char", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize(
    "model", list(_admins_with_text("add")), ids=lambda m: m._meta.label
)
def test_admin_add_forms_refuse(admin_client, rf, superuser, model, char):
    request = rf.get("/")
    request.user = superuser
    if not admin.site._registry[model].has_add_permission(request):
        pytest.skip("no add page")
    _post_every_text_field(admin_client, _admin_url(model, "add"), model, char)


# --- the site's forms -------------------------------------------------------------


def _indicator(world):
    return IndicatorFactory(
        goal=None, measure=world.measure_a, slug="brukere", unit="personer"
    )


def _status_update_form(world):
    url = reverse("measures:measure-update", kwargs=world.measure_a.url_kwargs())
    return world.alice, url, url


def _status_update_edit(world):
    url = reverse("measures:update-edit", kwargs={"pk": world.draft_a.pk})
    return world.alice, url, url


def _status_update_return(world):
    page = reverse("measures:review-queue")
    action = reverse("measures:update-return", kwargs={"pk": world.submitted_a.pk})
    return world.olivia, page, action


def _indicator_value_create(world):
    url = reverse("measures:indicator-value-create", kwargs={"slug": "brukere"})
    _indicator(world)
    return world.alice, url, url


def _indicator_value_edit(world):
    value = IndicatorValueFactory(indicator=_indicator(world), author=world.alice)
    url = reverse("measures:indicator-value-edit", kwargs={"pk": value.pk})
    return world.alice, url, url


def _indicator_value_return(world):
    indicator = IndicatorFactory(goal=GoalFactory(plan=world.plan), slug="utfall")
    value = IndicatorValueFactory(
        indicator=indicator, author=world.alice, state=IndicatorValue.State.SUBMITTED
    )
    page = reverse("measures:review-queue")
    action = reverse("measures:indicator-value-return", kwargs={"pk": value.pk})
    return world.olivia, page, action


def _login(world):
    return None, reverse("login"), reverse("login")


def _admin_login(world):
    url = reverse("admin:login")
    return None, url, url


SITE_FORMS = {
    "status-update": _status_update_form,
    "status-update-edit": _status_update_edit,
    "status-update-return": _status_update_return,
    "indicator-value": _indicator_value_create,
    "indicator-value-edit": _indicator_value_edit,
    "indicator-value-return": _indicator_value_return,
    "login": _login,
    "admin-login": _admin_login,
}


@pytest.mark.parametrize("char", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize("setup", SITE_FORMS.values(), ids=SITE_FORMS.keys())
def test_site_forms_refuse(client, world, setup, char):
    user, page_url, action = setup(world)
    if user is not None:
        client.force_login(user)
    page = client.get(page_url)
    assert page.status_code == 200
    html = _html(page)
    form = page_form(html, action=action) if page_url != action else page_form(html)
    assert form.text_fields
    typed = _typed(char)
    before = _snapshot()
    counts = (StatusUpdate.objects.count(), IndicatorValue.objects.count())

    response = client.post(
        action, form.post_data(**dict.fromkeys(form.text_fields, typed))
    )

    assert response.status_code == 200
    html = _html(response)
    assert MESSAGE_PART in html
    assert re.search(rf"U\+{ord(char):04X}", html)
    assert html.count(typed) >= len(form.text_fields)
    assert _snapshot() == before
    assert (StatusUpdate.objects.count(), IndicatorValue.objects.count()) == counts
