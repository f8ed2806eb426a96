"""Writes to indicators, indicator values and budget lines.

Same rules as measures/services.py (re-exported from there): keyword-only, one
transaction, full_clean() before save, a permission check when an actor is named.

Indicator values follow the review lifecycle of status updates (draft ->
submitted -> published, or returned with a comment). A published value is never
edited: indicator_value_replace() starts a correction for the same period, and
publishing it marks the old value "replaced", so both rows (and their history)
remain. A second value for a period without an explicit replace is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures import permissions
from measures.models import (
    BudgetLine,
    Citation,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    PeriodType,
    Source,
)
from measures.models.indicators import PERIOD_NUMBERS
from measures.periods import period_bounds, period_label
from measures.services import (
    NO_SOURCE_MESSAGE,
    UNCHECKED,
    ConflictError,
    _require,
    _validated_save,
)
from measures.source_services import NewSource, cite, resolve_sources

State = IndicatorValue.State
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
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


def _error(field: str, message, code: str) -> ValidationError:
    """A field error that keeps its code (a dict of plain messages loses it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def parse_number(raw, *, field: str = "value") -> Decimal:
    """A Decimal from what a person typed: "1 060", "18,3" and "18.3" are numbers;
    "abc", "", NaN and infinities are not (ValidationError on `field`)."""
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
    else:
        number = None
    if number is None or not number.is_finite():
        raise _error(
            field,
            _("Verdien må være et tall, for eksempel 27 eller 18,3."),
            "not_a_number",
        )
    return number


def _check_period(period_type: str, year, number) -> tuple[int, int]:
    if period_type not in PeriodType.values:
        raise _error("period_type", _("Velg år, tertial eller måned."), "invalid")
    try:
        year, number = int(year), int(number)
    except (TypeError, ValueError) as error:
        raise _error(
            "year", _("Året og periodenummeret må være hele tall."), "invalid"
        ) from error
    if not 1900 <= year <= 2200:
        raise _error(
            "year", _("Året må være et årstall, for eksempel 2018."), "invalid"
        )
    if not 1 <= number <= PERIOD_NUMBERS[period_type]:
        raise _error(
            "number",
            _(
                "Periodenummeret må være 1 for et år, 1–3 for et tertial og "
                "1–12 for en måned."
            ),
            "invalid",
        )
    end = period_bounds(period_type, year, number)[1]
    if end >= timezone.localdate():
        raise _error(
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
            raise _error("value", _("Et antall kan ikke være negativt."), "negative")
        if number != number.to_integral_value():
            raise _error("value", _("Et antall må være et helt tall."), "not_whole")
    return number


def _clean_content(indicator: Indicator, fields: dict) -> dict:
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


def _check_period_free(
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
                "%(indicator)s har allerede en publisert verdi for %(period)s. Velg "
                "«Erstatt verdien» for å rette den; den gamle verdien blir tatt vare "
                "på i historikken."
            )
            % {"indicator": indicator.title, "period": label},
            code=PERIOD_TAKEN,
        )


def _load_indicator(indicator: Indicator) -> Indicator:
    return Indicator.objects.select_related(
        "goal__plan__owner", "measure__plan__owner"
    ).get(pk=indicator.pk)


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
        _validated_save(published)
    value.state = State.PUBLISHED
    value.reviewer = reviewer
    value.published_at = timezone.now()


def _check_cited(value: IndicatorValue) -> None:
    """A value is sent in only with at least one source (a draft may wait)."""
    if not Citation.objects.filter(indicator_value=value).exists():
        raise ValidationError({"sources": NO_SOURCE_MESSAGE}, code="no_source")


def _mark_submitted(value: IndicatorValue, reviewer=None) -> None:
    value.submitted_at = timezone.now()
    if value.indicator.plan.requires_review:
        value.state = State.SUBMITTED
    else:
        _mark_published(value, reviewer)


# Indicators ----------------------------------------------------------------------


def _check_owner(goal: Goal | None, measure: Measure | None) -> None:
    if (goal is None) == (measure is None):
        raise ValidationError(
            _("Knytt indikatoren til enten et mål eller et tiltak, ikke begge."),
            code="invalid",
        )


@transaction.atomic
def indicator_create(
    *,
    title: str,
    slug: str,
    goal: Goal | None = None,
    measure: Measure | None = None,
    actor=UNCHECKED,
    sources: Sequence[Source] = (),
    **fields,
) -> Indicator:
    """An indicator of a goal (outcome) or of a measure (output), not both, citing
    `sources`."""
    _check_owner(goal, measure)
    if actor is not UNCHECKED:
        _require(permissions.can_manage_indicators(actor, (goal or measure).plan))
    indicator = Indicator(title=title, slug=slug, goal=goal, measure=measure, **fields)
    _validated_save(indicator)
    cite(target=indicator, sources=list(sources))
    return indicator


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor=UNCHECKED,
    sources: Sequence[Source] | None = None,
    **fields,
) -> Indicator:
    """Change an indicator; `sources` (None: unchanged) replace what it cites."""
    if actor is not UNCHECKED:
        _require(permissions.can_manage_indicators(actor, indicator.plan))
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check_owner(indicator.goal, indicator.measure)
    if actor is not UNCHECKED:
        # Moving an indicator to another plan needs the right there too.
        _require(permissions.can_manage_indicators(actor, indicator.plan))
    _validated_save(indicator)
    if sources is not None:
        cite(target=indicator, sources=list(sources))
    return indicator


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
    cleaned = _clean_content(indicator, fields)
    _check_period_free(indicator, cleaned, replacing=replacing)
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
    actor=UNCHECKED,
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
    indicator = _load_indicator(indicator)
    if actor is not UNCHECKED:
        _require(permissions.can_edit_indicator_values(actor, indicator))
    fields = _clean_content(
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
    _check_period_free(indicator, fields)
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
    new.full_clean()
    if submit and not cited:
        raise ValidationError({"sources": NO_SOURCE_MESSAGE}, code="no_source")
    if submit:
        _mark_submitted(new)
    _validated_save(new)
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
    actor=UNCHECKED,
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
    if actor is not UNCHECKED:
        _require(permissions.can_edit_indicator_values(actor, indicator))
    if old.state != State.PUBLISHED:
        raise ValidationError(
            _("Bare en publisert verdi kan erstattes. Rett utkastet i stedet."),
            code="invalid",
        )
    fields = _clean_content(
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
    _check_period_free(indicator, fields, replacing=old)
    cited = resolve_sources(actor=actor, sources=sources, new_sources=new_sources)
    return _save_new_value(
        indicator, author, fields, submit=submit, cited=cited, replaces=old
    )


@transaction.atomic
def indicator_value_edit(
    *,
    indicator_value: IndicatorValue,
    expected_version: int,
    actor=UNCHECKED,
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
    current = _lock(indicator_value, None)
    if actor is not UNCHECKED:
        _require(permissions.can_edit_indicator_values(actor, current.indicator))
    if current.state not in EDITABLE_STATES or current.version != expected_version:
        raise ConflictError(current)
    if current.replaces_id is not None:
        fields = {
            k: v
            for k, v in fields.items()
            if k not in ("period_type", "year", "number")
        }
    merged = {name: getattr(current, name) for name in VALUE_FIELDS} | fields
    merged = _clean_content(current.indicator, merged)
    period_changed = any(
        merged[k] != getattr(current, k) for k in ("period_type", "year", "number")
    )
    if period_changed:
        _check_period_free(current.indicator, merged)
    for name, val in merged.items():
        setattr(current, name, val)
    current.version += 1
    current.full_clean()
    if sources is not None or new_sources:
        chosen = (
            list(sources)
            if sources is not None
            else [c.source for c in current.citations.filter(field="")]
        )
        cited = resolve_sources(actor=actor, sources=chosen, new_sources=new_sources)
        cite(target=current, sources=cited)
    if submit:
        _check_cited(current)
        _mark_submitted(current)
    _validated_save(current)
    return current


def _lock(indicator_value: IndicatorValue, expected_version: int | None):
    current = (
        IndicatorValue.objects.select_for_update(of=("self",))
        .select_related(
            "indicator__goal__plan__owner", "indicator__measure__plan__owner"
        )
        .get(pk=indicator_value.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ConflictError(current)
    return current


@transaction.atomic
def indicator_value_submit(
    *,
    indicator_value: IndicatorValue,
    actor=UNCHECKED,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Send a draft (or a corrected returned value) for review; publish at once when
    the plan needs no review."""
    current = _lock(indicator_value, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_edit_indicator_value(actor, current))
    if current.state not in EDITABLE_STATES:
        raise ValidationError(
            _("Bare utkast og returnerte verdier kan sendes inn."), code="invalid"
        )
    _check_period(current.period_type, current.year, current.number)
    _check_cited(current)
    _mark_submitted(current)
    current.version += 1
    _validated_save(current)
    return current


@transaction.atomic
def indicator_value_publish(
    *,
    indicator_value: IndicatorValue,
    reviewer,
    actor=UNCHECKED,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Publish a submitted value; a replacement retires the value it replaces in
    the same transaction."""
    current = _lock(indicator_value, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_review_indicator_values(actor, current.indicator.plan))
    if current.state != State.SUBMITTED:
        raise ValidationError(
            _("Bare innsendte verdier kan publiseres."), code="invalid"
        )
    _mark_published(current, reviewer)
    current.version += 1
    _validated_save(current)
    return current


@transaction.atomic
def indicator_value_return(
    *,
    indicator_value: IndicatorValue,
    reviewer,
    comment: str,
    actor=UNCHECKED,
    expected_version: int | None = None,
) -> IndicatorValue:
    current = _lock(indicator_value, expected_version)
    if actor is not UNCHECKED:
        _require(permissions.can_review_indicator_values(actor, current.indicator.plan))
    if current.state != State.SUBMITTED:
        raise ValidationError(
            _("Bare innsendte verdier kan returneres."), code="invalid"
        )
    if not comment.strip():
        raise _error(
            "review_comment",
            _("Skriv hva som må rettes før verdien returneres."),
            "required",
        )
    current.state = State.RETURNED
    current.reviewer = reviewer
    current.review_comment = comment.strip()
    current.version += 1
    _validated_save(current)
    return current


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
    actor=UNCHECKED,
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
    indicator = _load_indicator(indicator)
    if actor is not UNCHECKED:
        _require(permissions.can_review_indicator_values(actor, indicator.plan))
    sources = resolve_sources(
        actor=actor,
        sources=sources,
        new_sources=new_sources,
        field_prefix="source_urls:",
        permission_checked=True,
    )
    if not sources:
        raise _error("sources", _("Et publisert tall må ha en kilde."), "required")
    fields = _clean_content(
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
    _check_period_free(indicator, fields, replacing=replaces)
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
        _validated_save(replaces)
    recorded = IndicatorValue(
        indicator=indicator,
        state=State.PUBLISHED,
        published_at=published_at or timezone.now(),
        replaces=replaces,
        **fields,
    )
    _validated_save(recorded)
    cite(target=recorded, sources=sources)
    return recorded


# Budget lines ----------------------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    measure: Measure,
    year: int,
    allocated_nok: int,
    spent_nok: int | None = None,
    actor=UNCHECKED,
    sources: Sequence[Source] = (),
    **fields,
) -> BudgetLine:
    """A budget line for a measure and a year (one per year and kind; a future
    year is allowed: budgets are decided ahead), citing `sources`."""
    if actor is not UNCHECKED:
        _require(permissions.can_manage_budget(actor, measure.plan))
    line = BudgetLine(
        measure=measure,
        year=year,
        allocated_nok=allocated_nok,
        spent_nok=spent_nok,
        **fields,
    )
    _validated_save(line)
    cite(target=line, sources=list(sources))
    return line


@transaction.atomic
def budget_line_update(
    *,
    budget_line: BudgetLine,
    actor=UNCHECKED,
    sources: Sequence[Source] | None = None,
    **fields,
) -> BudgetLine:
    """Change a budget line; `sources` (None: unchanged) replace what it cites."""
    if actor is not UNCHECKED:
        _require(permissions.can_manage_budget(actor, budget_line.measure.plan))
    for name, value in fields.items():
        setattr(budget_line, name, value)
    if actor is not UNCHECKED:
        _require(permissions.can_manage_budget(actor, budget_line.measure.plan))
    _validated_save(budget_line)
    if sources is not None:
        cite(target=budget_line, sources=list(sources))
    return budget_line


__all__ = [
    "PERIOD_NOT_ENDED",
    "PERIOD_OPEN",
    "PERIOD_TAKEN",
    "budget_line_create",
    "budget_line_update",
    "indicator_create",
    "indicator_update",
    "indicator_value_create",
    "indicator_value_edit",
    "indicator_value_publish",
    "indicator_value_record_published",
    "indicator_value_replace",
    "indicator_value_return",
    "indicator_value_submit",
    "indicator_value_validate",
    "parse_number",
]
