import datetime
import re
from textwrap import dedent

import pytest
from django.core.management import CommandError

from measures.models import (
    BudgetLine,
    Citation,
    District,
    Goal,
    Indicator,
    IndicatorValue,
    Measure,
    MeasurePartner,
    Plan,
    Source,
    StatusUpdate,
)
from measures.services.plans import measure_update
from partners.models import Municipality, Partner, PartnerName
from tests.factories import SYSTEM
from tests.support.commands import load_bergen_plans

pytestmark = pytest.mark.django_db

PLAN_2012 = "handlingsplan-mot-apne-russcener-2012"
PLAN_2018 = "plan-for-rusfeltet-2018-2022"
PLAN_2019 = "handlingsplan-mot-apne-russcener-2019-2022"
PLAN_2024 = "handlingsplan-mot-apne-rusomrader-2024"
MEASURES_2012 = {
    "nygardsparken-2012",
    "mo-sentre-2012",
    "trygge-byrom-2012",
    "oppfolging-i-egen-bolig-2012",
    "okt-satsing-pa-lar-2012",
    "veien-videre-2012",
    "ruskoordinator-2012",
}
# The resources the 13.09.2018 KS page lists as strengthened or under way.
RESOURCES_2018 = {
    "mo-sentre-2018",
    "utvidede-apningstider-2018",
    "sproyterom-brukerrom-2018",
    "overdoseteam-2018",
    "styrket-lar-oppfolging-2018",
    "styrket-bo-oppfolging-2018",
    "rehabilitering-nav-sosialtjeneste-2018",
}
MEASURES_2018 = RESOURCES_2018 | {
    "nye-arbeids-og-aktivitetstilbud-2018",
    "psykisk-syke-i-apne-russcener-2018",
    "brukermedvirkning-2018",
    # The work and activity plan 2019–2022.
    "fritid-med-bistand-2018",
    "ledsagertjenester-2018",
    "dagsverket-2018",
    "musikkterapi-2018",
    "fysisk-aktivitet-i-alle-bydeler-2018",
    "kreative-uttrykk-2018",
    "recoveryskole-2018",
    "app-2018",
}
MEASURES_2019 = {
    "uteomrade-strax-huset-2019",
    "kontakt-i-strax-tunnelen-2019",
    "brukerrom-alle-rusmidler-2019",
    "royerom-2019",
    "felles-innsats-gyldenpris-2019",
    "fact-team-ruskompetanse-2019",
    "mo-senteret-gyldenpris-2019",
    "brukte-sproyter-2019",
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
    "bergen:mo-senteret-gyldenpris-2019:2019-08-26": datetime.date(2019, 8, 26),
    # Known only to the month: the last day of the month.
    "bergen:ruskoordinator-2012:2013-09-30": datetime.date(2013, 9, 30),
    "bergen:overdoseteam-2018:2017-11-30": datetime.date(2017, 11, 30),
}
MODELS = (
    Municipality,
    Source,
    Citation,
    Partner,
    PartnerName,
    District,
    Plan,
    Goal,
    Measure,
    MeasurePartner,
)
# Text that must never reach the public: the fact sheet's notation and ids.
INTERNAL_NOTATION = re.compile(
    r"\(\?\)|\bseed\b|faktaark|\baudit\b|\bsheet\b|\bS\d{1,3}\b", re.IGNORECASE
)
CITED_MODELS = (
    Plan,
    Goal,
    Measure,
    StatusUpdate,
    Indicator,
    IndicatorValue,
    BudgetLine,
    Partner,
    PartnerName,
)


def _row_counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts |= {f"{model.__name__} history": model.history.count() for model in MODELS}
    for model in (StatusUpdate, Indicator, IndicatorValue, BudgetLine):
        counts[model.__name__] = model.objects.count()
    counts["StatusUpdate history"] = StatusUpdate.history.count()
    return counts


def _write(tmp_path, text: str):
    path = tmp_path / "plans.yaml"
    path.write_text(dedent(text), encoding="utf-8")
    return path


