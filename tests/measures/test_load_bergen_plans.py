import datetime
from io import StringIO
from textwrap import dedent

import pytest
from django.core.management import CommandError, call_command

from measures import services
from measures.models import District, Goal, Measure, MeasurePartner, Plan, StatusUpdate
from partners.models import Partner, PartnerName

pytestmark = pytest.mark.django_db

PLAN_2012 = "handlingsplan-mot-apne-russcener-2012"
PLAN_2018 = "plan-for-rusfeltet-2018-2022"
MEASURES_2012 = {
    "nygardsparken-2012",
    "mo-sentre-2012",
    "trygge-byrom-2012",
    "oppfolging-i-egen-bolig-2012",
    "okt-satsing-pa-lar-2012",
    "veien-videre-2012",
    "ruskoordinator-2012",
}
MEASURES_2018 = {
    # Resources named in seed 000.
    "mo-sentre-2018",
    "utvidede-apningstider-2018",
    "sproyterom-brukerrom-2018",
    "overdoseteam-2018",
    "styrket-lar-oppfolging-2018",
    "styrket-bo-oppfolging-2018",
    "rehabilitering-nav-sosialtjeneste-2018",
    "nye-arbeids-og-aktivitetstilbud-2018",
    # Named by BT, and a stated priority.
    "psykisk-syke-i-apne-russcener-2018",
    "brukermedvirkning-2018",
    # The work and activity plan 2019–2022.
    "fritid-med-bistand-2018",
    "dagsverket-2018",
    "musikkterapi-2018",
    "fysisk-aktivitet-i-alle-bydeler-2018",
    "recoveryskole-2018",
    "app-2018",
}
EVENT_DATES = {
    "bergen:mo-sentre-2012:2014-07-01": datetime.date(2014, 7, 1),
    "bergen:trygge-byrom-2012:2014-07-01": datetime.date(2014, 7, 1),
    "bergen:nygardsparken-2012:2014-08-25": datetime.date(2014, 8, 25),
    "bergen:nygardsparken-2012:2017-09-09": datetime.date(2017, 9, 9),
    "bergen:sproyterom-brukerrom-2018:2016-12-23": datetime.date(2016, 12, 23),
    "bergen:sproyterom-brukerrom-2018:2019-04-01": datetime.date(2019, 4, 1),
    "bergen:overdoseteam-2018:2018-02-23": datetime.date(2018, 2, 23),
    "bergen:mo-sentre-2018:2019-09-02": datetime.date(2019, 9, 2),
    "bergen:mo-sentre-2018:2019-08-26": datetime.date(2019, 8, 26),
}
MODELS = (Partner, PartnerName, District, Plan, Goal, Measure, MeasurePartner)


def _load(*args) -> str:
    out = StringIO()
    call_command("load_bergen_plans", *args, stdout=out)
    return out.getvalue()


def _row_counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {f"{model.__name__} history": model.history.count() for model in MODELS}
    counts["StatusUpdate"] = StatusUpdate.objects.count()
    counts["StatusUpdate history"] = StatusUpdate.history.count()
    return counts


def _write(tmp_path, text: str):
    path = tmp_path / "plans.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


SMALL_FILE = """\
    partners:
      - slug: testkommune
        name: Testkommune
        kind: municipality
        source: Testkilde
    districts:
      - {slug: sentrum, name: Sentrum, municipality: testkommune}
    plans:
      - slug: testplan
        title: Testplan
        start_year: 2020
        owner: testkommune
        source: Testkilde
        goals:
          - {slug: trygg, title: Trygg by, source: Testkilde}
        measures:
          - slug: testtiltak
            title: Testtiltak
            lead: testkommune
            goals: [trygg]
            districts: [sentrum]
            source: Testkilde
            events:
              - id: "test:testtiltak:2020-05-01"
                date: 2020-05-01
                phase: %(phase)s
                summary: Tiltaket startet.
                source: Testkilde
"""


@pytest.fixture
def loaded():
    return _load()


def test_loader_ships_two_plans_and_eight_districts(loaded):
    assert set(Plan.objects.values_list("slug", flat=True)) == {PLAN_2012, PLAN_2018}
    assert set(District.objects.values_list("name", flat=True)) == {
        "Arna",
        "Bergenhus",
        "Fana",
        "Fyllingsdalen",
        "Laksevåg",
        "Ytrebygda",
        "Årstad",
        "Åsane",
    }
    assert not District.objects.exclude(municipality__slug="bergen-kommune").exists()


