"""Indicator values recorded in the browser: the services through the views.

Record -> submit -> publish -> on the public page; return with a comment ->
correct -> resubmit; history rows; the conflict page; every bad input as a form
error that keeps what was typed and writes nothing; who may do what.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Citation, Indicator, IndicatorValue
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    MembershipFactory,
    PublishedIndicatorValueFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

State = IndicatorValue.State
THIS_YEAR = timezone.localdate().year
LAST_YEAR = THIS_YEAR - 1
QUEUE = reverse("measures:review-queue")
MY_MEASURES = reverse("measures:my-measures")


@pytest.fixture
def indicator_world(world):
    """The workflow world with an output indicator of partner A's measure (Alice's)
    and an outcome indicator of a goal in the coordinator's plan."""
    world.output = IndicatorFactory(
        goal=None,
        measure=world.measure_a,
        title="Brukere i oppfølging",
        slug="brukere",
        unit="personer",
    )
    world.outcome = IndicatorFactory(
        goal=GoalFactory(plan=world.plan, title="Trygg by"),
        title="Overdosedødsfall",
        slug="dodsfall",
        unit="dødsfall",
    )
    return world


def _new_url(indicator):
    return reverse("measures:indicator-value-create", kwargs={"slug": indicator.slug})


def _edit_url(value):
    return reverse("measures:indicator-value-edit", kwargs={"pk": value.pk})


def _detail_url(value):
    return reverse("measures:indicator-value-detail", kwargs={"pk": value.pk})


def _publish_url(value):
    return reverse("measures:indicator-value-publish", kwargs={"pk": value.pk})


def _return_url(value):
    return reverse("measures:indicator-value-return", kwargs={"pk": value.pk})


def _data(**overrides) -> dict:
    """A valid POST for the value form: 27 people in the last full year."""
    data = {
        "period": "year-1",
        "year": str(LAST_YEAR),
        "value": "27",
        "qualifier": "",
        "new_source_url": "https://www.bergen.kommune.no/statistikk",
        "new_source_publisher": "Etatens fagsystem",
        "new_source_title": "Tall fra fagsystemet",
        "new_source_kind": "statistics",
        "note": "",
        "submit": "Send til godkjenning",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _record(client, user, indicator, **overrides):
    client.force_login(user)
    return client.post(_new_url(indicator), _data(**overrides))


def _latest():
    return IndicatorValue.objects.latest("id")


def _publish(client, coordinator, value):
    value.refresh_from_db()
    client.force_login(coordinator)
    return client.post(_publish_url(value), {"version": value.version})


def _series_texts(series_list) -> dict[str, str]:
    return {p.value.period_label: p.shown.text for s in series_list for p in s.points}


# --- record, submit, publish, public ------------------------------------------------


def test_caseworker_sees_the_form_beside_the_latest_published_values(
    client, indicator_world
):
    PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR - 1, value=3
    )
    client.force_login(indicator_world.alice)
    response = client.get(_new_url(indicator_world.output))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Brukere i oppfølging" in body
    assert "Send til godkjenning" in body
    assert "Lagre utkast" in body
    assert "Siste publiserte verdier" in body
    # Alice works for the responsible partner: the exact small number.
    assert [p.shown.text for p in response.context["recent"]] == ["3"]
    # The next period after the latest value is proposed.
    assert response.context["form"].initial == {"period": "year-1", "year": LAST_YEAR}


