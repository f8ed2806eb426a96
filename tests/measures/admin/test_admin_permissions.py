"""Nothing public changes through the admin without the right permission.

For every ModelAdmin on the admin site (read from admin.site._registry, so a new
admin is covered as soon as it is registered) and each of its add and change forms,
a staff user holding one single permission of that model (add, change, delete or
view), plus view of everything else so that the pages render, POSTs a form that a
superuser could save. The test then compares the database before and after:

- a permission that is not the form's (view, delete, or change on the add form...)
  changes nothing at all;
- no single permission publishes: the published status updates and indicator
  values and the measures' current status stay as they were (publishing needs the
  coordinator's or reviewer's right, measures/permissions.py: can_review).

The data is built from the form the admin renders for a superuser (its initial
values, filled from an existing object) and must save for the superuser first, so
a refusal is the permission's doing, not bad data. Issue 14, item 1; decision 51.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import IndicatorValue, Measure, Phase, StatusUpdate
from measures.services.plans import measure_sync_current_status
from partners.services import municipality_administrator_add
from tests.factories import (
    SYSTEM,
    MembershipFactory,
    MunicipalityFactory,
    PartnerFactory,
    PartnerNameFactory,
    PublishedStatusUpdateFactory,
    SourceFactory,
    UserFactory,
)
from tests.measures.admin.test_admin import MAKERS

pytestmark = pytest.mark.django_db

DEBUG_FORMS = False
PASSWORD = "Et langt passord for testen 2024!"

# The apps whose rows are the state an admin POST could change. axes writes its
# own log on every login, and sessions are not data.
WATCHED_APPS = ("measures", "partners", "auth", "otp_totp", "otp_static")


def _make_user():
    return UserFactory(password="!")


def _make_static_device():
    device = StaticDevice.objects.create(user=_make_user(), name="Reservekoder")
    device.token_set.create(token="12345678")
    return device


def _make_municipality_administrator():
    return municipality_administrator_add(
        actor=SYSTEM, user=_make_user(), municipality=MunicipalityFactory()
    )


OTHER_MAKERS = {
    Group: lambda: Group.objects.create(name="Redaktører"),
    AccessAttempt: lambda: AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", failures_since_start=1
    ),
    AccessLog: lambda: AccessLog.objects.create(username="x", ip_address="127.0.0.1"),
    AccessFailureLog: lambda: AccessFailureLog.objects.create(
        username="x", ip_address="127.0.0.1"
    ),
    "partners.Municipality": MunicipalityFactory,
    "partners.MunicipalityAdministrator": _make_municipality_administrator,
    "partners.Partner": PartnerFactory,
    "partners.PartnerName": PartnerNameFactory,
    "partners.Membership": MembershipFactory,
    "auth.User": _make_user,
    TOTPDevice: lambda: TOTPDevice.objects.create(user=_make_user(), name="Telefon"),
    StaticDevice: _make_static_device,
}


def _maker(model):
    for key, make in {**MAKERS, **OTHER_MAKERS}.items():
        if key is model or key == model._meta.label:
            return make
    return None


def _add_overrides(model, obj) -> dict:
    """The minimum an add form needs beyond the copied object: the status update
    add form is posted as the attack was, «record as published» with a source."""
    if model is StatusUpdate:
        return {"record_as": "published", "sources": [str(SourceFactory().pk)]}
    if model is IndicatorValue:
        return {"year": str(obj.year - 1), "sources": [str(SourceFactory().pk)]}
    if model._meta.label == "measures.BudgetLine":
        return {"year": str(obj.year - 1)}
    if model is Measure:
        return {"partner_roles-0-role": "lead"}
    if model._meta.label == "partners.Municipality":
        # Four digits, so not made unique by _distinct; outside the factories'.
        # The onboarding form (measures/admin/municipalities.py) also makes the
        # municipality's first administrator.
        return {
            "number": "8999",
            "admin_username": "ny-kommuneadministrator",
            "admin_email": "ny-admin@example.org",
        }
    if model._meta.label == "partners.MunicipalityAdministrator":
        return {"user": str(_make_user().pk)}
    if model._meta.label == "partners.Membership":
        return {"user": str(_make_user().pk)}
    return {}


# --- the database, whole and public ---------------------------------------------------


def _watched_models():
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in WATCHED_APPS:
            continue
        if model.__name__.startswith("Historical") or model is Permission:
            continue
        yield model


def snapshot() -> dict:
    """Every row of the watched apps (a user's last login aside: logging in the
    test's users writes it)."""
    state = {}
    for model in _watched_models():
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            row.pop("last_login", None)
        state[model._meta.label] = rows
    return state


def public_snapshot() -> dict:
    """What publishing changes: published updates and values, current status."""
    return {
        "updates": list(
            StatusUpdate.objects.filter(state=StatusUpdate.State.PUBLISHED)
            .order_by("pk")
            .values()
        ),
        "values": list(
            IndicatorValue.objects.filter(state=IndicatorValue.State.PUBLISHED)
            .order_by("pk")
            .values()
        ),
        # Measures with a status (a new measure without one publishes nothing).
        "current": list(
            Measure.objects.exclude(current_update=None, current_phase="")
            .order_by("pk")
            .values(
                "pk",
                "current_update",
                "current_phase",
                "current_health",
                "current_progress",
                "current_as_of",
            )
        ),
    }


# --- POST data from the rendered form ---------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _put(data: dict, name: str, field: forms.Field, value) -> None:
    widget = field.widget
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if callable(value) and not isinstance(value, models.Model):
        value = value()
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        for index, part in enumerate(parts):
            data[f"{name}_{index}"] = _text(part)
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[name] = "on"
    elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        data[name] = [_text(item) for item in (value or [])]
    else:
        data[name] = _text(value)


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _unique_names(model) -> set[str]:
    names = {field.name for field in model._meta.fields if field.unique}
    for constraint in model._meta.constraints:
        names |= set(getattr(constraint, "fields", ()) or ())
    for together in model._meta.unique_together:
        names |= set(together)
    return names


def _distinct(model, data: dict) -> None:
    """A copy of an existing object with its unique text changed, so it can be
    added beside the original."""
    for name in _unique_names(model):
        value = data.get(name)
        if not isinstance(value, str) or not value or name == "id":
            continue
        field = model._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField):
            if field.choices:
                continue
            data[name] = (
                f"ny-{value}" if isinstance(field, models.EmailField) else f"{value}-ny"
            )


