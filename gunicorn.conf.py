"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed from the environment (docs/configuration.md):

  GUNICORN_BIND         address to listen on (default 127.0.0.1:8000, behind nginx)
  WEB_CONCURRENCY       worker processes (default 2 x CPU cores + 1)
  GUNICORN_THREADS      threads per worker (default 1: sync workers)
  GUNICORN_TIMEOUT      seconds before a stuck worker is killed and replaced (30)
  GUNICORN_MAX_REQUESTS requests after which a worker is replaced (2000; 0: never)
  FORWARDED_ALLOW_IPS   proxies trusted for X-Forwarded-* (gunicorn's own variable;
                        default 127.0.0.1,::1)

Logs go to stdout (access) and stderr (gunicorn's own), one JSON object a line in the
same shape as Django's log (rusplan/log_format.py), for the journal or a log
collector.
"""

import datetime
import gc
import json
import logging
import multiprocessing
import os

from gunicorn import glogging

wsgi_app = "rusplan.wsgi:application"

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# nginx keeps connections to the app servers open between requests.
keepalive = 5
# Load the application once in the master, before forking: workers start faster
# and share memory; an import error stops the start instead of looping workers.
preload_app = True


def pre_fork(server, worker):
    """Freeze what the master has loaded (Django, the URL patterns, the models:
    most of a worker's 200,000 objects) before each worker is forked from it.
    The garbage collector never walks frozen objects: a full collection in a
    worker, a pause in whichever request it falls on, took 117 ms with them and
    50 ms without (docs/benchmarks.md); and the worker's memory stays shared with
    the master instead of being copied page by page as the collector touched
    it."""
    gc.freeze()


# Objects a worker allocates before the collector's youngest generation is
# examined (Python's default: 700). A public page allocates tens of thousands of
# short-lived objects, nearly all freed by reference counting when the request
# ends; with the default, dozens of young collections a request promoted them
# to the old generation and a full collection followed every few requests,
# 10-30 ms in whichever request it fell on. With 20,000: the API list's p95
# 73 -> 52 ms, a median plan's 77 -> 69 ms (p50 unchanged; docs/benchmarks.md).
# Cyclic garbage is still found, at the cost of a few megabytes more at most.
GC_YOUNG_THRESHOLD = 20_000


def post_fork(server, worker):
    """Each worker's collector thresholds (see GC_YOUNG_THRESHOLD); the older
    generations keep Python's defaults."""
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


# Replace each worker after a few thousand requests, so that a slow leak in any
# library can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
# The worker heartbeat file on a RAM disk: a slow disk cannot make the master
# think a busy worker is stuck.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# gunicorn 27's runtime control socket (gunicornc) is not used; left on, every
# instance on a host would claim the same default path.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def _now() -> str:
    # Gunicorn's master has no Django settings to ask: an aware UTC time stamp.
    now = datetime.datetime.now(tz=datetime.UTC)  # noqa: TID251
    return now.isoformat(timespec="milliseconds")


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": _now(),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class JsonLogger(glogging.Logger):
    """gunicorn's logger with JSON lines: error log as records, access log as one
    object per request (no request headers or cookies beyond the user agent)."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            if getattr(handler, "_gunicorn", False):
                handler.setFormatter(_JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        headers = dict(resp.headers or [])
        record = {
            "time": _now(),
            "level": "INFO",
            "logger": "gunicorn.access",
            "event": "request",
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "cache": headers.get("X-Rusplan-Cache"),
            "pid": os.getpid(),
        }
        self.access_log.info(
            json.dumps(
                {k: v for k, v in record.items() if v is not None}, ensure_ascii=False
            )
        )


logger_class = JsonLogger
