"""Status updates and indicator values in a chosen review state, and a snapshot of
everything a refused step must leave as it was (the state-machine tests)."""

from django.utils import timezone

from measures.models import Citation, IndicatorValue, Measure, StatusUpdate
from tests.factories import IndicatorFactory, SourceFactory
from tests.support.worlds import AS_OF

LAST_YEAR = timezone.localdate().year - 1

# The states each kind can be in, in the order of the workflow.
UPDATE_STATES = ("draft", "submitted", "returned", "published")
VALUE_STATES = ("draft", "submitted", "returned", "published", "replaced")


def _cite(record, field: str) -> None:
    """Every record here cites a source, so that sending in or publishing is
    refused for its state alone, never for a missing source."""
    if not Citation.objects.filter(**{field: record}).exists():
        Citation.objects.create(source=SourceFactory(), **{field: record})


def _state_fields(state: str) -> dict:
    fields = {"state": state}
    if state in ("published", "replaced"):
        fields["published_at"] = timezone.now()
    if state == "returned":
        fields["review_comment"] = "Legg ved lenke til vedtaket."
    if state in ("submitted", "returned", "published", "replaced"):
        fields["submitted_at"] = timezone.now()
    return fields


def update_in(world, state: str) -> StatusUpdate:
    """An update by alice on partner A's measure in the coordinator's plan."""
    update = StatusUpdate.objects.create(
        measure=world.measure_a,
        author=world.alice,
        as_of=AS_OF,
        phase="in_progress",
        health="on_track",
        progress=70,
        summary="Arbeidet går etter planen.",
        **_state_fields(state),
    )
    _cite(update, "status_update")
    return update


def output_indicator(world):
    """An output indicator of partner A's measure: alice records, olivia reviews."""
    return IndicatorFactory(goal=None, measure=world.measure_a, slug="brukere")


def value_in(indicator, author, state: str, *, year: int = LAST_YEAR):
    value = IndicatorValue.objects.create(
        indicator=indicator,
        author=author,
        period_type="year",
        year=year,
        number=1,
        value=27,
        **_state_fields(state),
    )
    _cite(value, "indicator_value")
    return value


def snapshot(record) -> dict:
    """The row, its history and citations, and its measure's current status."""
    model = type(record)
    row = model.objects.filter(pk=record.pk).values().get()
    measure = (
        record.measure if isinstance(record, StatusUpdate) else record.indicator.measure
    )
    current = (
        Measure.objects.filter(pk=measure.pk)
        .values(
            "current_update",
            "current_phase",
            "current_progress",
            "current_as_of",
            "version",
        )
        .get()
        if measure is not None
        else None
    )
    return {
        "row": row,
        "history": record.history.count(),
        "citations": record.citations.count(),
        "measure": current,
        "rows": model.objects.count(),
    }
