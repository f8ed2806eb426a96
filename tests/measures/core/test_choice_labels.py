"""The labels of phases and assessments on records (measures.models.choices
choice_label()): the same words as Django's get_FOO_display(), in the active
language, without building a dict of every choice on each call."""

import datetime

import pytest
from django.utils import translation

from measures.models import Health, Measure, Phase, StatusUpdate
from measures.models.choices import NO_STATUS_LABEL, choice_label
from measures.selectors.changes import Status
from measures.selectors.rollups import phase_label

LANGUAGES = ["nb", "nn", "en"]
TODAY = datetime.date(2026, 12, 7)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("phase", Phase.values)
@pytest.mark.parametrize("health", ["", *Health.values])
def test_an_updates_labels_are_djangos_display_words(language, phase, health):
    update = StatusUpdate(phase=phase, health=health)

    with translation.override(language):
        assert update.phase_label == update.get_phase_display()
        assert update.health_label == update.get_health_display()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_measures_labels_are_djangos_display_words(language):
    measure = Measure(current_phase=Phase.COMPLETED, current_health=Health.AT_RISK)
    unreported = Measure(current_phase="", current_health="")

    with translation.override(language):
        assert measure.status_label == measure.get_current_phase_display()
        assert measure.health_label == measure.get_current_health_display()
        assert unreported.status_label == str(NO_STATUS_LABEL)
        assert unreported.health_label == ""


def test_a_value_outside_the_choices_is_shown_as_it_is():
    """As get_FOO_display() shows it (a value written before a choice was
    renamed), rather than failing the page."""
    assert choice_label(Phase, "retired") == "retired"
    assert StatusUpdate(phase="retired").phase_label == "retired"
    assert Measure(current_phase="retired").status_label == "retired"
    assert Measure(current_health="retired").health_label == "retired"
    assert phase_label("retired") == "retired"
    then = Status(phase="retired", health="retired", progress=None, as_of=TODAY)
    assert (then.phase_label, then.health_label) == ("retired", "retired")


def test_the_page_selectors_label_as_the_records_do():
    assert str(phase_label("")) == str(NO_STATUS_LABEL)
    assert (
        phase_label(Phase.IN_PROGRESS) == StatusUpdate(phase="in_progress").phase_label
    )
    nothing = Status(phase="", health="", progress=None, as_of=TODAY)
    assert nothing.health_label == ""


def test_a_label_is_translated_where_it_is_shown_not_where_it_is_made():
    """Lazy, as the choice's own label: the plan page labels every measure of
    the plan and shows a page of them, and only those are translated."""
    label = choice_label(Phase, Phase.IN_PROGRESS)

    with translation.override("en"):
        english = str(label)
    with translation.override("nb"):
        bokmal = str(label)

    assert english != bokmal
    assert bokmal == str(Phase.IN_PROGRESS.label)
