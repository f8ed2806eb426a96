"""Writes the data loader (measures/data/) makes for the shipped data: its
sources and citations, and facts recorded together with their citations.

A shipped fact (an event, a figure) rests on public sources. These services record
it with its citations in one transaction, so a fact never exists without the
evidence it was recorded with. The loader acts for no person: it passes a
SystemActor naming the command (what it writes is the shipped file, reviewed in the
repository). Each service still checks its actor, so a person calling one needs
the same right as for the matching write of measures/services/sources.py,
status_updates.py or indicator_values.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures import permissions
from measures.models import (
    Citation,
    Indicator,
    IndicatorValue,
    Measure,
    Source,
    StatusUpdate,
)
from measures.services import sources as source_services
from measures.services.base import check, validated_save
from measures.services.indicator_values import (
    check_period_free,
    clean_value_content,
)
from measures.services.indicators import load_indicator
from measures.services.plans import refresh_current_status

# (source, field): the source and the detail of the fact it supports ("" = all).
Cited = tuple[Source, str]


@transaction.atomic
def source_create(
    *, actor, url: str, publisher: str, title: str, kind: str, **fields
) -> Source:
    check(actor, permissions.can_add_source)
    source = Source(url=url, publisher=publisher, title=title, kind=kind, **fields)
    validated_save(source, actor=actor)
    return source


def source_update(*, actor, source: Source, **fields) -> Source:
    return source_services.source_update(actor=actor, source=source, **fields)


citation_target_name = source_services.target_name


@transaction.atomic
def citation_add(
    *,
    actor,
    target: models.Model,
    source: Source,
    field: str = "",
    position: int = 0,
) -> Citation:
    check(actor, lambda user: permissions.can_cite(user, target))
    citation = Citation(
        source=source,
        field=field,
        position=position,
        **{citation_target_name(target): target},
    )
    validated_save(citation, actor=actor)
    return citation


@transaction.atomic
def citation_update(*, actor, citation: Citation, position: int) -> Citation:
    check(actor, lambda user: permissions.can_cite(user, citation.target))
    citation.position = position
    validated_save(citation, actor=actor)
    return citation


@transaction.atomic
def citation_remove(*, actor, citation: Citation) -> None:
    check(actor, lambda user: permissions.can_cite(user, citation.target))
    citation.delete()


def _require_sources(cited: Sequence[Cited]) -> None:
    if not cited:
        raise ValidationError(
            _("En opplysning fra offentlige kilder må ha minst én kilde.")
        )


def _cite_all(actor, target: models.Model, cited: Sequence[Cited]) -> None:
    for position, (source, field) in enumerate(cited, start=1):
        citation = Citation(
            source=source,
            field=field,
            position=position,
            **{citation_target_name(target): target},
        )
        validated_save(citation, actor=actor)


@transaction.atomic
def status_update_record_cited(
    *,
    actor,
    measure: Measure,
    as_of,
    phase: str,
    summary: str,
    cited: Sequence[Cited],
    health: str = "",
    progress: int | None = None,
    uncertainty: str = "",
    external_id: str = "",
) -> StatusUpdate:
    """Record an already-public event as a published update with its citations.

    Like status_update_record_published (no author, no review: the sources
    carry the authority), but each citation may name the detail it supports.
    A person needs the right to publish on the plan.
    """
    check(actor, lambda user: permissions.can_review(user, measure.plan))
    _require_sources(cited)
    update = StatusUpdate(
        measure=measure,
        as_of=as_of,
        phase=phase,
        health=health,
        progress=progress,
        summary=summary,
        uncertainty=uncertainty,
        external_id=external_id,
        state=StatusUpdate.State.PUBLISHED,
        published_at=timezone.now(),
    )
    validated_save(update, actor=actor)
    _cite_all(actor, update, cited)
    refresh_current_status(measure)
    return update


@transaction.atomic
def indicator_value_record_cited(
    *,
    actor,
    indicator: Indicator,
    year: int,
    value,
    cited: Sequence[Cited],
    period_type: str = "year",
    number: int = 1,
    qualifier: str = "",
    note: str = "",
    uncertainty: str = "",
) -> IndicatorValue:
    """Record an already-public figure as a published value with its citations.

    The checks are those of indicator_value_record_published;
    each citation may name the detail it supports.
    """
    plan = load_indicator(indicator).plan
    check(actor, lambda user: permissions.can_review_indicator_values(user, plan))
    _require_sources(cited)
    fields = clean_value_content(
        indicator,
        {
            "period_type": period_type,
            "year": year,
            "number": number,
            "value": value,
            "qualifier": qualifier,
            "note": note,
        },
    )
    check_period_free(indicator, fields)
    recorded = IndicatorValue(
        indicator=indicator,
        state=IndicatorValue.State.PUBLISHED,
        published_at=timezone.now(),
        uncertainty=uncertainty,
        **fields,
    )
    validated_save(recorded, actor=actor)
    _cite_all(actor, recorded, cited)
    return recorded