SMALL_FILE = """\
    municipality: {name: Testkommune, number: "9990", slug: testkommune}
    sources:
      - id: K1
        publisher: Testavisen
        title: Tiltaket startet
        url: https://example.org/tiltaket-startet
        kind: news
      - id: K2
        publisher: Testkommunen
        title: Planen
        url: https://example.org/planen
        kind: plan_document
    partners:
      - slug: testkommune
        name: Testkommune
        kind: municipality
        sources: [K2]
    districts:
      - {slug: sentrum, name: Sentrum}
    plans:
      - slug: testplan
        title: Testplan
        start_year: 2020
        status: adopted
        owner: testkommune
        sources: [K2]
        goals:
          - {slug: trygg, title: Trygg by, sources: [K2]}
        measures:
          - slug: testtiltak
            title: Testtiltak
            lead: testkommune
            goals: [trygg]
            districts: [sentrum]
            sources: [K2, K1]
            events:
              - id: "test:testtiltak:2020-05-01"
                date: 2020-05-01
                phase: %(phase)s
                summary: Tiltaket startet.
                sources: [K1]
"""


def test_loader_ships_four_plans_and_the_districts_the_sources_name(bergen_plans):
    assert set(Plan.objects.values_list("slug", flat=True)) == {
        PLAN_2012,
        PLAN_2018,
        PLAN_2019,
        PLAN_2024,
    }
    assert set(District.objects.values_list("name", flat=True)) == {
        "Bergenhus",
        "Fana",
        "Laksevåg",
        "Årstad",
        "Åsane",
    }
    assert not District.objects.exclude(municipality__number="4601").exists()
    assert not Plan.objects.exclude(municipality__number="4601").exists()


def test_loader_ships_every_measure_the_sources_name(bergen_plans):
    def slugs(plan: str) -> set:
        return set(
            Measure.objects.filter(plan__slug=plan).values_list("slug", flat=True)
        )

    assert slugs(PLAN_2012) == MEASURES_2012
    assert slugs(PLAN_2018) == MEASURES_2018
    assert slugs(PLAN_2019) == MEASURES_2019
    # No source found gives the 2024 draft's measures.
    assert slugs(PLAN_2024) == set()


def test_every_measure_has_one_lead_and_a_goal_of_its_plan(bergen_plans):
    for measure in Measure.objects.prefetch_related("goals", "partner_roles"):
        roles = [role.role for role in measure.partner_roles.all()]
        assert roles.count(MeasurePartner.Role.LEAD) == 1, measure.slug
        assert [goal.plan_id for goal in measure.goals.all()] == [measure.plan_id]


def test_every_shipped_fact_cites_a_source_with_a_web_address(bergen_plans):
    for model in CITED_MODELS:
        for fact in model.objects.prefetch_related("citations__source"):
            urls = [c.source.url for c in fact.citations.all() if c.field == ""]
            assert urls, f"{model.__name__} {fact.pk} has no source"
            assert all(url.startswith(("http://", "https://")) for url in urls)


def test_no_source_is_hidden_in_free_text(bergen_plans):
    assert not Partner.objects.filter(description__contains="Kilde:").exists()


def test_sources_carry_their_dates_and_keys(bergen_plans):
    ks = Source.objects.get(external_id="bergen:S1")
    assert ks.published_on == datetime.date(2018, 9, 13)
    assert ks.date_label == "13.09.2018"
    undated = Source.objects.get(external_id="bergen:S2")
    assert undated.published_on is None
    assert undated.date_label == "udatert"
    assert undated.date_note == "Innholdet tilsier 2012"
    assert Source.objects.get(external_id="bergen:S21").date_label == "08.2017"
    assert Source.objects.get(external_id="bergen:S68").date_label == "2016"
    assert Source.objects.filter(accessed_on__isnull=False).count() == 0
    # Every shipped source is cited by something.
    assert not Source.objects.filter(citations__isnull=True).exists()


def _public_texts():
    fields = {
        Plan: ("title", "short_title", "description", "adoption_note", "uncertainty"),
        Goal: ("title", "description", "uncertainty"),
        Measure: ("title", "description", "uncertainty"),
        StatusUpdate: ("summary", "uncertainty"),
        Indicator: ("title", "description", "source_organisation", "uncertainty"),
        IndicatorValue: ("note", "uncertainty"),
        BudgetLine: ("note", "uncertainty"),
        Partner: ("name", "description"),
        PartnerName: ("name",),
        Source: ("publisher", "title", "date_note"),
    }
    for model, names in fields.items():
        for row in model.objects.values("pk", *names):
            for name in names:
                yield f"{model.__name__} {row['pk']} {name}", row[name]


