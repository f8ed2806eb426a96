"""Every write to partners and memberships goes through here.

Each service takes the acting user (`actor`, required) and checks the Django model
permission (partners/actors.py: staff_may), or is given a SystemActor by a command
loading shipped data."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .actors import check, record_actor, staff_may
from .models import Membership, Municipality, Partner, PartnerName
from .text import full_clean_visible


def _require(actor, action: str, model) -> None:
    check(actor, lambda user: staff_may(user, action, model))


def _validated_save(instance, actor) -> None:
    record_actor(instance, actor)
    full_clean_visible(instance)
    instance.save()


@transaction.atomic
def municipality_create(
    *, actor, name: str, number: str, slug: str, county: str = "", **fields
) -> Municipality:
    _require(actor, "add", Municipality)
    municipality = Municipality(
        name=name, number=number, slug=slug, county=county, **fields
    )
    _validated_save(municipality, actor)
    return municipality


@transaction.atomic
def municipality_update(*, actor, municipality: Municipality, **fields) -> Municipality:
    _require(actor, "change", Municipality)
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
    _require(actor, "add", Partner)
    partner = Partner(name=name, slug=slug, kind=kind, parent=parent, **fields)
    _validated_save(partner, actor)
    return partner


@transaction.atomic
def partner_update(*, actor, partner: Partner, **fields) -> Partner:
    _require(actor, "change", Partner)
    for name, value in fields.items():
        setattr(partner, name, value)
    _validated_save(partner, actor)
    return partner


@transaction.atomic
def partner_serves_add(*, actor, partner: Partner, municipality: Municipality) -> None:
    """Record that a regional or national partner works in `municipality`."""
    _require(actor, "change", Partner)
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
    _require(actor, "add", PartnerName)
    former = PartnerName(
        partner=partner,
        name=name,
        valid_from=valid_from,
        valid_until=valid_until,
        dates_approximate=dates_approximate,
    )
    _validated_save(former, actor)
    return former


@transaction.atomic
def partner_name_update(*, actor, former: PartnerName, **fields) -> PartnerName:
    _require(actor, "change", PartnerName)
    for name, value in fields.items():
        setattr(former, name, value)
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
    _require(actor, "add", Membership)
    membership = Membership(user=user, partner=partner, role=role)
    _validated_save(membership, actor)
    return membership
