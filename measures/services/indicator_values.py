from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from measures import permissions
from measures.models import (
    EDITABLE_STATES,
    Indicator,
    IndicatorValue,
    PeriodType,
    Source,
)
from measures.models.indicators import PERIOD_NUMBERS
from measures.numbers import parse_number
from measures.periods import period_bounds, period_label
from measures.services import plan_status, review
from measures.services.base import (
    NO_SOURCE_MESSAGE,
    ConflictError,
    check,
    field_error,
    validate,
    validated_save,
)
from measures.services.indicators import load_indicator
from measures.services.sources import NewSource, cite, resolve_sources

State = IndicatorValue.State


OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.RETURNED)


COUNT_KINDS = (Indicator.Kind.PEOPLE, Indicator.Kind.COUNT)


VALUE_FIELDS = {
    "period_type",
    "year",
    "number",
    "value",
    "qualifier",
    "note",
    "uncertainty",
}


# Codes on the ValidationErrors a form or an import may want to tell apart.
PERIOD_TAKEN = "period_taken"


PERIOD_OPEN = "period_open"


PERIOD_NOT_ENDED = "period_not_ended"


def _check_period(period_type: str, year, number) -> tuple[int, int]:
    if period_type not in PeriodType.values:
        raise field_error("period_type", _("Velg år, tertial eller måned."), "invalid")
    try:
        year, number = int(year), int(number)
    except (TypeError, ValueError) as error:
        raise field_error(
            "year", _("Året og periodenummeret må være hele tall."), "invalid"
        ) from error
    if not 1900 <= year <= 2200:
        raise field_error(
            "year", _("Året må være et årstall, for eksempel 2018."), "invalid"
        )
    if not 1 <= number <= PERIOD_NUMBERS[period_type]:
        raise field_error(
            "number",
            _(
                "Periodenummeret må være 1 for et år, 1–3 for et tertial og "
                "1–12 for en måned."
            ),
            "invalid",
        )
    end = period_bounds(period_type, year, number)[1]
    if end >= timezone.localdate():
        raise field_error(
            "year",
            _(
                "Perioden %(period)s er ikke over ennå. Et tall kan registreres "
                "først når perioden er slutt."
            )
            % {"period": period_label(period_type, year, number)},
            PERIOD_NOT_ENDED,
        )
    return year, number


def _check_value(indicator: Indicator, raw) -> Decimal:
    number = parse_number(raw)
    if indicator.kind in COUNT_KINDS:
        if number < 0:
            raise field_error(
                "value", _("Et antall kan ikke være negativt."), "negative"
            )
        if number != number.to_integral_value():
            raise field_error(
                "value", _("Et antall må være et helt tall."), "not_whole"
            )
    return number


def clean_value_content(indicator: Indicator, fields: dict) -> dict:
    """Check and normalise the content fields of a value (period, number)."""
    fields = dict(fields)
    fields.setdefault("period_type", PeriodType.YEAR)
    fields.setdefault("number", 1)
    fields["year"], fields["number"] = _check_period(
        fields["period_type"], fields.get("year"), fields["number"]
    )
    fields["value"] = _check_value(indicator, fields.get("value"))
    return fields


def _period_values(indicator: Indicator, fields: dict):
    return IndicatorValue.objects.filter(
        indicator=indicator,
        period_type=fields["period_type"],
        year=fields["year"],
        number=fields["number"],
    )


def check_period_free(
    indicator: Indicator, fields: dict, *, replacing: IndicatorValue | None = None
) -> None:
    """Refuse a second value for a period, unless it replaces the published one."""
    label = period_label(fields["period_type"], fields["year"], fields["number"])
    same_period = _period_values(indicator, fields)
    if same_period.filter(state__in=OPEN_STATES).exists():
        raise ValidationError(
            _(
                "Det finnes allerede en verdi for %(period)s som er under arbeid "
                "eller venter på godkjenning. Rett den i stedet for å lage en ny."
            )
            % {"period": label},
            code=PERIOD_OPEN,
        )
    published = same_period.filter(state=State.PUBLISHED).first()
    if published is not None and (replacing is None or published.pk != replacing.pk):
        raise ValidationError(
            _(
                "%(indicator)s har allerede en publisert verdi for %(period)s. En "
                "rettelse må erstatte den publiserte verdien; den gamle verdien blir "
                "tatt vare på i historikken."
            )
            % {"indicator": indicator.title, "period": label},
            code=PERIOD_TAKEN,
        )


