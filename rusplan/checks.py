"""Our own `manage.py check --deploy` warnings: settings that work in development
but are wrong for a production site."""

from django.conf import settings
from django.core import checks

NO_QUEUE = checks.Warning(
    "RUSPLAN_QUEUE_URL is not set: imports, reminders and password-reset mail run "
    "inside the web request instead of on a worker.",
    hint=(
        "Set RUSPLAN_QUEUE_URL to a Redis (redis://host:6379/1) and run "
        "`manage.py run_worker` (docs/deploy.md, Workers). Without a queue a large "
        "import is killed by the web server's timeout, and a password reset takes "
        "longer for a known address than for an unknown one."
    ),
    id="rusplan.W001",
)


@checks.register(checks.Tags.security, deploy=True)
def queue_configured(app_configs, **kwargs):
    return [] if settings.RUSPLAN_QUEUE_URL else [NO_QUEUE]
