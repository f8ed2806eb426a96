"""The status update form: creating, drafting, correcting, and every bad input."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import Citation, Measure, Phase, Plan, Source, StatusUpdate
from measures.selectors.workflow import SOURCE_CHOICES_LIMIT
from tests.factories import SourceFactory
from tests.support.forms import form_data

pytestmark = pytest.mark.django_db


def _url(measure):
    return reverse("measures:measure-update", kwargs=measure.url_kwargs())


def _edit_url(update):
    return reverse("measures:update-edit", kwargs={"pk": update.pk})


def _post(client, user, measure, **overrides):
    client.force_login(user)
    return client.post(_url(measure), form_data(measure, **overrides))


def _count():
    return StatusUpdate.objects.count()


# --- the happy paths ----------------------------------------------------------------


def test_caseworker_sees_form_with_last_published_update(client, world):
    client.force_login(world.alice)
    response = client.get(_url(world.measure_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sist publiserte status" in body
    assert world.published_a.summary in body
    assert "Send til godkjenning" in body
    assert "Lagre utkast" in body
    assert 'name="version"' in body
    assert timezone.localdate().strftime("%d.%m.%Y") in body


def test_the_draft_button_is_an_outline_button_whose_label_can_be_read(client, world):
    # crispy's Submit adds "btn-primary"; with "btn-outline-primary" too, the label
    # is blue on blue. The draft button must carry the outline style alone.
    client.force_login(world.alice)
    body = client.get(_url(world.measure_a)).content.decode()

    buttons = re.findall(r"<input[^>]*type=\"submit\"[^>]*>", body)
    draft = next(b for b in buttons if 'name="save_draft"' in b)
    submit = next(b for b in buttons if 'name="submit"' in b)
    assert "btn-outline-primary" in draft
    assert "btn-primary" not in draft.replace("btn-outline-primary", "")
    assert "btn-primary" in submit


def test_submitting_creates_one_submitted_update_with_one_history_row(client, world):
    before = _count()
    response = _post(client, world.alice, world.measure_a)
    assert response.status_code == 302
    assert response.url == reverse("measures:my-measures")
    update = StatusUpdate.objects.latest("id")
    assert _count() == before + 1
    assert update.state == StatusUpdate.State.SUBMITTED
    assert update.author == world.alice
    assert update.as_of == datetime.date(2021, 4, 30)
    assert update.progress == 60
    history = list(update.history.all())
    assert len(history) == 1
    assert history[0].history_user == world.alice
    assert history[0].history_type == "+"


def test_saving_a_draft_keeps_it_private(client, world):
    overrides = {"submit": None, "save_draft": "Lagre utkast"}
    response = _post(client, world.alice, world.measure_a, **overrides)
    assert response.status_code == 302
    update = StatusUpdate.objects.latest("id")
    assert update.state == StatusUpdate.State.DRAFT
    world.measure_a.refresh_from_db()
    assert world.measure_a.current_update == world.published_a


def test_plan_without_review_publishes_at_once_and_public_page_shows_it(client, world):
    Plan.objects.filter(pk=world.plan.pk).update(requires_review=False)
    client.force_login(world.alice)
    assert "Publiser" in client.get(_url(world.measure_a)).content.decode()
    _post(client, world.alice, world.measure_a, summary="Nytt MO-senter åpnet.")
    update = StatusUpdate.objects.latest("id")
    assert update.state == StatusUpdate.State.PUBLISHED
    assert update.history.count() == 1
    world.measure_a.refresh_from_db()
    assert world.measure_a.current_update == update
    assert world.measure_a.current_progress == 60


def test_editing_a_draft_saves_one_history_row(client, world):
    client.force_login(world.alice)
    draft = world.draft_a
    assert client.get(_edit_url(draft)).status_code == 200
    data = form_data(world.measure_a, summary="Rettet tekst.", version=draft.version)
    data["submit"] = None
    data = {k: v for k, v in data.items() if v is not None}
    data["save_draft"] = "1"
    response = client.post(_edit_url(draft), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Rettet tekst."
    assert draft.state == StatusUpdate.State.DRAFT
    assert draft.history.count() == 2  # the factory's create, then this edit


def test_returned_update_can_be_corrected_and_resubmitted(client, world):
    update = world.submitted_a
    StatusUpdate.objects.filter(pk=update.pk).update(
        state=StatusUpdate.State.RETURNED, review_comment="Legg ved lenke."
    )
    client.force_login(world.alice)
    page = client.get(_edit_url(update)).content.decode()
    assert "Legg ved lenke." in page
    response = client.post(
        _edit_url(update), form_data(world.measure_a, version=update.version)
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.SUBMITTED
    assert [c.source.url for c in update.citations.all()] == [
        "https://www.bergen.kommune.no/"
    ]


@pytest.mark.parametrize("which", ["submitted_a", "published_a"])
def test_submitted_or_published_update_cannot_be_edited(client, world, which):
    update = getattr(world, which)
    client.force_login(world.alice)
    assert client.get(_edit_url(update)).status_code == 403

    # Nor by a POST typed by hand: refused, and nothing changes.
    data = form_data(world.measure_a, summary="Endret i ettertid.")
    data["version"] = str(update.version)
    response = client.post(_edit_url(update), data)

    assert response.status_code == 403
    saved = StatusUpdate.objects.get(pk=update.pk)
    assert (saved.summary, saved.state, saved.version) == (
        update.summary,
        update.state,
        update.version,
    )
    assert saved.history.count() == update.history.count()
    assert _count() == 6


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("progress", "message"),
    [
        ("-1", "Fremdriften kan ikke være under 0 %."),
        ("101", "Fremdriften kan ikke være over 100 %."),
        ("abc", "Fremdriften må være et helt tall fra 0 til 100."),
        ("", "Skriv inn fremdriften som et tall fra 0 til 100."),
    ],
)
def test_progress_outside_0_to_100_is_refused(client, world, progress, message):
    before = _count()
    response = _post(client, world.alice, world.measure_a, progress=progress)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _count() == before


def test_as_of_in_the_future_is_refused(client, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = _count()
    response = _post(
        client, world.alice, world.measure_a, as_of=tomorrow.strftime("%d.%m.%Y")
    )
    assert "Datoen kan ikke være fram i tid." in response.content.decode()
    assert _count() == before


def test_as_of_before_the_plan_started_is_refused(client, world):
    before = _count()
    response = _post(client, world.alice, world.measure_a, as_of="31.12.2017")
    assert "Datoen kan ikke være før planen startet (2018)." in (
        response.content.decode()
    )
    assert _count() == before


@pytest.mark.parametrize("as_of", ["2021-04-30", "31/04/2021", "30.13.2021", "i går"])
def test_as_of_in_another_format_is_refused_with_the_expected_format(
    client, world, as_of
):
    response = _post(client, world.alice, world.measure_a, as_of=as_of)
    assert "Skriv datoen som dd.mm.åååå" in response.content.decode()


@pytest.mark.parametrize("summary", ["", "   "])
def test_empty_summary_is_refused(client, world, summary):
    before = _count()
    response = _post(client, world.alice, world.measure_a, summary=summary)
    assert "Skriv et sammendrag av status." in response.content.decode()
    assert _count() == before


def test_20000_character_summary_is_refused_and_kept(client, world):
    before = _count()
    summary = "x" * 20_000
    response = _post(client, world.alice, world.measure_a, summary=summary)
    body = response.content.decode()
    assert "Sammendraget kan ha høyst 5000 tegn (det har 20000)." in body
    assert summary in body
    assert _count() == before


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/fil",
        "vbscript:msgbox",
    ],
)
def test_source_link_other_than_http_is_refused(client, world, url):
    before, sources = _count(), Source.objects.count()
    response = _post(client, world.alice, world.measure_a, new_source_url=url)
    assert "begynner med http:// eller https://" in response.content.decode()
    assert _count() == before
    assert Source.objects.count() == sources


def test_form_with_an_error_keeps_everything_typed(client, world):
    response = _post(
        client,
        world.alice,
        world.measure_a,
        progress="101",
        summary="Tekst jeg ikke vil skrive på nytt.",
        new_source_url="https://example.org/rapport",
        health="at_risk",
        phase="not_started",
    )
    form = response.context["form"]
    assert form["summary"].value() == "Tekst jeg ikke vil skrive på nytt."
    assert form["new_source_url"].value() == "https://example.org/rapport"
    assert form["health"].value() == "at_risk"
    assert form["phase"].value() == "not_started"
    assert form["progress"].value() == "101"
    body = response.content.decode()
    assert "Tekst jeg ikke vil skrive på nytt." in body
    assert "Oppdateringen er ikke lagret" in body


def test_update_to_another_partners_measure_is_403_and_writes_nothing(client, world):
    before = _count()
    client.force_login(world.alice)
    assert client.get(_url(world.measure_b)).status_code == 403
    response = client.post(_url(world.measure_b), form_data(world.measure_b))
    assert response.status_code == 403
    assert _count() == before


def test_editing_another_partners_draft_is_403_and_writes_nothing(client, world):
    client.force_login(world.alice)
    draft = world.draft_b
    response = client.post(
        _edit_url(draft), form_data(world.measure_b, version=draft.version)
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.summary != "Avtale om lokaler er inngått."


def test_anonymous_user_is_sent_to_login_and_nothing_is_written(client, world):
    before = _count()
    response = client.post(_url(world.measure_a), form_data(world.measure_a))
    assert response.status_code == 302
    assert "next=" in response.url
    assert _count() == before


def test_post_without_csrf_token_is_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    before = _count()
    response = client.post(_url(world.measure_a), form_data(world.measure_a))
    assert response.status_code == 403
    assert _count() == before


@pytest.mark.parametrize("phase", ["completed", "discontinued", "continued"])
def test_finished_measure_refuses_updates_with_a_clear_message(client, world, phase):
    Measure.objects.filter(pk=world.measure_a.pk).update(current_phase=phase)
    client.force_login(world.alice)
    page = client.get(_url(world.measure_a))
    assert "tar ikke imot flere oppdateringer" in page.content.decode()
    assert "Send til godkjenning" not in page.content.decode()


def test_update_to_a_measure_meanwhile_marked_completed_is_refused_and_kept(
    client, world
):
    data = form_data(world.measure_a, summary="Min tekst om tiltaket.")
    Measure.objects.filter(pk=world.measure_a.pk).update(
        current_phase=Phase.COMPLETED, version=99
    )
    before = _count()
    client.force_login(world.alice)
    response = client.post(_url(world.measure_a), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "«Fullført» og tar ikke imot flere oppdateringer" in body
    assert "Min tekst om tiltaket." in body
    assert _count() == before


def test_editing_a_draft_of_a_measure_meanwhile_completed_is_refused(client, world):
    Measure.objects.filter(pk=world.measure_a.pk).update(current_phase="completed")
    client.force_login(world.alice)
    draft = world.draft_a
    response = client.post(
        _edit_url(draft), form_data(world.measure_a, version=draft.version)
    )
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.state == StatusUpdate.State.DRAFT


def test_get_is_the_only_other_method_allowed(client, world):
    client.force_login(world.alice)
    assert client.put(_url(world.measure_a)).status_code == 405
    assert client.delete(_edit_url(world.draft_a)).status_code == 405


# --- script in every text field -------------------------------------------------------

NASTY = '<script>alert("x")</script>" onmouseover="alert(1)'


def test_script_in_text_fields_is_shown_escaped_on_every_page(client, world):
    Plan.objects.filter(pk=world.plan.pk).update(requires_review=True)
    response = _post(
        client,
        world.alice,
        world.measure_a,
        summary=NASTY,
        new_source_url='https://example.org/?q="onmouseover=alert(1)<script>',
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.latest("id")
    pages = [
        reverse("measures:my-measures"),
        _url(world.measure_a),
        reverse("measures:update-detail", kwargs={"pk": update.pk}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert '" onmouseover=' not in body, url
    client.force_login(world.olivia)
    queue = client.get(reverse("measures:review-queue")).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in queue
    assert "<script>alert" not in queue
    assert '" onmouseover=' not in queue
    assert 'q="onmouseover' not in queue
    # Returned with the same in the comment, then published: every page again.
    client.post(
        reverse("measures:update-return", kwargs={"pk": update.pk}),
        {"comment": NASTY, "version": update.version + 0},
    )
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.RETURNED
    client.force_login(world.alice)
    for url in (reverse("measures:my-measures"), _edit_url(update)):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert '" onmouseover=' not in body, url
    client.post(
        _edit_url(update),
        form_data(world.measure_a, summary=NASTY, version=update.version),
    )
    client.force_login(world.olivia)
    update.refresh_from_db()
    client.post(
        reverse("measures:update-publish", kwargs={"pk": update.pk}),
        {"version": update.version},
    )
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED
    public = Client().get(world.measure_a.get_absolute_url())
    assert public.status_code == 200
    assert "<script>alert" not in public.content.decode()
    assert '" onmouseover=' not in public.content.decode()


def test_script_as_form_input_is_echoed_escaped_on_error(client, world):
    response = _post(
        client, world.alice, world.measure_a, summary=NASTY, progress="x" + NASTY
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert '" onmouseover=' not in body


NASTY_URL = 'https://example.org/?q="onmouseover=alert(1)<script>'
NASTY_ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot; onmouseover="


def _assert_escaped(body: str, where: str) -> None:
    assert NASTY_ESCAPED in body, f"{where} does not show the text at all"
    assert "<script>alert" not in body, where
    assert '" onmouseover=' not in body, where
    assert 'q="onmouseover' not in body, where


def test_script_in_every_text_field_is_escaped_on_detail_home_and_report(client, world):
    """The pages the test above does not reach: the update detail page with the
    coordinator's comment, and the public home page and report once published."""
    _post(
        client,
        world.alice,
        world.measure_a,
        summary=NASTY,
        new_source_url=NASTY_URL,
        as_of=timezone.localdate().strftime("%d.%m.%Y"),
    )
    update = StatusUpdate.objects.latest("id")
    detail = reverse("measures:update-detail", kwargs={"pk": update.pk})
    client.force_login(world.olivia)
    client.post(
        reverse("measures:update-return", kwargs={"pk": update.pk}),
        {"comment": NASTY, "version": update.version},
    )
    update.refresh_from_db()
    assert update.review_comment == NASTY
    for user in (world.olivia, world.alice):
        client.force_login(user)
        body = client.get(detail).content.decode()
        # The summary, the return comment, and the comment again in the history.
        assert body.count(NASTY_ESCAPED) == 3, "summary, comment, history"
        _assert_escaped(body, f"update detail for {user}")
    client.post(
        _edit_url(update),
        form_data(
            world.measure_a,
            summary=NASTY,
            new_source_url=NASTY_URL,
            as_of=timezone.localdate().strftime("%d.%m.%Y"),
            version=update.version,
        ),
    )
    client.force_login(world.olivia)
    update.refresh_from_db()
    client.post(
        reverse("measures:update-publish", kwargs={"pk": update.pk}),
        {"version": update.version},
    )
    update.refresh_from_db()
    assert update.state == StatusUpdate.State.PUBLISHED

    anonymous = Client()
    pages = {
        "home": world.plan.municipality.get_absolute_url(),
        "report": reverse("measures:plan-report", kwargs=world.plan.url_kwargs()),
        "measure": world.measure_a.get_absolute_url(),
    }
    for name, url in pages.items():
        response = anonymous.get(url)
        assert response.status_code == 200, name
        _assert_escaped(response.content.decode(), name)