def _mark_published(value: IndicatorValue, reviewer) -> None:
    """Publish `value` (saved by the caller), first retiring the value it replaces
    and refusing when another published value holds the period."""
    period = {
        "period_type": value.period_type,
        "year": value.year,
        "number": value.number,
    }
    published = (
        _period_values(value.indicator, period)
        .filter(state=State.PUBLISHED)
        .exclude(pk=value.pk)
        .select_for_update()
        .first()
    )
    if published is not None:
        if value.replaces_id != published.pk:
            raise ValidationError(
                _(
                    "Perioden %(period)s har fått en publisert verdi i mellomtiden. "
                    "Lag en ny verdi som erstatter den."
                )
                % {"period": value.period_label},
                code=PERIOD_TAKEN,
            )
        published.state = State.REPLACED
        published.version += 1
        validated_save(published)
    value.state = State.PUBLISHED
    value.reviewer = reviewer
    value.published_at = timezone.now()


def _check_plan_open(indicator: Indicator, actor) -> None:
    """New values only on adopted plans; on a completed plan only from those who
    review its values (services/plan_status.py)."""
    plan_status.check_takes_reports(
        indicator.plan, actor, may_correct=permissions.can_review_indicator_values
    )


def _check_submit(value: IndicatorValue, actor) -> None:
    _check_plan_open(value.indicator, actor)
    _check_period(value.period_type, value.year, value.number)


INDICATOR_VALUES = review.ReviewKind(
    model=IndicatorValue,
    related=("indicator__goal__plan__owner", "indicator__measure__plan__owner"),
    lock_of=("self",),
    citation_field="indicator_value",
    plan=lambda value: value.indicator.plan,
    can_edit=permissions.can_edit_indicator_value,
    can_review=permissions.can_review_indicator_values,
    only_editable_can_submit=gettext_lazy(
        "Bare utkast og returnerte verdier kan sendes inn."
    ),
    only_submitted_can_publish=gettext_lazy("Bare innsendte verdier kan publiseres."),
    only_submitted_can_return=gettext_lazy("Bare innsendte verdier kan returneres."),
    return_needs_comment=gettext_lazy(
        "Skriv hva som må rettes før verdien returneres."
    ),
    check_submit=_check_submit,
    check_publish=lambda value, actor: _check_plan_open(value.indicator, actor),
    mark_published=_mark_published,
)


# Indicator values ------------------------------------------------------------------


def indicator_value_validate(
    *, indicator: Indicator, replacing: IndicatorValue | None = None, **fields
) -> dict:
    """Check a value's content as the services would, without saving: the period
    has ended, the number is a number (a count whole and not negative), and the
    period is free (or held by `replacing`). Returns the
    normalised fields; raises ValidationError. For forms and dry-run imports."""
    unknown = set(fields) - VALUE_FIELDS
    if unknown:
        raise TypeError(f"indicator_value_validate() got unexpected fields {unknown}")
    cleaned = clean_value_content(indicator, fields)
    check_period_free(indicator, cleaned, replacing=replacing)
    return cleaned


@transaction.atomic
def indicator_value_create(
    *,
    indicator: Indicator,
    author,
    year,
    value,
    period_type: str = PeriodType.YEAR,
    number=1,
    qualifier: str = "",
    note: str = "",
    actor,
    submit: bool = False,
    sources: Sequence[Source] = (),
    new_sources: Sequence[NewSource] = (),
) -> IndicatorValue:
    """Start a value for a period that has ended: a draft, or with submit=True a
    submitted one (published at once when the plan needs no review). It cites
    `sources` and the typed links `new_sources`; sent in, it needs one of them.

    A period that already has a value is refused (code PERIOD_TAKEN or PERIOD_OPEN);
    to correct a published value use indicator_value_replace().
    """
    indicator = load_indicator(indicator)
    check(actor, lambda user: permissions.can_edit_indicator_values(user, indicator))
    _check_plan_open(indicator, actor)
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
    cited = resolve_sources(actor=actor, sources=sources, new_sources=new_sources)
    return _save_new_value(indicator, author, fields, submit=submit, cited=cited)


