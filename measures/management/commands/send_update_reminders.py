"""Email each caseworker one digest of the measures they have not reported on this
reporting period. At most once per period per person: a ReminderSent row per user
and period key is written with the email, and a period already recorded is never
sent again. Run it daily from cron (docs/reminders.md)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from measures.models import ReminderSent
from measures.workflow_selectors import due_measures_by_caseworker


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
        base_url = (base_url or getattr(settings, "RUSPLAN_BASE_URL", "")).rstrip("/")
        due = due_measures_by_caseworker(today=today)
        users = get_user_model().objects.in_bulk(list(due))
        already = set(
            ReminderSent.objects.filter(user_id__in=list(due)).values_list(
                "user_id", "period_key"
            )
        )
        sent = skipped = 0
        for user_id, items in sorted(due.items()):
            user = users[user_id]
            fresh = [(m, s) for m, s in items if (user_id, s.period.key) not in already]
            if not fresh:
                skipped += 1
                continue
            if not user.email:
                self.stdout.write(
                    f"Hopper over {user.get_username()}: ingen e-postadresse."
                )
                skipped += 1
                continue
            keys = sorted({s.period.key for _, s in fresh})
            titles = ", ".join(m.title for m, _ in fresh)
            if dry_run:
                self.stdout.write(
                    f"Ville sendt til {user.email}: {len(fresh)} tiltak "
                    f"({', '.join(keys)}): {titles}"
                )
                sent += 1
                continue
            if self._send(user, fresh, keys, base_url):
                self.stdout.write(
                    f"Sendt til {user.email}: {len(fresh)} tiltak ({', '.join(keys)})"
                )
                sent += 1
            else:
                skipped += 1
        verb = "ville blitt sendt" if dry_run else "sendt"
        self.stdout.write(
            self.style.SUCCESS(
                f"Påminnelser {verb}: {sent}. Hoppet over: {skipped}. "
                f"Dato: {today:%d.%m.%Y}."
            )
        )

    def _send(self, user, items, keys, base_url) -> bool:
        """Record, then send, in one transaction: if another run recorded the same
        period meanwhile, the unique constraint stops this one before it sends."""
        context = {
            "user": user,
            "items": items,
            "base_url": base_url,
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string(
                "measures/email/reminder_subject.txt", context
            ).strip()
            text = render_to_string("measures/email/reminder.txt", context)
            html = render_to_string("measures/email/reminder.html", context)
        try:
            with transaction.atomic():
                for key in keys:
                    ReminderSent.objects.create(
                        user=user,
                        period_key=key,
                        measure_count=sum(1 for _, s in items if s.period.key == key),
                    )
                message = EmailMultiAlternatives(
                    subject=" ".join(subject.split()),
                    body=text,
                    to=[user.email],
                )
                message.attach_alternative(html, "text/html")
                message.send()
        except IntegrityError:
            return False
        return True