def test_record_submit_publish_and_the_value_is_on_the_public_page(
    client, indicator_world
):
    response = _record(client, indicator_world.alice, indicator_world.output)
    assert response.status_code == 302
    assert response.url == MY_MEASURES
    value = _latest()
    assert value.state == State.SUBMITTED
    assert value.author == indicator_world.alice
    assert value.value == Decimal(27)
    assert (value.period_type, value.year, value.number) == ("year", LAST_YEAR, 1)

    client.logout()
    page = client.get(indicator_world.measure_a.get_absolute_url())
    assert str(LAST_YEAR) not in _series_texts(page.context["indicators"])

    response = _publish(client, indicator_world.olivia, value)
    assert response.status_code == 302
    assert response.url == QUEUE
    value.refresh_from_db()
    assert value.state == State.PUBLISHED
    assert value.reviewer == indicator_world.olivia

    client.logout()
    page = client.get(indicator_world.measure_a.get_absolute_url())
    assert _series_texts(page.context["indicators"])[str(LAST_YEAR)] == "27"
    assert "Etatens fagsystem" in page.content.decode()

    history = list(value.history.order_by("history_date", "history_id"))
    assert [(h.state, h.history_user) for h in history] == [
        (State.SUBMITTED, indicator_world.alice),
        (State.PUBLISHED, indicator_world.olivia),
    ]


def test_coordinator_records_a_goal_indicator_and_it_shows_on_the_plan_page(
    client, indicator_world
):
    response = _record(
        client, indicator_world.olivia, indicator_world.outcome, value="41"
    )
    assert response.status_code == 302
    value = _latest()
    assert value.indicator == indicator_world.outcome
    assert value.state == State.SUBMITTED
    _publish(client, indicator_world.olivia, value)

    client.logout()
    page = client.get(indicator_world.plan.get_absolute_url())
    series = [s for group in page.context["effect"] for s in group.series]
    assert _series_texts(series)[str(LAST_YEAR)] == "41"


def test_a_plan_without_review_publishes_on_submit(client, indicator_world):
    indicator_world.plan.requires_review = False
    indicator_world.plan.save()
    client.force_login(indicator_world.alice)
    assert "Publiser" in client.get(_new_url(indicator_world.output)).content.decode()

    response = _record(
        client, indicator_world.alice, indicator_world.output, submit="Publiser"
    )
    assert response.status_code == 302
    value = _latest()
    assert value.state == State.PUBLISHED
    assert value.published_at is not None