def test_no_internal_notation_reaches_any_loaded_text(bergen_plans):
    for where, text in _public_texts():
        assert not INTERNAL_NOTATION.search(text), (where, text)


def test_plans_carry_their_metadata(bergen_plans):
    old = Plan.objects.get(slug=PLAN_2012)
    rusfeltet = Plan.objects.get(slug=PLAN_2018)
    revised = Plan.objects.get(slug=PLAN_2019)
    draft = Plan.objects.get(slug=PLAN_2024)

    assert old.status == Plan.Status.REVISED
    assert old.owner.slug == "byradsavdeling-sosial"
    assert old.end_year is None
    # The adoption date is not given, so it is empty and the doubt explained.
    assert old.adopted_on is None
    assert "26.03.2012" in old.uncertainty
    assert "16.08.2012" in old.adoption_note

    assert rusfeltet.status == Plan.Status.NOT_GIVEN
    assert (rusfeltet.start_year, rusfeltet.end_year) == (2018, 2022)
    assert rusfeltet.adopted_on is None
    assert "22.11.2017" in rusfeltet.uncertainty
    assert rusfeltet.predecessor is None

    assert revised.status == Plan.Status.ADOPTED
    assert revised.adopted_on == datetime.date(2019, 5, 23)
    assert revised.predecessor == old
    assert "Vågsbunnen" in revised.adoption_note

    assert draft.status == Plan.Status.CONSULTATION
    assert draft.predecessor == revised
    assert draft.uncertainty

    for plan in (old, rusfeltet, revised, draft):
        assert plan.reporting_interval == Plan.ReportingInterval.NOT_GIVEN
        assert not plan.published_by_owner
        assert not plan.is_training


def test_a_plans_status_and_dates_cite_their_own_sources(bergen_plans):
    revised = Plan.objects.get(slug=PLAN_2019)
    by_field = {}
    for citation in revised.citations.select_related("source"):
        by_field.setdefault(citation.field, set()).add(citation.source.external_id)
    assert by_field["adopted_on"] == {"bergen:S3", "bergen:S6", "bergen:S23"}
    assert by_field["status"] == {"bergen:S3", "bergen:S4"}
    assert by_field[""] == {"bergen:S3", "bergen:S4"}


def test_plans_have_only_the_goals_the_sources_give(bergen_plans):
    def titles(plan):
        return list(
            Goal.objects.filter(plan__slug=plan).values_list("title", flat=True)
        )

    assert titles(PLAN_2012) == [
        "Bergen skal være en trygg by med trygge byrom for alle"
    ]
    assert titles(PLAN_2018)[0] == "Bergen skal være en trygg by for alle"
    focus = Goal.objects.filter(plan__slug=PLAN_2024, parent__isnull=False)
    assert set(focus.values_list("title", flat=True)) == {
        "Orden og trygghet i byrommene",
        "Mer positiv aktivitet i byrommene",
        "Økt renhold",
        "Mer hjelp og bistand til personer i rusmiljøene",
    }


def test_police_name_resolves_by_date(bergen_plans):
    police = Partner.objects.get(slug="vest-politidistrikt")
    assert police.name_on(datetime.date(2012, 6, 1)) == "Hordaland politidistrikt"
    assert police.name_on(datetime.date(2015, 12, 31)) == "Hordaland politidistrikt"
    assert police.name_on(datetime.date(2016, 1, 1)) == "Vest politidistrikt"


def test_the_department_was_renamed_by_the_new_byrad_in_autumn_2019(bergen_plans):
    department = Partner.objects.get(slug="byradsavdeling-sosial")
    assert department.name_on(datetime.date(2012, 6, 1)) == (
        "Byrådsavdeling for sosial, bolig og områdesatsing"
    )
    assert department.name_on(datetime.date(2019, 5, 23)) == (
        "Byrådsavdeling for sosial, bolig og inkludering"
    )
    assert department.name_on(datetime.date(2019, 11, 1)) == (
        "Byrådsavdeling for arbeid, sosial og bolig"
    )
    assert all(former.dates_approximate for former in department.former_names.all())
    green = PartnerName.objects.get(name="Grønn etat")
    assert green.partner.slug == "bymiljoetaten"
    assert green.citations.exists()


