"""The review lifecycle's writes, once for every kind of reviewed record.

A caseworker sends a draft (or a returned record they corrected) in; a coordinator
publishes it or returns it with a comment; a plan that needs no review publishes on
submit. Each step locks the row, compares the version the form was loaded with
(ConflictError when someone changed it since), checks the actor's permission, saves
once (one history row) and bumps the version. The fields are those of
measures.models.review.ReviewedRecord.

What differs between status updates and indicator values (which permission, what
must hold before sending in, what publishing also does) is a ReviewKind, defined
next to each kind's own services (services/status_updates.py,
services/indicator_values.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from measures.models import EDITABLE_STATES, Citation, ReviewState
from measures.models.review import ReviewedRecord
from measures.services.base import (
    NO_SOURCE_MESSAGE,
    ConflictError,
    check,
    field_error,
    validated_save,
)


def _nothing(*_args) -> None:
    """A hook with nothing to do for this kind."""


@dataclass(frozen=True)
class ReviewKind:
    """One kind of reviewed record and the rules that are its own."""

    model: type[ReviewedRecord]
    # What a step reads along with the record, and which tables it locks.
    related: tuple[str, ...]
    lock_of: tuple[str, ...]
    # The Citation field that points at this kind.
    citation_field: str
    plan: Callable[[Any], Any]
    can_edit: Callable[[Any, Any], bool]  # (user, record)
    can_review: Callable[[Any, Any], bool]  # (user, plan)
    # Refusals in the kind's own words (lazy translations).
    only_editable_can_submit: Any
    only_submitted_can_publish: Any
    only_submitted_can_return: Any
    return_needs_comment: Any
    # Raise ValidationError when the record may not be sent in / published now
    # by the actor (record, actor; actor may be a SystemActor).
    check_submit: Callable[[Any, Any], None] = _nothing
    check_publish: Callable[[Any, Any], None] = _nothing
    # Set the published state (the caller saves), and what follows the save.
    mark_published: Callable[[Any, Any], None] | None = None
    after_publish: Callable[[Any], None] = _nothing


def lock(kind: ReviewKind, record, expected_version: int | None):
    """The record as it is now, locked for this transaction; ConflictError when its
    version is not the one the form was loaded with."""
    queryset = kind.model.objects.select_related(*kind.related)
    if kind.lock_of:
        queryset = queryset.select_for_update(of=kind.lock_of)
    else:
        queryset = queryset.select_for_update()
    current = queryset.get(pk=record.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return current


def mark_published(kind: ReviewKind, record, reviewer) -> None:
    """Set a record published by `reviewer` now, without saving."""
    if kind.mark_published is not None:
        kind.mark_published(record, reviewer)
        return
    record.state = ReviewState.PUBLISHED
    record.reviewer = reviewer
    record.published_at = timezone.now()


def mark_submitted(kind: ReviewKind, record, reviewer=None) -> None:
    """Set the fields of a submitted record, or of a published one when the plan
    needs no review, without saving: the caller saves once, so one history row.

    A comment from an earlier return is answered by sending in again: it is cleared
    here, so a published record never shows it as current; the history row of the
    return keeps it."""
    record.submitted_at = timezone.now()
    record.review_comment = ""
    if kind.plan(record).requires_review:
        record.state = ReviewState.SUBMITTED
    else:
        mark_published(kind, record, reviewer)


def check_cited(kind: ReviewKind, record) -> None:
    """A record is sent in only with at least one source (a draft may wait)."""
    if not Citation.objects.filter(**{kind.citation_field: record}).exists():
        raise ValidationError({"sources": NO_SOURCE_MESSAGE}, code="no_source")


def submit(kind: ReviewKind, record, *, actor, expected_version: int | None):
    """Send a draft (or a corrected returned record) for review; publish at once
    when the plan needs no review. The caller holds the transaction."""
    current = lock(kind, record, expected_version)
    check(actor, lambda user: kind.can_edit(user, current))
    if current.state not in EDITABLE_STATES:
        raise ValidationError(kind.only_editable_can_submit, code="invalid")
    kind.check_submit(current, actor)
    check_cited(kind, current)
    mark_submitted(kind, current)
    current.version += 1
    validated_save(current)
    if current.state == ReviewState.PUBLISHED:
        kind.after_publish(current)
    return current


def publish(kind: ReviewKind, record, *, reviewer, actor, expected_version):
    """Publish a submitted record. The caller holds the transaction."""
    current = lock(kind, record, expected_version)
    check(actor, lambda user: kind.can_review(user, kind.plan(current)))
    if current.state != ReviewState.SUBMITTED:
        raise ValidationError(kind.only_submitted_can_publish, code="invalid")
    # Checked again: a citation can be removed (in the admin) after sending in,
    # and nothing is published without a source.
    check_cited(kind, current)
    kind.check_publish(current, actor)
    mark_published(kind, current, reviewer)
    current.version += 1
    validated_save(current)
    kind.after_publish(current)
    return current


def return_to_author(
    kind: ReviewKind, record, *, reviewer, comment: str, actor, expected_version
):
    """Send a submitted record back to its author with a comment saying what to
    correct. The caller holds the transaction."""
    current = lock(kind, record, expected_version)
    check(actor, lambda user: kind.can_review(user, kind.plan(current)))
    if current.state != ReviewState.SUBMITTED:
        raise ValidationError(kind.only_submitted_can_return, code="invalid")
    if not comment.strip():
        raise field_error("review_comment", kind.return_needs_comment, "required")
    current.state = ReviewState.RETURNED
    current.reviewer = reviewer
    current.review_comment = comment.strip()
    current.version += 1
    validated_save(current)
    return current
