"""Email each caseworker one digest of the measures they have not reported on this
reporting period, at most once per period (measures/services/reminders.py does the
work). Run it daily from cron (docs/reminders.md). With a job queue configured
(RUSPLAN_QUEUE_URL) it enqueues the sending for a worker; --inline sends at once."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures import queue
from measures.services.reminders import reminders_send, reminders_send_job


class Command(BaseCommand):
    help = (
        "Send hver saksbehandler én samlet e-post om tiltak som skal rapporteres "
        "denne perioden (høyst én gang per periode)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Vis hva som ville blitt sendt, uten å sende eller lagre noe.",
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Regn perioder som om dagen var denne (ÅÅÅÅ-MM-DD). For testing.",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="Adressen lenkene i e-posten skal starte med, "
            "for eksempel https://rusplan.example.no.",
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send nå, i denne prosessen, i stedet for å legge sendingen i køen.",
        )

    def handle(
        self, *args, dry_run=False, date=None, base_url="", inline=False, **options
    ):
        today = date or timezone.localdate()
        if queue.queue_configured() and not (dry_run or inline):
            queue.enqueue(
                reminders_send_job,
                on_failure=_queue_down,
                today=today.isoformat(),
                base_url=base_url,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Påminnelsene for {today:%d.%m.%Y} er lagt i køen. "
                    "En arbeider (manage.py run_worker) sender dem."
                )
            )
            return
        run = reminders_send(today=today, base_url=base_url, dry_run=dry_run)
        for line in run.lines:
            self.stdout.write(line)
        verb = "ville blitt sendt" if dry_run else "sendt"
        self.stdout.write(
            self.style.SUCCESS(
                f"Påminnelser {verb}: {run.sent}. Hoppet over: {run.skipped}. "
                f"Dato: {today:%d.%m.%Y}."
            )
        )


def _queue_down() -> None:
    # Outside a transaction on_commit runs at once, so this ends the command with
    # an error (and cron's mail) instead of claiming the reminders were queued.
    raise CommandError(
        "Køen for bakgrunnsjobber svarer ikke, så påminnelsene er ikke lagt i køen. "
        "Prøv igjen, eller send dem nå med --inline."
    )
