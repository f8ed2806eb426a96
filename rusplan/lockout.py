"""django-axes' failure limit: per username and address, and per address alone.

Axes takes one failure limit (AXES_FAILURE_LIMIT) for all its lockout parameters,
and counts the failures of a parameter set as the most of any set; with both
``["username", "ip_address"]`` and ``"ip_address"`` listed, the address count (the
larger) would lock an address out after five failures. So axes keeps counting by
username and address, and this callable lowers the limit to zero, which every count
reaches, once the address has RUSPLAN_ADDRESS_FAILURE_LIMIT failures across all
usernames inside the cool-off time: then every username is locked out from there.
The counts are axes' own AccessAttempt rows, so a lockout ends, and is reset in the
admin, as axes' lockouts do (decision 53).
"""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from .security_log import client_ip


def address_failures(request: HttpRequest) -> int:
    """Failures from the request's address, any username, inside the cool-off."""
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT."""
    if address_failures(request) >= settings.RUSPLAN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.RUSPLAN_USERNAME_FAILURE_LIMIT