def test_loader_ships_every_measure_the_sources_name(loaded):
    assert set(
        Measure.objects.filter(plan__slug=PLAN_2012).values_list("slug", flat=True)
    ) == (MEASURES_2012)
    assert set(
        Measure.objects.filter(plan__slug=PLAN_2018).values_list("slug", flat=True)
    ) == (MEASURES_2018)


def test_every_measure_has_one_lead_a_goal_of_its_plan_and_a_source(loaded):
    for measure in Measure.objects.prefetch_related("goals", "partner_roles"):
        roles = [role.role for role in measure.partner_roles.all()]
        assert roles.count(MeasurePartner.Role.LEAD) == 1, measure.slug
        assert [goal.plan_id for goal in measure.goals.all()] == [measure.plan_id]
        assert measure.source_note, measure.slug


def test_plans_carry_their_metadata(loaded):
    old = Plan.objects.get(slug=PLAN_2012)
    new = Plan.objects.get(slug=PLAN_2018)
    assert old.status == Plan.Status.SUPERSEDED
    assert old.owner.slug == "byradsavdeling-sosial"
    # The adoption date is uncertain, so it is left empty and the doubt explained.
    assert old.adopted_on is None
    assert "(?)" in old.adoption_note
    assert "16.08.2012" in old.adoption_note
    assert new.status == Plan.Status.COMPLETED
    assert (new.start_year, new.end_year) == (2018, 2022)
    assert new.adopted_on == datetime.date(2017, 11, 22)
    assert new.owner.slug == "bergen-kommune"
    assert new.predecessor == old


def test_plans_have_only_the_goals_the_sources_give(loaded):
    assert list(Goal.objects.filter(plan__slug=PLAN_2012).values_list("title")) == [
        ("Bergen skal være en trygg by med trygge byrom for alle",)
    ]
    assert list(Goal.objects.filter(plan__slug=PLAN_2018).values_list("title")) == [
        ("Bergen skal være en trygg by for alle",)
    ]


def test_police_name_resolves_by_date(loaded):
    police = Partner.objects.get(slug="vest-politidistrikt")
    assert police.name_on(datetime.date(2012, 6, 1)) == "Hordaland politidistrikt"
    assert police.name_on(datetime.date(2015, 12, 31)) == "Hordaland politidistrikt"
    assert police.name_on(datetime.date(2016, 1, 1)) == "Vest politidistrikt"


def test_partners_and_units_have_their_name_history(loaded):
    municipality = Partner.objects.get(slug="bergen-kommune")
    assert set(municipality.units.values_list("slug", flat=True)) == {
        "byradsavdeling-sosial",
        "etat-for-psykisk-helse-og-rustjenester",
        "etat-for-sosiale-tjenester",
        "bymiljoetaten",
        "botreningssenteret",
        "nav-sosialtjeneste",
    }
    assert Partner.objects.get(slug="avdeling-for-rusmedisin").parent.slug == (
        "helse-bergen"
    )
    department = Partner.objects.get(slug="byradsavdeling-sosial")
    assert department.name_on(datetime.date(2012, 6, 1)) == (
        "Byrådsavdeling for sosial, bolig og områdesatsing"
    )
    assert all(former.dates_approximate for former in department.former_names.all())
    green = PartnerName.objects.get(name="Grønn etat")
    assert green.partner.name == "Bymiljøetaten"
    assert (green.valid_from, green.valid_until) == (None, None)
    assert not PartnerName.objects.filter(source="").exists()


def test_measures_continued_from_2012_point_to_their_predecessor(loaded):
    lineage = dict(
        Measure.objects.filter(continues__isnull=False).values_list(
            "slug", "continues__slug"
        )
    )
    assert lineage == {
        "mo-sentre-2018": "mo-sentre-2012",
        "styrket-lar-oppfolging-2018": "okt-satsing-pa-lar-2012",
        "styrket-bo-oppfolging-2018": "oppfolging-i-egen-bolig-2012",
    }


def test_only_confirmed_districts_are_linked(loaded):
    eidsvag = Measure.objects.get(slug="mo-sentre-2018")
    assert list(eidsvag.districts.values_list("slug", flat=True)) == ["asane"]
    # MO Wergeland (Årstad?) and MO Nesttun (Fana?) are unconfirmed.
    old_centres = Measure.objects.get(slug="mo-sentre-2012")
    assert not old_centres.districts.exists()
    assert "ikke bekreftet" in old_centres.description


def test_events_are_published_updates_with_exact_dates(loaded):
    updates = dict(StatusUpdate.objects.values_list("external_id", "as_of"))
    for external_id, day in EVENT_DATES.items():
        assert updates[external_id] == day


