"""Email each caseworker one digest of the measures they have not reported on this
reporting period, at most once per period (measures/services/reminders.py does the
work). Run it daily from cron (docs/reminders.md)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from measures.services.reminders import reminders_send


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

    def handle(self, *args, dry_run=False, date=None, base_url="", **options):
        today = date or timezone.localdate()
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
