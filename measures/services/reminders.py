"""Reminder digests: each caseworker gets one email about the measures they have
not reported on this reporting period, at most once per period.

A ReminderSent row per user and period key is written in the same transaction as
the email is sent, so a period already recorded is never sent again, even when two
runs overlap (the unique constraint stops the second before it sends). The command
send_update_reminders runs this daily from cron (docs/reminders.md).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from measures.models import ReminderSent
from measures.selectors.workflow import due_measures_by_caseworker

logger = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    """What a run did (or, dry, would do), one line per person, for the log."""

    sent: int = 0
    skipped: int = 0
    lines: list[str] = field(default_factory=list)


def reminders_send(
    *, today: datetime.date, base_url: str = "", dry_run: bool = False
) -> ReminderRun:
    """Send the digests due on `today`; with dry_run, only say what would be sent."""
    base_url = (base_url or getattr(settings, "RUSPLAN_BASE_URL", "")).rstrip("/")
    due = due_measures_by_caseworker(today=today)
    users = get_user_model().objects.in_bulk(list(due))
    already = set(
        ReminderSent.objects.filter(user_id__in=list(due)).values_list(
            "user_id", "period_key"
        )
    )
    run = ReminderRun()
    for user_id, items in sorted(due.items()):
        user = users[user_id]
        fresh = [(m, s) for m, s in items if (user_id, s.period.key) not in already]
        if not fresh:
            run.skipped += 1
            continue
        if not user.email:
            run.lines.append(f"Hopper over {user.get_username()}: ingen e-postadresse.")
            run.skipped += 1
            continue
        keys = sorted({s.period.key for _, s in fresh})
        if dry_run:
            titles = ", ".join(m.title for m, _ in fresh)
            run.lines.append(
                f"Ville sendt til {user.email}: {len(fresh)} tiltak "
                f"({', '.join(keys)}): {titles}"
            )
            run.sent += 1
        elif _send(user, fresh, keys, base_url):
            run.lines.append(
                f"Sendt til {user.email}: {len(fresh)} tiltak ({', '.join(keys)})"
            )
            run.sent += 1
        else:
            run.skipped += 1
    return run


def reminders_send_job(*, today: str, base_url: str = "") -> None:
    """reminders_send as a background job (measures/queue.py), enqueued by
    send_update_reminders; what it did goes to the log."""
    run = reminders_send(today=datetime.date.fromisoformat(today), base_url=base_url)
    for line in run.lines:
        logger.info(line)
    logger.info("Påminnelser sendt: %s. Hoppet over: %s.", run.sent, run.skipped)


def _send(user, items, keys, base_url) -> bool:
    """Record, then send, in one transaction: if another run recorded the same
    period meanwhile, the unique constraint stops this one before it sends."""
    context = {"user": user, "items": items, "base_url": base_url}
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
                subject=" ".join(subject.split()), body=text, to=[user.email]
            )
            message.attach_alternative(html, "text/html")
            message.send()
    except IntegrityError:
        return False
    return True