def _inline_data(inline_formsets, obj, add: bool) -> dict:
    data = {}
    for inline in inline_formsets:
        formset = inline.formset
        prefix = formset.prefix
        rows = []
        if add:
            if formset.min_num:
                # A required inline (a measure's lead partner): copy the object's.
                fk = formset.fk.name
                for row in formset.model.objects.filter(**{fk: obj})[: formset.min_num]:
                    values = model_to_dict(row)
                    rows.append(
                        {
                            name: values.get(name)
                            for name in formset.empty_form.fields
                            if name not in ("id", fk)
                        }
                    )
        else:
            for form in formset.initial_forms:
                rows.append({name: form[name].value() for name in form.fields})
        for index, row in enumerate(rows):
            for name, value in row.items():
                field = formset.empty_form.fields[name]
                _put(data, f"{prefix}-{index}-{name}", field, value)
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0" if add else str(len(rows)),
                f"{prefix}-MIN_NUM_FORMS": str(formset.min_num),
                f"{prefix}-MAX_NUM_FORMS": str(formset.max_num),
            }
        )
    return data


def form_post_data(response, model, obj, add: bool) -> dict:
    """A POST the form in `response` (a superuser's GET) would save: its initial
    values, blanks filled from `obj`, unique text made new for an add form."""
    form = response.context["adminform"].form
    source = model_to_dict(obj)
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if add and _empty(value) and name in source:
            value = source[name]
        if name in ("password1", "password2"):
            value = PASSWORD
        if name == "usable_password" and _empty(value):
            value = "true"
        _put(data, name, field, value)
    data.update(_inline_data(response.context["inline_admin_formsets"], obj, add))
    if add:
        _distinct(model, data)
        data.update(_add_overrides(model, obj))
    else:
        # An edit that shows: the first free text field gets a word more.
        for name, field in form.fields.items():
            if (
                type(field) is forms.CharField
                and isinstance(data.get(name), str)
                and name not in _unique_names(model)
                and not isinstance(
                    field.widget, forms.HiddenInput | forms.PasswordInput
                )
            ):
                data[name] = f"{data[name]} endret".strip()
                break
    return data


# --- the users ----------------------------------------------------------------------


def _perm(model, action: str) -> Permission:
    return Permission.objects.get(
        content_type__app_label=model._meta.app_label,
        codename=f"{action}_{model._meta.model_name}",
    )


def staff_with(model, action: str):
    """A staff user with `action` on `model` and view on every registered model."""
    user = UserFactory(is_staff=True, password="!")
    views = [_perm(registered, "view") for registered in admin.site._registry]
    user.user_permissions.add(_perm(model, action), *views)
    return user