def _save_new_value(
    indicator: Indicator,
    author,
    fields: dict,
    *,
    submit: bool,
    cited: list[Source],
    replaces: IndicatorValue | None = None,
) -> IndicatorValue:
    new = IndicatorValue(
        indicator=indicator,
        author=author,
        replaces=replaces,
        state=State.DRAFT,
        **fields,
    )
    validate(new)
    if submit and not cited:
        raise ValidationError({"sources": NO_SOURCE_MESSAGE}, code="no_source")
    if submit:
        review.mark_submitted(INDICATOR_VALUES, new)
    validated_save(new)
    cite(target=new, sources=cited)
    return new


@transaction.atomic
def indicator_value_replace(
    *,
    old: IndicatorValue,
    author,
    value,
    qualifier: str = "",
    note: str = "",
    actor,
    submit: bool = False,
    sources: Sequence[Source] = (),
    new_sources: Sequence[NewSource] = (),
) -> IndicatorValue:
    """Start a correction of a published value, for the same period. It goes through
    review like any value; when it is published the old one becomes "replaced" and
    stays in the database and its history."""
    old = IndicatorValue.objects.select_related(
        "indicator__goal__plan__owner", "indicator__measure__plan__owner"
    ).get(pk=old.pk)
    indicator = old.indicator
    check(actor, lambda user: permissions.can_edit_indicator_values(user, indicator))
    _check_plan_open(indicator, actor)
    if old.state != State.PUBLISHED:
        raise ValidationError(
            _("Bare en publisert verdi kan erstattes. Rett utkastet i stedet."),
            code="invalid",
        )
    fields = clean_value_content(
        indicator,
        {
            "period_type": old.period_type,
            "year": old.year,
            "number": old.number,
            "value": value,
            "qualifier": qualifier,
            "note": note,
        },
    )
    check_period_free(indicator, fields, replacing=old)
    cited = resolve_sources(actor=actor, sources=sources, new_sources=new_sources)
    return _save_new_value(
        indicator, author, fields, submit=submit, cited=cited, replaces=old
    )


@transaction.atomic
def indicator_value_edit(
    *,
    indicator_value: IndicatorValue,
    expected_version: int,
    actor,
    submit: bool = False,
    sources: Sequence[Source] | None = None,
    new_sources: Sequence[NewSource] = (),
    **fields,
) -> IndicatorValue:
    """Change a draft or returned value (and with submit=True send it in).

    A compare-and-swap on the value's version: ConflictError when someone changed it
    since the form was loaded. A replacement keeps its period. `sources` (None:
    unchanged) and `new_sources` replace what it cites; sent in, it must cite one.
    """
    unknown = set(fields) - VALUE_FIELDS
    if unknown:
        raise TypeError(f"indicator_value_edit() got unexpected fields {unknown}")
    current = review.lock(INDICATOR_VALUES, indicator_value, None)
    indicator = current.indicator
    check(actor, lambda user: permissions.can_edit_indicator_values(user, indicator))
    if current.state not in EDITABLE_STATES or current.version != expected_version:
        raise ConflictError(current)
    _check_plan_open(current.indicator, actor)
    if current.replaces_id is not None:
        fields = {
            k: v
            for k, v in fields.items()
            if k not in ("period_type", "year", "number")
        }
    merged = {name: getattr(current, name) for name in VALUE_FIELDS} | fields
    merged = clean_value_content(current.indicator, merged)
    period_changed = any(
        merged[k] != getattr(current, k) for k in ("period_type", "year", "number")
    )
    if period_changed:
        check_period_free(current.indicator, merged)
    for name, val in merged.items():
        setattr(current, name, val)
    current.version += 1
    validate(current)
    if sources is not None or new_sources:
        chosen = (
            list(sources)
            if sources is not None
            else [c.source for c in current.citations.filter(field="")]
        )
        cited = resolve_sources(actor=actor, sources=chosen, new_sources=new_sources)
        cite(target=current, sources=cited)
    if submit:
        review.check_cited(INDICATOR_VALUES, current)
        review.mark_submitted(INDICATOR_VALUES, current)
    validated_save(current)
    return current


