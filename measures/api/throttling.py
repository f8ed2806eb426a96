from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's per-address throttle, with the rate read from settings on every
    request (RUSPLAN_API_ANON_RATE) rather than once at import, so that a
    deployment and a test can set it. The counts live in the default cache."""

    def get_rate(self) -> str:
        return settings.RUSPLAN_API_ANON_RATE
