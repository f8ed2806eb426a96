"""Run the background jobs of the queue (measures/queue.py): imports, reminder
digests, password-reset mail. Start one or more beside the web server, on this
machine or on others that reach the same Redis and database (docs/deploy.md,
"Workers")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from rq import Worker

from measures import queue


class DjangoWorker(Worker):
    """RQ's worker forks a process per job; the fork must not share the parent's
    database connections, so they are closed before each fork (the child opens
    its own, and closes it when it exits)."""

    def fork_work_horse(self, job, queue):
        connections.close_all()
        return super().fork_work_horse(job, queue)


class Command(BaseCommand):
    help = (
        "Kjør bakgrunnsjobbene i køen (import, påminnelser, e-post om nytt passord). "
        "Trenger RUSPLAN_QUEUE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Kjør jobbene som står i køen, og avslutt når den er tom.",
        )

    def handle(self, *args, burst=False, **options):
        if not queue.queue_configured():
            raise CommandError(
                "RUSPLAN_QUEUE_URL er ikke satt, så det finnes ingen kø å hente jobber "
                "fra (jobbene kjøres da med en gang). Se docs/configuration.md."
            )
        q = queue.get_queue()
        self.stdout.write(f"Arbeider for køen «{settings.RUSPLAN_QUEUE_NAME}» startet.")
        DjangoWorker([q], connection=q.connection).work(
            burst=burst, with_scheduler=False
        )