def test_save_draft_then_continue_and_submit(client, indicator_world):
    _record(
        client,
        indicator_world.alice,
        indicator_world.output,
        submit=None,
        save_draft="Lagre utkast",
    )
    draft = _latest()
    assert draft.state == State.DRAFT
    # A draft is not public, and Mine tiltak offers to continue it.
    page = client.get(MY_MEASURES)
    assert "Fortsett utkastet" in page.content.decode()
    assert _edit_url(draft) in page.content.decode()

    response = client.get(_edit_url(draft))
    assert response.status_code == 200
    assert 'value="27"' in response.content.decode()

    response = client.post(
        _edit_url(draft), _data(value="28", version=str(draft.version))
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    assert draft.value == Decimal(28)
    assert IndicatorValue.objects.count() == 1


def test_return_with_comment_correct_and_resubmit(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()

    client.force_login(indicator_world.olivia)
    response = client.post(
        _return_url(value),
        {"version": value.version, "comment": "Tallet gjelder hele 2. halvår?"},
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.state == State.RETURNED
    assert value.review_comment == "Tallet gjelder hele 2. halvår?"

    client.force_login(indicator_world.alice)
    body = client.get(MY_MEASURES).content.decode()
    assert "Tallet gjelder hele 2. halvår?" in body
    assert "Rett og send på nytt" in body
    form_page = client.get(_edit_url(value)).content.decode()
    assert "Returnert med kommentar fra koordinator" in form_page

    response = client.post(
        _edit_url(value),
        _data(value="26", note="Rettet etter kommentar.", version=str(value.version)),
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.state == State.SUBMITTED
    assert value.value == Decimal(26)

    _publish(client, indicator_world.olivia, value)
    value.refresh_from_db()
    assert value.state == State.PUBLISHED
    history = list(value.history.order_by("history_date", "history_id"))
    assert [h.state for h in history] == [
        State.SUBMITTED,
        State.RETURNED,
        State.SUBMITTED,
        State.PUBLISHED,
    ]
    assert [h.history_user for h in history] == [
        indicator_world.alice,
        indicator_world.olivia,
        indicator_world.alice,
        indicator_world.olivia,
    ]
    # The detail page shows that history to those who work on the indicator.
    client.force_login(indicator_world.alice)
    detail = client.get(_detail_url(value))
    assert len(detail.context["history"]) == 4


def test_a_published_value_shows_its_old_return_comment_only_in_the_history(
    client, indicator_world
):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()
    client.force_login(indicator_world.olivia)
    client.post(_return_url(value), {"version": value.version, "comment": "Hele året?"})
    value.refresh_from_db()
    client.force_login(indicator_world.alice)
    client.post(_edit_url(value), _data(value="26", version=str(value.version)))
    _publish(client, indicator_world.olivia, value)
    value.refresh_from_db()
    assert value.state == State.PUBLISHED
    assert value.review_comment == ""

    client.force_login(indicator_world.alice)
    detail = client.get(_detail_url(value))
    assert "<dt>Kommentar fra koordinator</dt>" not in detail.content.decode()
    assert [row["comment"] for row in detail.context["history"]] == [
        "",
        "Hele året?",
        "",
        "",
    ]
    assert "Hele året?" not in client.get(MY_MEASURES).content.decode()


def test_a_value_whose_source_was_removed_after_sending_in_is_not_published(
    client, indicator_world
):
    value = IndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, state=State.SUBMITTED
    )
    Citation.objects.filter(indicator_value=value).delete()

    response = _publish(client, indicator_world.olivia, value)

    assert response.status_code == 409
    assert "Legg til minst én kilde" in response.content.decode()
    value.refresh_from_db()
    assert value.state == State.SUBMITTED


def test_a_kroner_value_is_written_with_kr_once(client, indicator_world):
    budget = IndicatorFactory(
        goal=None,
        measure=indicator_world.measure_a,
        title="Budsjett for rustjenester",
        slug="rusbudsjett",
        kind=Indicator.Kind.NOK,
        unit="kr",
    )
    value = PublishedIndicatorValueFactory(
        indicator=budget, year=LAST_YEAR, value=346_100_000
    )
    client.force_login(indicator_world.alice)

    for url in (_detail_url(value), MY_MEASURES):
        body = client.get(url).content.decode()
        assert "kr\xa0346\xa0100\xa0000" in body
        assert "000 kr" not in body


def test_returning_needs_a_comment(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()
    client.force_login(indicator_world.olivia)
    response = client.post(
        _return_url(value), {"version": value.version, "comment": " "}
    )
    assert response.status_code == 200
    assert (
        "Skriv hva som må rettes før verdien returneres." in response.content.decode()
    )
    value.refresh_from_db()
    assert value.state == State.SUBMITTED


def test_publishing_a_changed_value_is_refused(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()
    client.force_login(indicator_world.olivia)
    response = client.post(_publish_url(value), {"version": value.version - 1})
    assert response.status_code == 409
    assert "endret siden du åpnet siden" in response.content.decode()
    value.refresh_from_db()
    assert value.state == State.SUBMITTED


# --- who may do what ----------------------------------------------------------------


def test_caseworker_cannot_record_a_goal_indicator(client, indicator_world):
    client.force_login(indicator_world.alice)
    assert client.get(_new_url(indicator_world.outcome)).status_code == 403
    assert client.post(_new_url(indicator_world.outcome), _data()).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_caseworker_cannot_record_another_partners_indicator(client, indicator_world):
    client.force_login(indicator_world.charlie)
    assert client.get(_new_url(indicator_world.output)).status_code == 403
    assert client.post(_new_url(indicator_world.output), _data()).status_code == 403
    assert not IndicatorValue.objects.exists()


def test_caseworker_cannot_publish_or_return(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()
    response = client.post(_publish_url(value), {"version": value.version})
    assert response.status_code == 403
    response = client.post(
        _return_url(value), {"version": value.version, "comment": "Nei."}
    )
    assert response.status_code == 403
    value.refresh_from_db()
    assert value.state == State.SUBMITTED


@pytest.mark.parametrize("url", [_publish_url, _return_url])
def test_publish_and_return_reject_get(client, indicator_world, url):
    value = IndicatorValueFactory(
        indicator=indicator_world.output, state=State.SUBMITTED
    )
    client.force_login(indicator_world.olivia)
    assert client.get(url(value)).status_code == 405


def test_another_partners_caseworker_cannot_see_or_edit_a_draft(
    client, indicator_world
):
    draft = IndicatorValueFactory(
        indicator=indicator_world.output, author=indicator_world.alice
    )
    client.force_login(indicator_world.charlie)
    assert client.get(_detail_url(draft)).status_code == 403
    assert client.get(_edit_url(draft)).status_code == 403
    response = client.post(_edit_url(draft), _data(version=str(draft.version)))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.value == 27
    assert draft.version == 1


def test_a_published_value_cannot_be_edited(client, indicator_world):
    published = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=2019
    )
    client.force_login(indicator_world.alice)
    assert client.get(_edit_url(published)).status_code == 403

    # Nor by a POST typed by hand: the conflict page, and nothing changes.
    response = client.post(
        _edit_url(published),
        _data(year=str(published.year), value="99", version=str(published.version)),
    )

    assert response.status_code == 409
    published.refresh_from_db()
    assert (published.value, published.state, published.version) == (
        27,
        State.PUBLISHED,
        1,
    )
    assert published.history.count() == 1
    assert IndicatorValue.objects.count() == 1


# --- bad input: a form error that says what to fix, what was typed kept -------------


def _bad(client, world, indicator=None, **overrides):
    response = _record(client, world.alice, indicator or world.output, **overrides)
    assert response.status_code == 200
    assert not IndicatorValue.objects.exists()
    assert "Verdien er ikke lagret" in response.content.decode()
    return response


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"year": str(THIS_YEAR + 1)}, "year", "er ikke over ennå"),
        ({"year": str(THIS_YEAR)}, "year", "er ikke over ennå"),
        (
            {"period": f"month-{timezone.localdate().month}", "year": str(THIS_YEAR)},
            "year",
            "er ikke over ennå",
        ),
        ({"value": "-3"}, "value", "Et antall kan ikke være negativt"),
        ({"value": "abc"}, "value", "Skriv verdien som et tall"),
        ({"value": "12 %"}, "value", "Skriv verdien som et tall"),
        ({"value": "1,5"}, "value", "Et antall må være et helt tall"),
        ({"value": "1.060"}, "value", "Skriv tusener uten skilletegn"),
        ({"value": ""}, "value", "Skriv inn tallet."),
        ({"year": "tjue"}, "year", "Året må være et årstall"),
        ({"period": "year-2"}, "period", "Velg en periode fra listen."),
        (
            {"new_source_url": "javascript:alert(1)"},
            "new_source_url",
            "begynner med http",
        ),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(
    client, indicator_world, overrides, field, message
):
    response = _bad(client, indicator_world, **overrides)
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    typed = next(iter(overrides.values()))
    if typed and field != "period":
        assert f'value="{typed}"' in response.content.decode()


def test_future_year_error_names_a_period_that_has_ended(client, indicator_world):
    response = _bad(client, indicator_world, year=str(THIS_YEAR + 1))
    [error] = response.context["form"].errors["year"]
    assert f"for eksempel {LAST_YEAR}" in error


def test_every_error_shows_at_once(client, indicator_world):
    response = _bad(client, indicator_world, year=str(THIS_YEAR + 1), value="-3")
    assert set(response.context["form"].errors) == {"year", "value"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        ("18,25", Decimal("18.25")),
        ("1 060", Decimal(1060)),
        ("-2,5", Decimal("-2.5")),
    ],
)
def test_norwegian_decimals_are_numbers_for_indicators_that_are_not_counts(
    client, indicator_world, typed, stored
):
    indicator_world.output.kind = Indicator.Kind.NUMBER
    indicator_world.output.save()
    response = _record(
        client, indicator_world.alice, indicator_world.output, value=typed
    )
    assert response.status_code == 302
    assert _latest().value == stored


def test_more_than_two_decimals_is_an_error(client, indicator_world):
    indicator_world.output.kind = Indicator.Kind.PERCENT
    indicator_world.output.save()
    response = _bad(client, indicator_world, value="18,333")
    assert "høyst to desimaler" in response.context["form"].errors["value"][0]


def test_a_whole_count_with_a_space_is_a_number(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output, value="1 060")
    assert _latest().value == 1060


# --- one value per period: a clear error, or an explicit replacement ----------------


def test_second_value_for_a_published_period_is_refused_and_replace_is_offered(
    client, indicator_world
):
    old = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=30
    )
    response = _record(
        client, indicator_world.alice, indicator_world.output, value="31"
    )
    assert response.status_code == 200
    assert IndicatorValue.objects.count() == 1
    body = response.content.decode()
    assert "har allerede en publisert verdi" in body
    # The message names the box in the box's own words.
    label = str(response.context["form"].fields["replace"].label)
    assert label == "Erstatt den publiserte verdien for perioden"
    assert body.count(label) == 2  # the box and the message
    assert f"Kryss av for «{label}»" in body
    assert "«Erstatt verdien»" not in body
    assert 'value="31"' in body

    response = _record(
        client, indicator_world.alice, indicator_world.output, value="31", replace="on"
    )
    assert response.status_code == 302
    new = _latest()
    assert new.replaces == old
    assert new.state == State.SUBMITTED
    old.refresh_from_db()
    assert old.state == State.PUBLISHED  # until the correction is published

    _publish(client, indicator_world.olivia, new)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (State.REPLACED, State.PUBLISHED)
    assert old.history.filter(state=State.REPLACED).exists()
    client.logout()
    page = client.get(indicator_world.measure_a.get_absolute_url())
    assert _series_texts(page.context["indicators"])[str(LAST_YEAR)] == "31"


def test_replace_link_on_a_published_value_fills_in_the_form(client, indicator_world):
    old = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=30
    )
    client.force_login(indicator_world.alice)
    detail = client.get(_detail_url(old)).content.decode()
    link = f"{_new_url(indicator_world.output)}?erstatter={old.pk}"
    assert link in detail
    form = client.get(link).context["form"]
    assert form.initial["replace"] is True
    assert form.initial["year"] == LAST_YEAR
    assert form.initial["value"] == "30"
    assert "replace" in form.helper.layout


