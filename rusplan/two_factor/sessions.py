"""Ending every session of one user, for the reset of their second factor.

Sessions live in the database (Django's default SESSION_ENGINE, which Rusplan
keeps), so a user's sessions are found by reading the stored ones; the engine's
own model is used, so a cached_db engine would work too. A cache-only engine has
no such model and fails here loudly rather than leave a stolen phone logged in.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from .pending import PENDING_KEY


def end_sessions(*, user) -> int:
    """Deletes every unexpired session logged in as ``user`` or waiting for their
    second factor (a pending login). Returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    model = store.get_model_class()
    ended = []
    for key, data in (
        model.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator()
    ):
        decoded = store().decode(data)
        pending = decoded.get(PENDING_KEY) or {}
        if (
            str(decoded.get(SESSION_KEY)) == str(user.pk)
            or pending.get("user") == user.pk
        ):
            ended.append(key)
    for key in ended:
        # Through the store, which also forgets a cached copy (cached_db).
        store(session_key=key).delete()
    return len(ended)
