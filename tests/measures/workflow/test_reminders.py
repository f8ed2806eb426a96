"""send_update_reminders: one digest per caseworker and period, however often."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from measures.models import ReminderSent, StatusUpdate
from partners.models import Membership
from tests.factories import MeasureFactory, MembershipFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)  # 2. tertial 2025


def _run(*args) -> str:
    out = StringIO()
    call_command(
        "send_update_reminders", "--date", TODAY.isoformat(), *args, stdout=out
    )
    return out.getvalue()


def test_each_caseworker_gets_one_digest_in_norwegian_text_and_html(world):
    second = MeasureFactory(
        plan=world.plan, lead=world.partner_a, title="Bo-oppfølging"
    )
    output = _run()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["alice@example.invalid", "charlie@example.invalid"]
    message = next(m for m in mail.outbox if m.to == ["alice@example.invalid"])
    assert "2 tiltak skal rapporteres" in message.subject
    assert world.measure_a.title in message.body
    assert second.title in message.body
    assert "2. tertial 2025" in message.body
    assert "frist 31.08.2025" in message.body
    assert f"/tiltak/{second.slug}/oppdater/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Bo-oppfølging" in html
    assert "Sendt til alice@example.invalid: 2 tiltak (tertial:2025-2)" in output


def test_running_again_in_the_same_period_sends_nothing(world):
    _run()
    assert len(mail.outbox) == 2
    output = _run()
    assert len(mail.outbox) == 2
    assert "Påminnelser sendt: 0" in output
    assert ReminderSent.objects.count() == 2


def test_next_period_sends_again(world):
    _run()
    out = StringIO()
    call_command("send_update_reminders", "--date", "2025-09-01", stdout=out)
    assert len(mail.outbox) == 4
    keys = set(ReminderSent.objects.values_list("period_key", flat=True))
    assert keys == {"tertial:2025-2", "tertial:2025-3"}


def test_dry_run_sends_and_records_nothing(world):
    output = _run("--dry-run")
    assert mail.outbox == []
    assert ReminderSent.objects.count() == 0
    assert "Ville sendt til alice@example.invalid" in output


def test_measures_reported_this_period_are_left_out(world):
    StatusUpdate.objects.filter(pk=world.submitted_a.pk).update(as_of=TODAY)
    _run()
    assert [m.to for m in mail.outbox] == [["charlie@example.invalid"]]


def test_coordinators_and_users_without_email_get_nothing(world):
    nomail = UserFactory(username="utenepost", email="")
    MembershipFactory(user=nomail, partner=world.partner_a)
    output = _run()
    recipients = {m.to[0] for m in mail.outbox}
    assert "olivia@example.invalid" not in recipients
    assert "Hopper over utenepost: ingen e-postadresse." in output


def test_inactive_users_get_nothing(world):
    world.charlie.is_active = False
    world.charlie.save()
    _run()
    assert [m.to for m in mail.outbox] == [["alice@example.invalid"]]


def test_measures_of_other_plans_are_not_mixed_in(world):
    MeasureFactory(plan=PlanFactory(status="draft"), lead=world.partner_a)
    _run()
    message = next(m for m in mail.outbox if m.to == ["alice@example.invalid"])
    assert "1 tiltak skal rapporteres" in message.subject


def test_a_caseworker_of_two_partners_gets_one_email(world):
    MembershipFactory(
        user=world.alice, partner=world.partner_b, role=Membership.Role.CASEWORKER
    )
    _run()
    alice_mail = [m for m in mail.outbox if m.to == ["alice@example.invalid"]]
    assert len(alice_mail) == 1
    assert world.measure_b.title in alice_mail[0].body


def test_measures_of_a_training_plan_send_no_reminders(world):
    training = PlanFactory(is_training=True, title="Øvingsplan – ikke ekte data")
    MeasureFactory(plan=training, lead=world.partner_a, title="Øvingstiltak")
    _run()
    message = next(m for m in mail.outbox if m.to == ["alice@example.invalid"])
    assert "1 tiltak skal rapporteres" in message.subject
    assert "Øvingstiltak" not in message.body


def test_with_a_queue_the_command_enqueues_and_a_worker_sends(
    world, job_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        output = _run()

    assert "er lagt i køen" in output
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    [job] = job_queue.waiting
    assert job.kwargs == {"today": TODAY.isoformat(), "base_url": ""}

    job_queue.run()

    assert sorted(m.to[0] for m in mail.outbox) == [
        "alice@example.invalid",
        "charlie@example.invalid",
    ]
    assert job_queue.failed == []


def test_inline_sends_at_once_even_with_a_queue(world, job_queue):
    output = _run("--inline")

    assert len(mail.outbox) == 2
    assert "Sendt til alice@example.invalid" in output
    assert job_queue.waiting == []


@pytest.mark.django_db(transaction=True)
def test_with_the_queue_down_the_command_fails_and_says_so(world, settings):
    """Outside a transaction, as cron runs it: an error (and cron's mail), not
    «lagt i køen» for reminders that never were."""
    settings.RUSPLAN_QUEUE_URL = "redis://127.0.0.1:1/0"  # nothing answers there
    out = StringIO()

    with pytest.raises(CommandError, match=r"svarer ikke.*--inline"):
        call_command("send_update_reminders", "--date", TODAY.isoformat(), stdout=out)

    assert "lagt i køen" not in out.getvalue()
    assert mail.outbox == []