# --- hypothesis: never a 500 ----------------------------------------------------------

text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "0", "-1", "101", "1e400", "30.04.2021", NASTY, "\x00"]),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    as_of=text,
    phase=text,
    health=text,
    progress=text,
    summary=st.one_of(text, st.text(min_size=4990, max_size=5010)),
    new_source_url=text,
    new_source_published_on=text,
    new_source_kind=text,
    version=text,
    button=st.sampled_from(["submit", "save_draft", "other"]),
)
def test_any_input_to_the_update_form_never_gives_a_server_error(
    client,
    world,
    as_of,
    phase,
    health,
    progress,
    summary,
    new_source_url,
    new_source_published_on,
    new_source_kind,
    version,
    button,
):
    client.force_login(world.alice)
    data = {
        "as_of": as_of,
        "phase": phase,
        "health": health,
        "progress": progress,
        "summary": summary,
        "new_source_url": new_source_url,
        "new_source_publisher": "Utgiver",
        "new_source_title": "Tittel",
        "new_source_kind": new_source_kind,
        "new_source_published_on": new_source_published_on,
        "version": version,
        button: "1",
    }
    response = client.post(_url(world.measure_a), data)
    assert response.status_code in (200, 302, 409)
    response = client.post(_edit_url(world.draft_a), data)
    assert response.status_code in (200, 302, 403, 409)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(comment=text, version=text)
