"""Who performs a write: a person (a User) or a named system actor.

Every write service takes a required `actor`. A view, the admin and the API pass
request.user, whose permission the service checks. A management command that loads
shipped, reviewed data (load_bergen_plans, the demo generators) acts for no person:
it passes a SystemActor named after itself. A SystemActor is never a User, so no
request can carry one; the only way to get one is to construct it in code that a
view never runs. See docs/decisions.md, section 51.

It lives in partners (the bottom app) so that partners/services.py and
measures/services/ share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .scope import is_municipal_admin, may_administer, municipality_id_of


@dataclass(frozen=True)
class SystemActor:
    """A command acting on shipped data; `name` is the command's name, recorded in
    history as the change reason."""

    name: str

    def __str__(self) -> str:
        return self.name


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def check(actor, allowed) -> None:
    """Refuse (PermissionDenied) unless `actor` is a system actor or `allowed(actor)`
    holds for the person. `allowed` is called only for a person."""
    if is_system(actor):
        return
    if actor is None or not allowed(actor):
        raise PermissionDenied


def record_actor(instance, actor) -> None:
    """Tell django-simple-history who makes the next save of `instance`: the person
    as history_user, a system actor's name as the change reason."""
    if is_system(actor):
        instance._change_reason = actor.name
    elif actor is not None:
        instance._history_user = actor


def staff_may(user, action: str, model) -> bool:
    """The Django model permission `<app>.<action>_<model>` of an active staff user
    (a superuser has them all): the rule for records only administrators change.
    `model` is a model class or instance; for an instance, a municipal
    administrator's permission holds only within their municipalities
    (partners/scope.py)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    meta = model._meta
    allowed = bool(
        user.is_superuser
        or (
            user.is_staff
            and user.has_perm(f"{meta.app_label}.{action}_{meta.model_name}")
        )
    )
    if not allowed or isinstance(model, type) or not is_municipal_admin(user):
        return allowed
    return may_administer(user, municipality_id_of(model))


def staff_may_object(user, action: str, instance) -> bool:
    """staff_may for an instance as it is now and, for a municipal
    administrator, as it is stored: nobody moves another municipality's object
    into their own, nor their own into another's."""
    if not staff_may(user, action, instance):
        return False
    if instance.pk is None or not is_municipal_admin(user):
        return True
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return stored is None or may_administer(user, municipality_id_of(stored))


def admin_save(request, obj, form, change, *, create, update, name: str) -> None:
    """A ModelAdmin's save_model through the model's services, as request.user:
    `update(actor=, <name>=obj)` for a change (the form has set the fields), or
    `create(actor=, **fields)` for an add, after which `obj` is the saved row (its
    inlines and m2m are saved against it)."""
    obj._history_user = request.user
    if change:
        update(actor=request.user, **{name: obj})
        return
    concrete = {field.name for field in obj._meta.concrete_fields}
    fields = {key: value for key, value in form.cleaned_data.items() if key in concrete}
    saved = create(actor=request.user, **fields)
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
