"""Every write to partners and memberships goes through here.

Each service takes the acting user (`actor`, required) and checks the Django model
permission (partners/actors.py: staff_may), or is given a SystemActor by a command
loading shipped data."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .actors import check, record_actor, staff_may, staff_may_object
from .models import (
    Membership,
    Municipality,
    MunicipalityAdministrator,
    Partner,
    PartnerName,
)
from .scope import forget_administered, is_platform_admin
from .text import full_clean_visible


def _require(actor, action: str, model) -> None:
    """The model permission; for an instance, also within the municipal
    administrator's municipalities, as it is and as stored (partners/scope.py)."""
    if isinstance(model, type):
        check(actor, lambda user: staff_may(user, action, model))
    else:
        check(actor, lambda user: staff_may_object(user, action, model))


def _validated_save(instance, actor) -> None:
    record_actor(instance, actor)
    full_clean_visible(instance)
    instance.save()


@transaction.atomic
def municipality_create(
    *, actor, name: str, number: str, slug: str, county: str = "", **fields
) -> Municipality:
    # A new municipality is the platform administrators' work (decision 56).
    check(
        actor,
        lambda user: staff_may(user, "add", Municipality) and is_platform_admin(user),
    )
    municipality = Municipality(
        name=name, number=number, slug=slug, county=county, **fields
    )
    _validated_save(municipality, actor)
    return municipality


@transaction.atomic
def municipality_update(*, actor, municipality: Municipality, **fields) -> Municipality:
    _require(actor, "change", municipality)
    for name, value in fields.items():
        setattr(municipality, name, value)
    _validated_save(municipality, actor)
    return municipality


@transaction.atomic
def partner_create(
    *,
    actor,
    name: str,
    slug: str,
    kind: str,
    parent: Partner | None = None,
    **fields,
) -> Partner:
    partner = Partner(name=name, slug=slug, kind=kind, parent=parent, **fields)
    _require(actor, "add", partner)
    _validated_save(partner, actor)
    return partner


@transaction.atomic
def partner_update(*, actor, partner: Partner, **fields) -> Partner:
    for name, value in fields.items():
        setattr(partner, name, value)
    _require(actor, "change", partner)
    _validated_save(partner, actor)
    return partner


@transaction.atomic
def partner_serves_add(*, actor, partner: Partner, municipality: Municipality) -> None:
    """Record that a regional or national partner works in `municipality`."""
    _require(actor, "change", partner)
    if partner.is_municipal:
        raise ValidationError(
            {
                "serves": _(
                    "En kommune eller kommunal enhet hører til én kommune og "
                    "betjener ingen andre."
                )
            }
        )
    partner.serves.add(municipality)


@transaction.atomic
def partner_name_add(
    *,
    actor,
    partner: Partner,
    name: str,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    dates_approximate: bool = False,
) -> PartnerName:
    """Record a name the partner had before (the current name is Partner.name)."""
    former = PartnerName(
        partner=partner,
        name=name,
        valid_from=valid_from,
        valid_until=valid_until,
        dates_approximate=dates_approximate,
    )
    _require(actor, "add", former)
    _validated_save(former, actor)
    return former


@transaction.atomic
def partner_name_update(*, actor, former: PartnerName, **fields) -> PartnerName:
    for name, value in fields.items():
        setattr(former, name, value)
    _require(actor, "change", former)
    _validated_save(former, actor)
    return former


@transaction.atomic
def partner_rename(
    *, actor, partner: Partner, new_name: str, effective: datetime.date
) -> Partner:
    """Give the partner a new name from `effective`, keeping the old one in history."""
    if new_name == partner.name:
        raise ValidationError({"name": _("Det nye navnet er det samme som det gamle.")})
    previous_start = (
        partner.former_names.filter(valid_until__isnull=False)
        .order_by("-valid_until")
        .values_list("valid_until", flat=True)
        .first()
    )
    partner_name_add(
        actor=actor,
        partner=partner,
        name=partner.name,
        valid_from=previous_start + datetime.timedelta(days=1)
        if previous_start
        else None,
        valid_until=effective - datetime.timedelta(days=1),
    )
    return partner_update(actor=actor, partner=partner, name=new_name)


@transaction.atomic
def membership_create(*, actor, user, partner: Partner, role: str) -> Membership:
    membership = Membership(user=user, partner=partner, role=role)
    _require(actor, "add", membership)
    _validated_save(membership, actor)
    return membership


@transaction.atomic
def membership_update(*, actor, membership: Membership, **fields) -> Membership:
    for name, value in fields.items():
        setattr(membership, name, value)
    _require(actor, "change", membership)
    _validated_save(membership, actor)
    return membership


