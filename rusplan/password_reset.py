"""Password reset whose mail is sent by a background job (measures/queue.py).

The request only enqueues one job with the address typed, known or not; the job
looks the users up and sends. So the request does the same work, and takes the
same time, whether or not the address belongs to anyone: its timing tells nothing
about which addresses have accounts.

When the queue does not answer, the visitor sees the same "sent" page as always
and an error is logged for the operators: no mail goes out until the queue is
back. The mail is not sent in the request instead, since that would bring back
the difference in time between a known and an unknown address, at the moment
anyone can see the site is in trouble (docs/decisions.md 52).
"""

import logging

from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from measures import queue
from partners.text import VisibleTextFormMixin

logger = logging.getLogger(__name__)


class QueuedPasswordResetForm(VisibleTextFormMixin, PasswordResetForm):
    def save(
        self,
        domain_override=None,
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
        use_https=False,
        token_generator=None,
        from_email=None,
        request=None,
        html_email_template_name=None,
        extra_email_context=None,
    ):
        # Django's view passes its default token generator; the job uses the same
        # default, since a generator object cannot travel through the queue.
        queue.enqueue(
            password_reset_send,
            on_failure=_not_queued,
            email=self.cleaned_data["email"],
            domain=domain_override or request.get_host(),
            use_https=use_https,
            language=translation.get_language(),
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            html_email_template_name=html_email_template_name,
            from_email=from_email,
            extra_email_context=extra_email_context,
        )


def _not_queued() -> None:
    # No address in the log: that someone asked is all operators need to know.
    logger.error(
        "A password reset was asked for while the job queue does not answer; "
        "no mail was sent. The visitor was told it was."
    )


def password_reset_send(*, email: str, domain: str, language: str, **options) -> None:
    """The job: Django's own lookup and mail, for every active user with this
    address and a usable password (none for an unknown address)."""
    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(domain_override=domain, **options)