def test_a_correction_keeps_its_period_when_edited(client, indicator_world):
    old = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=30
    )
    _record(
        client,
        indicator_world.alice,
        indicator_world.output,
        value="31",
        replace="on",
        submit=None,
        save_draft="Lagre utkast",
    )
    correction = _latest()
    assert correction.replaces == old
    response = client.post(
        _edit_url(correction),
        _data(year=str(LAST_YEAR - 3), value="32", version=str(correction.version)),
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert (correction.year, correction.value) == (LAST_YEAR, 32)


def test_second_open_value_for_a_period_is_refused_with_a_link_to_it(
    client, indicator_world
):
    draft = IndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, author=indicator_world.alice
    )
    response = _record(
        client, indicator_world.alice, indicator_world.output, value="31"
    )
    assert response.status_code == 200
    assert IndicatorValue.objects.count() == 1
    body = response.content.decode()
    assert "under arbeid eller venter på godkjenning" in body
    assert _detail_url(draft) in body


# --- the conflict page ---------------------------------------------------------------


@pytest.fixture
def world_bob(world):
    """Alice's colleague in the workflow world's partner A (the conftest's bob is in
    a partner A of its own)."""
    user = UserFactory(username="bob")
    MembershipFactory(user=user, partner=world.partner_a)
    return user