def test_any_input_to_the_review_forms_never_gives_a_server_error(
    client, world, comment, version
):
    client.force_login(world.olivia)
    pk = world.submitted_a.pk
    response = client.post(
        reverse("measures:update-return", kwargs={"pk": pk}),
        {"comment": comment, "version": version},
    )
    # A refused step answers 409 (the version is not the one saved) or 400 (no
    # version at all), never a 500.
    assert response.status_code in (200, 302, 409)
    response = client.post(
        reverse("measures:update-publish", kwargs={"pk": pk}), {"version": version}
    )
    assert response.status_code in (302, 400, 409)


# --- no lost work: the conflict page --------------------------------------------------


def test_second_person_from_the_same_start_gets_a_conflict_page_keeping_their_text(
    world,
):
    first, second = Client(), Client()
    first.force_login(world.alice)
    second.force_login(world.olivia)
    start = form_data(world.measure_a)
    ok = first.post(_url(world.measure_a), {**start, "summary": "Først inne."})
    assert ok.status_code == 302
    before = _count()
    response = second.post(
        _url(world.measure_a),
        {**start, "summary": "Koordinatorens tekst.", "progress": "75"},
    )
    assert response.status_code == 409
    assert _count() == before
    body = response.content.decode()
    assert "Noen andre har endret tiltaket" in body
    assert "Koordinatorens tekst." in body
    assert "Sendt til godkjenning" in body  # the colleague's pending update
    form = response.context["form"]
    assert form["progress"].value() == "75"
    world.measure_a.refresh_from_db()
    assert form["version"].value() == str(world.measure_a.version)
    # Sending again from the conflict page is a deliberate choice, and works.
    again = second.post(_url(world.measure_a), form.data)
    assert again.status_code == 302
    assert _count() == before + 1