def test_measures_continued_from_2012_point_to_their_predecessor(bergen_plans):
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


def test_only_sourced_districts_are_linked(bergen_plans):
    def districts(slug):
        return set(
            Measure.objects.get(slug=slug).districts.values_list("slug", flat=True)
        )

    assert districts("mo-sentre-2018") == {"asane"}
    assert districts("mo-sentre-2012") == {"arstad", "fana", "laksevag"}
    assert districts("fysisk-aktivitet-i-alle-bydeler-2018") == set()


def test_events_are_published_updates_with_their_dates(bergen_plans):
    updates = dict(StatusUpdate.objects.values_list("external_id", "as_of"))
    for external_id, day in EVENT_DATES.items():
        assert updates[external_id] == day


def test_every_shipped_update_is_published_without_an_invented_assessment(bergen_plans):
    updates = StatusUpdate.objects.all()
    assert updates.count() >= len(EVENT_DATES)
    for update in updates:
        assert update.state == StatusUpdate.State.PUBLISHED
        assert update.author is None
        assert update.progress is None
        assert update.health == ""


def test_measures_under_way_by_2020_have_a_dated_in_progress_update(bergen_plans):
    cutoff = datetime.date(2020, 12, 31)
    for slug in RESOURCES_2018 | MEASURES_2012:
        measure = Measure.objects.get(slug=slug)
        assert measure.updates.filter(
            phase="in_progress", as_of__lte=cutoff
        ).exists(), slug
    # Most measures of the 2018–2022 plan.
    under_way = (
        Measure.objects.filter(
            plan__slug=PLAN_2018,
            updates__phase="in_progress",
            updates__as_of__lte=cutoff,
        )
        .distinct()
        .count()
    )
    assert under_way == len(RESOURCES_2018) + 1


def test_measures_nobody_reported_on_have_no_status(bergen_plans):
    app = Measure.objects.get(slug="app-2018")
    assert app.current_update is None
    assert app.current_phase == ""
    assert app.status_label == "Ingen status registrert"


def test_uncertain_facts_carry_their_doubt_in_words(bergen_plans):
    closing = StatusUpdate.objects.get(
        external_id="bergen:nygardsparken-2012:2014-08-25"
    )
    assert "2015" in closing.uncertainty
    assert closing.citations.filter(field="uncertainty").exists()
    september = StatusUpdate.objects.get(
        external_id="bergen:nygardsparken-2012:2013-09-30"
    )
    assert "19. september" in september.uncertainty
    hab = StatusUpdate.objects.get(
        external_id="bergen:styrket-lar-oppfolging-2018:2022-03-31"
    )
    assert "mai" in hab.uncertainty
    assert Measure.objects.get(slug="mo-sentre-2012").uncertainty
    assert Measure.objects.get(slug="brukte-sproyter-2019").uncertainty
    # Where sources agree, nothing is said.
    assert (
        StatusUpdate.objects.get(
            external_id="bergen:overdoseteam-2018:2018-02-23"
        ).uncertainty
        == ""
    )


def test_current_status_of_measures_reflects_the_latest_event(bergen_plans):
    room = Measure.objects.get(slug="sproyterom-brukerrom-2018")
    assert room.current_as_of == datetime.date(2019, 4, 1)
    assert room.current_phase == "in_progress"
    rename = Measure.objects.get(slug="mo-senteret-gyldenpris-2019")
    assert rename.current_phase == "completed"
    park = Measure.objects.get(slug="nygardsparken-2012")
    assert park.current_as_of == datetime.date(2021, 10, 31)


def test_loader_marks_its_own_history_rows(bergen_plans):
    for model in (Measure, Source, Citation):
        reasons = set(model.history.values_list("history_change_reason", flat=True))
        assert reasons == {"load_bergen_plans"}


def test_loading_a_second_time_writes_nothing(bergen_plans):
    before = _row_counts()
    output = load_bergen_plans()
    assert _row_counts() == before
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