def test_edit_conflict_keeps_what_was_typed_and_overwrites_nothing(
    client, indicator_world, world_bob
):
    draft = IndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, author=indicator_world.alice
    )
    seen_version = draft.version
    client.force_login(world_bob)
    client.post(
        _edit_url(draft),
        _data(value="40", submit=None, save_draft="x", version=str(seen_version)),
    )
    draft.refresh_from_db()
    assert draft.value == 40

    client.force_login(indicator_world.alice)
    response = client.post(
        _edit_url(draft),
        _data(value="41", note="Alices merknad", version=str(seen_version)),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Noen andre har endret verdien" in body
    assert "Alices merknad" in body
    assert 'value="41"' in body
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Verdi"]["before"] == "41"
    assert rows["Verdi"]["after"] == "40"
    assert rows["Verdi"]["changed"]
    # Both columns on the page, «Lagret nå» with what is saved (not «–»).
    table = re.sub(r"<[^>]+>", " ", body.split("<tbody>", 1)[1].split("</tbody>")[0])
    assert re.search(r"Verdi\s+41\s+40\s+endret", table)
    assert re.search(rf"Periode\s+{LAST_YEAR}\s+{LAST_YEAR}\s", table)
    assert response.context["form"]["version"].value() == str(draft.version)
    draft.refresh_from_db()
    assert draft.value == 40
    assert draft.state == State.DRAFT

    # Sending again from the conflict page is a deliberate choice, and works.
    response = client.post(
        _edit_url(draft), _data(value="41", version=str(draft.version))
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.value, draft.state) == (41, State.SUBMITTED)


def test_conflict_after_a_colleague_submitted_shows_the_text_without_buttons(
    client, indicator_world, world_bob
):
    draft = IndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, author=indicator_world.alice
    )
    seen_version = draft.version
    client.force_login(world_bob)
    client.post(_edit_url(draft), _data(version=str(seen_version)))
    client.force_login(indicator_world.alice)
    response = client.post(
        _edit_url(draft), _data(note="Min tekst", version=str(seen_version))
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Min tekst" in body
    assert "kan ikke endres her" in body
    assert "Send til godkjenning" not in body


# --- Mine tiltak, the detail page, the review queue, small numbers -----------------


def test_mine_tiltak_lists_the_indicators_each_user_records(client, indicator_world):
    PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=3
    )
    client.force_login(indicator_world.alice)
    response = client.get(MY_MEASURES)
    rows = response.context["indicator_rows"]
    assert [row.indicator for row in rows] == [indicator_world.output]
    # Staff of the responsible partner see the exact small number.
    assert rows[0].latest.shown.text == "3"
    assert _new_url(indicator_world.output) in response.content.decode()

    client.force_login(indicator_world.olivia)
    rows = client.get(MY_MEASURES).context["indicator_rows"]
    assert [row.indicator for row in rows] == [
        indicator_world.outcome,
        indicator_world.output,
    ]

    client.force_login(indicator_world.charlie)
    rows = client.get(MY_MEASURES).context["indicator_rows"]
    assert indicator_world.output not in [row.indicator for row in rows]