def test_every_shipped_update_is_published_with_a_source(loaded):
    updates = StatusUpdate.objects.all()
    assert updates.count() >= len(EVENT_DATES)
    for update in updates:
        assert update.state == StatusUpdate.State.PUBLISHED
        assert update.source_note.strip(), update.external_id
        assert update.author is None
        assert update.progress is None


def test_uncertain_dates_carry_their_doubt(loaded):
    closing = StatusUpdate.objects.get(
        external_id="bergen:nygardsparken-2012:2014-08-25"
    )
    assert "(?)" in closing.summary
    assert "arkitektur.no" in closing.source_note
    opening = StatusUpdate.objects.get(
        external_id="bergen:sproyterom-brukerrom-2018:2016-12-23"
    )
    assert "(?)" in opening.source_note
    assert "SNL" in opening.source_note


def test_current_status_of_measures_reflects_the_latest_event(loaded):
    room = Measure.objects.get(slug="sproyterom-brukerrom-2018")
    assert room.current_as_of == datetime.date(2019, 4, 1)
    assert room.current_update.external_id == (
        "bergen:sproyterom-brukerrom-2018:2019-04-01"
    )
    assert room.current_phase == "in_progress"
    park = Measure.objects.get(slug="nygardsparken-2012")
    assert park.current_as_of == datetime.date(2017, 9, 9)
    assert Measure.objects.get(slug="app-2018").current_update is None


def test_loader_marks_its_own_history_rows(loaded):
    reasons = set(Measure.history.values_list("history_change_reason", flat=True))
    assert reasons == {"load_bergen_plans"}


def test_loading_a_second_time_writes_nothing(loaded):
    before = _row_counts()
    output = _load()
    assert _row_counts() == before
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


def test_loader_keeps_an_administrators_edit():
    _load()
    park = Measure.objects.get(slug="nygardsparken-2012")
    services.measure_update(measure=park, title="Nygårdsparken, rettet tittel")

    output = _load()

    park.refresh_from_db()
    assert park.title == "Nygårdsparken, rettet tittel"
    assert "Beholdt administratorens endring: tiltak «nygardsparken-2012»" in output
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


def test_loader_updates_what_it_wrote_when_the_file_changes(tmp_path):
    path = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    _load("--file", str(path))
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: Testtiltak", "title: Bedre tittel"
        ),
        encoding="utf-8",
    )

    output = _load("--file", str(path))

    assert Measure.objects.get(slug="testtiltak").title == "Bedre tittel"
    assert "Totalt: 0 opprettet, 1 oppdatert." in output


def test_loader_does_not_recreate_what_an_administrator_deleted():
    _load()
    PartnerName.objects.get(name="Grønn etat").delete()
    District.objects.get(slug="arna").delete()
    update = StatusUpdate.objects.get(external_id="bergen:overdoseteam-2018:2018-02-23")
    update.delete()

    output = _load()

    assert not PartnerName.objects.filter(name="Grønn etat").exists()
    assert not District.objects.filter(slug="arna").exists()
    assert not StatusUpdate.objects.filter(external_id=update.external_id).exists()
    assert "Ikke gjenopprettet, slettet av en administrator: bydel «arna»" in output
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_load_leaves_nothing_behind(tmp_path):
    # The broken entry is the last one: partners, districts, the plan, its goal and
    # the measure have all been written when the event fails validation.
    broken = _write(tmp_path, SMALL_FILE % {"phase": "ukjent_fase"})

    with pytest.raises(CommandError, match="test:testtiltak:2020-05-01"):
        _load("--file", str(broken))

    assert all(count == 0 for count in _row_counts().values()), _row_counts()

    fixed = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    _load("--file", str(fixed))
    assert Measure.objects.get(slug="testtiltak").current_phase == "in_progress"
    assert District.objects.count() == 1


def test_a_reference_to_an_unknown_partner_is_reported(tmp_path):
    path = _write(
        tmp_path,
        (SMALL_FILE % {"phase": "in_progress"}).replace(
            "lead: testkommune", "lead: finnes-ikke"
        ),
    )

    with pytest.raises(CommandError, match="finnes-ikke"):
        _load("--file", str(path))

    assert not Partner.objects.exists()


def test_an_unknown_field_in_the_file_is_rejected(tmp_path):
    path = _write(
        tmp_path,
        (SMALL_FILE % {"phase": "in_progress"}).replace(
            "title: Testtiltak", "titel: Testtiltak"
        ),
    )

    with pytest.raises(CommandError, match="titel"):
        _load("--file", str(path))
