"""A Redis cache that fails soft: when Redis is unreachable, reads are misses and
writes do nothing, so the site keeps working (slower) instead of answering 500.

Selected in settings when CACHE_URL is a redis:// URL. Three things make an outage
cheap for the requests that run into it:

- short socket timeouts (a stopped Redis refuses at once; an unreachable host would
  otherwise hold each request for the operating system's connect timeout);
- after a failure the cache is skipped entirely for RETRY_AFTER_SECONDS in this
  process, then tried again (a circuit breaker), so a page does not pay a timeout
  for every cache call it makes;
- one warning a WARNING_INTERVAL_SECONDS at most, not one per request.

Only connection and timeout errors are swallowed; any other Redis error is a bug or
a misconfiguration and is raised as usual.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger("rusplan.cache")

RETRY_AFTER_SECONDS = 1.0
WARNING_INTERVAL_SECONDS = 60.0
DEFAULT_OPTIONS = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
    # After a Redis restart every pooled connection is dead; reconnect once, at
    # once, instead of failing the first command on each of them.
    "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
}
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    """Per process and Redis location: when Redis failed last, when we last said so.
    Django makes one cache object per thread, so this state is shared explicitly."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.warned_at = -WARNING_INTERVAL_SECONDS
        self.failures = 0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._breaker = _breaker_for(",".join(self._servers))

    @property
    def available(self) -> bool:
        """False while this process is skipping Redis after a failure."""
        return time.monotonic() >= self._breaker.down_until

    def _guard(self, default, operation, *args, **kwargs):
        if not self.available:
            return default
        try:
            return operation(*args, **kwargs)
        except _UNREACHABLE as error:
            self._failed(error)
            return default

    def _failed(self, error: Exception) -> None:
        breaker = self._breaker
        now = time.monotonic()
        with breaker.lock:
            breaker.down_until = now + RETRY_AFTER_SECONDS
            breaker.failures += 1
            if now - breaker.warned_at < WARNING_INTERVAL_SECONDS:
                return
            breaker.warned_at = now
            failures, breaker.failures = breaker.failures, 0
        logger.warning(
            "Redis cache unreachable (%s: %s); serving without cache, "
            "%d failure(s) since the last warning",
            type(error).__name__,
            error,
            failures,
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guard(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guard(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._guard({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guard(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # Django's contract for a missing key is ValueError; an unreachable Redis
        # is treated the same way, so callers need one except clause.
        result = self._guard(_MISSING, super().incr, key, delta, version)
        if result is _MISSING:
            raise ValueError(f"Key {key!r} not found (or Redis unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guard(None, super().delete_many, keys, version)

    def clear(self):
        return self._guard(False, super().clear)


_MISSING = object()
