from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RusplanConfig(AppConfig):
    name = "rusplan"
    verbose_name = _("Rusplan")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        # checks registers its checks on import.
        from . import checks, db_session, page_cache, security_log  # noqa: F401
        from .middleware import record_login_time

        security_log.connect_receivers()
        db_session.connect_receivers()
        page_cache.connect_receivers()
        user_logged_in.connect(record_login_time, dispatch_uid="rusplan.login_time")