def test_small_number_is_exact_for_the_partner_and_hidden_from_others(
    client, indicator_world
):
    value = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=3
    )
    client.force_login(indicator_world.alice)
    assert client.get(_detail_url(value)).context["shown"].text == "3"
    client.force_login(
        indicator_world.charlie
    )  # may read a published value, not exactly
    response = client.get(_detail_url(value))
    assert response.status_code == 200
    assert response.context["shown"].text == "<\u00a05"
    assert response.context["history"] == []
    client.logout()
    page = client.get(indicator_world.measure_a.get_absolute_url())
    assert _series_texts(page.context["indicators"])[str(LAST_YEAR)] == "<\u00a05"


def test_review_queue_shows_the_value_beside_the_previous_published_one(
    client, indicator_world
):
    PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR - 2, value=9
    )
    PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR - 1, value=12
    )
    _record(client, indicator_world.alice, indicator_world.output, value="27")
    submitted = _latest()

    client.force_login(indicator_world.olivia)
    response = client.get(QUEUE)
    [item] = response.context["indicator_items"]
    assert item["queued"].value == submitted
    assert item["queued"].previous.year == LAST_YEAR - 1
    assert item["queued"].previous_shown.text == "12"
    body = response.content.decode()
    assert "Indikatorverdier sendt til godkjenning" in body
    assert "Forrige publiserte verdi" in body
    assert _publish_url(submitted) in body
    assert _return_url(submitted) in body

    # A coordinator of another plan's owner does not see it.
    other = UserFactory(username="oscar")
    MembershipFactory(user=other, partner=indicator_world.partner_b, role="coordinator")
    client.force_login(other)
    assert client.get(QUEUE).context["indicator_items"] == []