def test_conflicting_edit_of_a_draft_shows_what_changed(world):
    first, second = Client(), Client()
    first.force_login(world.alice)
    second.force_login(world.olivia)
    draft = world.draft_a
    start = form_data(world.measure_a, version=draft.version, submit=None)
    start["save_draft"] = "1"
    assert first.post(_edit_url(draft), {**start, "progress": "70"}).status_code == 302
    response = second.post(
        _edit_url(draft), {**start, "progress": "20", "summary": "Min versjon."}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Min versjon." in body
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Fremdrift"]["before"] == "20 %"
    assert rows["Fremdrift"]["after"] == "70 %"
    assert rows["Fremdrift"]["changed"]
    draft.refresh_from_db()
    assert draft.progress == 70
    assert draft.history.count() == 2


def _diff_table(body: str) -> dict:
    """The conflict page's table as {field: (what you wrote, saved now)}, read
    from the HTML (tags and the «endret» badge stripped)."""
    table = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [
            " ".join(
                re.sub(r"<span class=\"badge[^<]*</span>|<[^>]+>", " ", cell).split()
            )
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_draft_conflict_page_shows_both_columns_with_display_labels(world):
    first, second = Client(), Client()
    first.force_login(world.alice)
    second.force_login(world.olivia)
    draft = world.draft_a
    start = form_data(world.measure_a, version=draft.version, submit=None)
    start["save_draft"] = "1"
    saved = {**start, "progress": "70", "health": "at_risk", "as_of": "31.05.2021"}
    assert first.post(_edit_url(draft), saved).status_code == 302
    response = second.post(
        _edit_url(draft),
        {**start, "progress": "20", "health": "off_track", "phase": "not_started"},
    )
    assert response.status_code == 409
    assert _diff_table(response.content.decode()) == {
        "Fase": ("Ikke startet", "Pågår"),
        "Vurdering": ("Ikke i rute", "Risiko for avvik"),
        "Fremdrift": ("20 %", "70 %"),
        "Status per": ("30.04.2021", "31.05.2021"),
    }


def test_new_update_conflict_shows_the_update_a_colleague_saved_meanwhile(world):
    """Two people start an update from the same page: the second sees the first
    one's update, not the (unchanged) published status, as what is saved now."""
    first, second = Client(), Client()
    first.force_login(world.alice)
    second.force_login(world.olivia)
    start = form_data(world.measure_a)
    colleague = {**start, "progress": "80", "health": "at_risk", "as_of": "31.05.2021"}
    assert first.post(_url(world.measure_a), colleague).status_code == 302
    response = second.post(
        _url(world.measure_a), {**start, "progress": "75", "summary": "Min tekst."}
    )
    assert response.status_code == 409
    assert _diff_table(response.content.decode()) == {
        "Fase": ("Pågår", "Pågår"),
        "Vurdering": ("I rute", "Risiko for avvik"),
        "Fremdrift": ("75 %", "80 %"),
        "Status per": ("30.04.2021", "31.05.2021"),
    }


def test_service_refuses_a_caseworker_of_another_partner(world):
    from django.core.exceptions import PermissionDenied

    from measures.services.status_updates import (
        status_update_create,
        status_update_publish,
    )

    with pytest.raises(PermissionDenied):
        status_update_create(
            measure=world.measure_b,
            author=world.alice,
            actor=world.alice,
            as_of=datetime.date(2021, 1, 1),
            phase="in_progress",
            summary="Nei.",
        )
    with pytest.raises(PermissionDenied):
        status_update_publish(
            update=world.submitted_a, reviewer=world.alice, actor=world.alice
        )
    world.submitted_a.refresh_from_db()
    assert world.submitted_a.state == StatusUpdate.State.SUBMITTED


# --- sources --------------------------------------------------------------------------

NO_SOURCE = "Legg til minst én kilde: velg en kilde fra listen eller lim inn en lenke."
NO_NEW_SOURCE = {
    "new_source_url": None,
    "new_source_publisher": None,
    "new_source_title": None,
    "new_source_kind": None,
}


def test_update_with_no_source_is_refused_with_what_to_add_and_keeps_the_text(
    client, world
):
    before = _count()
    response = _post(
        client,
        world.alice,
        world.measure_a,
        summary="Tekst jeg ikke vil miste.",
        **NO_NEW_SOURCE,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert NO_SOURCE in body
    assert 'href="#sources-fieldset"' in body
    assert response.context["form"]["summary"].value() == "Tekst jeg ikke vil miste."
    assert _count() == before


def test_a_draft_may_be_saved_before_the_source_is_found(client, world):
    overrides = {**NO_NEW_SOURCE, "submit": None, "save_draft": "1"}
    response = _post(client, world.alice, world.measure_a, **overrides)
    assert response.status_code == 302
    assert StatusUpdate.objects.latest("id").state == StatusUpdate.State.DRAFT


def test_caseworker_can_cite_a_source_already_used_on_the_measure(client, world):
    source = SourceFactory(title="Årsrapport 2020")
    Citation.objects.create(source=source, measure=world.measure_a)
    client.force_login(world.alice)
    assert "Årsrapport 2020" in client.get(_url(world.measure_a)).content.decode()
    response = _post(
        client, world.alice, world.measure_a, sources=[source.pk], **NO_NEW_SOURCE
    )
    assert response.status_code == 302
    update = StatusUpdate.objects.latest("id")
    assert update.state == StatusUpdate.State.SUBMITTED
    assert [c.source for c in update.citations.all()] == [source]


def test_the_source_list_leaves_out_sources_of_other_plans(client, world):
    SourceFactory(title="Annen plans kilde").citations.create(measure=world.measure_b)
    client.force_login(world.alice)
    assert "Annen plans kilde" not in client.get(_url(world.measure_a)).content.decode()


def test_a_source_not_offered_cannot_be_chosen(client, world):
    stranger = SourceFactory(title="Ikke tilbudt")
    response = _post(
        client, world.alice, world.measure_a, sources=[stranger.pk], **NO_NEW_SOURCE
    )
    assert response.status_code == 200
    assert "Velg kilder fra listen." in response.content.decode()


def test_the_same_link_typed_twice_gives_one_source(client, world):
    url = "https://www.bergen.kommune.no/omkommunen/arkiv/rapport"
    _post(client, world.alice, world.measure_a, new_source_url=url)
    _post(
        client,
        world.alice,
        world.measure_a,
        new_source_url=f"  {url}  ",
        new_source_publisher="",
        new_source_title="",
        new_source_kind="",
    )
    assert Source.objects.filter(url=url).count() == 1
    first, second = StatusUpdate.objects.order_by("-id")[:2][::-1]
    assert first.citations.get().source == second.citations.get().source


def test_a_new_link_needs_publisher_title_and_kind(client, world):
    response = _post(
        client,
        world.alice,
        world.measure_a,
        new_source_url="https://example.org/ny",
        new_source_publisher="",
        new_source_title="",
        new_source_kind="",
    )
    body = response.content.decode()
    assert "Skriv hvem som har publisert kilden." in body
    assert "Skriv tittelen på kilden." in body
    assert "Velg hva slags kilde det er." in body
    assert not Source.objects.filter(url="https://example.org/ny").exists()


def test_a_source_dated_in_the_future_is_refused(client, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    before = _count()
    response = _post(
        client,
        world.alice,
        world.measure_a,
        new_source_url="https://example.org/framtid",
        new_source_published_on=tomorrow.strftime("%d.%m.%Y"),
    )
    assert "Publiseringsdatoen kan ikke være i fremtiden." in response.content.decode()
    assert _count() == before
    assert not Source.objects.filter(url="https://example.org/framtid").exists()


def test_an_undated_source_is_accepted_and_shown_as_udatert(client, world):
    _post(
        client,
        world.alice,
        world.measure_a,
        new_source_url="https://example.org/udatert",
        new_source_published_on="",
    )
    update = StatusUpdate.objects.latest("id")
    assert update.citations.get().source.published_on is None
    client.force_login(world.olivia)
    body = client.get(reverse("measures:review-queue")).content.decode()
    assert "https://example.org/udatert" in body
    assert "(udatert)" in body


def test_the_review_queue_and_detail_show_the_citations(client, world):
    source = SourceFactory(
        publisher="Helse Bergen", title="Rapport om LAR", url="https://helse.no/lar"
    )
    Citation.objects.create(source=source, status_update=world.submitted_a)
    client.force_login(world.olivia)
    for url in (
        reverse("measures:review-queue"),
        reverse("measures:update-detail", kwargs={"pk": world.submitted_a.pk}),
    ):
        body = client.get(url).content.decode()
        assert "Helse Bergen" in body
        assert '<a href="https://helse.no/lar" rel="noopener noreferrer">' in body
        assert "Rapport om LAR" in body
        assert "(01.03.2020)" in body


def test_editing_a_returned_update_shows_its_sources_chosen(client, world):
    source = SourceFactory(title="Valgt før")
    Citation.objects.create(source=source, status_update=world.draft_a)
    client.force_login(world.alice)
    form = client.get(_edit_url(world.draft_a)).context["form"]
    assert form["sources"].value() == [source.pk]


def test_a_caseworker_cannot_cite_on_another_partners_measure_through_the_form(
    client, world
):
    sources = Source.objects.count()
    citations = Citation.objects.filter(status_update__measure=world.measure_b)
    before = list(citations)
    client.force_login(world.alice)
    response = client.post(_url(world.measure_b), form_data(world.measure_b))
    assert response.status_code == 403
    assert Source.objects.count() == sources
    assert list(citations) == before


def _form_queries(client, world, sources: int) -> tuple[int, object]:
    """Queries of the update form page with `sources` sources cited on the
    measure, after a first request has warmed the session."""
    for _ in range(sources):
        SourceFactory().citations.create(measure=world.measure_a)
    client.force_login(world.alice)
    client.get(_url(world.measure_a))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(world.measure_a))
    assert response.status_code == 200
    return len(queries), response


def test_the_source_list_costs_the_same_queries_for_few_and_many_sources(client, world):
    few, _response = _form_queries(client, world, 1)
    many, response = _form_queries(client, world, 40)
    assert many == few
    offered = response.context["form"].fields["sources"].queryset
    assert offered.count() == SOURCE_CHOICES_LIMIT
