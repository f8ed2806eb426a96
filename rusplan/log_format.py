"""One JSON object a line for every log record (production's console log).

The same shape as the security events (rusplan/security_log.py): time, level,
logger, event (the message), plus, for Django's request errors, the status code,
method and path, and the traceback as one field, so that a log collector gets one
record per event instead of one per traceback line. Never the request's headers,
cookies or body.
"""

import logging

from .security_log import JsonFormatter as SecurityJsonFormatter


class JsonFormatter(SecurityJsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)
        fields = {}
        if getattr(record, "status_code", None) is not None:
            fields["status"] = record.status_code
        if request is not None and hasattr(request, "method"):
            fields["method"] = request.method
            fields["path"] = request.path
        if fields and not hasattr(record, "security"):
            record.security = fields
        return super().format(record)