def test_a_correction_in_the_queue_is_compared_with_the_value_it_replaces(
    client, indicator_world
):
    old = PublishedIndicatorValueFactory(
        indicator=indicator_world.output, year=LAST_YEAR, value=30
    )
    _record(
        client, indicator_world.alice, indicator_world.output, value="31", replace="on"
    )
    client.force_login(indicator_world.olivia)
    [item] = client.get(QUEUE).context["indicator_items"]
    assert item["queued"].previous == old


def test_mine_tiltak_and_queue_run_a_constant_number_of_queries(
    client, indicator_world, django_assert_max_num_queries
):
    def grow():
        indicator = IndicatorFactory(goal=None, measure=indicator_world.measure_a)
        PublishedIndicatorValueFactory(indicator=indicator, year=LAST_YEAR - 1)
        IndicatorValueFactory(
            indicator=indicator, year=LAST_YEAR, state=State.SUBMITTED
        )
        return indicator

    grow()
    for user, url in (
        (indicator_world.alice, MY_MEASURES),
        (indicator_world.olivia, QUEUE),
    ):
        client.force_login(user)
        client.get(url)  # warm caches (session, content types)
        with django_assert_max_num_queries(30) as small:
            client.get(url)
        counts = len(small.captured_queries)
        grown = [grow() for _ in range(5)]
        with django_assert_max_num_queries(counts):
            response = client.get(url)
        assert response.status_code == 200
        # Every grown indicator is on the page, not left out to save queries.
        for indicator in grown:
            assert indicator.title in response.text, (url, indicator.title)


# --- sources ----------------------------------------------------------------------

NO_NEW_SOURCE = {
    "new_source_url": None,
    "new_source_publisher": None,
    "new_source_title": None,
    "new_source_kind": None,
}


def test_a_value_sent_in_without_a_source_is_refused_with_what_to_add(
    client, indicator_world
):
    before = IndicatorValue.objects.count()
    response = _record(
        client,
        indicator_world.alice,
        indicator_world.output,
        value="31",
        **NO_NEW_SOURCE,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Legg til minst én kilde" in body
    assert response.context["form"]["value"].value() == "31"
    assert IndicatorValue.objects.count() == before


def test_a_value_cites_the_typed_link_and_the_queue_shows_it(client, indicator_world):
    _record(client, indicator_world.alice, indicator_world.output)
    value = _latest()
    [citation] = value.citations.all()
    assert citation.source.url == "https://www.bergen.kommune.no/statistikk"
    client.force_login(indicator_world.olivia)
    body = client.get(QUEUE).content.decode()
    assert "Tall fra fagsystemet" in body
    assert 'href="https://www.bergen.kommune.no/statistikk"' in body


def test_a_value_can_cite_a_source_of_its_indicator(client, indicator_world):
    source = SourceFactory(title="Kommunebarometeret")
    Citation.objects.create(source=source, indicator=indicator_world.output)
    response = _record(
        client,
        indicator_world.alice,
        indicator_world.output,
        sources=[source.pk],
        **NO_NEW_SOURCE,
    )
    assert response.status_code == 302
    assert [c.source for c in _latest().citations.all()] == [source]
