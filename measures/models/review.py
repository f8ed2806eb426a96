"""The review lifecycle, written once for every kind of record a caseworker
reports and a coordinator reviews (status updates and indicator values).

    draft ──submit──▶ submitted ──publish──▶ published
      ▲                   │
      └──── returned ◀────┘ (with a comment; the author corrects and sends again)

A plan that needs no review publishes on submit. `version` is bumped on every
change so that a second editor gets a conflict instead of overwriting (see
measures/services/review.py, which moves a record through these states).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt til godkjenning")
    PUBLISHED = "published", _("Publisert")
    RETURNED = "returned", _("Returnert")


# The states in which the author may still change the record.
EDITABLE_STATES = (ReviewState.DRAFT, ReviewState.RETURNED)


def author_field(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forfatter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


def reviewer_field(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("godkjent av"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


def review_constraints(*, prefix: str, returned_message) -> list:
    """The rules every reviewed record keeps, named `<prefix>_…` as the
    migrations created them: a published record has its publishing time, a
    returned one says why."""
    return [
        models.CheckConstraint(
            condition=~Q(state="published") | Q(published_at__isnull=False),
            name=f"{prefix}_published_has_time",
        ),
        models.CheckConstraint(
            condition=~Q(state="returned") | ~Q(review_comment=""),
            name=f"{prefix}_returned_has_comment",
            violation_error_message=returned_message,
        ),
    ]


class ReviewedRecord(models.Model):
    """The fields of the review lifecycle. A subclass adds `author` and
    `reviewer` (author_field, reviewer_field: each kind has its own reverse
    names), its `history`, and review_constraints() in its Meta."""

    state = models.CharField(
        _("tilstand"),
        max_length=20,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
    )
    review_comment = models.TextField(_("kommentar fra koordinator"), blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.state == ReviewState.PUBLISHED
