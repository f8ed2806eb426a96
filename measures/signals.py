"""Signals the measures app sends for the apps that depend on it, so that measures
never imports them (partners <- measures <- rusplan).

public_data_changed: public data was written in a way that sends no model signals
(bulk_create, raw SQL, a queryset's update()), today by the demo data generator,
or in bulk (below). Writes through the services or the admin need not send it:
rusplan's page cache already receives their post_save, post_delete and
m2m_changed. Arguments: ``using``, the database alias written to. The sender is
the writing module's name. rusplan's page cache receives it and makes every cached
public page stale (rusplan/page_cache.py).

written_in_bulk(): a block of many writes (the shipped data's loader) that the
page cache should not trace one save at a time. Tracing finds the municipalities
whose pages a saved object is on, one to three queries a save, and bumps their
versions; for the loader's 700 saves that was nearly a third of its time. Inside the
block the page cache lets saves pass (`in_bulk_write()`), and the block sends
public_data_changed once when it ends: every page stale, which is true of a load.
"""

import contextlib
import contextvars

from django.db import DEFAULT_DB_ALIAS
from django.dispatch import Signal

public_data_changed = Signal()

_in_bulk_write = contextvars.ContextVar("measures_in_bulk_write", default=False)


def in_bulk_write() -> bool:
    """Whether the current code runs inside written_in_bulk()."""
    return _in_bulk_write.get()


@contextlib.contextmanager
def written_in_bulk(*, sender: str, using: str = DEFAULT_DB_ALIAS):
    """Writes inside the block are announced once, as public_data_changed from
    `sender`, when the outermost block ends (an inner block's `sender` and
    `using` are not used), also when it ends by an error (a page made stale for
    nothing is only rendered again).

    Put the block inside the transaction that holds its writes, as the loader
    does: they are then committed together and the announcement's second bump
    comes with the commit (rusplan.page_cache.content_changed()). A block that
    committed in parts would leave the cached pages stale from its first commit
    until its end."""
    if in_bulk_write():
        yield
        return
    token = _in_bulk_write.set(True)
    try:
        yield
    finally:
        _in_bulk_write.reset(token)
        public_data_changed.send(sender=sender, using=using)
