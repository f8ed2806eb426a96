"""Password reset mail as a job (rusplan/password_reset.py) on the real queue: the
request enqueues the same job for a known and an unknown address, and the worker
sends the mail with a working link."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db(transaction=True)


def _shape(job) -> tuple:
    kwargs = dict(job.kwargs)
    kwargs.pop("email")
    return job.func_name, tuple(job.args), kwargs


def test_known_and_unknown_addresses_enqueue_the_same_job(client, alice, job_queue):
    known = client.post(reverse("password_reset"), {"email": alice.email})
    unknown = client.post(reverse("password_reset"), {"email": "ingen@example.invalid"})

    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert mail.outbox == []  # nothing is sent in the request
    first, second = job_queue.waiting
    assert _shape(first) == _shape(second)
    assert first.func_name == "rusplan.password_reset.password_reset_send"
    assert [first.kwargs["email"], second.kwargs["email"]] == [
        alice.email,
        "ingen@example.invalid",
    ]

    job_queue.run()

    assert [message.to for message in mail.outbox] == [[alice.email]]
    assert job_queue.failed == []
    message = mail.outbox[0]
    assert message.subject == "Velg nytt passord i Rusplan"
    link = re.search(r"http://testserver(/passord/ny/\S+/)", message.body).group(1)
    set_password_url = client.get(link)["Location"]
    new = "fjordbussen-gikk-klokken-sju"
    done = client.post(set_password_url, {"new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(new)


def test_the_job_writes_in_the_language_of_the_page(client, alice, job_queue):
    with translation.override("en"):
        client.post(reverse("password_reset"), {"email": alice.email})

    [job] = job_queue.waiting
    assert job.kwargs["language"] == "en"
    job_queue.run()

    [message] = mail.outbox
    assert message.to == [alice.email]
    assert "/passord/ny/" in message.body


def test_a_reset_while_the_queue_is_down_looks_sent_and_is_logged(
    client, alice, settings, caplog
):
    """The visitor sees the same page as always (nothing about the address), no
    mail is sent in the request (that would time known against unknown), and the
    operators get an error in the log, without the address."""
    settings.RUSPLAN_QUEUE_URL = "redis://127.0.0.1:1/0"  # nothing answers there

    with caplog.at_level("ERROR"):
        known = client.post(reverse("password_reset"), {"email": alice.email})
        unknown = client.post(
            reverse("password_reset"), {"email": "ingen@example.invalid"}
        )

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    logged = [(r.name, r.levelname) for r in caplog.records]
    one = [("measures.queue", "ERROR"), ("rusplan.password_reset", "ERROR")]
    assert logged == one * 2
    assert not any(alice.email in r.getMessage() for r in caplog.records)