def _url(model, view: str, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


# --- the tests ----------------------------------------------------------------------


REGISTERED = list(admin.site._registry)


def test_every_registered_admin_has_an_object_to_test_with():
    missing = [model._meta.label for model in REGISTERED if _maker(model) is None]
    assert not missing, f"add a maker to OTHER_MAKERS (or MAKERS) for {missing}"


def _superuser_post_saves(client, url, data) -> bool:
    """Whether a superuser's POST of `data` saves; rolled back either way."""
    before = LogEntry.objects.count()
    with transaction.atomic():
        response = client.post(url, data)
        if response.status_code == 200 and DEBUG_FORMS:
            print(
                response.context["adminform"].form.errors,
                [f.formset.errors for f in response.context["inline_admin_formsets"]],
                [
                    f.formset.non_form_errors()
                    for f in response.context["inline_admin_formsets"]
                ],
                data,
            )
        saved = response.status_code == 302 and LogEntry.objects.count() > before
        transaction.set_rollback(True)
    return saved


@pytest.mark.parametrize("view", ["add", "change"])
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_no_single_permission_changes_what_it_does_not_grant(
    client, admin_client, superuser, model, view
):
    make = _maker(model)
    assert make is not None
    obj = make()
    # Something public to protect: a measure with a published current status.
    PublishedStatusUpdateFactory()
    # Every measure's current status as its updates say, so that only a write
    # can change it.
    for measure in Measure.objects.all():
        measure_sync_current_status(actor=SYSTEM, measure=measure)
    url = _url(model, "add") if view == "add" else _url(model, "change", obj.pk)

    page = admin_client.get(url)
    savable = page.status_code == 200 and page.context.get(
        "has_add_permission" if view == "add" else "has_change_permission"
    )
    if savable and page.context.get("adminform") is not None:
        data = form_post_data(page, model, obj, add=view == "add")
        assert _superuser_post_saves(admin_client, url, data), (
            f"the test's POST data for {url} does not save for a superuser: "
            "add what the form needs to _add_overrides"
        )
    else:
        data = {}

    for action in ("add", "change", "delete", "view"):
        user = staff_with(model, action)
        client.force_login(user)
        before, public_before = snapshot(), public_snapshot()
        logged = LogEntry.objects.filter(user=user).count()

        response = client.post(url, data)

        assert response.status_code in (200, 302, 403), (action, response)
        assert public_snapshot() == public_before, (
            f"{action}_{model._meta.model_name} alone published through {url}"
        )
        if action != view:
            assert LogEntry.objects.filter(user=user).count() == logged
            assert snapshot() == before, (
                f"{action}_{model._meta.model_name} alone changed data through {url}"
            )


def test_adding_a_status_update_does_not_let_a_staff_user_publish(client, superuser):
    """The probe of issue 14: add_statusupdate and view only, «record as
    published» with a source. Refused on the form; nothing is published."""
    measure = MAKERS[Measure]()
    source = SourceFactory()
    user = staff_with(StatusUpdate, "add")
    client.force_login(user)
    before = public_snapshot()
    version = Measure.objects.get(pk=measure.pk).version

    form = client.get(_url(StatusUpdate, "add"))
    response = client.post(
        _url(StatusUpdate, "add"),
        {
            "record_as": "published",
            "measure": str(measure.pk),
            "as_of": "2021-04-30",
            "phase": Phase.COMPLETED,
            "health": "on_track",
            "progress": "100",
            "summary": "Ferdig.",
            "sources": [str(source.pk)],
            "external_id": "",
        },
    )

    offered = [
        value
        for value, _label in form.context["adminform"].form.fields["record_as"].choices
    ]
    assert offered == ["draft"]
    assert response.status_code in (200, 403)
    assert not StatusUpdate.objects.filter(measure=measure).exists()
    assert public_snapshot() == before
    measure.refresh_from_db()
    assert (measure.current_phase, measure.current_progress, measure.version) == (
        Phase.IN_PROGRESS,
        40,
        version,
    )


def test_a_staff_user_who_may_publish_records_a_published_update(client):
    measure = MAKERS[Measure]()
    user = staff_with(StatusUpdate, "add")
    user.user_permissions.add(_perm(StatusUpdate, "change"))
    client.force_login(user)

    response = client.post(
        _url(StatusUpdate, "add"),
        {
            "record_as": "published",
            "measure": str(measure.pk),
            "as_of": "2021-04-30",
            "phase": Phase.COMPLETED,
            "health": "on_track",
            "progress": "100",
            "summary": "Ferdig.",
            "sources": [str(SourceFactory().pk)],
            "external_id": "",
        },
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.current_phase, measure.current_progress) == (Phase.COMPLETED, 100)
