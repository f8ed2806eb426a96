"""Signals the measures app sends for the apps that depend on it, so that measures
never imports them (partners <- measures <- rusplan).

public_data_changed: public data was written in a way that sends no model signals
(bulk_create, raw SQL, a queryset's update()), today by the demo data generator.
Writes through the services or the admin need not send it: rusplan's page cache
already receives their post_save, post_delete and m2m_changed. Arguments: ``using``,
the database alias written to. The sender is the writing module's name. rusplan's
page cache receives it and makes every cached public page stale
(rusplan/page_cache.py).
"""

from django.dispatch import Signal

public_data_changed = Signal()