@transaction.atomic
def membership_delete(*, actor, membership: Membership) -> None:
    _require(actor, "delete", membership)
    record_actor(membership, actor)
    membership.delete()


# What a municipal administrator may do in the admin, as Django model permissions
# of their group; partners/scope.py keeps each to their own municipality's objects.
MUNICIPAL_ADMINISTRATORS_GROUP = "Kommuneadministratorer"
ALL = ("add", "change", "delete", "view")
MUNICIPAL_ADMINISTRATOR_PERMISSIONS = {
    "measures": {
        "plan": ALL,
        "goal": ALL,
        "measure": ALL,
        "district": ALL,
        "measurepartner": ALL,  # the partners inline of a measure
        "indicator": ALL,
        "indicatorvalue": ALL,
        "budgetline": ALL,
        "statusupdate": ALL,
        "citation": ALL,
        # Sources are public documents shared by every municipality: cited and
        # added, changed only by platform administrators.
        "source": ("add", "view"),
    },
    "partners": {
        "partner": ALL,
        "partnername": ALL,
        "membership": ALL,
        "municipality": ("view",),
    },
    "auth": {"user": ("add", "change", "view")},
}


def municipal_administrators_group():
    """The group that gives municipal administrators their model permissions,
    created or brought up to date (the permissions above, no more)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _created = Group.objects.get_or_create(name=MUNICIPAL_ADMINISTRATORS_GROUP)
    wanted = Q(pk__in=[])
    for app_label, models in MUNICIPAL_ADMINISTRATOR_PERMISSIONS.items():
        for model, actions in models.items():
            wanted |= Q(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
                content_type__model=model,
            )
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def municipality_administrator_add(
    *, actor, user, municipality: Municipality
) -> MunicipalityAdministrator:
    """Make `user` an administrator of `municipality`: a staff user in the
    municipal administrators' group, scoped to it. Platform administrators only."""
    check(
        actor,
        lambda person: (
            staff_may(person, "add", MunicipalityAdministrator)
            and is_platform_admin(person)
        ),
    )
    if user.is_superuser:
        raise ValidationError(
            {
                "user": _(
                    "En superbruker administrerer alle kommuner og kan ikke "
                    "begrenses til én."
                )
            }
        )
    row = MunicipalityAdministrator(user=user, municipality=municipality)
    _validated_save(row, actor)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(municipal_administrators_group())
    forget_administered(user)
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache
    return row


@transaction.atomic
def municipality_administrator_invite(
    *,
    actor,
    municipality: Municipality,
    username: str,
    email: str,
    domain: str,
    use_https: bool = True,
):
    """A new user who administers `municipality`, with no password anyone knows:
    a mail through Django's mail API, sent when the transaction commits, has a
    link to set one (Django's password-reset link). Returns the user."""
    import secrets

    from django.contrib.auth import get_user_model

    if not email:
        raise ValidationError(
            {"email": _("Skriv e-postadressen til kommunens første administrator.")}
        )
    user = get_user_model()(username=username, email=email)
    # A random password nobody is told; they set their own through the link.
    user.set_password(secrets.token_urlsafe(32))
    record_actor(user, actor)
    full_clean_visible(user)
    user.save()
    municipality_administrator_add(actor=actor, user=user, municipality=municipality)
    transaction.on_commit(
        lambda: _send_welcome(
            user=user, municipality=municipality, domain=domain, use_https=use_https
        )
    )
    return user


def _send_welcome(*, user, municipality, domain: str, use_https: bool) -> None:
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    context = {
        "user": user,
        "municipality": municipality,
        "domain": domain,
        "protocol": "https" if use_https else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    subject = "".join(
        render_to_string(
            "partners/email/administrator_welcome_subject.txt", context
        ).splitlines()
    )
    body = render_to_string("partners/email/administrator_welcome.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def municipality_administrator_remove(
    *, actor, administrator: MunicipalityAdministrator
) -> None:
    """End a user's administration of a municipality. Without any left they
    leave the group and the admin: a staff user with no municipality would
    otherwise be a platform administrator (partners/scope.py)."""
    check(
        actor,
        lambda person: (
            staff_may(person, "delete", MunicipalityAdministrator)
            and is_platform_admin(person)
        ),
    )
    user = administrator.user
    record_actor(administrator, actor)
    administrator.delete()
    if not user.administered_municipalities.exists():
        user.groups.remove(municipal_administrators_group())
        if not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
    forget_administered(user)
