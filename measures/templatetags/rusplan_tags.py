import datetime

from django import template

from measures.selectors import plan_reference_date
from partners.models import Partner

register = template.Library()


@register.simple_tag(takes_context=True)
def full_url(context, path: str) -> str:
    """An absolute URL, so that a printed page shows where each link goes."""
    request = context.get("request")
    if request is None:
        return path
    return request.build_absolute_uri(path)


@register.filter
def name_on(partner: Partner, day: datetime.date | None) -> str:
    """The partner's name in force on `day` (prefetch former_names in lists)."""
    return partner.name_on(day)


@register.filter
def reference_date(plan) -> datetime.date:
    return plan_reference_date(plan)


@register.filter
def phase_count(rollup, phase: str) -> int:
    return rollup.phase_count(phase)