def test_loader_keeps_an_administrators_edit():
    load_bergen_plans()
    park = Measure.objects.get(slug="nygardsparken-2012")
    measure_update(actor=SYSTEM, measure=park, title="Nygårdsparken, rettet tittel")

    output = load_bergen_plans()

    park.refresh_from_db()
    assert park.title == "Nygårdsparken, rettet tittel"
    assert "Beholdt administratorens endring: tiltak «nygardsparken-2012»" in output
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


def test_loader_updates_what_it_wrote_when_the_file_changes(tmp_path):
    path = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    load_bergen_plans("--file", str(path))
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: Testtiltak", "title: Bedre tittel"
        ),
        encoding="utf-8",
    )

    output = load_bergen_plans("--file", str(path))

    assert Measure.objects.get(slug="testtiltak").title == "Bedre tittel"
    assert "Totalt: 0 opprettet, 1 oppdatert." in output


def test_loader_removes_a_citation_it_wrote_when_the_file_drops_it(tmp_path):
    path = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    load_bergen_plans("--file", str(path))
    measure = Measure.objects.get(slug="testtiltak")
    assert measure.citations.count() == 2
    path.write_text(
        path.read_text(encoding="utf-8").replace("sources: [K2, K1]", "sources: [K1]"),
        encoding="utf-8",
    )

    load_bergen_plans("--file", str(path))

    assert list(measure.citations.values_list("source__url", "position")) == [
        ("https://example.org/tiltaket-startet", 1)
    ]
    # The source itself stays: other facts still cite it.
    assert Source.objects.count() == 2


def test_loader_keeps_a_citation_an_administrator_added(tmp_path):
    path = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    load_bergen_plans("--file", str(path))
    update = StatusUpdate.objects.get(external_id="test:testtiltak:2020-05-01")
    Citation.objects.create(
        status_update=update, source=Source.objects.get(title="Planen"), position=9
    )

    output = load_bergen_plans("--file", str(path))

    assert update.citations.count() == 2
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


def test_a_fact_without_sources_or_with_an_unknown_source_is_rejected(tmp_path):
    text = SMALL_FILE % {"phase": "in_progress"}
    for broken, message in (
        (text.replace("sources: [K1]\n", "sources: []\n"), "kildene"),
        (text.replace("sources: [K2, K1]", "sources: [K2, K9]"), "K9"),
    ):
        path = _write(tmp_path, broken)
        with pytest.raises(CommandError, match=message):
            load_bergen_plans("--file", str(path))
    assert not Source.objects.exists()


def test_loader_does_not_recreate_what_an_administrator_deleted():
    load_bergen_plans()
    PartnerName.objects.get(name="Grønn etat").delete()
    District.objects.get(slug="bergenhus").delete()
    update = StatusUpdate.objects.get(external_id="bergen:overdoseteam-2018:2018-02-23")
    update.delete()

    output = load_bergen_plans()

    assert not PartnerName.objects.filter(name="Grønn etat").exists()
    assert not District.objects.filter(slug="bergenhus").exists()
    assert not StatusUpdate.objects.filter(external_id=update.external_id).exists()
    deleted = "Ikke gjenopprettet, slettet av en administrator: bydel «bergenhus»"
    assert deleted in output
    assert "Totalt: 0 opprettet, 0 oppdatert." in output


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_load_leaves_nothing_behind(tmp_path):
    # The broken entry is the last one: partners, districts, the plan, its goal and
    # the measure have all been written when the event fails validation.
    broken = _write(tmp_path, SMALL_FILE % {"phase": "ukjent_fase"})

    with pytest.raises(CommandError, match="test:testtiltak:2020-05-01"):
        load_bergen_plans("--file", str(broken))

    assert all(count == 0 for count in _row_counts().values()), _row_counts()

    fixed = _write(tmp_path, SMALL_FILE % {"phase": "in_progress"})
    load_bergen_plans("--file", str(fixed))
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
        load_bergen_plans("--file", str(path))

    assert not Partner.objects.exists()
    assert not Municipality.objects.exists()


def test_an_unknown_field_in_the_file_is_rejected(tmp_path):
    path = _write(
        tmp_path,
        (SMALL_FILE % {"phase": "in_progress"}).replace(
            "title: Testtiltak", "titel: Testtiltak"
        ),
    )

    with pytest.raises(CommandError, match="titel"):
        load_bergen_plans("--file", str(path))
