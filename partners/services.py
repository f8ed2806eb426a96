"""Every write to partners and memberships goes through here."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Membership, Partner, PartnerName
from .text import full_clean_visible


def _validated_save(instance) -> None:
    full_clean_visible(instance)
    instance.save()


@transaction.atomic
def partner_create(
    *, name: str, slug: str, kind: str, parent: Partner | None = None, **fields
) -> Partner:
    partner = Partner(name=name, slug=slug, kind=kind, parent=parent, **fields)
    _validated_save(partner)
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, **fields) -> Partner:
    for name, value in fields.items():
        setattr(partner, name, value)
    _validated_save(partner)
    return partner


@transaction.atomic
def partner_name_add(
    *,
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
    _validated_save(former)
    return former


@transaction.atomic
def partner_name_update(*, former: PartnerName, **fields) -> PartnerName:
    for name, value in fields.items():
        setattr(former, name, value)
    _validated_save(former)
    return former


@transaction.atomic
def partner_rename(
    *, partner: Partner, new_name: str, effective: datetime.date
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
        partner=partner,
        name=partner.name,
        valid_from=previous_start + datetime.timedelta(days=1)
        if previous_start
        else None,
        valid_until=effective - datetime.timedelta(days=1),
    )
    return partner_update(partner=partner, name=new_name)


@transaction.atomic
def membership_create(*, user, partner: Partner, role: str) -> Membership:
    membership = Membership(user=user, partner=partner, role=role)
    _validated_save(membership)
    return membership
