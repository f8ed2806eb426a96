"""Security events as structured log records on the logger ``rusplan.security``.

Each event is one JSON object a line (``JsonFormatter``): login success and failure,
lockout, a wrong second-factor code, new recovery codes, a second factor reset by an
administrator, logout (with the reason: the user, or an
idle or absolute session timeout), 403 responses and CSRF failures. The records say
who, from where and what, never a password, a token or a session key: only fields
named in ``_ALLOWED_FIELDS`` are written, whatever a caller passes.

This module is imported by the logging configuration before the app registry is
ready, so it imports no models at the top; ``connect_receivers`` is called from
``RusplanConfig.ready``.
"""

import datetime
import json
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("rusplan.security")

_ALLOWED_FIELDS = (
    "user_id",
    "username",
    "ip",
    "method",
    "path",
    "status",
    "reason",
)
_MAX_FIELD_LENGTH = 200


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting exactly RUSPLAN_TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the client
    is that many entries from the right; anything further left is client-supplied
    and could be forged. Used by django-axes too (AXES_CLIENT_IP_CALLABLE).
    """
    proxies = getattr(settings, "RUSPLAN_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def log_event(
    event: str,
    *,
    request: HttpRequest | None = None,
    user=None,
    level: int = logging.INFO,
    **fields,
) -> None:
    """Log one security event. Unknown fields are dropped, not written."""
    record = {}
    if request is not None:
        record["ip"] = client_ip(request)
        record["method"] = request.method
        record["path"] = request.path
        if user is None:
            user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        record["user_id"] = user.pk
        record["username"] = user.get_username()
    record.update(fields)
    safe = {
        key: _shorten(record[key])
        for key in _ALLOWED_FIELDS
        if record.get(key) not in (None, "")
    }
    logger.log(level, event, extra={"security_event": event, "security": safe})


def _shorten(value):
    if isinstance(value, str) and len(value) > _MAX_FIELD_LENGTH:
        return value[:_MAX_FIELD_LENGTH] + "…"
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, event, fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.datetime.fromtimestamp(
                record.created, tz=datetime.UTC
            ).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "security_event", None) or record.getMessage(),
        }
        payload.update(getattr(record, "security", {}))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class ExcludeSecurityEvents(logging.Filter):
    """Keeps security events out of the plain console handler (they have their own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(logger.name)


def _on_logged_in(sender, request, user, **kwargs):
    log_event("login_succeeded", request=request, user=user)


def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``; only the username
    # is kept, and only because a failed login is worthless without it.
    log_event(
        "login_failed",
        request=request,
        username=str(credentials.get("username", "")),
        level=logging.WARNING,
    )


def _on_logged_out(sender, request, user, **kwargs):
    log_event(
        "logout",
        request=request,
        user=user,
        reason=getattr(request, "rusplan_logout_reason", "user"),
    )


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    log_event(
        "lockout",
        request=request,
        username=str(username or ""),
        ip=ip_address,
        level=logging.WARNING,
    )


def _on_otp_failed(sender, user, **kwargs):
    log_event("otp_failed", user=user, level=logging.WARNING)


def connect_receivers() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth import signals
    from django_otp.forms import otp_verification_failed

    uid = "rusplan.security_log"
    signals.user_logged_in.connect(_on_logged_in, dispatch_uid=uid)
    signals.user_login_failed.connect(_on_login_failed, dispatch_uid=uid)
    signals.user_logged_out.connect(_on_logged_out, dispatch_uid=uid)
    user_locked_out.connect(_on_locked_out, dispatch_uid=uid)
    otp_verification_failed.connect(_on_otp_failed, dispatch_uid=uid)