@transaction.atomic
def indicator_value_submit(
    *,
    indicator_value: IndicatorValue,
    actor,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Send a draft (or a corrected returned value) for review; publish at once when
    the plan needs no review."""
    return review.submit(
        INDICATOR_VALUES,
        indicator_value,
        actor=actor,
        expected_version=expected_version,
    )


@transaction.atomic
def indicator_value_publish(
    *,
    indicator_value: IndicatorValue,
    reviewer,
    actor,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Publish a submitted value; a replacement retires the value it replaces in
    the same transaction."""
    return review.publish(
        INDICATOR_VALUES,
        indicator_value,
        reviewer=reviewer,
        actor=actor,
        expected_version=expected_version,
    )


@transaction.atomic
def indicator_value_return(
    *,
    indicator_value: IndicatorValue,
    reviewer,
    comment: str,
    actor,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Send a submitted value back to its author with what to correct."""
    return review.return_to_author(
        INDICATOR_VALUES,
        indicator_value,
        reviewer=reviewer,
        comment=comment,
        actor=actor,
        expected_version=expected_version,
    )


@transaction.atomic
def indicator_value_record_published(
    *,
    indicator: Indicator,
    year,
    value,
    period_type: str = PeriodType.YEAR,
    number=1,
    qualifier: str = "",
    note: str = "",
    uncertainty: str = "",
    actor,
    published_at: datetime.datetime | None = None,
    replaces: IndicatorValue | None = None,
    sources: Sequence[Source] = (),
    new_sources: Sequence[NewSource] = (),
) -> IndicatorValue:
    """Record an already-public figure (shipped data, an administrator's import) as
    a published value: no author and no review, so a source is required. Only
    people who may publish may do this (when an actor is named). A period that
    already has a value is refused like in indicator_value_create(), unless
    `replaces` is its published value: then the new value corrects it, and the old
    one is marked replaced in the same transaction (both rows and their history
    remain). `sources` and `new_sources` (found or created by URL) are cited and
    count as its source."""
    indicator = load_indicator(indicator)
    plan = indicator.plan
    check(actor, lambda user: permissions.can_review_indicator_values(user, plan))
    sources = resolve_sources(
        actor=actor,
        sources=sources,
        new_sources=new_sources,
        field_prefix="source_urls:",
        permission_checked=True,
    )
    if not sources:
        raise field_error("sources", _("Et publisert tall må ha en kilde."), "required")
    fields = clean_value_content(
        indicator,
        {
            "period_type": period_type,
            "year": year,
            "number": number,
            "value": value,
            "qualifier": qualifier,
            "note": note,
            "uncertainty": uncertainty,
        },
    )
    check_period_free(indicator, fields, replacing=replaces)
    if replaces is not None:
        replaces = IndicatorValue.objects.select_for_update().get(pk=replaces.pk)
        if replaces.state != State.PUBLISHED or (
            replaces.indicator_id,
            replaces.period_type,
            replaces.year,
            replaces.number,
        ) != (indicator.pk, fields["period_type"], fields["year"], fields["number"]):
            raise ValidationError(
                _("Bare den publiserte verdien for samme periode kan erstattes."),
                code="invalid",
            )
        replaces.state = State.REPLACED
        replaces.version += 1
        validated_save(replaces)
    recorded = IndicatorValue(
        indicator=indicator,
        state=State.PUBLISHED,
        published_at=published_at or timezone.now(),
        replaces=replaces,
        **fields,
    )
    validated_save(recorded)
    cite(target=recorded, sources=sources)
    return recorded
